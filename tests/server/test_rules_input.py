"""What a rep may type, as the server enforces it (issue 15, findings 0, 8, 9, 15, 16).

Every refusal carries a code from sync/protocol/refusals.py; every field has a size and a count;
no text field holds control characters; dates lie in one window; a broken character is called
what it is. The same rule runs on the laptop (tests/cache/test_validation_commands.py). Each runs
on SQLite and PostgreSQL (the ``world`` fixture).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from server import db
from server.clock import system_clock
from server.domain.mutations import apply_mutation
from server.org import Org
from sync.protocol import validation
from sync.protocol.models import Mutation
from tests.server._world import Device, op, visit

ESCAPE = "ACME\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J"


def _stored(world, entity: str, record_id: str) -> dict | None:
    with db.reading(world.engine) as conn:
        return db.get_record(conn, entity, record_id)


def _followup(customer_id: str, **fields) -> dict:
    return op(0, "followup.create", str(uuid.uuid4()),
              {"customer_id": customer_id, "due": "2026-12-20", "title": "call back", **fields})


# --------------------------------------------------------------------------- finding 0


def test_every_rejection_carries_a_code_and_its_params_beside_the_english(world):
    bo = Device(world, world.bo_token)
    claim, unknown, score = bo.send(
        op(0, "customer.claim", world.ana_own["id"]),
        visit(0, "no-such-customer"),
        op(0, "feedback.create", str(uuid.uuid4()),
           {"customer_id": world.pool_sc["id"], "at": datetime.now(UTC).isoformat(),
            "kind": "satisfaction", "text": "fine"}),
    )
    assert claim["code"] == "claim.owned_by_until"
    until = world.ana_own["protected_until"][:10]
    assert claim["params"] == {"who": "Ana", "until": until}
    assert claim["reason"] == f"owned by Ana, protected until {until}"
    assert unknown["code"] == "record.unknown_customer"
    assert unknown["params"] == {"id": "no-such-customer"}
    assert score["code"] == "feedback.score_required" and score["params"] == {}


# --------------------------------------------------------------------------- finding 8


@pytest.mark.parametrize(("fields", "code", "params"), [
    ({"product_lines": ["x"] * 31}, "field.too_many", {"field": "product_lines", "max": 30}),
    ({"product_lines": ["x" * 81]}, "field.too_long", {"field": "product_lines.0", "max": 80}),
    ({"contacts": [{"name": f"c{i}"} for i in range(21)]}, "field.too_many",
     {"field": "contacts", "max": 20}),
    ({"contacts": [{"name": "x", "title": "t" * 81}]}, "field.too_long",
     {"field": "contacts.0.title", "max": 80}),
    ({"name": "n" * 201}, "field.too_long", {"field": "name", "max": 200}),
    ({"address": "a" * 301}, "field.too_long", {"field": "address", "max": 300}),
    ({"name": ""}, "field.required", {"field": "name"}),
])
def test_every_customer_field_has_a_size_and_a_count(world, fields, code, params):
    ana = Device(world, world.ana_token)
    result = ana.send_one(op(0, "customer.update", world.ana_own["id"], fields, 1))
    assert result["status"] == "rejected", result
    assert (result["code"], result["params"]) == (code, params)
    assert _stored(world, "customer", world.ana_own["id"])["version"] == 1


def test_a_new_customer_obeys_the_same_limits(world):
    ana = Device(world, world.ana_token)
    result = ana.send_one(op(0, "customer.create", str(uuid.uuid4()),
                             {"name": "温州鞋业", "province": "Zhejiang",
                              "product_lines": ["x"] * 500_000}))
    assert result["status"] == "rejected" and result["code"] == "field.too_many"


# --------------------------------------------------------------------------- finding 9


@pytest.mark.parametrize(("kind", "fields", "field"), [
    ("customer.update", {"name": ESCAPE}, "name"),
    ("customer.update", {"city": "宁波\u009b2J"}, "city"),  # a C1 control (CSI)
    ("customer.update", {"name": "宁波\u202eexe.化工"}, "name"),  # a bidi override
    ("customer.update", {"name": "宁波\n化工"}, "name"),  # one line
    ("customer.update", {"contacts": [{"name": "Zhang\x1b[2J"}]}, "contacts.0.name"),
    ("customer.update", {"product_lines": ["ok", "bad\x7f"]}, "product_lines.1"),
    ("visit.create", {"notes": "fine\n\tthen \x1b[2J"}, "notes"),
    ("visit.create", {"outcome": "met\nthe buyer"}, "outcome"),
    ("feedback.create", {"text": "late \x07"}, "text"),
    ("followup.create", {"title": "call\tback"}, "title"),
])
def test_control_characters_are_refused_in_every_text_field(world, kind, fields, field):
    ana = Device(world, world.ana_token)
    cid = world.ana_own["id"]
    if kind == "customer.update":
        mutation = op(0, kind, cid, fields, 1)
    elif kind == "visit.create":
        mutation = visit(0, cid, **fields)
    elif kind == "feedback.create":
        mutation = op(0, kind, str(uuid.uuid4()),
                      {"customer_id": cid, "at": datetime.now(UTC).isoformat(),
                       "kind": "complaint", **fields})
    else:
        mutation = _followup(cid, **fields)
    result = ana.send_one(mutation)
    assert result["status"] == "rejected", result
    assert (result["code"], result["params"]) == ("field.control_chars", {"field": field})
    assert "\x1b" not in result["reason"]


def test_line_breaks_and_tabs_are_kept_in_notes(world):
    ana = Device(world, world.ana_token)
    result = ana.send_one(visit(0, world.ana_own["id"], notes="line one\n\tline two"))
    assert result["status"] == "applied" and result["record"]["notes"] == "line one\n\tline two"


def test_an_unknown_field_name_with_an_escape_is_not_echoed(world):
    ana = Device(world, world.ana_token)
    result = ana.send_one(op(0, "customer.update", world.ana_own["id"], {"\x1b[2J": 1}, 1))
    assert result["status"] == "rejected" and result["code"] == "field.control_chars"
    assert "\x1b" not in result["reason"] and "\x1b" not in str(result["params"])


# --------------------------------------------------------------------------- finding 15


def _window(field: str, latest: str) -> dict:
    return {"field": field, "earliest": "2000-01-01", "latest": latest}


def test_a_visit_date_lies_between_2000_and_a_month_ahead_of_the_servers_clock(world):
    """A day ahead, as the laptop allows by its own clock, plus the 30 days a laptop's clock may
    be fast by (tests/sync/test_clock_skew.py): never year 9999, nor year 10000 in UTC."""
    ana = Device(world, world.ana_token)
    cid = world.ana_own["id"]
    ahead = validation.AHEAD + validation.CLOCK_SKEW
    tomorrow = (system_clock() + ahead).date().isoformat()
    for at in ("0001-01-01T00:00:00+00:00", "9999-12-31T23:00:00-14:00",
               "1999-12-31T23:59:59+00:00",
               (system_clock() + ahead + timedelta(minutes=5)).isoformat()):
        result = ana.send_one(visit(0, cid, at=at))
        assert result["status"] == "rejected", at
        assert (result["code"], result["params"]) == ("field.date_window",
                                                      _window("at", tomorrow)), at
    kept = ana.send_one(visit(0, cid, at="2001-05-01T08:00:00+08:00"))
    assert kept["status"] == "applied"
    fast = ana.send_one(visit(0, cid, at=(system_clock() + timedelta(days=5)).isoformat()))
    assert fast["status"] == "applied", "a laptop whose clock is days fast still delivers"
    due = ana.send_one(visit(0, cid, next_step="call", next_step_due="0001-01-01"))
    assert (due["code"], due["params"]) == ("field.date_window",
                                            _window("next_step_due", "2100-12-31"))


def test_follow_up_and_snooze_dates_lie_between_2000_and_2100(world):
    ana = Device(world, world.ana_token)
    cid = world.ana_own["id"]
    for due in ("0001-01-01", "2101-01-01", "9999-12-31"):
        result = ana.send_one(_followup(cid, due=due))
        assert (result["code"], result["params"]) == ("field.date_window",
                                                      _window("due", "2100-12-31")), due
    made = ana.send_one(_followup(cid))
    assert made["status"] == "applied"
    snooze = ana.send_one(op(0, "followup.update", made["record_id"],
                             {"status": "snoozed", "snoozed_until": "0001-01-02"}))
    assert (snooze["code"], snooze["params"]) == ("field.date_window",
                                                  _window("snoozed_until", "2100-12-31"))
    assert _stored(world, "followup", made["record_id"])["status"] == "open"


# --------------------------------------------------------------------------- finding 16


def test_a_lone_surrogate_is_called_a_broken_character_and_names_its_field(world):
    ana = Device(world, world.ana_token)
    body = {"device_id": ana.id, "schema_version": 1,
            "mutations": [{**visit(0, world.ana_own["id"], notes="bad \ud800 text"), "mid": 1}]}
    ana.mid = 1
    answer = world.client.post("/v1/sync/push", content=json.dumps(body),  # "\ud800" escaped
                               headers={**world.headers(world.ana_token),
                                        "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    result = answer.json()["results"][0]
    assert result["status"] == "rejected"
    assert (result["code"], result["params"]) == ("field.surrogate", {"field": "notes"})
    big = ana.send_one(visit(0, world.ana_own["id"], amount=2**70))
    assert big["status"] == "rejected" and big["code"] == "field.number_too_large"


def test_the_surrogate_rule_holds_in_the_rules_themselves(world):
    """Not only over HTTP: apply_mutation refuses it whatever parsed the body."""
    mutation = Mutation(op_id="o1", mid=1, kind="customer.update",
                        record_id=world.ana_own["id"],
                        fields={"contacts": [{"name": "Zhang \udc00"}]}, base_version=1)
    with db.writing(world.engine) as conn:
        result = apply_mutation(conn, Org.load(conn), world.ana, mutation, system_clock())
    assert (result.code, result.params) == ("field.surrogate", {"field": "contacts.0.name"})


# --------------------------------------------------------------------------- issue 16, item 8


@pytest.mark.parametrize(("contact", "code", "params"), [
    ({"email": "not-an-email"}, "contact.email_invalid",
     {"field": "contacts.0.email", "value": "not-an-email"}),
    ({"phone": "13900000REP"}, "contact.phone_invalid", {"field": "contacts.0.phone"}),
    ({"phone": "139 0000 000"}, "contact.mobile_digits",
     {"field": "contacts.0.phone", "digits": 10}),
])
def test_an_edit_or_a_new_customer_with_a_bad_email_or_phone_is_refused(
        world, contact, code, params):
    ana = Device(world, world.ana_token)
    contacts = [{"name": "Zhang San", **contact}]
    edit, new = ana.send(op(0, "customer.update", world.ana_own["id"], {"contacts": contacts}, 1),
                         op(0, "customer.create", str(uuid.uuid4()),
                            {"name": "温州鞋业", "province": "Zhejiang", "contacts": contacts}))
    for result in (edit, new):
        assert result["status"] == "rejected", result
        assert (result["code"], result["params"]) == (code, params)
    assert _stored(world, "customer", world.ana_own["id"])["version"] == 1


def test_a_customer_stored_with_a_bad_phone_stays_editable_in_its_other_fields(world):
    old = world.customer("嘉兴纺织", "Zhejiang", owner=world.ana,
                         contacts=[{"name": "Front desk", "phone": "ask reception",
                                    "email": "none"}])
    ana = Device(world, world.ana_token)
    moved = ana.send_one(op(0, "customer.update", old["id"], {"address": "1 Main St"}, 1))
    assert moved["status"] == "applied", moved
    added = [{"name": "Li Wei", "phone": "+86 139 0000 0000", "email": "li@example.com"},
             *old["contacts"]]
    assert ana.send_one(op(0, "customer.update", old["id"], {"contacts": added},
                           2))["status"] == "applied"
    assert _stored(world, "customer", old["id"])["contacts"][1]["phone"] == "ask reception"
