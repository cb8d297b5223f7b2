"""The ownership history: every path that changes a customer's owner writes one structured event
in the same transaction (claim, return, reclaim, assignment, transfer, a new customer, an
import), and the feed carries it only to the customer's audience: the owner, the rep it was taken
from (that event only), the team's managers and the admins; never another rep, nor another
team's manager. A rep returns a customer with a reason code of the policy's list, once.

On SQLite and PostgreSQL (the ``engine`` fixture), with the server's clock set by the test.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from server import db, schema
from server.csv_import import import_customers
from server.domain.ownership import reclaim
from server.org import Org, add_rep, set_policy
from sync.protocol.models import Policy
from sync.protocol.ownership import event_text
from tests.server import test_rules
from tests.server._world import Device, World, op, visit

clock = test_rules.clock  # the server's clock, set by the tests (2 December 2026, 10:00 Shanghai)


@pytest.fixture
def w(clock, engine):
    world = World(engine, clock)
    with db.writing(engine) as conn:  # another team's manager, to prove they see nothing
        world.oz, world.oz_token = add_rep(conn, "Oz", team="Other", territories=["SC"],
                                           role="manager")
    return world


def _events(world: World, token: str) -> list[dict]:
    """The ownership events ``token``'s rep gets by a first sync, oldest first."""
    view, _cursor = world.scope(token)
    return sorted(view.get("ownership", {}).values(), key=lambda e: (e["customer_id"], e["n"]))


def _stored(world: World, customer_id: str) -> list[dict]:
    with db.reading(world.engine) as conn:
        rows = conn.execute(sa.select(schema.records.c.record).where(
            schema.records.c.entity == "ownership",
            schema.records.c.customer_id == customer_id)).scalars()
        return sorted((db.loads(r) for r in rows), key=lambda e: e["n"])


def _claim(world: World, token: str, customer: dict) -> dict:
    result = Device(world, token).send_one(op(0, "customer.claim", customer["id"]))
    assert result["status"] == "applied", result
    return result


def test_a_claim_is_one_event_seen_by_the_owner_their_manager_and_admins_only(w):
    _claim(w, w.ana_token, w.pool_zj)
    [event] = _stored(w, w.pool_zj["id"])
    until = _stored_customer(w, w.pool_zj["id"])["protected_until"][:10]
    assert {k: event[k] for k in ("kind", "n", "actor_id", "from_rep_id", "to_rep_id",
                                  "reason", "params", "strategy")} == {
        "kind": "claim", "n": 1, "actor_id": w.ana["id"], "from_rep_id": None,
        "to_rep_id": w.ana["id"], "reason": "history.claimed",
        "params": {"who": "Ana", "until": until}, "strategy": None}
    assert event["at"].startswith("2026-12-02T02:00")
    assert event_text(event) == f"Ana claimed it from the pool; protected until {until}"
    assert [e["id"] for e in _events(w, w.ana_token)] == [event["id"]]
    assert [e["id"] for e in _events(w, w.mei_token)] == [event["id"]], "the team's manager"
    assert [e["id"] for e in _events(w, w.root_token)] == [event["id"]], "an admin"
    for other in (w.bo_token, w.cy_token, w.oz_token):
        assert _events(w, other) == [], "another rep, another team's rep and manager: nothing"


def _stored_customer(world: World, customer_id: str) -> dict:
    with db.reading(world.engine) as conn:
        return db.get_record(conn, "customer", customer_id)


