"""Pinyin search keys for Chinese names, computed once when a customer is written
(by the laptop for its own edits, by the server for seeded and imported customers).

pypinyin costs ~130 µs a name and ~100 ms to import, so it is imported on the first write that
needs it and never at start-up: pulled customers arrive with ``search_keys`` already filled.
"""

from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u9fff]")


def has_han(text: str) -> bool:
    return bool(_HAN.search(text or ""))


POLYPHONES: dict[str, tuple[str, ...]] = {
    "长": ("chang", "zhang"), "行": ("hang", "xing"), "重": ("zhong", "chong"),
    "乐": ("le", "yue"), "厦": ("xia", "sha"), "藏": ("zang", "cang"), "调": ("diao", "tiao"),
    "朝": ("chao", "zhao"), "单": ("dan", "shan"), "曾": ("zeng", "ceng"), "解": ("jie", "xie"),
    "查": ("cha", "zha"), "盛": ("sheng", "cheng"), "传": ("chuan", "zhuan"),
    "都": ("du", "dou"), "省": ("sheng", "xing"), "大": ("da", "dai"), "还": ("huan", "hai"),
    "参": ("can", "shen"), "系": ("xi", "ji"), "强": ("qiang", "jiang"), "数": ("shu", "shuo"),
    "乘": ("cheng", "sheng"), "会": ("hui", "kuai"), "角": ("jiao", "jue"), "薄": ("bo", "bao"),
    "朴": ("pu", "piao"), "仇": ("chou", "qiu"), "区": ("qu", "ou"), "六": ("liu", "lu"),
    "蚌": ("bang", "beng"), "莘": ("shen", "xin"), "宿": ("su", "xiu"), "番": ("fan", "pan"),
    "便": ("bian", "pian"), "奇": ("qi", "ji"), "差": ("cha", "chai"), "种": ("zhong", "chong"),
    "弹": ("dan", "tan"), "率": ("lv", "shuai"), "给": ("gei", "ji"), "沈": ("shen", "chen"),
    "尉": ("wei", "yu"), "蔚": ("wei", "yu"), "覃": ("qin", "tan"), "翟": ("zhai", "di"),
    "缪": ("miao", "mou"),
}
"""The common readings of the characters company names most often hold that read otherwise in
another word (长城 changcheng, 州长 zhouzhang; 银行 yinhang, 行走 xingzou): a name gets a search
key for each other reading, one character at a time, so a rep who types the reading they know
finds it whichever pypinyin chose."""
MAX_VARIANTS = 4
"""The most other readings one name gets keys for (a name full of polyphones stays bounded)."""


def pinyin_keys(name: str) -> list[str]:
    """[full pinyin, initials] of a name with Chinese characters ('zhongguoshihua', 'zgsh'), then
    the full pinyin and initials of each other common reading of its polyphonic characters
    (:data:`POLYPHONES`): 苏州长城 is 'suzhouzhangcheng', 'szzc', 'suzhouchangcheng', 'szcc'. The
    first key stays the phrase reading (the name order sorts by it)."""
    if not has_han(name):
        return []
    from pypinyin import Style, lazy_pinyin

    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="default")]
    chars = _syllable_chars(name, syllables)
    keys = list(_joined(syllables))
    variants = 0
    for i, char in enumerate(chars):
        for reading in POLYPHONES.get(char or "", ()):
            if variants >= MAX_VARIANTS or reading == syllables[i]:
                continue
            keys.extend(_joined([*syllables[:i], reading, *syllables[i + 1:]]))
            variants += 1
    return [k for i, k in enumerate(keys) if k and k not in keys[:i]]


def _joined(syllables: list[str]) -> tuple[str, str]:
    parts = [s for s in (part.strip() for part in syllables) if s]
    full = "".join(re.sub(r"\s+", "", p) for p in parts)
    initials = "".join(p[0] for p in parts if p[0].isalnum())
    return full, initials


def _syllable_chars(name: str, syllables: list[str]) -> list[str | None]:
    """The character each syllable is the reading of (None for a run of non-Chinese text,
    which lazy_pinyin keeps as one item): a Chinese character is one syllable each."""
    out: list[str | None] = []
    rest = name
    for syllable in syllables:
        if rest and _HAN.match(rest[0]):
            out.append(rest[0])
            rest = rest[1:]
        else:
            out.append(None)
            cut = len(syllable) if rest.lower().startswith(syllable) else 0
            while cut < len(rest) and not _HAN.match(rest[cut]):
                cut += 1
            rest = rest[cut:]
    return out
