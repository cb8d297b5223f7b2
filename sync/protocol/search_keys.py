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


def pinyin_keys(name: str) -> list[str]:
    """[full pinyin, initials] of a name with Chinese characters ('zhongguoshihua', 'zgsh')."""
    if not has_han(name):
        return []
    from pypinyin import Style, lazy_pinyin

    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="default")]
    parts = [s for s in (part.strip() for part in syllables) if s]
    full = "".join(re.sub(r"\s+", "", p) for p in parts)
    initials = "".join(p[0] for p in parts if p[0].isalnum())
    keys = [full, initials]
    return [k for i, k in enumerate(keys) if k and k not in keys[:i]]