def test_a_return_needs_a_reason_of_the_policy_pools_the_customer_and_starts_the_cooloff(w, clock):
    ana = Device(w, w.ana_token)
    _claim(w, w.ana_token, w.pool_zj)
    clock.advance(hours=2)
    result = ana.send_one(op(0, "customer.return", w.pool_zj["id"], {"reason": "duplicate"}))
    assert result["status"] == "applied", result
    pooled = _stored_customer(w, w.pool_zj["id"])
    assert pooled["owner_id"] is None and pooled["previous_owner_id"] == w.ana["id"]
    assert pooled["cooloff_until"].startswith((clock.now + timedelta(days=14)).date().isoformat())
    claim, back = _stored(w, w.pool_zj["id"])
    assert (back["kind"], back["n"], back["from_rep_id"], back["to_rep_id"], back["reason"],
            back["params"]) == ("return", 2, w.ana["id"], None, "history.returned",
                                {"who": "Ana", "reason": "duplicate"})
    assert event_text(back) == "Ana returned it to the pool: a duplicate of another customer"
    # Ana keeps the event that took it from her, not the rest of its trail
    assert [e["id"] for e in _events(w, w.ana_token)] == [back["id"]]
    assert [e["id"] for e in _events(w, w.mei_token)] == [claim["id"], back["id"]]
    assert _events(w, w.bo_token) == [] and _events(w, w.oz_token) == []
    refused = ana.send_one(op(0, "customer.claim", w.pool_zj["id"]))
    assert refused["status"] == "rejected" and refused["code"] == "claim.cooloff"
    with db.reading(w.engine) as conn:
        audit = conn.execute(sa.select(schema.audit.c.actor, schema.audit.c.why).where(
            schema.audit.c.action == "return")).all()
    assert [tuple(row) for row in audit] == [(w.ana["id"], event_text(back))]


def test_a_return_is_applied_once_however_often_it_is_sent(w):
    _claim(w, w.ana_token, w.pool_zj)
    device = w.device(w.ana_token)
    ret = op(1, "customer.return", w.pool_zj["id"], {"reason": "other"})
    for _ in range(3):
        response = w.push(w.ana_token, device, [ret])
        assert response.status_code == 200 and response.json()["results"][0]["status"] == "applied"
    assert [e["kind"] for e in _stored(w, w.pool_zj["id"])] == ["claim", "return"]


@pytest.mark.parametrize(("fields", "code"), [
    ({}, "return.reason_required"),
    ({"reason": ""}, "return.reason_required"),
    ({"reason": "bored"}, "return.unknown_reason"),
    ({"reason": "x" * 5000}, "return.unknown_reason"),
    ({"reason": "duplicate'; DROP TABLE records; --"}, "return.unknown_reason"),
    ({"reason": {"code": "duplicate"}}, "return.unknown_reason"),
    ({"reason": ["duplicate"]}, "return.unknown_reason"),
    ({"reason": "dup\u202elicate"}, "field.control_chars"),
    ({"reason": "dup\x00"}, "field.nul"),
])
def test_a_bad_reason_is_refused_with_its_code_and_changes_nothing(w, fields, code):
    ana = Device(w, w.ana_token)
    refused = ana.send_one(op(0, "customer.return", w.ana_own["id"], fields))
    assert refused["status"] == "rejected" and refused["code"] == code, refused
    assert len(refused["reason"]) < 400 and len(str(refused["params"])) < 400
    assert _stored_customer(w, w.ana_own["id"])["owner_id"] == w.ana["id"]
    assert _stored(w, w.ana_own["id"]) == []


def test_only_the_owner_returns_and_another_rep_is_told_nothing_of_it(w):
    for token in (w.bo_token, w.cy_token):  # a rep of her team (her territory), of another
        other = Device(w, token).send_one(
            op(0, "customer.return", w.ana_own["id"], {"reason": "duplicate"}))
        assert other["code"] == "return.not_yours" and other["record"] is None
        assert "宁波化工" not in str(other) and "Ana" not in str(other)
        assert w.ana["id"] not in str(other)
    codes = {}
    for name in ("mei", "root", "oz"):  # nor does a manager or an admin: it is the owner's act
        answer = Device(w, getattr(w, f"{name}_token")).send_one(
            op(0, "customer.return", w.ana_own["id"], {"reason": "duplicate"}))
        codes[name] = answer["code"]
    assert codes == {"mei": "return.not_owner", "root": "return.not_yours",
                     "oz": "return.not_yours"}, "Mei sees her team's customer; the others not"
    pool = Device(w, w.ana_token).send_one(
        op(0, "customer.return", w.pool_zj["id"], {"reason": "duplicate"}))
    assert pool["code"] == "return.not_owner", "a pool customer is nobody's to return"
    assert _stored_customer(w, w.ana_own["id"])["owner_id"] == w.ana["id"]


