"""Scope rules that attacks on the running server broke (issue 15, findings 5-8).

A create never hands out another rep's record; a rejection carries the record (and its name) only
for a rep in its audience; a manager transfers only their team's customers, to a rep whose
territory covers them; a rep may not rewrite pool customers nor move their own out of their
territories. Each runs on SQLite and PostgreSQL (the ``world`` fixture).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from server import db
from server.org import add_rep
from tests.server._world import Device, op, visit

SECRETS = ("Zhang Secret", "13800000000", "zhang@secret.example")


def _stored(world, entity: str, record_id: str) -> dict | None:
    with db.reading(world.engine) as conn:
        return db.get_record(conn, entity, record_id)


def _create(kind: str, customer_id: str, record_id: str | None = None, **fields) -> dict:
    now = datetime.now(UTC).isoformat()
    base = {
        "visit.create": {"customer_id": customer_id, "at": now, "outcome": "met",
                         "notes": "Ana's secret notes", "amount": 4321.0},
        "feedback.create": {"customer_id": customer_id, "at": now, "kind": "complaint",
                            "text": "Ana's secret complaint"},
        "followup.create": {"customer_id": customer_id, "due": "2026-12-20",
                            "title": "Ana's secret follow-up"},
        "customer.create": {"name": "Ana's secret prospect", "province": "Zhejiang"},
    }[kind]
    return op(0, kind, record_id or str(uuid.uuid4()), {**base, **fields})


KINDS = ("visit.create", "feedback.create", "followup.create", "customer.create")


# --------------------------------------------------------------------------- finding 5


@pytest.mark.parametrize("kind", KINDS)
def test_a_create_reusing_another_reps_record_id_is_refused_and_reveals_nothing(world, kind):
    ana, bo = Device(world, world.ana_token), Device(world, world.bo_token)
    mine = _create(kind, world.ana_own["id"])
    assert ana.send_one(mine)["status"] == "applied"
    # Bo (same team, same territory) sends his own record under Ana's id
    theirs = _create(kind, world.pool_zj["id"], mine["record_id"], notes="Bo's",
                     text="Bo's", title="Bo's", name="Bo's prospect")
    result = bo.send_one(theirs)
    assert result["status"] == "rejected"
    assert result["code"] == "record.id_taken"
    assert result["params"] == {"entity": kind.split(".")[0]}
    assert result["record"] is None and result["version"] is None
    assert "secret" not in json.dumps(result, ensure_ascii=False), "nothing of Ana's record"
    entity = kind.split(".")[0]
    assert "secret" in json.dumps(_stored(world, entity, mine["record_id"]), ensure_ascii=False)


@pytest.mark.parametrize("kind", KINDS)
def test_a_true_resend_by_the_same_rep_is_applied_and_a_different_one_refused(world, kind):
    ana = Device(world, world.ana_token)
    mine = _create(kind, world.ana_own["id"])
    first = ana.send_one(mine)
    assert first["status"] == "applied"
    # the same operation again under a new op_id and mid: a restored laptop resending its work
    again = ana.send_one({**mine, "op_id": str(uuid.uuid4())})
    assert again["status"] == "applied" and again["record"] == first["record"]
    changed = dict(mine["fields"])
    key = {"visit.create": "notes", "feedback.create": "text", "followup.create": "title",
           "customer.create": "name"}[kind]
    changed[key] = "something else"
    other = ana.send_one({**mine, "op_id": str(uuid.uuid4()), "fields": changed})
    assert other["status"] == "rejected" and other["code"] == "record.id_taken"
    assert other["record"] is None


def test_a_laptop_shaped_resend_with_the_fields_the_server_sets_still_counts_as_the_same(world):
    """The laptop sends the whole record (rep_id, version 0, non_owner False); the server set
    some of those itself: a resend compares what the rep wrote, not the server's bookkeeping."""
    bo = Device(world, world.bo_token)
    record_id = str(uuid.uuid4())
    fields = {"id": record_id, "customer_id": world.pool_zj["id"], "rep_id": world.bo["id"],
              "at": datetime.now(UTC).isoformat(), "kind": "visit", "outcome": "met",
              "notes": "", "next_step": "", "next_step_due": None, "amount": None,
              "non_owner": False, "version": 0}
    first = bo.send_one(op(0, "visit.create", record_id, fields))
    assert first["status"] == "applied"
    again = bo.send_one(op(0, "visit.create", record_id, fields))
    assert again["status"] == "applied" and again["record"] == first["record"]


