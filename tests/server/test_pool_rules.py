"""The pool's claim delay and recycle conditions on the server (J, issue 10), on SQLite and
PostgreSQL with the server's clock set by the test (2 December 2026, 10:00 Shanghai):

* ``pool_claim_delay_hours``: a customer entering the pool (reclaim, return, import into the
  pool) gets ``claimable_at``; a claim before it is refused with ``claim.not_yet_claimable``
  naming the time, and accepted once the clock has moved past it;
* ``recycle_no_visit_days`` / ``recycle_no_deal_days``: the reclaim round takes an owned
  customer back before its protection lapses, with its reason code in the ownership history;
* the keys as an admin sets them (``policy set``, ``PUT /v1/policy``), hostile values refused.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from server import db
from server.csv_import import import_customers
from server.domain.ownership import reclaim
from server.org import Org, set_policy
from sync.protocol.models import Policy
from sync.protocol.ownership import event_text
from tests.server import test_rules
from tests.server._world import Device, World, op, visit
from tests.server.test_ownership_history import _stored as _trail
from tests.server.test_ownership_history import _stored_customer as _customer

clock = test_rules.clock

CALENDAR = {"working_days_only": False}


@pytest.fixture
def w(clock, engine):
    return World(engine, clock)


def _policy(world: World, **values) -> None:
    with db.writing(world.engine) as conn:
        set_policy(conn, Policy(**values), "test")


def _claim(world: World, token: str, customer_id: str) -> dict:
    return Device(world, token).send_one(op(0, "customer.claim", customer_id))


def _reclaim(world: World) -> list[dict]:
    with db.writing(world.engine) as conn:
        return reclaim(conn, world.clock())


# --------------------------------------------------------------------------- the claim delay


def test_a_returned_customer_is_claimable_only_after_the_delay(w, clock):
    _policy(w, pool_claim_delay_hours=24)
    assert _claim(w, w.ana_token, w.pool_zj["id"])["status"] == "applied"
    clock.advance(hours=1)
    returned = Device(w, w.ana_token).send_one(
        op(0, "customer.return", w.pool_zj["id"], {"reason": "other"}))
    assert returned["status"] == "applied", returned
    pooled = _customer(w, w.pool_zj["id"])
    assert pooled["claimable_at"] == (clock.now + timedelta(hours=24)).isoformat()
    assert pooled["pool_reason"] == "history.returned"
    early = _claim(w, w.bo_token, w.pool_zj["id"])
    assert (early["status"], early["code"]) == ("rejected", "claim.not_yet_claimable")
    assert early["params"]["at"] == "2026-12-03 11:00", "the moment in the policy's zone"
    assert _customer(w, w.pool_zj["id"])["owner_id"] is None
    clock.advance(hours=23, minutes=59)
    assert _claim(w, w.bo_token, w.pool_zj["id"])["code"] == "claim.not_yet_claimable"
    clock.advance(minutes=1)
    later = _claim(w, w.bo_token, w.pool_zj["id"])
    assert later["status"] == "applied", later
    owned = _customer(w, w.pool_zj["id"])
    assert owned["owner_id"] == w.bo["id"]
    assert "claimable_at" not in owned and "pool_reason" not in owned, "pool-only fields gone"


def test_a_reclaimed_customer_waits_the_delay_too_and_no_delay_means_at_once(w, clock):
    _policy(w, pool_claim_delay_hours=6, protection_days=1, **CALENDAR)
    assert _claim(w, w.ana_token, w.pool_zj["id"])["status"] == "applied"
    clock.advance(days=1, minutes=1)
    assert len(_reclaim(w)) == 1
    assert _claim(w, w.bo_token, w.pool_zj["id"])["code"] == "claim.not_yet_claimable"
    _policy(w, pool_claim_delay_hours=0, protection_days=1, **CALENDAR)
    assert _claim(w, w.bo_token, w.pool_sc["id"])["status"] == "applied", "never pooled: at once"
    assert _claim(w, w.ana_token, w.ana_own["id"])["status"] == "applied"  # already hers


def test_an_import_into_the_pool_sets_the_delay_and_one_with_an_owner_does_not(w, clock):
    _policy(w, pool_claim_delay_hours=2)
    text = "id,name,province,owner\r\n,嘉兴纺织,Zhejiang,\r\n,绍兴黄酒,Zhejiang,Ana\r\n"
    assert import_customers(w.engine, text, skip_bad=False, now=clock.now).written
    with db.reading(w.engine) as conn:
        by_name = {c["name"]: c for c in db.all_records(conn, "customer")}
    assert by_name["嘉兴纺织"]["claimable_at"] == (clock.now + timedelta(hours=2)).isoformat()
    assert by_name["绍兴黄酒"].get("claimable_at") is None
    refused = _claim(w, w.bo_token, by_name["嘉兴纺织"]["id"])
    assert refused["code"] == "claim.not_yet_claimable"


# --------------------------------------------------------------------------- recycling


def test_no_owner_visit_in_n_days_recycles_before_protection_lapses(w, clock):
    _policy(w, recycle_no_visit_days=5, protection_days=30, max_protection_days=60,
            pool_claim_delay_hours=12, **CALENDAR)
    assert _claim(w, w.ana_token, w.pool_zj["id"])["status"] == "applied"
    claimed_on = clock.now.date().isoformat()
    clock.advance(days=3)
    ana = Device(w, w.ana_token)
    assert ana.send_one(visit(0, w.pool_zj["id"], at=clock.now.isoformat()))["status"] == "applied"
    clock.advance(days=4, hours=23)
    assert [c["id"] for c in _reclaim(w)] == [w.ana_own["id"]], (
        "her other customer, never visited, goes; this one was seen 4 days 23 hours ago")
    clock.advance(hours=1)
    [back] = _reclaim(w)
    assert back["id"] == w.pool_zj["id"] and back["owner_id"] is None
    assert back["pool_reason"] == "history.reclaimed.no_visit_days"
    assert back["claimable_at"] == (clock.now + timedelta(hours=12)).isoformat()
    event = _trail(w, w.pool_zj["id"])[-1]
    assert (event["kind"], event["reason"], event["from_rep_id"]) == (
        "reclaim", "history.reclaimed.no_visit_days", w.ana["id"])
    assert event["params"] == {"who": "Ana", "days": 5, "last": "2026-12-05",
                               "since": claimed_on}
    assert event_text(event) == ("back to the pool: Ana had not visited it for 5 days "
                                 "(last seen 2026-12-05)")
    assert _claim(w, w.ana_token, w.pool_zj["id"])["code"] in (
        "claim.not_yet_claimable", "claim.cooloff")


def test_another_reps_visit_does_not_keep_the_customer_for_its_owner(w, clock):
    _policy(w, recycle_no_visit_days=5, protection_days=30, max_protection_days=60, **CALENDAR)
    assert _claim(w, w.ana_token, w.pool_zj["id"])["status"] == "applied"
    clock.advance(days=4)
    bo = Device(w, w.bo_token)
    assert bo.send_one(visit(0, w.pool_zj["id"], at=clock.now.isoformat()))["status"] == "applied"
    clock.advance(days=1)
    assert w.pool_zj["id"] in [c["id"] for c in _reclaim(w)]
    assert _customer(w, w.pool_zj["id"])["owner_id"] is None


def test_no_deal_in_n_days_recycles_and_a_deal_keeps_it(w, clock):
    _policy(w, recycle_no_deal_days=10, protection_days=30, max_protection_days=60, **CALENDAR)
    assert _claim(w, w.ana_token, w.pool_zj["id"])["status"] == "applied"
    bo = Device(w, w.bo_token)
    assert bo.send_one(op(0, "customer.claim", w.pool_sc["id"]))["status"] == "applied"
    clock.advance(days=9)
    assert bo.send_one(visit(0, w.pool_sc["id"], at=clock.now.isoformat(),
                             amount=500))["status"] == "applied"
    ana = Device(w, w.ana_token)
    assert ana.send_one(visit(0, w.pool_zj["id"], at=clock.now.isoformat()))["status"] == "applied"
    clock.advance(days=1)
    assert sorted(c["id"] for c in _reclaim(w)) == sorted([w.pool_zj["id"], w.ana_own["id"]]), (
        "Ana's two without a deal go; Bo's deal keeps his")
    event = _trail(w, w.pool_zj["id"])[-1]
    assert (event["reason"], event["params"]["days"]) == ("history.reclaimed.no_deal_days", 10)
    assert event_text(event) == (
        "back to the pool: no deal within 10 days of Ana's claim on 2026-12-02")
    assert _customer(w, w.pool_sc["id"])["owner_id"] == w.bo["id"]


def test_both_conditions_combined_take_whichever_comes_first_and_off_takes_none(w, clock):
    _policy(w, protection_days=60, max_protection_days=90, **CALENDAR)
    assert _claim(w, w.ana_token, w.pool_zj["id"])["status"] == "applied"
    ana = Device(w, w.ana_token)
    clock.advance(days=40)
    assert [c["id"] for c in _reclaim(w)] == [w.ana_own["id"]], (
        "both off: only a lapse (the world's customer, protected 10 days) reclaims")
    _policy(w, recycle_no_visit_days=30, recycle_no_deal_days=45, protection_days=60,
            max_protection_days=90, **CALENDAR)
    assert ana.send_one(visit(0, w.pool_zj["id"], at=clock.now.isoformat()))["status"] == "applied"
    assert _reclaim(w) == [], "visited just now, 40 of the 45 days without a deal"
    clock.advance(days=5)
    [back] = _reclaim(w)
    assert back["id"] == w.pool_zj["id"]
    assert _trail(w, back["id"])[-1]["reason"] == "history.reclaimed.no_deal_days"


def test_a_lapse_is_still_said_as_a_lapse_when_recycling_is_on(w, clock):
    _policy(w, recycle_no_visit_days=50, protection_days=2, max_protection_days=3, **CALENDAR)
    assert _claim(w, w.ana_token, w.pool_zj["id"])["status"] == "applied"
    clock.advance(days=2, minutes=1)
    [back] = _reclaim(w)
    assert back["id"] == w.pool_zj["id"] and back["pool_reason"] == "history.reclaimed.no_visit"
    assert _trail(w, w.pool_zj["id"])[-1]["reason"] == "history.reclaimed.no_visit"


# --------------------------------------------------------------------------- the policy keys


def test_an_admin_sets_the_keys_and_hostile_values_are_refused(w, capsys):
    from server.cli import main

    url = w.engine.url.render_as_string(hide_password=False)
    assert main(["--database", url, "policy", "set", "pool_claim_delay_hours=48",
                 "recycle_no_visit_days=15", "recycle_no_deal_days=90"]) == 0
    with db.reading(w.engine) as conn:
        policy = Org.load(conn).policy
    assert (policy.pool_claim_delay_hours, policy.recycle_no_visit_days,
            policy.recycle_no_deal_days) == (48, 15, 90)
    for word in ("pool_claim_delay_hours=-1", "pool_claim_delay_hours=soon",
                 "recycle_no_visit_days=99999999", "recycle_no_deal_days=1.5",
                 "recycle_no_deal_days=", "pool_claim_delay_hours=1e3"):
        capsys.readouterr()
        assert main(["--database", url, "policy", "set", word]) == 1, word
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and word.partition("=")[0] in err[0], (word, err)
    with db.reading(w.engine) as conn:
        assert Org.load(conn).policy.pool_claim_delay_hours == 48, "nothing bad was stored"


@pytest.mark.parametrize("body", [
    {"pool_claim_delay_hours": -5}, {"pool_claim_delay_hours": True},
    {"pool_claim_delay_hours": 10**12}, {"recycle_no_visit_days": "never"},
    {"recycle_no_deal_days": None}, {"recycle_no_deal_days": [30]},
])
def test_put_policy_refuses_hostile_values(w, body):
    response = w.client.put("/v1/policy", headers=w.headers(w.root_token), json=body)
    assert response.status_code == 422, response.text
    [key] = body
    assert (response.json()["code"], response.json()["params"]["field"]) == ("field.invalid", key)
    assert response.json()["detail"].startswith(f"{key}: ")


def test_put_policy_takes_the_keys_and_reps_receive_them(w):
    _, cursor = w.scope(w.ana_token)
    response = w.client.put("/v1/policy", headers=w.headers(w.root_token),
                            json={"pool_claim_delay_hours": 24, "recycle_no_deal_days": 60})
    assert response.status_code == 200, response.text
    changes = w.pull(w.ana_token, cursor)["changes"]
    [policy] = [c["record"] for c in changes if c["entity"] == "policy"]
    assert (policy["pool_claim_delay_hours"], policy["recycle_no_deal_days"],
            policy["recycle_no_visit_days"]) == (24, 60, 0)
