"""The HTTP API over the real app (ASGI), on SQLite and on PostgreSQL: scope, sync, sales rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from server import db, feed, schema
from server.domain.ownership import reclaim
from server.org import set_policy
from sync.protocol.models import Policy
from tests.server._world import op, visit


def test_a_rep_sees_own_customers_and_the_pool_of_their_territories_only(world):
    ana, _ = world.scope(world.ana_token)
    names = {c["name"] for c in ana["customer"].values()}
    assert names == {"杭州机械", "宁波化工"}
    cy, _ = world.scope(world.cy_token)
    assert {c["name"] for c in cy["customer"].values()} == {"成都电子"}
    mei, _ = world.scope(world.mei_token)
    assert "宁波化工" in {c["name"] for c in mei["customer"].values()}, "a manager sees the team"


def test_every_endpoint_refuses_a_missing_wrong_or_revoked_token(world):
    for method, path in [("get", "/v1/me"), ("post", "/v1/devices"), ("get", "/v1/policy"),
                         ("get", "/v1/sync/pull?cursor=s0"), ("get", "/v1/sync/bootstrap"),
                         ("post", "/v1/sync/push"), ("post", "/v1/assign"),
                         ("put", "/v1/policy"), ("post", f"/v1/customers/{world.pool_zj['id']}/transfer")]:
        for headers in ({}, world.headers("fr_not-a-token")):
            response = getattr(world.client, method)(path, headers=headers)
            assert response.status_code == 401, (method, path, response.text)
    from server.tokens import revoke_tokens

    with db.writing(world.engine) as conn:
        revoke_tokens(conn, world.ana)
    response = world.client.get("/v1/me", headers=world.headers(world.ana_token))
    assert response.status_code == 401 and "log in again" in response.json()["detail"]


def test_push_from_a_device_of_another_rep_is_forbidden(world):
    bos_device = world.device(world.bo_token)
    response = world.push(world.ana_token, bos_device, [visit(1, world.ana_own["id"])])
    assert response.status_code == 403


def test_push_is_exactly_once_and_in_order(world):
    device = world.device(world.ana_token)
    first = [visit(1, world.ana_own["id"]), visit(2, world.ana_own["id"])]
    response = world.push(world.ana_token, device, first)
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["applied", "applied"]
    again = world.push(world.ana_token, device, first)  # a retry after a lost answer
    assert again.json()["results"] == response.json()["results"]
    gap = world.push(world.ana_token, device, [visit(5, world.ana_own["id"])])
    assert gap.status_code == 409 and gap.json()["expected_mid"] == 3
    with db.reading(world.engine) as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(schema.records).where(
            schema.records.c.entity == "visit")).scalar_one()
    assert count == 2


def test_a_write_outside_the_reps_territories_is_rejected_with_a_reason(world):
    device = world.device(world.ana_token)
    results = world.push(world.ana_token, device, [
        visit(1, world.pool_sc["id"]),
        op(2, "customer.update", world.pool_sc["id"], {"tier": "B"}, 1),
        op(3, "customer.claim", world.pool_sc["id"]),
    ]).json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert all("outside your territories" in r["reason"] for r in results)


def test_a_visit_by_a_non_owner_inside_the_territory_is_kept_and_flagged(world):
    device = world.device(world.bo_token)
    result = world.push(world.bo_token, device, [visit(1, world.ana_own["id"])]).json()
    record = result["results"][0]["record"]
    assert result["results"][0]["status"] == "applied" and record["non_owner"] is True
    ana, _ = world.scope(world.ana_token)
    assert record["id"] in ana.get("visit", {}), "the owner is told of the non-owner visit"


def test_first_claim_wins_and_the_loser_hears_who_owns_it(world):
    ana_device, bo_device = world.device(world.ana_token), world.device(world.bo_token)
    won = world.push(world.ana_token, ana_device, [op(1, "customer.claim", world.pool_zj["id"])])
    lost = world.push(world.bo_token, bo_device, [op(1, "customer.claim", world.pool_zj["id"])])
    assert won.json()["results"][0]["status"] == "applied"
    refusal = lost.json()["results"][0]
    assert refusal["status"] == "rejected"
    assert refusal["reason"].startswith("owned by Ana, protected until ")
    bo, _ = world.scope(world.bo_token)
    assert world.pool_zj["id"] not in bo["customer"], "a claimed customer left the others' pool"


def test_the_claim_limit_is_enforced_with_its_reason(world):
    with db.writing(world.engine) as conn:
        set_policy(conn, Policy(daily_claim_cap=1), "test")
    extra = world.customer("温州贸易", "Zhejiang")
    device = world.device(world.ana_token)
    results = world.push(world.ana_token, device, [
        op(1, "customer.claim", world.pool_zj["id"]), op(2, "customer.claim", extra["id"]),
    ]).json()["results"]
    assert results[0]["status"] == "applied"
    assert results[1]["status"] == "rejected" and "daily claim limit of 1" in results[1]["reason"]


def test_an_owner_visit_extends_protection_and_a_lapsed_claim_returns_to_the_pool(world):
    device = world.device(world.ana_token)
    before = world.ana_own["protected_until"]
    result = world.push(world.ana_token, device, [visit(1, world.ana_own["id"])]).json()
    assert result["results"][0]["status"] == "applied"
    with db.reading(world.engine) as conn:
        after = db.get_record(conn, "customer", world.ana_own["id"])["protected_until"]
    assert after >= before
    later = datetime.fromisoformat(after) + timedelta(days=1)
    with db.writing(world.engine) as conn:
        returned = reclaim(conn, later)
    assert [c["id"] for c in returned] == [world.ana_own["id"]]
    pooled = returned[0]
    assert pooled["owner_id"] is None and pooled["previous_owner_id"] == world.ana["id"]
    ana, _cursor = world.scope(world.ana_token)
    assert world.ana_own["id"] in ana["customer"], "back in the pool of Ana's territory"
    # and the previous owner may not claim it again during the cool-off
    result = world.push(world.ana_token, device, [op(2, "customer.claim", world.ana_own["id"])])
    assert "returned to the pool from you" in result.json()["results"][0]["reason"]


def test_a_field_changed_on_both_sides_is_a_conflict_the_rest_merges(world):
    ana_device, mei_device = world.device(world.ana_token), world.device(world.mei_token)
    cid = world.ana_own["id"]
    first = world.push(world.mei_token, mei_device,
                       [op(1, "customer.update", cid, {"tier": "B"}, 1)]).json()["results"][0]
    assert first["status"] == "applied"
    second = world.push(world.ana_token, ana_device, [
        op(1, "customer.update", cid, {"tier": "C", "stage": "at_risk"}, 1)
    ]).json()["results"][0]
    assert second["status"] == "conflict"
    assert second["conflicts"] == [{"field": "tier", "mine": "C", "theirs": "B", "base": None}]
    assert second["record"]["stage"] == "at_risk" and second["record"]["tier"] == "B"


def test_pull_follows_commit_order_and_sends_tombstones_when_a_customer_leaves_scope(world):
    _, cursor = world.scope(world.bo_token)
    device = world.device(world.ana_token)
    world.push(world.ana_token, device, [op(1, "customer.claim", world.pool_zj["id"])])
    page = world.pull(world.bo_token, cursor)
    gone = [c for c in page["changes"] if c["id"] == world.pool_zj["id"]]
    assert gone and gone[-1]["op"] == "delete"
    assert not page["has_more"]
    assert world.pull(world.bo_token, page["next_cursor"])["changes"] == []


def test_a_cursor_older_than_the_horizon_gets_410(world):
    _, cursor = world.scope(world.ana_token)
    world.customer("舟山渔业", "Zhejiang")
    with db.writing(world.engine) as conn:
        top, _ = feed.position(conn)
        feed.compact(conn, top)
    response = world.client.get("/v1/sync/pull", headers=world.headers(world.ana_token),
                                params={"cursor": cursor})
    assert response.status_code == 410


def test_an_old_client_gets_426_and_bad_input_gets_4xx_with_a_reason(world):
    old = {**world.headers(world.ana_token), "X-Fieldrep-Schema": "0"}
    assert world.client.get("/v1/me", headers=old).status_code == 426
    h = world.headers(world.ana_token)
    for response in [
        world.client.get("/v1/sync/pull", headers=h, params={"cursor": "garbage"}),
        world.client.get("/v1/sync/bootstrap", headers=h, params={"token": "!!"}),
        world.client.get("/v1/sync/pull", headers=h, params={"cursor": "s0", "limit": 0}),
        world.client.post("/v1/sync/push", headers=h, content=b"{not json"),
        world.client.post("/v1/sync/push", headers=h, json={"device_id": "x", "mutations": []}),
        world.client.put("/v1/policy", headers=world.headers(world.root_token),
                         json={"protection_days": -3}),
        world.client.put("/v1/policy", headers=world.headers(world.root_token),
                         json={"timezone": "Mars/Olympus"}),
    ]:
        assert 400 <= response.status_code < 500, response.text
        assert response.json()["detail"]
    device = world.device(world.ana_token)
    bad = world.push(world.ana_token, device, [
        visit(1, world.ana_own["id"], outcome=""),
        visit(2, "no-such-customer"),
        op(3, "customer.update", world.ana_own["id"], {"owner_id": world.ana["id"]}, 1),
    ]).json()["results"]
    assert [r["status"] for r in bad] == ["rejected"] * 3
    assert all(r["reason"] for r in bad)


def test_only_an_admin_changes_the_policy_and_reps_receive_it(world):
    _, cursor = world.scope(world.ana_token)
    h = world.headers(world.ana_token)
    assert world.client.put("/v1/policy", headers=h, json={}).status_code == 403
    response = world.client.put("/v1/policy", headers=world.headers(world.root_token),
                                json={"protection_days": 12, "cadence_days": {"A": 7}})
    assert response.status_code == 200 and response.json()["protection_days"] == 12
    changes = world.pull(world.ana_token, cursor)["changes"]
    assert [c["record"]["protection_days"] for c in changes if c["entity"] == "policy"] == [12]


def test_round_robin_assignment_is_fair_and_audited(world):
    for i in range(7):
        world.customer(f"客户{i}", "Zhejiang")
    response = world.client.post("/v1/assign", headers=world.headers(world.mei_token),
                                 json={"strategy": "round-robin"})
    assert response.status_code == 200, response.text
    shares = response.json()["per_rep"]
    assert sorted(shares) == ["Ana", "Bo"] and abs(shares["Ana"] - shares["Bo"]) <= 1
    assert sum(shares.values()) == 9  # the 8 pool customers of the team, and 成都电子
    with db.reading(world.engine) as conn:
        audited = conn.execute(sa.select(sa.func.count()).select_from(schema.audit).where(
            schema.audit.c.action == "assign")).scalar_one()
    assert audited == 9
    assert world.client.post("/v1/assign", headers=world.headers(world.ana_token),
                             json={"strategy": "round-robin"}).status_code == 403


def test_region_assignment_follows_territories(world):
    response = world.client.post("/v1/assign", headers=world.headers(world.root_token),
                                 json={"strategy": "region"})
    decisions = {d["customer"]: d["rep"] for d in response.json()["decisions"]}
    assert decisions["成都电子"] in {"Bo", "Cy"}
    assert decisions["杭州机械"] in {"Ana", "Bo"}


def test_a_manager_transfers_within_the_team_and_visits_stay_with_their_author(world):
    device = world.device(world.ana_token)
    logged = world.push(world.ana_token, device, [visit(1, world.ana_own["id"])]).json()
    visit_id = logged["results"][0]["record_id"]
    h = world.headers(world.mei_token)
    response = world.client.post(f"/v1/customers/{world.ana_own['id']}/transfer", headers=h,
                                 json={"to_rep_id": world.bo["id"]})
    assert response.status_code == 200 and response.json()["owner_id"] == world.bo["id"]
    ana, _ = world.scope(world.ana_token)
    assert world.ana_own["id"] not in ana["customer"]
    assert visit_id in ana["visit"], "Ana keeps her visit"
    outside = world.client.post(f"/v1/customers/{world.ana_own['id']}/transfer", headers=h,
                                json={"to_rep_id": world.cy["id"]})
    assert outside.status_code == 403
    missing = world.client.post("/v1/customers/nope/transfer", headers=h,
                                json={"to_rep_id": world.bo["id"]})
    assert missing.status_code == 404
    as_rep = world.client.post(f"/v1/customers/{world.ana_own['id']}/transfer",
                               headers=world.headers(world.bo_token),
                               json={"to_rep_id": world.bo["id"]})
    assert as_rep.status_code == 403


def test_a_gap_inside_a_batch_keeps_what_came_before_and_the_resend_completes_it(world):
    device = world.device(world.ana_token)
    cid = world.ana_own["id"]
    one, two, three, four = (visit(m, cid) for m in (1, 2, 3, 4))
    gap = world.push(world.ana_token, device, [one, two, four])
    assert gap.status_code == 409 and gap.json()["expected_mid"] == 3
    assert "expected mutation 3, got 4" in gap.json()["detail"]
    resent = world.push(world.ana_token, device, [one, two, three, four]).json()
    assert [r["status"] for r in resent["results"]] == ["applied"] * 4
    assert resent["last_mid"] == 4
    assert [r["record_id"] for r in resent["results"]] == [
        m["record_id"] for m in (one, two, three, four)]
    changed = {**one, "record_id": "another-visit"}  # a reused mid answers what it answered
    again = world.push(world.ana_token, device, [changed]).json()["results"][0]
    assert again["record_id"] == one["record_id"]
    with db.reading(world.engine) as conn:
        assert db.get_record(conn, "visit", "another-visit") is None
    empty = world.push(world.ana_token, device, []).json()
    assert empty == {"results": [], "last_mid": 4}