def test_a_return_with_another_records_id_is_an_unknown_customer(w):
    ana = Device(w, w.ana_token)
    logged = ana.send_one(visit(0, w.ana_own["id"]))
    refused = ana.send_one(op(0, "customer.return", logged["record_id"], {"reason": "other"}))
    assert refused["code"] == "record.unknown_customer" and refused["record"] is None
    assert _stored(w, logged["record_id"]) == []


def test_a_policy_may_narrow_the_return_reasons(w):
    with db.writing(w.engine) as conn:
        set_policy(conn, Policy(return_reasons=["competitor"]), "test")
    ana = Device(w, w.ana_token)
    refused = ana.send_one(op(0, "customer.return", w.ana_own["id"], {"reason": "duplicate"}))
    assert refused["code"] == "return.unknown_reason"
    assert refused["params"] == {"reason": "duplicate", "choices": "competitor"}
    done = ana.send_one(op(0, "customer.return", w.ana_own["id"], {"reason": "competitor"}))
    assert done["status"] == "applied"
    [event] = _stored(w, w.ana_own["id"])
    assert event_text(event) == "Ana returned it to the pool: competitor"


@pytest.mark.parametrize(("visited", "deal", "code"), [
    (False, False, "history.reclaimed.no_visit"),
    (True, False, "history.reclaimed.no_deal"),
    (True, True, "history.reclaimed.lapsed"),
])
def test_a_reclaim_says_why_dated(w, clock, visited, deal, code):
    with db.writing(w.engine) as conn:
        set_policy(conn, Policy(protection_days=2, max_protection_days=3,
                                visit_extension_days=1, working_days_only=False), "test")
    _claim(w, w.ana_token, w.pool_zj)
    if visited:
        clock.advance(days=1)
        assert Device(w, w.ana_token).send_one(
            visit(0, w.pool_zj["id"], at=clock.now.isoformat(),
                  **({"amount": 100} if deal else {})))["status"] == "applied"
    before = _stored_customer(w, w.pool_zj["id"])
    clock.set(datetime.fromisoformat(before["protected_until"]) + timedelta(minutes=1))
    with db.writing(w.engine) as conn:
        assert len(reclaim(conn, clock.now)) == 1
    _claimed, back = _stored(w, w.pool_zj["id"])
    assert (back["kind"], back["actor_id"], back["from_rep_id"], back["reason"]) == (
        "reclaim", "server", w.ana["id"], code)
    until = before["protected_until"][:10]
    assert back["params"]["until"] == until and back["params"]["who"] == "Ana"
    assert until in event_text(back)
    if code == "history.reclaimed.no_deal":
        assert back["params"]["days"] == 3 and "no deal within 3 days" in event_text(back)
    assert [e["id"] for e in _events(w, w.ana_token)] == [back["id"]]
    assert _events(w, w.bo_token) == []


def test_an_assignment_says_the_strategy_and_the_rule_that_matched(w):
    response = w.client.post("/v1/assign", headers=w.headers(w.mei_token),
                             json={"strategy": "region"})
    assert response.status_code == 200, response.text
    [event] = _stored(w, w.pool_zj["id"])
    owner = _stored_customer(w, w.pool_zj["id"])["owner_name"]
    assert (event["kind"], event["actor_id"], event["strategy"], event["reason"]) == (
        "assign", w.mei["id"], "region", "history.assigned_match")
    assert event["params"]["field"] == "province" and event["params"]["value"] == "Zhejiang"
    assert event_text(event).startswith(f"assigned to {owner} by Mei (by region): their "
                                        "territory names its province Zhejiang;")
    assert [e["id"] for e in _events(w, w.mei_token) if e["customer_id"] == w.pool_zj["id"]] == [
        event["id"]]
    assert _events(w, w.cy_token) == [] and _events(w, w.oz_token) == []


