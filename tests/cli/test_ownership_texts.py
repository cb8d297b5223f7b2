"""Every word the ownership history says reads right in both languages: each event reason of
sync/protocol/ownership.py, each default return reason, strategy and kind of event has a Chinese
line in ui/locales/zh_f.py with exactly its placeholders, and an event is rendered from its code
(the return reason, the strategy and the field said in the UI's language too)."""

from __future__ import annotations

import pytest

from sync.protocol.ownership import (
    DEFAULT_RETURN_REASONS,
    RETURN_REASON_LABELS,
    STRATEGY_LABELS,
    TEMPLATES,
    event_text,
)
from tests.protocol import test_refusals
from ui import i18n
from ui.locales.zh_f import ZH
from ui.ownership import KIND_LABELS, kind_text, reason_text, why_text

chinese = test_refusals.chinese  # the UI in Chinese for one test
_placeholders = test_refusals._placeholders


@pytest.mark.parametrize("english", [*TEMPLATES.values(), *RETURN_REASON_LABELS.values(),
                                     *STRATEGY_LABELS.values(), *KIND_LABELS.values()])
def test_each_text_has_a_chinese_line_with_its_placeholders(english):
    catalogue = i18n._load_catalogue()
    assert english in catalogue, f"add {english!r} to ui/locales/zh_f.py"
    assert _placeholders(catalogue[english]) == _placeholders(english)
    assert catalogue[english] != english


def test_every_default_return_reason_has_a_label():
    assert set(DEFAULT_RETURN_REASONS) == set(RETURN_REASON_LABELS)


def test_the_catalogue_holds_zh_f_as_it_says_it():
    catalogue = i18n._load_catalogue()
    assert {k: catalogue[k] for k in ZH} == ZH, "another catalogue says one of these otherwise"


ASSIGNED = {"reason": "history.assigned_match", "params": {
    "who": "Mei", "to": "Ana", "strategy": "region", "field": "province", "value": "浙江",
    "count": 0, "eligible": 2}}


def test_an_event_in_english_and_in_chinese(chinese):
    returned = {"reason": "history.returned", "params": {"who": "Ana", "reason": "duplicate"}}
    assert why_text(returned) == "Ana 退回公海：与其他客户重复"
    assert why_text(ASSIGNED) == ("由 Mei 分配给 Ana（按地区）：其辖区包含省份 浙江；"
                                  "在 2 名符合条件的销售中本轮分得最少（0 个）")
    assert kind_text("transfer") == "转移" and kind_text("later") == "later"
    i18n.set_language("en")
    assert why_text(ASSIGNED) == event_text(ASSIGNED) == (
        "assigned to Ana by Mei (by region): their territory names its province 浙江; the "
        "fewest assignments this round (0) among 2 eligible")


def test_an_unknown_code_or_a_missing_param_never_fails():
    assert event_text({"reason": "history.newer", "params": {}}) == "history.newer"
    assert event_text({"reason": "history.claimed", "params": {"who": "Ana"}}) == (
        "Ana claimed it from the pool; protected until {until}")
    assert reason_text("duplicate") == "a duplicate of another customer"
    assert reason_text("competitor") == "competitor", "an admin's own code reads as itself"
