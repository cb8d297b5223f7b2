"""A satisfaction re-visit the server schedules after a complaint is resolved reads in the UI's
language wherever its title shows: the queue's What column, its detail line and the timeline."""

from __future__ import annotations

from datetime import date

import pytest

from screens.customer import _timeline_text
from sync.protocol.complaints import REVISIT_PREFIX
from sync.protocol.models import Policy
from ui.i18n import set_language
from ui.queue_text import reason_text

REVISIT = {"title": REVISIT_PREFIX + "seal leaked", "source": "revisit", "due": "2026-11-30"}


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh")
    yield
    set_language("en")


def test_the_queue_detail_line_words_a_revisit_in_chinese():
    entry = {"reason_code": "followup", "due": "2026-11-30",
             "params": {"title": REVISIT["title"], "source": "revisit"}}
    line = reason_text(entry, date(2026, 11, 23))
    assert "seal leaked" in line and "Satisfaction re-visit" not in line, line


def test_the_timeline_words_a_revisit_in_chinese():
    _kind, text = _timeline_text({"type": "followup", "record": REVISIT})
    assert "seal leaked" in text and "Satisfaction re-visit" not in text, text


def test_the_timeline_dates_a_resolved_complaint_in_the_policy_zone():
    complaint = {"kind": "complaint", "status": "resolved", "resolution": "new seal",
                 "resolved_at": "2026-11-24T17:30:00+00:00", "severity": "high", "text": "x"}
    _kind, text = _timeline_text({"type": "feedback", "record": complaint}, Policy())
    assert "new seal" in text and "11-25" in text, text  # 01:30 the next day in Shanghai


def test_another_followup_keeps_its_title_as_typed():
    entry = {"reason_code": "followup", "due": "2026-11-30",
             "params": {"title": REVISIT["title"], "source": "rep"}}
    assert REVISIT["title"] in reason_text(entry, date(2026, 11, 23))