def test_round_robin_says_the_fewest_assignments(w):
    response = w.client.post("/v1/assign", headers=w.headers(w.root_token),
                             json={"strategy": "round-robin", "team_id": w.ana["team_id"]})
    assert response.status_code == 200, response.text
    [event] = _stored(w, w.pool_zj["id"])
    assert event["reason"] == "history.assigned" and event["actor_id"] == w.root["id"]
    assert "the fewest assignments this round (0)" in event_text(event)


def test_a_transfer_names_from_whom_to_whom_and_by_whom(w):
    _claim(w, w.ana_token, w.pool_zj)
    response = w.client.post(f"/v1/customers/{w.pool_zj['id']}/transfer",
                             headers=w.headers(w.mei_token), json={"to_rep_id": w.bo["id"]})
    assert response.status_code == 200, response.text
    claim, moved = _stored(w, w.pool_zj["id"])
    assert (moved["kind"], moved["actor_id"], moved["from_rep_id"], moved["to_rep_id"]) == (
        "transfer", w.mei["id"], w.ana["id"], w.bo["id"])
    assert event_text(moved) == "transferred from Ana to Bo by Mei"
    assert [e["id"] for e in _events(w, w.bo_token)] == [claim["id"], moved["id"]], (
        "the new owner sees how it came to them")
    assert [e["id"] for e in _events(w, w.ana_token)] == [moved["id"]]
    assert _events(w, w.cy_token) == [] and _events(w, w.oz_token) == []


def test_a_transfer_refused_writes_no_event(w):
    response = w.client.post(f"/v1/customers/{w.ana_own['id']}/transfer",
                             headers=w.headers(w.oz_token), json={"to_rep_id": w.cy["id"]})
    assert response.status_code == 403
    assert _stored(w, w.ana_own["id"]) == []


def test_the_pull_brings_the_event_and_takes_the_trail_away_from_the_old_owner(w):
    _claim(w, w.ana_token, w.pool_zj)
    _view, cursor = w.scope(w.ana_token)
    ret = Device(w, w.ana_token).send_one(
        op(0, "customer.return", w.pool_zj["id"], {"reason": "not_interested"}))
    assert ret["status"] == "applied"
    changes = [c for c in w.pull(w.ana_token, cursor)["changes"] if c["entity"] == "ownership"]
    claim, back = _stored(w, w.pool_zj["id"])
    assert {(c["id"], c["op"]) for c in changes} >= {(back["id"], "upsert"),
                                                     (claim["id"], "delete")}
    assert [c["reason"] for c in changes if c["id"] == back["id"] and c["op"] == "upsert"] == [
        "Ana returned it to the pool: not interested"]
    assert not [c for c in w.pull(w.cy_token, "s0")["changes"] if c["entity"] == "ownership"], (
        "a rep of another team pulls nothing of it")


def test_a_new_customer_and_an_import_with_an_owner_are_in_the_history(w, clock):
    cid = str(uuid.uuid4())
    created = Device(w, w.ana_token).send_one(op(0, "customer.create", cid, {
        "name": "温州鞋业", "province": "Zhejiang"}))
    assert created["status"] == "applied", created
    [event] = _stored(w, cid)
    assert (event["kind"], event["to_rep_id"], event_text(event)) == (
        "create", w.ana["id"], "Ana added it as a new customer")
    text = ("id,name,province,owner\r\n"
            f"{w.pool_zj['id']},杭州机械,Zhejiang,Bo\r\n"
            ",嘉兴纺织,Zhejiang,Ana\r\n"
            ",绍兴黄酒,Zhejiang,\r\n")
    assert import_customers(w.engine, text, skip_bad=False, now=clock.now).written
    [imported] = _stored(w, w.pool_zj["id"])
    assert (imported["kind"], imported["to_rep_id"], event_text(imported)) == (
        "import", w.bo["id"], "owner set to Bo by an import")
    with db.reading(w.engine) as conn:
        kinds = conn.execute(sa.select(schema.records.c.name, schema.records.c.record).where(
            schema.records.c.entity == "customer")).all()
    names = {name: db.loads(record)["id"] for name, record in kinds}
    assert [e["kind"] for e in _stored(w, names["嘉兴纺织"])] == ["import"]
    assert _stored(w, names["绍兴黄酒"]) == [], "no owner, no event"