# --------------------------------------------------------------------------- finding 6


def _secret_customer(world):
    return world.customer("宁波密码机械", "Zhejiang", owner=world.ana,
                          contacts=[{"name": SECRETS[0], "title": "Buyer", "phone": SECRETS[1],
                                     "email": SECRETS[2]}])


def test_a_rejection_says_nothing_of_a_customer_outside_the_reps_audience(world):
    secret = _secret_customer(world)
    cy = Device(world, world.cy_token)  # the other team, another territory
    answers = cy.send(op(0, "customer.update", secret["id"], {"tier": "C"}, 1),
                      op(0, "customer.claim", secret["id"]),
                      visit(0, secret["id"]),
                      _create("feedback.create", secret["id"]),
                      _create("followup.create", secret["id"]))
    for answer in answers:
        assert answer["status"] == "rejected", answer
        assert answer["record"] is None and answer["version"] is None
        assert answer["code"], answer
        text = json.dumps(answer, ensure_ascii=False)
        for secret_text in (*SECRETS, "宁波密码机械", "Ana"):
            assert secret_text not in text, (secret_text, answer)
    assert _stored(world, "customer", secret["id"])["tier"] == "A"


def test_a_rejection_carries_the_record_for_a_rep_in_its_audience(world):
    secret = _secret_customer(world)
    ana = Device(world, world.ana_token)
    refused = ana.send_one(op(0, "customer.update", secret["id"], {"owner_id": "x"}, 1))
    assert refused["status"] == "rejected" and refused["code"] == "field.immutable_edit"
    assert refused["params"] == {"field": "owner_id"}
    assert refused["record"]["contacts"][0]["phone"] == SECRETS[1], "the owner sees it anyway"


def test_a_lost_claim_in_the_territory_still_says_who_owns_it_but_not_the_record(world):
    secret = _secret_customer(world)
    bo = Device(world, world.bo_token)  # Bo's territory covers it; Ana owns it
    refused = bo.send_one(op(0, "customer.claim", secret["id"]))
    assert refused["status"] == "rejected" and refused["code"] == "claim.owned_by_until"
    assert refused["params"]["who"] == "Ana"
    assert refused["reason"].startswith("owned by Ana, protected until ")
    assert refused["record"] is None
    assert not any(s in json.dumps(refused) for s in SECRETS)


# --------------------------------------------------------------------------- finding 7


def _transfer(world, token, customer_id, rep_id):
    return world.client.post(f"/v1/customers/{customer_id}/transfer",
                             headers=world.headers(token), json={"to_rep_id": rep_id})


def test_a_manager_may_not_take_another_teams_pool_customer(world):
    with db.writing(world.engine) as conn:
        _dan, dan_token = add_rep(conn, "Dan", team="Other", territories=["SC"], role="manager")
    # the Zhejiang pool is East's: only East's reps cover Zhejiang
    answer = _transfer(world, dan_token, world.pool_zj["id"], world.cy["id"])
    assert answer.status_code == 403
    assert answer.json()["code"] == "manager.own_team_transfer"
    assert _stored(world, "customer", world.pool_zj["id"]).get("owner_id") is None


def test_a_manager_transfers_only_to_a_rep_whose_territory_covers_the_customer(world):
    # the Sichuan pool is East's too (Bo covers Sichuan), but Ana's territory is Zhejiang only
    answer = _transfer(world, world.mei_token, world.pool_sc["id"], world.ana["id"])
    assert answer.status_code == 403
    assert answer.json()["code"] == "manager.target_territory"
    assert answer.json()["params"] == {"rep": "Ana", "name": "成都电子"}
    assert _stored(world, "customer", world.pool_sc["id"]).get("owner_id") is None
    moved = _transfer(world, world.mei_token, world.pool_sc["id"], world.bo["id"])
    assert moved.status_code == 200 and moved.json()["owner_id"] == world.bo["id"]


