"""Every refusal the rules can give reads right in both languages: each English template of
sync/protocol/refusals.py has a Chinese line in ui/locales/zh_refusals.py with exactly its
placeholders, and the laptop renders a code in the UI's language (the server's English when the
code is newer than this build)."""

from __future__ import annotations

import string

import pytest

from sync.protocol.refusals import TEMPLATES, Refusal
from ui import i18n
from ui.locales.zh_refusals import ZH


def _placeholders(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


@pytest.fixture
def chinese():
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


def test_every_refusal_template_has_a_chinese_translation():
    missing = sorted(code for code, template in TEMPLATES.items() if template not in ZH)
    assert not missing, f"add these to ui/locales/zh_refusals.py: {missing}"


@pytest.mark.parametrize("code", sorted(TEMPLATES))
def test_a_translation_has_the_same_placeholders_as_its_template(code):
    template = TEMPLATES[code]
    translation = ZH.get(template)
    assert translation is not None, f"{code}: no translation"
    assert _placeholders(translation) == _placeholders(template), (code, translation)
    assert translation != template, f"{code}: the 'translation' is the English"


def test_the_catalogue_holds_each_template_as_zh_refusals_says_it():
    """Another part's catalogue with the same English key must not say it differently."""
    catalogue = i18n._load_catalogue()
    for code, template in TEMPLATES.items():
        assert catalogue[template] == ZH[template], code


def test_a_refusal_is_rendered_from_its_code_in_chinese(chinese):
    refusal = Refusal("claim.owned_by_until", {"who": "Li Wei", "until": "2026-12-03"})
    assert i18n.refusal_text(refusal.code, refusal.params, refusal.text) == (
        "归 Li Wei 所有，保护期至 2026-12-03")
    assert i18n.refusal_text("field.too_long", {"field": "contacts.0.name", "max": 80}) == (
        "联系人.0.名称：最多 80 个字符")


def test_a_refusal_is_the_english_template_in_english():
    params = {"who": "Li Wei", "until": "2026-12-03"}
    assert i18n.refusal_text("claim.owned_by_until", params, "whatever") == (
        Refusal("claim.owned_by_until", params).text)


def test_an_unknown_code_falls_back_to_the_servers_english(chinese):
    assert i18n.refusal_text("claim.from_the_future", {"x": 1}, "the server's words") == (
        "the server's words")
    assert i18n.refusal_text(None, {}, "no code at all") == "no code at all"


def test_a_missing_parameter_stays_as_written_instead_of_failing(chinese):
    assert i18n.refusal_text("claim.owned_by_until", {"who": "Bo"}, "x") == (
        "归 Bo 所有，保护期至 {until}")


def test_errors_and_rejections_render_their_code(chinese):
    from cache.errors import Refused, ValidationFailed

    coded = ValidationFailed("customer", "owned by Bo", Refusal("claim.owned_by", {"who": "Bo"}))
    assert i18n.error_text(coded) == "归 Bo 所有"
    assert i18n.error_text(Refused("import.other_rep", rep="Ana")) == (
        "这份待同步文件是另一位销售（Ana）导出的；只有本人可以导入")
    assert i18n.error_text(ValueError("plain words")) == "plain words"
    rejection = {"reason": "owned by Bo", "code": "claim.owned_by", "params": {"who": "Bo"}}
    assert i18n.rejection_text(rejection) == "归 Bo 所有"
    assert i18n.rejection_text({"reason": "an old journal's English"}) == (
        "an old journal's English")
    assert i18n.rejection_text({"reason": "x", "code": 7, "params": "junk"}) == "x"