def test_a_new_admin_sees_the_trail_after_the_organisation_changes(w):
    _claim(w, w.ana_token, w.pool_zj)
    with db.writing(w.engine) as conn:
        _new, token = add_rep(conn, "Zed", team=None, territories=[], role="admin")
    assert [e["kind"] for e in _events(w, token)] == ["claim"]


def _export(world: World, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FIELDREP_DATABASE_URL": world.engine.url.render_as_string(
        hide_password=False), "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    done = subprocess.run([sys.executable, "-m", "server.cli", "export", "ownership", *args],
                          capture_output=True, env=env, timeout=120)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    return done


def test_the_export_is_every_event_with_why_and_a_personal_data_note(w):
    _claim(w, w.ana_token, w.pool_zj)
    Device(w, w.ana_token).send_one(
        op(0, "customer.return", w.pool_zj["id"], {"reason": "=cmd|' /C calc'!A0"}))
    Device(w, w.ana_token).send_one(
        op(0, "customer.return", w.pool_zj["id"], {"reason": "out_of_territory"}))
    as_json = _export(w, "--json")
    events = json.loads(as_json.stdout.decode("utf-8"))
    assert [(e["kind"], e["n"]) for e in events] == [("claim", 1), ("return", 2)]
    assert events[1]["why"] == "Ana returned it to the pool: outside the territory"
    assert b"personal data" in as_json.stderr and len(as_json.stderr.splitlines()) == 1
    table = _export(w, "--csv").stdout
    assert table.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(table.decode("utf-8-sig"), newline="")))
    assert list(rows[0])[:5] == ["at", "customer_id", "customer_name", "n", "kind"]
    assert [(r["kind"], r["from_rep_name"], r["to_rep_name"], r["reason"]) for r in rows] == [
        ("claim", "", "Ana", "history.claimed"), ("return", "Ana", "", "history.returned")]
    assert json.loads(rows[1]["params"]) == {"who": "Ana", "reason": "out_of_territory"}
    assert _export(w, "--format", "csv").stdout == table


def test_an_admin_sets_the_return_reasons_as_a_list_and_a_bad_code_is_refused(w, capsys):
    from server.cli import main

    url = w.engine.url.render_as_string(hide_password=False)
    assert main(["--database", url, "policy", "set", "return_reasons=competitor, other"]) == 0
    with db.reading(w.engine) as conn:
        assert Org.load(conn).policy.return_reasons == ["competitor", "other"]
    capsys.readouterr()
    assert main(["--database", url, "policy", "set", "return_reasons=Bad Code"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "return_reasons" in err[0], err


def test_a_laptop_of_the_wire_format_before_ownership_gets_its_pages_without_the_events(w):
    """A laptop of wire format 1 refuses a page with an entity it does not know; it gets the
    customer and the rest, never an ownership event, and a format 2 laptop gets the event."""
    _view, cursor = w.scope(w.ana_token)
    _claim(w, w.ana_token, w.pool_zj)
    old_view, _ = w.scope(w.ana_token, wire=1)
    assert "ownership" not in old_view and w.pool_zj["id"] in old_view["customer"]
    old_page = w.pull(w.ana_token, cursor, wire=1)
    assert {c["entity"] for c in old_page["changes"]} == {"customer"}
    new_page = w.pull(w.ana_token, cursor)
    assert {c["entity"] for c in new_page["changes"]} == {"customer", "ownership"}
