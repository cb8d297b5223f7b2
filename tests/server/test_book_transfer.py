"""Helper N (issue 10): a book in one operation (``book.transfer``), open work that moves with a
customer, a complaint given to a rep (``feedback.assign``) and the stage hand-off, through the
push, on SQLite and PostgreSQL: refused for a rep and another team's manager, applied for the
team's manager and an admin, exactly once, each move judged on its own.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from server import db, schema
from server.org import Org, add_rep, set_policy
from sync.protocol.models import Policy
from tests.server._world import Device, World, op

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def w(engine):
    world = World(engine)
    with db.writing(engine) as conn:
        world.oz, world.oz_token = add_rep(conn, "Oz", team="Other", territories=["SC"],
                                           role="manager")
        world.di, world.di_token = add_rep(conn, "Di", team="East", territories=["ZJ"])
    return world


def _get(w: World, entity: str, rid: str) -> dict:
    with db.reading(w.engine) as conn:
        return db.get_record(conn, entity, rid)


def _audience(w: World, entity: str, rid: str) -> set[str]:
    with db.reading(w.engine) as conn:
        return db.record_audience(conn, entity, rid)


def _events(w: World, cid: str) -> list[dict]:
    with db.reading(w.engine) as conn:
        rows = conn.execute(sa.select(schema.records.c.record).where(
            schema.records.c.entity == "ownership",
            schema.records.c.customer_id == cid)).scalars()
        return sorted((db.loads(r) for r in rows), key=lambda e: e["n"])


def _put(w: World, entity: str, record: dict) -> dict:
    with db.writing(w.engine) as conn:
        org = Org.load(conn)
        customer = db.get_record(conn, "customer", record["customer_id"])
        db.put_record(conn, entity, record, org.history_audience(record, customer))
    return record


def _followup(w: World, customer: dict, rep: dict, status: str = "open") -> dict:
    return _put(w, "followup", {
        "id": str(uuid.uuid4()), "customer_id": customer["id"], "rep_id": rep["id"],
        "due": "2026-12-10", "title": "call back", "status": status, "source": "manual",
        "version": 1})


def _complaint(w: World, customer: dict, rep: dict, status: str = "open") -> dict:
    return _put(w, "feedback", {
        "id": str(uuid.uuid4()), "customer_id": customer["id"], "rep_id": rep["id"],
        "at": datetime.now(UTC).isoformat(), "kind": "complaint", "severity": "high",
        "text": "late delivery", "status": status, "version": 1})


def _book(w: World, giver: dict, to: list[dict], customers: list[dict], **extra) -> dict:
    return op(0, "book.transfer", str(uuid.uuid4()), {
        "from": giver["id"], "to": [r["id"] for r in to],
        "moves": [[c["id"], i % len(to)] for i, c in enumerate(customers)], **extra})


def _refused(result: dict, code: str) -> None:
    assert result["status"] == "rejected", result
    assert result["code"] == code, result


# --------------------------------------------------------------------------- book.transfer


def test_a_rep_and_another_teams_manager_move_nothing(w):
    book = _book(w, w.ana, [w.bo], [w.ana_own])
    _refused(Device(w, w.ana_token).send_one(book), "role.manager_only")
    result = Device(w, w.oz_token).send_one({**book, "op_id": str(uuid.uuid4())})
    assert result["status"] == "applied", result  # judged per customer: none of Oz's team
    assert result["params"]["moved"] == []
    assert [r["code"] for r in result["params"]["refused"]] == ["manager.own_team_transfer"]
    assert "宁波化工" not in str(result)  # Oz is told nothing of Ana's customer
    assert _get(w, "customer", w.ana_own["id"])["owner_id"] == w.ana["id"]
    assert _events(w, w.ana_own["id"]) == []


def test_the_manager_moves_a_book_once_with_open_work_and_reports_the_moved_meanwhile(w):
    second = w.customer("温州鞋业", "Zhejiang", owner=w.ana)
    gone = w.customer("嘉兴纺织", "Zhejiang", owner=w.bo)  # not Ana's any more
    open_fu = _followup(w, w.ana_own, w.ana)
    done_fu = _followup(w, w.ana_own, w.ana, status="done")
    complaint = _complaint(w, w.ana_own, w.ana)
    resolved = _complaint(w, w.ana_own, w.ana, status="resolved")
    mei = Device(w, w.mei_token)
    book = _book(w, w.ana, [w.bo, w.di], [w.ana_own, second, gone], reason="Ana leaves")
    first = mei.send_one(book)
    assert first["status"] == "applied", first
    assert first["params"]["moved"] == [w.ana_own["id"], second["id"]]
    (refused,) = first["params"]["refused"]
    assert refused["code"] == "book.moved_meanwhile" and refused["customer_id"] == gone["id"]
    assert refused["params"] == {"name": "嘉兴纺织", "rep": "Ana"}
    assert _get(w, "customer", w.ana_own["id"])["owner_id"] == w.bo["id"]
    assert _get(w, "customer", second["id"])["owner_id"] == w.di["id"]
    assert _get(w, "customer", gone["id"])["owner_id"] == w.bo["id"]
    # protection restarts for the new owner, the reason is in the history
    moved = _get(w, "customer", w.ana_own["id"])
    assert moved["claimed_at"] > w.ana_own["claimed_at"]
    (event,) = _events(w, w.ana_own["id"])
    assert event["kind"] == "transfer" and event["params"]["note"] == "Ana leaves"
    assert event["from_rep_id"] == w.ana["id"] and event["to_rep_id"] == w.bo["id"]
    # the open follow-up and the open complaint went with it; closed ones stayed
    assert _get(w, "followup", open_fu["id"])["rep_id"] == w.bo["id"]
    assert w.bo["id"] in _audience(w, "followup", open_fu["id"])
    assert w.ana["id"] not in _audience(w, "followup", open_fu["id"])
    assert _get(w, "followup", done_fu["id"])["rep_id"] == w.ana["id"]
    assert _get(w, "feedback", complaint["id"])["assignee_id"] == w.bo["id"]
    assert w.bo["id"] in _audience(w, "feedback", complaint["id"])
    assert _get(w, "feedback", resolved["id"]).get("assignee_id") is None
    # exactly once: the same operation again is answered the same and moves nothing more
    again = w.push(w.mei_token, mei.id, [{**book, "mid": mei.mid}]).json()["results"][0]
    assert again == first
    assert len(_events(w, w.ana_own["id"])) == 1


def test_an_admin_moves_any_book_and_the_limits_still_hold(w):
    with db.writing(w.engine) as conn:
        set_policy(conn, Policy(max_held=1), "test")
    extra = w.customer("台州汽配", "Zhejiang", owner=w.ana)
    result = Device(w, w.root_token).send_one(_book(w, w.ana, [w.di], [w.ana_own, extra]))
    assert result["status"] == "applied", result
    assert result["params"]["moved"] == [w.ana_own["id"]]
    assert [r["code"] for r in result["params"]["refused"]] == ["manager.max_held"]


def test_the_new_owners_territory_is_judged_per_customer(w):
    sc = w.customer("绵阳电器", "Sichuan", owner=w.bo)
    result = Device(w, w.mei_token).send_one(_book(w, w.bo, [w.ana], [sc]))
    assert [r["code"] for r in result["params"]["refused"]] == ["manager.target_territory"]
    assert _get(w, "customer", sc["id"])["owner_id"] == w.bo["id"]


@pytest.mark.parametrize("fields, code", [
    ({"moves": []}, "book.empty"),
    ({"moves": [["x", 5]]}, "book.bad_move"),
    ({"moves": [["x", True]]}, "book.bad_move"),
    ({"moves": [[1, 0]]}, "book.bad_move"),
    ({"moves": [["x" * 65, 0]]}, "book.bad_move"),
    ({"moves": [["x", 0]] * 10_001}, "book.too_many"),
    ({"to": "bo"}, "field.invalid"),
    ({"from": None}, "field.required"),
    ({"hack": 1}, "field.unexpected"),
    ({"reason": "a\x07b"}, "field.control_chars"),
    ({"from": "nobody"}, "record.unknown"),
])
def test_hostile_books_are_refused_whole(w, fields, code):
    book = _book(w, w.ana, [w.bo], [w.ana_own])
    book["fields"].update(fields)
    result = Device(w, w.mei_token).send_one(book)
    assert result["status"] == "rejected", result
    assert result["code"].split(".")[0] == code.split(".")[0], result
    if code != "field.control_chars":
        assert result["code"] == code, result
    assert _get(w, "customer", w.ana_own["id"])["owner_id"] == w.ana["id"]


def test_a_single_transfer_and_an_assignment_take_the_open_work_too(w):
    fu = _followup(w, w.ana_own, w.ana)
    complaint = _complaint(w, w.ana_own, w.ana)
    result = Device(w, w.mei_token).send_one(
        op(0, "customer.transfer", w.ana_own["id"], {"to_rep_id": w.di["id"], "reason": "x"}))
    assert result["status"] == "applied", result
    assert _get(w, "followup", fu["id"])["rep_id"] == w.di["id"]
    assert _get(w, "feedback", complaint["id"])["assignee_id"] == w.di["id"]


# --------------------------------------------------------------------------- feedback.assign


def _assign(complaint: dict, rep: dict) -> dict:
    return op(0, "feedback.assign", complaint["id"], {"assignee_id": rep["id"]})


def test_complaint_assign_by_role(w):
    complaint = _complaint(w, w.ana_own, w.ana)
    _refused(Device(w, w.ana_token).send_one(_assign(complaint, w.bo)), "role.manager_only")
    oz = Device(w, w.oz_token).send_one(_assign(complaint, w.cy))
    _refused(oz, "complaint.assign_team")
    assert "late delivery" not in str(oz)
    _refused(Device(w, w.mei_token).send_one(_assign(complaint, w.cy)), "complaint.assign_team")
    applied = Device(w, w.mei_token).send_one(_assign(complaint, w.di))
    assert applied["status"] == "applied", applied
    assert applied["record"]["assignee_id"] == w.di["id"]
    assert w.di["id"] in _audience(w, "feedback", complaint["id"])
    # the assignee may answer it now
    response = op(0, "feedback.update", complaint["id"],
                  {"response": {"id": str(uuid.uuid4()), "text": "on my way"}})
    assert Device(w, w.di_token).send_one(response)["status"] == "applied"
    admin = Device(w, w.root_token).send_one(_assign(complaint, w.cy))
    assert admin["status"] == "applied" and admin["record"]["assignee_id"] == w.cy["id"]


def test_complaint_assign_refuses_resolved_unknown_and_forged_fields(w):
    resolved = _complaint(w, w.ana_own, w.ana, status="resolved")
    mei = Device(w, w.mei_token)
    _refused(mei.send_one(_assign(resolved, w.di)), "complaint.assign_resolved")
    _refused(mei.send_one(op(0, "feedback.assign", "nope", {"assignee_id": w.di["id"]})),
             "record.unknown")
    fu = _followup(w, w.ana_own, w.ana)  # another record's id: not a complaint
    _refused(mei.send_one(op(0, "feedback.assign", fu["id"], {"assignee_id": w.di["id"]})),
             "record.unknown")
    complaint = _complaint(w, w.ana_own, w.ana)
    _refused(mei.send_one(op(0, "feedback.assign", complaint["id"],
                             {"assignee_id": w.di["id"], "status": "resolved"})),
             "field.unexpected")
    # a rep cannot set the assignee through feedback.update either
    _refused(Device(w, w.ana_token).send_one(op(0, "feedback.update", complaint["id"],
                                                {"assignee_id": w.ana["id"]})),
             "complaint.server_field")


# --------------------------------------------------------------------------- stage hand-off


def _with_handoff(w: World, **rule) -> None:
    with db.writing(w.engine) as conn:
        org = Org.load(conn)
        east = next(t for t in org.teams.values() if t["name"] == "East")
        other = next(t for t in org.teams.values() if t["name"] == "Other")
        set_policy(conn, Policy(handoffs=[{"from_team": east["id"], "stage": "active",
                                           "to_team": other["id"], **rule}]), "test")


def test_a_stage_change_hands_the_customer_to_the_other_team(w):
    sc = w.customer("乐山光伏", "Sichuan", owner=w.bo, stage="prospect")
    fu = _followup(w, sc, w.bo)
    _with_handoff(w)
    result = Device(w, w.bo_token).send_one(
        op(0, "customer.update", sc["id"], {"stage": "active"}, base_version=1))
    assert result["status"] == "applied", result
    after = _get(w, "customer", sc["id"])
    assert after["owner_id"] == w.cy["id"] and after["stage"] == "active"
    (event,) = _events(w, sc["id"])
    assert event["kind"] == "handoff" and event["from_rep_id"] == w.bo["id"]
    assert event["params"] == {"to": "Cy", "team": "Other", "stage": "active"}
    assert _get(w, "followup", fu["id"])["rep_id"] == w.cy["id"]
    # another edit of the same stage hands nothing again
    again = Device(w, w.cy_token).send_one(
        op(0, "customer.update", sc["id"], {"tier": "B"}, base_version=after["version"]))
    assert again["status"] == "applied" and len(_events(w, sc["id"])) == 1


def test_no_handoff_without_a_rule_or_a_covering_rep(w):
    zj = w.customer("湖州茶叶", "Zhejiang", owner=w.ana, stage="prospect")
    _with_handoff(w)  # nobody of Other covers Zhejiang: it stays
    result = Device(w, w.ana_token).send_one(
        op(0, "customer.update", zj["id"], {"stage": "active"}, base_version=1))
    assert result["status"] == "applied", result
    assert _get(w, "customer", zj["id"])["owner_id"] == w.ana["id"]
    assert _events(w, zj["id"]) == []


def test_a_handoff_rule_is_validated(w):
    with pytest.raises(ValueError):
        Policy(handoffs=[{"from_team": "a", "stage": "nonsense", "to_team": "b"}])
    with pytest.raises(ValueError):
        Policy(handoffs=[{"from_team": "a", "stage": "active", "to_team": "b",
                          "strategy": "lottery"}])
