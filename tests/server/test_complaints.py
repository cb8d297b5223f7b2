"""Complaints to resolution on the server (helper K, issue 10): a response is appended once with
the server's time (the first sets ``responded_at``), a resolution sets ``resolved_at`` and
schedules exactly one satisfaction re-visit for the customer's owner in the same transaction,
visible to the owner after sync; the author, the owner, the team's manager and an admin may
answer, another rep and another team's manager may not. Hostile text is refused.

On SQLite and PostgreSQL (the ``engine`` fixture), with the server's clock set by the test.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from server import db
from server.org import add_rep
from sync.protocol import complaints, rules
from tests.server import test_rules
from tests.server._world import Device, World, op

clock = test_rules.clock  # 2 December 2026, 10:00 in Shanghai


@pytest.fixture
def w(clock, engine):
    world = World(engine, clock)
    with db.writing(engine) as conn:  # another team's manager
        world.oz, world.oz_token = add_rep(conn, "Oz", team="Other", territories=["SC"],
                                           role="manager")
    return world


def _complaint(world: World, device: Device, customer: dict, **fields) -> dict:
    result = device.send_one(op(0, "feedback.create", str(uuid.uuid4()), {
        "customer_id": customer["id"], "at": world.clock().isoformat(), "kind": "complaint",
        "text": "late delivery", "severity": "high", **fields}))
    assert result["status"] == "applied", result
    return result["record"]


def _respond(device: Device, complaint: dict, text: str = "called them",
             response_id: str | None = None) -> dict:
    return device.send_one(op(0, "feedback.update", complaint["id"], {
        "response": {"id": response_id or str(uuid.uuid4()), "text": text}}))


def _resolve(device: Device, complaint: dict, text: str = "replaced the parts") -> dict:
    return device.send_one(op(0, "feedback.update", complaint["id"],
                              {"status": "resolved", "resolution": text}))


def _stored(world: World, entity: str, record_id: str) -> dict | None:
    with db.reading(world.engine) as conn:
        return db.get_record(conn, entity, record_id)


def test_the_owner_responds_once_by_the_response_id_with_the_servers_time(w):
    ana = Device(w, w.ana_token)
    complaint = _complaint(w, ana, w.ana_own)
    w.clock.advance(hours=2)
    first = _respond(ana, complaint, "called the buyer", response_id="r-1")
    assert first["status"] == "applied", first
    record = first["record"]
    assert rules.as_datetime(record["responded_at"]) == w.clock()
    assert record["status"] == "in_progress"
    assert [(r["id"], r["rep_id"], r["text"]) for r in record["responses"]] == [
        ("r-1", w.ana["id"], "called the buyer")]
    w.clock.advance(hours=1)
    again = _respond(ana, complaint, "called the buyer", response_id="r-1")  # sent twice
    assert again["status"] == "applied"
    second = _respond(ana, complaint, "sent an engineer", response_id="r-2")
    stored = _stored(w, "feedback", complaint["id"])
    assert [r["id"] for r in stored["responses"]] == ["r-1", "r-2"]
    assert second["record"]["responded_at"] == record["responded_at"]  # the first stays


def test_the_teams_manager_responds_and_resolves_another_rep_and_team_may_not(w):
    ana = Device(w, w.ana_token)
    complaint = _complaint(w, ana, w.ana_own)
    bo, oz, mei = Device(w, w.bo_token), Device(w, w.oz_token), Device(w, w.mei_token)
    for outsider in (bo, oz):
        refused = _respond(outsider, complaint)
        assert refused["status"] == "rejected" and refused["code"] == "scope.not_yours"
        assert refused["record"] is None  # told nothing of it
        refused = _resolve(outsider, complaint)
        assert refused["code"] == "scope.not_yours"
    assert _stored(w, "feedback", complaint["id"])["responses"] == []
    assert _respond(mei, complaint, "I will call them")["status"] == "applied"
    resolved = _resolve(mei, complaint)
    assert resolved["status"] == "applied", resolved
    assert resolved["record"]["resolved_by"] == w.mei["id"]


def test_an_admin_may_answer_any_complaint(w):
    ana = Device(w, w.ana_token)
    complaint = _complaint(w, ana, w.ana_own)
    assert _respond(Device(w, w.root_token), complaint)["status"] == "applied"


def test_resolving_sets_resolved_at_and_one_revisit_for_the_owner_even_sent_twice(w):
    ana = Device(w, w.ana_token)
    complaint = _complaint(w, ana, w.ana_own)
    w.clock.advance(hours=5)
    first = _resolve(ana, complaint, "replaced the parts")
    assert first["status"] == "applied", first
    record = first["record"]
    assert record["status"] == "resolved" and record["resolution"] == "replaced the parts"
    assert rules.as_datetime(record["resolved_at"]) == w.clock()
    assert record["responded_at"] == record["resolved_at"]  # resolving answers it too
    again = _resolve(ana, complaint, "replaced the parts")  # a second mutation, same words
    assert again["status"] == "applied" and again["record"]["version"] == record["version"]
    other = _resolve(ana, complaint, "something else")
    assert other["status"] == "rejected" and other["code"] == "complaint.already_resolved"
    view, _cursor = w.scope(w.ana_token)
    revisits = [f for f in view.get("followup", {}).values() if f.get("source") == "revisit"]
    assert len(revisits) == 1
    revisit = revisits[0]
    assert revisit["id"] == complaints.revisit_id(complaint["id"])
    assert revisit["rep_id"] == w.ana["id"] and revisit["feedback_id"] == complaint["id"]
    assert revisit["due"] == (date(2026, 12, 2) + timedelta(days=7)).isoformat()
    assert revisit["title"] == "Satisfaction re-visit: late delivery"
    assert revisit["status"] == "open"
    bo_view, _ = w.scope(w.bo_token)
    assert revisit["id"] not in bo_view.get("followup", {})  # the owner's, not another rep's


def test_the_revisit_goes_to_the_customers_owner_when_the_manager_logged_it(w):
    mei = Device(w, w.mei_token)
    complaint = _complaint(w, mei, w.ana_own)
    assert _resolve(mei, complaint)["status"] == "applied"
    revisit = _stored(w, "followup", complaints.revisit_id(complaint["id"]))
    assert revisit is not None and revisit["rep_id"] == w.ana["id"]
    view, _ = w.scope(w.ana_token)
    assert revisit["id"] in view["followup"]


def test_a_resolved_complaint_takes_no_new_response_and_resend_of_an_old_one_is_kept(w):
    ana = Device(w, w.ana_token)
    complaint = _complaint(w, ana, w.ana_own)
    assert _respond(ana, complaint, response_id="r-1")["status"] == "applied"
    assert _resolve(ana, complaint)["status"] == "applied"
    assert _respond(ana, complaint, response_id="r-1")["status"] == "applied"
    late = _respond(ana, complaint, response_id="r-2")
    assert late["status"] == "rejected" and late["code"] == "complaint.already_resolved"


@pytest.mark.parametrize(("fields", "code"), [
    ({"response": {"id": "r", "text": "ok\x1b[31m"}}, "field.control_chars"),
    ({"response": {"id": "r\n", "text": "ok"}}, "field.control_chars"),
    ({"response": {"id": "r", "text": "x" * 5_001}}, "field.too_long"),
    ({"response": {"id": "r", "text": "   "}}, "complaint.text_required"),
    ({"response": "just text"}, "field.invalid"),
    ({"status": "resolved", "resolution": ""}, "complaint.text_required"),
    ({"status": "resolved", "resolution": "done\x00"}, "field.nul"),
    ({"resolved_at": "2026-01-01T00:00:00Z"}, "complaint.server_field"),
    ({"responses": []}, "complaint.server_field"),
    ({"text": "rewritten"}, "field.immutable"),
])
def test_hostile_or_empty_answers_are_refused_with_a_code(w, fields, code):
    ana = Device(w, w.ana_token)
    complaint = _complaint(w, ana, w.ana_own)
    result = ana.send_one(op(0, "feedback.update", complaint["id"], fields))
    assert result["status"] == "rejected" and result["code"] == code, result
    stored = _stored(w, "feedback", complaint["id"])
    assert stored["responses"] == [] and stored["status"] == "open"
    assert _stored(w, "followup", complaints.revisit_id(complaint["id"])) is None


def test_a_create_may_not_set_what_the_server_sets(w):
    ana = Device(w, w.ana_token)
    complaint = _complaint(w, ana, w.ana_own, resolved_at="2020-01-01T00:00:00Z",
                           responses=[{"id": "x", "rep_id": "y", "at": "2020-01-01T00:00:00Z",
                                       "text": "forged"}])
    assert complaint["responses"] == [] and complaint["resolved_at"] is None