def test_an_admin_transfers_any_customer_but_only_to_a_rep_who_covers_it(world):
    refused = _transfer(world, world.root_token, world.pool_zj["id"], world.cy["id"])
    assert refused.status_code == 403 and refused.json()["code"] == "manager.target_territory"
    moved = _transfer(world, world.root_token, world.ana_own["id"], world.bo["id"])
    assert moved.status_code == 200 and moved.json()["owner_id"] == world.bo["id"]


def test_transfer_refusals_are_coded(world):
    missing = _transfer(world, world.mei_token, "nope", world.bo["id"])
    assert missing.status_code == 404 and missing.json()["code"] == "record.unknown_customer"
    nobody = _transfer(world, world.mei_token, world.ana_own["id"], "no-such-rep")
    assert nobody.status_code == 404 and nobody.json()["code"] == "record.unknown"
    other_team = _transfer(world, world.mei_token, world.ana_own["id"], world.cy["id"])
    assert other_team.status_code == 403
    assert other_team.json()["code"] == "manager.own_team_transfer"


# --------------------------------------------------------------------------- finding 8


@pytest.mark.parametrize("fields", [{"name": "Vandalised"}, {"province": "Sichuan"},
                                    {"product_lines": ["x"] * 500}, {"tier": "C"},
                                    {"stage": "lost"}, {"industry": "x", "address": "1 Road"}])
def test_a_rep_may_not_change_a_pool_customer_before_claiming_it(world, fields):
    bo = Device(world, world.bo_token)
    result = bo.send_one(op(0, "customer.update", world.pool_zj["id"], fields, 1))
    assert result["status"] == "rejected" and result["code"] == "scope.pool_field"
    assert result["params"] == {"field": sorted(set(fields) - {"address"})[0]}
    assert _stored(world, "customer", world.pool_zj["id"]) == world.pool_zj


def test_a_rep_may_correct_the_address_and_contacts_of_a_pool_customer(world):
    bo = Device(world, world.bo_token)
    fields = {"address": "1 New Road", "contacts": [{"name": "Wang", "phone": "13900000000"}]}
    result = bo.send_one(op(0, "customer.update", world.pool_zj["id"], fields, 1))
    assert result["status"] == "applied" and result["record"]["address"] == "1 New Road"
    cy = Device(world, world.cy_token)  # not in the territory: no pool of theirs
    outside = cy.send_one(op(0, "customer.update", world.pool_zj["id"], {"address": "x"}))
    assert outside["status"] == "rejected" and outside["record"] is None


def test_a_manager_may_curate_the_teams_pool_but_not_move_it_out(world):
    mei = Device(world, world.mei_token)
    tiered = mei.send_one(op(0, "customer.update", world.pool_zj["id"], {"tier": "B"}, 1))
    assert tiered["status"] == "applied" and tiered["record"]["tier"] == "B"
    away = mei.send_one(op(0, "customer.update", world.pool_zj["id"], {"province": "Tibet"}))
    assert away["status"] == "rejected" and away["code"] == "scope.move_out"
    assert _stored(world, "customer", world.pool_zj["id"])["province"] == "Zhejiang"


def test_an_owner_may_not_move_a_customer_out_of_their_territories(world):
    ana = Device(world, world.ana_token)
    moved = ana.send_one(op(0, "customer.update", world.ana_own["id"], {"province": "Sichuan"},
                            1))
    assert moved["status"] == "rejected" and moved["code"] == "scope.move_out"
    assert moved["params"] == {"name": "宁波化工"}
    assert _stored(world, "customer", world.ana_own["id"])["province"] == "Zhejiang"
    city = ana.send_one(op(0, "customer.update", world.ana_own["id"], {"city": "宁波"}, 1))
    assert city["status"] == "applied", "a change inside the territory is fine"


def test_assignment_gives_a_customer_only_to_a_rep_whose_territory_covers_it(world):
    for n in range(3):
        world.customer(f"成都{n}号", "Sichuan")
    answer = world.client.post("/v1/assign", headers=world.headers(world.mei_token),
                               json={"strategy": "round-robin"})
    assert answer.status_code == 200, answer.text
    decisions = answer.json()["decisions"]
    assert len(decisions) == 5
    for decision in decisions:
        province = _stored(world, "customer", decision["customer_id"])["province"]
        assert province == "Zhejiang" or decision["rep"] == "Bo", decision  # Ana: Zhejiang only
