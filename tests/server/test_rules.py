"""The sales rules the server decides with its own clock: claims, protection, limits, the pool.

The server's clock is a SettableClock given to the app (Wednesday 2 December 2026, 10:00 in
Shanghai) and moved by the tests, so every expected date is computed by the shared rules.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from server import db, schema
from server.domain.ownership import reclaim
from server.org import set_policy
from sync.protocol import rules
from sync.protocol.models import Policy
from tests.server._world import Device, SettableClock, World, op, visit

START = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return SettableClock(START)


@pytest.fixture
def w(clock, engine):
    return World(engine, clock)


def _customer(world: World, customer_id: str) -> dict:
    with db.reading(world.engine) as conn:
        return db.get_record(conn, "customer", customer_id)


def _at(value: str) -> datetime:
    return rules.as_datetime(value)


def _policy(world: World, **fields) -> Policy:
    policy = Policy(**fields)
    with db.writing(world.engine) as conn:
        set_policy(conn, policy, "test")
    return policy


def test_concurrent_claims_first_to_arrive_wins_and_the_others_hear_who_owns_it(w):
    tokens = {"Ana": w.ana_token, "Bo": w.bo_token, "Mei": w.mei_token}
    devices = {name: w.device(token) for name, token in tokens.items()}
    barrier = threading.Barrier(len(tokens))
    answers: dict[str, dict] = {}

    def claim(name: str) -> None:
        barrier.wait(5)
        response = w.push(tokens[name], devices[name],
                          [op(1, "customer.claim", w.pool_zj["id"])])
        answers[name] = response.json()["results"][0] if response.status_code == 200 else {
            "status": response.status_code}

    threads = [threading.Thread(target=claim, args=(name,)) for name in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winners = [name for name, a in answers.items() if a["status"] == "applied"]
    assert len(winners) == 1, answers
    owner = _customer(w, w.pool_zj["id"])
    assert owner["owner_name"] == winners[0]
    until = _at(owner["protected_until"]).date().isoformat()
    for name, answer in answers.items():
        if name != winners[0]:
            assert answer["status"] == "rejected"
            assert answer["reason"] == f"owned by {winners[0]}, protected until {until}"
    with db.reading(w.engine) as conn:
        claims = conn.execute(sa.select(sa.func.count()).select_from(schema.audit).where(
            schema.audit.c.action == "claim")).scalar_one()
    assert claims == 1


def test_protection_on_claim_runs_on_the_server_clock_not_the_laptops(w, clock):
    ana = Device(w, w.ana_token)
    claim = op(0, "customer.claim", w.pool_zj["id"])
    claim["client_time"] = "2020-01-01T00:00:00+00:00"  # a laptop clock years off
    result = ana.send_one(claim)
    assert result["status"] == "applied"
    record = result["record"]
    assert _at(record["claimed_at"]) == START
    assert _at(record["protected_until"]) == rules.protection_on_claim(START, Policy())
    assert record["version"] == 2


def test_owner_visits_extend_protection_never_past_the_cap_until_a_deal(w, clock):
    policy = _policy(w, protection_days=2, visit_extension_days=3, max_protection_days=6)
    ana, bo = Device(w, w.ana_token), Device(w, w.bo_token)
    claimed = ana.send_one(op(0, "customer.claim", w.pool_zj["id"]))["record"]
    cap = rules.protection_cap(START, policy)
    until = _at(claimed["protected_until"])
    for _ in range(4):
        now = clock.advance(days=1)
        result = ana.send_one(visit(0, w.pool_zj["id"]))
        assert result["status"] == "applied" and result["record"]["non_owner"] is False
        expected = rules.protection_after_owner_visit(START, until, now, False, policy)
        until = _at(_customer(w, w.pool_zj["id"])["protected_until"])
        assert until == expected and until <= cap
    assert until == cap, "four visits of +3 working days run into the 6-day cap"

    other = bo.send_one(visit(0, w.pool_zj["id"]))
    assert other["record"]["non_owner"] is True
    assert _at(_customer(w, w.pool_zj["id"])["protected_until"]) == cap, "a non-owner visit"

    now = clock.advance(hours=1)
    ana.send_one(visit(0, w.pool_zj["id"], amount=12000))
    after_deal = _customer(w, w.pool_zj["id"])
    assert _at(after_deal["deal_at"]) == now
    assert _at(after_deal["protected_until"]) == rules.protection_after_owner_visit(
        START, cap, now, True, policy)
    assert _at(after_deal["protected_until"]) > cap, "a deal lifts the cap"


def test_the_held_limit_refuses_with_the_count_and_the_limit(w):
    _policy(w, max_held=2)
    ana = Device(w, w.ana_token)
    extra = w.customer("温州贸易", "Zhejiang")
    first, second = ana.send(op(0, "customer.claim", w.pool_zj["id"]),
                             op(0, "customer.claim", extra["id"]))
    assert first["status"] == "applied"
    assert second["status"] == "rejected"
    assert second["reason"] == "you already hold 2 customers, the limit is 2"


def test_a_rep_at_the_held_limit_after_a_claim_today_hears_the_count_they_hold(w):
    _policy(w, max_held=2)  # Ana owns one; claiming one today makes two: exactly at the limit
    ana = Device(w, w.ana_token)
    extra = w.customer("温州贸易", "Zhejiang")
    assert ana.send_one(op(0, "customer.claim", w.pool_zj["id"]))["status"] == "applied"
    refused = ana.send_one(op(0, "customer.claim", extra["id"]))
    assert (refused["code"], refused["params"]) == ("claim.max_held", {"held": 2, "cap": 2})
    with db.reading(w.engine) as conn:
        from server.domain.customers import claim_count
        from server.org import Org

        count = claim_count(conn, Org.load(conn), w.ana["id"], w.clock())
    assert (count.held, count.today) == (2, 1)


def test_the_daily_claim_cap_counts_the_organisations_day_and_resets_the_next(w, clock):
    _policy(w, daily_claim_cap=1)
    ana = Device(w, w.ana_token)
    extra = w.customer("温州贸易", "Zhejiang")
    assert ana.send_one(op(0, "customer.claim", w.pool_zj["id"]))["status"] == "applied"
    clock.set(datetime(2026, 12, 2, 15, 59, tzinfo=UTC))  # 23:59 in Shanghai: the same day
    refused = ana.send_one(op(0, "customer.claim", extra["id"]))
    assert refused["reason"] == "daily claim limit of 1 reached; try again tomorrow"
    clock.set(datetime(2026, 12, 2, 16, 1, tzinfo=UTC))  # 00:01 the next day in Shanghai
    assert ana.send_one(op(0, "customer.claim", extra["id"]))["status"] == "applied"


def test_reclaim_returns_only_lapsed_unvisited_customers_with_a_reason_in_the_feed(w, clock):
    kept = w.customer("嘉兴纺织", "Zhejiang", owner=w.ana, protected_days=2)
    lapsed = w.customer("湖州竹业", "Zhejiang", owner=w.ana, protected_days=2)
    _, bo_cursor = w.scope(w.bo_token)
    ana = Device(w, w.ana_token)
    clock.advance(days=1)
    assert ana.send_one(visit(0, kept["id"]))["status"] == "applied"
    now = clock.advance(days=1, hours=1)

    with db.writing(w.engine) as conn:
        returned = reclaim(conn, clock.now)
    assert [c["name"] for c in returned] == ["湖州竹业"]
    assert _customer(w, kept["id"])["owner_id"] == w.ana["id"]
    pooled = _customer(w, lapsed["id"])
    assert pooled["owner_id"] is None and pooled["previous_owner_id"] == w.ana["id"]
    assert _at(pooled["cooloff_until"]) == now + timedelta(days=Policy().cooloff_days)

    changes = w.pull(w.bo_token, bo_cursor)["changes"]
    back = [c for c in changes if c["id"] == lapsed["id"]]
    lapse_day = (START + timedelta(days=2)).date().isoformat()
    assert back and back[-1]["op"] == "upsert" and back[-1]["record"]["owner_id"] is None
    assert back[-1]["reason"] == (f"back to the pool: Ana did not visit it after claiming it on "
                                  f"{START.date().isoformat()}; protection lapsed on {lapse_day}")
    with db.reading(w.engine) as conn:
        audit = conn.execute(sa.select(schema.audit.c.actor, schema.audit.c.why).where(
            schema.audit.c.action == "reclaim")).all()
    assert [tuple(row) for row in audit] == [("server", back[-1]["reason"])]
    with db.writing(w.engine) as conn:
        assert reclaim(conn, clock.now) == [], "a second sweep finds nothing more"


def test_a_previous_owner_waits_out_the_cooloff_others_may_claim_at_once(w, clock):
    lapsed = w.customer("湖州竹业", "Zhejiang", owner=w.ana, protected_days=1)
    clock.advance(days=2)
    with db.writing(w.engine) as conn:
        assert len(reclaim(conn, clock.now)) == 1
    ana = Device(w, w.ana_token)
    refused = ana.send_one(op(0, "customer.claim", lapsed["id"]))
    again = (clock.now + timedelta(days=14)).date().isoformat()
    assert refused["reason"] == (f"湖州竹业 returned to the pool from you; you may claim it again "
                                 f"from {again}")
    clock.advance(days=15)
    assert ana.send_one(op(0, "customer.claim", lapsed["id"]))["status"] == "applied"


def test_a_claim_of_a_lapsed_customer_not_yet_swept_is_decided_by_the_clock(w, clock):
    lapsed = w.customer("湖州竹业", "Zhejiang", owner=w.ana, protected_days=1)
    bo = Device(w, w.bo_token)
    early = bo.send_one(op(0, "customer.claim", lapsed["id"]))
    assert early["status"] == "rejected" and early["reason"].startswith("owned by Ana")
    clock.advance(days=1, minutes=1)
    late = bo.send_one(op(0, "customer.claim", lapsed["id"]))
    assert late["status"] == "applied"
    assert late["record"]["owner_id"] == w.bo["id"]
    assert late["record"]["previous_owner_id"] == w.ana["id"]


def test_a_new_prospect_belongs_to_its_creator_once_whatever_the_resends(w, clock):
    ana = Device(w, w.ana_token)
    cid = "0192f7a0-0000-7000-8000-000000000001"
    create = op(0, "customer.create", cid, {"name": "义乌小商品城", "province": "Zhejiang",
                                            "tier": "B", "owner_id": w.bo["id"]})
    made = ana.send_one(create)
    assert made["status"] == "applied"
    record = made["record"]
    assert record["owner_id"] == w.ana["id"], "ownership is not the client's to say"
    assert _at(record["protected_until"]) == rules.protection_on_claim(START, Policy())
    assert "ywxspc" in record["search_keys"], "pinyin initials filled by the server"
    again = Device(w, w.ana_token).send_one(create)  # a second laptop of Ana's, same op
    assert again["status"] == "applied" and again["record"]["version"] == record["version"]
    stolen = Device(w, w.bo_token).send_one(create)
    assert stolen["status"] == "rejected" and "exists already" in stolen["reason"]


def test_the_owner_snoozes_and_completes_follow_ups_and_the_manager_sees_it(w):
    ana = Device(w, w.ana_token)
    fid = "0192f7a0-0000-7000-8000-000000000002"
    created = ana.send_one(op(0, "followup.create", fid, {
        "customer_id": w.ana_own["id"], "due": "2026-12-03", "title": "send the quote"}))
    assert created["status"] == "applied" and created["record"]["version"] == 1
    snoozed, done = ana.send(
        op(0, "followup.update", fid, {"status": "snoozed", "snoozed_until": "2026-12-08"}),
        op(0, "followup.update", fid, {"status": "done"}))
    # one push answers a record once, with its last state (issue 15, #12: no amplification)
    assert snoozed["status"] == "applied" and snoozed["version"] == 2
    assert done["record"]["status"] == "done" and done["record"]["version"] == 3
    assert done["record"]["snoozed_until"] == "2026-12-08"
    renamed = ana.send_one(op(0, "followup.update", fid, {"rep_id": w.bo["id"]}))
    assert renamed["status"] == "rejected" and renamed["reason"] == "rep_id cannot be changed"
    mei, _ = w.scope(w.mei_token)
    assert mei["followup"][fid]["status"] == "done"
