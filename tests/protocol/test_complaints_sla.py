"""The complaint SLA (sync/protocol/complaints.py, helper K, issue 10): the policy's hours per
severity with their defaults and validation, and ``sla_of``: a complaint's age, when its first
response and its resolution are due, and whether either was (or is now) missed; the re-visit a
resolution schedules, the same every time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from sync.protocol import complaints
from sync.protocol.models import Policy

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _complaint(**fields) -> dict:
    return {"id": "c-1", "customer_id": "cu-1", "rep_id": "r-1", "kind": "complaint",
            "severity": "high", "text": "late\ndelivery", "status": "open",
            "at": AT.isoformat(), **fields}


def test_the_policy_has_an_sla_for_every_severity_by_default_and_keeps_what_is_left_out():
    hours = Policy().complaint_sla_hours
    assert {s.value: (h.respond, h.resolve) for s, h in hours.items()} == {
        "low": (72, 240), "medium": (24, 120), "high": (4, 48)}
    assert Policy().revisit_days == 7
    mine = Policy.model_validate({"complaint_sla_hours": {"high": {"respond": 1, "resolve": 8}}})
    assert (mine.complaint_sla_hours["high"].respond, mine.complaint_sla_hours["low"].resolve) \
        == (1, 240)
    again = Policy.model_validate(mine.model_dump(mode="json"))
    assert again.complaint_sla_hours == mine.complaint_sla_hours


@pytest.mark.parametrize("bad", [
    {"complaint_sla_hours": {"high": {"respond": 10, "resolve": 5}}},  # respond after resolve
    {"complaint_sla_hours": {"high": {"respond": 0, "resolve": 5}}},
    {"complaint_sla_hours": {"high": {"respond": 1}}},
    {"complaint_sla_hours": {"urgent": {"respond": 1, "resolve": 2}}},
    {"complaint_sla_hours": {"high": {"respond": 1, "resolve": 10_000}}},
    {"revisit_days": -1},
    {"revisit_days": 400},
])
def test_a_bad_sla_or_revisit_is_refused(bad):
    with pytest.raises(ValidationError):
        Policy.model_validate(bad)


def test_an_open_complaint_breaches_its_response_once_now_passes_the_due_time():
    policy = Policy()
    on_time = complaints.sla_of(_complaint(), policy, AT + timedelta(hours=3))
    assert on_time is not None
    assert on_time.respond_due == AT + timedelta(hours=4)
    assert on_time.resolve_due == AT + timedelta(hours=48)
    assert on_time.age_hours == pytest.approx(3)
    assert not on_time.breached and on_time.is_open
    late = complaints.sla_of(_complaint(), policy, AT + timedelta(hours=5))
    assert late.response_breached and not late.resolution_breached and late.breached
    very = complaints.sla_of(_complaint(), policy, AT + timedelta(hours=49))
    assert very.response_breached and very.resolution_breached


def test_a_response_in_time_stops_the_response_clock_for_good():
    responded = _complaint(responded_at=(AT + timedelta(hours=2)).isoformat(),
                           status="in_progress")
    sla = complaints.sla_of(responded, Policy(), AT + timedelta(hours=30))
    assert not sla.response_breached and not sla.breached
    late = _complaint(responded_at=(AT + timedelta(hours=6)).isoformat())
    assert complaints.sla_of(late, Policy(), AT + timedelta(hours=7)).response_breached


def test_a_resolved_complaint_is_measured_to_its_resolution():
    resolved = _complaint(status="resolved", resolved_at=(AT + timedelta(hours=50)).isoformat())
    sla = complaints.sla_of(resolved, Policy(), AT + timedelta(days=30))
    assert sla.age_hours == pytest.approx(50) and not sla.is_open
    assert sla.resolution_breached and sla.response_breached  # resolving answered it, late
    quick = _complaint(status="resolved", resolved_at=(AT + timedelta(hours=1)).isoformat())
    assert not complaints.sla_of(quick, Policy(), AT + timedelta(days=30)).breached


def test_severity_picks_the_hours_and_an_unknown_one_counts_as_medium():
    policy = Policy()
    low = complaints.sla_of(_complaint(severity="low"), policy, AT)
    odd = complaints.sla_of(_complaint(severity="urgent"), policy, AT)
    assert low.respond_due == AT + timedelta(hours=72)
    assert odd.severity == "medium" and odd.respond_due == AT + timedelta(hours=24)


def test_no_sla_for_feedback_that_is_no_complaint_or_has_no_time():
    assert complaints.sla_of(_complaint(kind="satisfaction"), Policy(), AT) is None
    assert complaints.sla_of(_complaint(at="yesterday"), Policy(), AT) is None


def test_the_json_form_names_the_dues_and_the_breach():
    shown = complaints.sla_of(_complaint(), Policy(), AT + timedelta(hours=5)).as_json()
    assert shown["respond_due"] == (AT + timedelta(hours=4)).isoformat()
    assert shown["breached"] is True and shown["age_hours"] == 5.0


def test_a_response_is_appended_once_by_its_id_and_the_first_sets_responded_at():
    rep = {"id": "r-9", "name": "Mei"}
    first = complaints.response_fields(_complaint(), response_id="x", text=" ok\r\nthanks ",
                                       rep=rep, now=AT)
    assert first["responded_at"] == AT.isoformat() and first["status"] == "in_progress"
    assert first["responses"][0]["text"] == "ok\nthanks"
    after = {**_complaint(), **first}
    assert complaints.response_fields(after, response_id="x", text="ok", rep=rep, now=AT) == {}
    second = complaints.response_fields(after, response_id="y", text="more", rep=rep,
                                        now=AT + timedelta(hours=1))
    assert "responded_at" not in second and len(second["responses"]) == 2


def test_the_revisit_is_due_after_revisit_days_in_the_teams_calendar_with_a_fixed_id():
    policy = Policy(revisit_days=3)
    late_evening = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 01:00 on 2 December in Shanghai
    revisit = complaints.revisit_followup(_complaint(), "owner-1", policy, late_evening)
    assert revisit["due"] == (date(2026, 12, 2) + timedelta(days=3)).isoformat()
    assert revisit["title"] == "Satisfaction re-visit: late delivery"
    assert revisit["id"] == complaints.revisit_id("c-1") != complaints.revisit_id("c-2")
    assert (revisit["rep_id"], revisit["source"], revisit["feedback_id"]) == (
        "owner-1", "revisit", "c-1")


def test_responses_and_resolutions_are_refused_on_a_resolved_complaint_or_without_text():
    assert complaints.respond_refusal(_complaint(), "ok") is None
    assert complaints.respond_refusal(_complaint(), " ").code == "complaint.text_required"
    assert complaints.resolve_refusal(_complaint(status="resolved"), "x").code == \
        "complaint.already_resolved"
    assert complaints.resolve_refusal(_complaint(kind="suggestion"), "x").code == \
        "complaint.not_a_complaint"
