"""A manager's ``customer.assign`` and ``customer.transfer`` through the push, on SQLite and
PostgreSQL: refused for a rep and for another team's manager (telling them nothing of the
customer), applied for the team's manager and for an admin with the ownership event written in
the same transaction and exactly once, refused for another record's id, for a customer claimed
meanwhile (in the manager's language) and for hostile fields.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server import db, schema
from server.org import add_rep, set_policy
from sync.protocol.models import Policy
from sync.protocol.ownership import event_text
from tests.server._world import Device, World, op, visit

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def w(engine):
    world = World(engine)
    with db.writing(engine) as conn:  # the manager of the other team
        world.oz, world.oz_token = add_rep(conn, "Oz", team="Other", territories=["SC"],
                                           role="manager")
    return world


def _customer(w: World, cid: str) -> dict:
    with db.reading(w.engine) as conn:
        return db.get_record(conn, "customer", cid)


def _events(w: World, cid: str) -> list[dict]:
    with db.reading(w.engine) as conn:
        rows = conn.execute(sa.select(schema.records.c.record).where(
            schema.records.c.entity == "ownership",
            schema.records.c.customer_id == cid)).scalars()
        return sorted((db.loads(r) for r in rows), key=lambda e: e["n"])


def _assign(cid, rep_id, **extra):
    return op(0, "customer.assign", cid, {"rep_id": rep_id, **extra})


def _transfer(cid, rep_id, **extra):
    return op(0, "customer.transfer", cid, {"to_rep_id": rep_id, **extra})


def _refused(result: dict, code: str) -> None:
    assert result["status"] == "rejected", result
    assert result["code"] == code, result


@pytest.mark.parametrize("kind", ["assign", "transfer"])
def test_a_rep_is_refused_and_nothing_changes(w, kind):
    target = w.pool_zj if kind == "assign" else w.ana_own
    mutation = (_assign if kind == "assign" else _transfer)(target["id"], w.bo["id"])
    result = Device(w, w.ana_token).send_one(mutation)
    _refused(result, "role.manager_only")
    assert _customer(w, target["id"]) == target and _events(w, target["id"]) == []


def test_another_teams_manager_is_refused_and_told_nothing(w):
    oz = Device(w, w.oz_token)
    _refused(oz.send_one(_assign(w.pool_zj["id"], w.bo["id"])), "manager.own_team_assign")
    result = oz.send_one(_transfer(w.ana_own["id"], w.cy["id"]))
    _refused(result, "manager.own_team_transfer")
    assert result["record"] is None and "宁波化工" not in str(result)
    assert _customer(w, w.ana_own["id"])["owner_id"] == w.ana["id"]
    assert _events(w, w.ana_own["id"]) == []


def test_the_teams_manager_assigns_a_pool_customer_once_with_its_history(w):
    mei = Device(w, w.mei_token)
    mutation = {**_assign(w.pool_zj["id"], w.bo["id"]), "mid": 1}
    first = w.push(w.mei_token, mei.id, [mutation]).json()["results"][0]
    assert first["status"] == "applied", first
    again = w.push(w.mei_token, mei.id, [mutation]).json()["results"][0]
    assert again["status"] == "applied" and again["version"] == first["version"]
    stored = _customer(w, w.pool_zj["id"])
    assert (stored["owner_id"], stored["protected_until"] is not None) == (w.bo["id"], True)
    [event] = _events(w, w.pool_zj["id"])  # the resend wrote nothing more
    assert (event["kind"], event["actor_id"], event["to_rep_id"]) == (
        "assign", w.mei["id"], w.bo["id"])
    assert event_text(event) == "assigned to Bo from the pool by Mei"


def test_an_assignment_by_a_strategy_says_the_rule_that_matched(w):
    mei = Device(w, w.mei_token)
    result = mei.send_one(_assign(w.pool_zj["id"], w.bo["id"], strategy="region"))
    assert result["status"] == "applied", result
    [event] = _events(w, w.pool_zj["id"])
    assert (event["kind"], event["strategy"]) == ("assign", "region")
    assert event_text(event) == (
        "assigned to Bo by Mei (by region): their territory names its province Zhejiang")
    other = w.customer("温州鞋业", "Zhejiang")
    result = mei.send_one(_assign(other["id"], w.ana["id"], strategy="round-robin"))
    assert result["status"] == "applied", result
    assert event_text(_events(w, other["id"])[-1]) == "assigned to Ana by Mei (round-robin)"


@pytest.mark.parametrize("strategy", ["lottery", 7, ""])
def test_an_unknown_strategy_is_refused_and_nothing_changes(w, strategy):
    result = Device(w, w.mei_token).send_one(
        _assign(w.pool_zj["id"], w.bo["id"], strategy=strategy))
    _refused(result, "assign.unknown_strategy")
    assert _customer(w, w.pool_zj["id"]).get("owner_id") is None
    assert _events(w, w.pool_zj["id"]) == []


def test_the_teams_manager_transfers_with_a_reason_and_an_admin_on_any_team(w):
    result = Device(w, w.mei_token).send_one(
        _transfer(w.ana_own["id"], w.bo["id"], reason="Ana moves to Sichuan"))
    assert result["status"] == "applied", result
    assert _customer(w, w.ana_own["id"])["owner_id"] == w.bo["id"]
    [event] = _events(w, w.ana_own["id"])
    assert event_text(event) == "transferred from Ana to Bo by Mei: Ana moves to Sichuan"
    root = Device(w, w.root_token)
    assert root.send_one(_assign(w.pool_sc["id"], w.cy["id"]))["status"] == "applied"
    assert _customer(w, w.pool_sc["id"])["owner_id"] == w.cy["id"]
    assert root.send_one(_transfer(w.ana_own["id"], w.ana["id"]))["status"] == "applied"
    assert _events(w, w.ana_own["id"])[-1]["from_rep_id"] == w.bo["id"]


def test_the_rules_of_a_hand_over_refuse_with_their_code(w):
    mei, root = Device(w, w.mei_token), Device(w, w.root_token)
    _refused(mei.send_one(_transfer(w.ana_own["id"], w.ana["id"])), "manager.already_owner")
    _refused(root.send_one(_transfer(w.ana_own["id"], w.cy["id"])), "manager.target_territory")
    _refused(mei.send_one(_assign(w.pool_zj["id"], w.cy["id"])), "manager.own_team_assign")
    with db.writing(w.engine) as conn:
        set_policy(conn, Policy(max_held=1), "test")
    w.customer("温州鞋业", "Zhejiang", owner=w.bo)
    result = mei.send_one(_assign(w.pool_zj["id"], w.bo["id"]))
    _refused(result, "manager.max_held")
    assert result["params"] == {"rep": "Bo", "held": 1, "cap": 1}


def test_another_records_id_is_refused(w):
    mei = Device(w, w.mei_token)
    result = mei.send_one(_assign(w.ana_own["id"], w.bo["id"]))  # owned: not in the pool
    _refused(result, "manager.not_pool_owned")
    assert result["params"]["who"] == "Ana"
    a_visit = visit(0, w.ana_own["id"])
    assert Device(w, w.ana_token).send_one(a_visit)["status"] == "applied"
    _refused(mei.send_one(_assign(a_visit["record_id"], w.bo["id"])), "record.unknown_customer")
    _refused(mei.send_one(_transfer(w.ana_own["id"], w.pool_zj["id"])), "record.unknown")


def test_an_offline_assignment_of_a_customer_claimed_meanwhile_comes_back_in_chinese(w):
    from ui.i18n import rejection_text, set_language

    assert Device(w, w.ana_token).send_one(op(0, "customer.claim", w.pool_zj["id"])
                                           )["status"] == "applied"
    result = Device(w, w.mei_token).send_one(_assign(w.pool_zj["id"], w.bo["id"]))
    _refused(result, "manager.not_pool_owned")
    assert _customer(w, w.pool_zj["id"])["owner_id"] == w.ana["id"]
    set_language("zh")
    try:
        assert rejection_text(result) == "杭州机械 已不在公海：现在归 Ana"
    finally:
        set_language("en")
    # already the target's by a claim meanwhile: the assignment is satisfied
    assert Device(w, w.mei_token).send_one(_assign(w.pool_zj["id"], w.ana["id"])
                                           )["status"] == "applied"
    assert [e["kind"] for e in _events(w, w.pool_zj["id"])] == ["claim"]


@pytest.mark.parametrize("kind, fields, code", [
    ("assign", {"rep_id": "BO", "owner_id": "x"}, "field.unexpected"),
    ("assign", {}, "field.required"),
    ("assign", {"rep_id": 12}, "field.required"),
    ("assign", {"rep_id": "x" * 200}, "field.too_long"),
    ("assign", {"rep_id": "a\x00b"}, "field.nul"),
    ("assign", {"rep_id": "BO", "reason": "no"}, "field.unexpected"),
    ("transfer", {"to_rep_id": "BO", "reason": 5}, "field.invalid"),
    ("transfer", {"to_rep_id": "BO", "reason": "r" * 201}, "field.too_long"),
    ("transfer", {"to_rep_id": "BO", "rep_id": "BO"}, "field.unexpected"),
    ("transfer", {"reason": "x"}, "field.required"),
    ("transfer", {"to_rep_id": "BO", "reason": "a\x1b[2Jb"}, "field.control_chars"),
])
def test_hostile_fields_are_refused_naming_the_field(w, kind, fields, code):
    fields = {k: (w.bo["id"] if v == "BO" else v) for k, v in fields.items()}
    target = w.pool_zj if kind == "assign" else w.ana_own
    result = Device(w, w.mei_token).send_one(op(0, f"customer.{kind}", target["id"], fields))
    _refused(result, code)
    assert _customer(w, target["id"]).get("owner_id") == target.get("owner_id")
    assert _events(w, target["id"]) == []
