"""Scope on every endpoint, tried as the wrong rep: what each person may read and write."""

from __future__ import annotations

import uuid
from datetime import date

from server import db
from server.org import add_rep
from tests.server._world import Device, op, visit


def _feedback(customer_id: str, **fields) -> dict:
    return op(0, "feedback.create", str(uuid.uuid4()),
              {"customer_id": customer_id, "at": "2026-11-20T09:00:00+00:00",
               "kind": "complaint", "text": "late delivery", **fields})


def _followup(customer_id: str) -> dict:
    return op(0, "followup.create", str(uuid.uuid4()),
              {"customer_id": customer_id, "due": date(2026, 12, 1).isoformat(),
               "title": "send the quote"})


def _anas_history(world) -> dict[str, str]:
    """Ana logs a visit, a complaint and a follow-up on her own customer; returns their ids."""
    ana = Device(world, world.ana_token)
    results = ana.send(visit(0, world.ana_own["id"]), _feedback(world.ana_own["id"]),
                       _followup(world.ana_own["id"]))
    assert [r["status"] for r in results] == ["applied"] * 3
    return {r["entity"]: r["record_id"] for r in results}


def test_a_rep_never_reads_another_reps_history_or_customers(world):
    ids = _anas_history(world)
    bo, _ = world.scope(world.bo_token)
    cy, _ = world.scope(world.cy_token)
    for view in (bo, cy):
        for entity, record_id in ids.items():
            assert record_id not in view.get(entity, {}), (entity, "leaked to another rep")
    assert world.ana_own["id"] not in bo["customer"], "Ana's protected customer is hers alone"
    assert world.ana_own["id"] not in cy["customer"]
    mei, _ = world.scope(world.mei_token)
    for entity, record_id in ids.items():
        assert record_id in mei[entity], f"the manager sees the team's {entity}"


def test_pull_after_another_reps_work_brings_nothing_of_it(world):
    _, bo_cursor = world.scope(world.bo_token)
    _, cy_cursor = world.scope(world.cy_token)
    ids = _anas_history(world)
    for token, cursor in ((world.bo_token, bo_cursor), (world.cy_token, cy_cursor)):
        pulled = world.pull(token, cursor)["changes"]
        assert not {c["id"] for c in pulled} & set(ids.values())


def test_a_rep_may_not_edit_or_close_another_reps_customer_feedback_or_followup(world):
    ids = _anas_history(world)
    bo = Device(world, world.bo_token)
    update, fb, fu = bo.send(
        op(0, "customer.update", world.ana_own["id"], {"tier": "C"}, 1),
        op(0, "feedback.update", ids["feedback"], {"status": "resolved"}),
        op(0, "followup.update", ids["followup"], {"status": "done"}),
    )
    assert update["status"] == "rejected" and update["reason"] == "owned by Ana"
    assert fb["status"] == "rejected" and "belongs to someone else" in fb["reason"]
    assert fu["status"] == "rejected" and "belongs to someone else" in fu["reason"]
    with db.reading(world.engine) as conn:
        assert db.get_record(conn, "customer", world.ana_own["id"])["tier"] == "A"
        assert db.get_record(conn, "feedback", ids["feedback"])["status"] == "open"
        assert db.get_record(conn, "followup", ids["followup"])["status"] == "open"


def test_the_manager_may_resolve_a_team_complaint_and_the_author_hears_of_it(world):
    ids = _anas_history(world)
    _, cursor = world.scope(world.ana_token)
    mei = Device(world, world.mei_token)
    result = mei.send_one(op(0, "feedback.update", ids["feedback"],
                             {"status": "resolved", "resolution": "refund sent"}))
    assert result["status"] == "applied" and result["record"]["status"] == "resolved"
    pulled = world.pull(world.ana_token, cursor)["changes"]
    assert [c["record"]["resolution"] for c in pulled if c["entity"] == "feedback"] == [
        "refund sent"]


def test_a_rep_outside_the_territory_may_not_log_anything_on_the_customer(world):
    cy = Device(world, world.cy_token)
    results = cy.send(visit(0, world.ana_own["id"]), _feedback(world.ana_own["id"]),
                      _followup(world.ana_own["id"]))
    assert [r["status"] for r in results] == ["rejected"] * 3
    # the customer is outside Cy's audience: the refusal does not even name it (issue 15, #6)
    assert all(r["reason"] == "this customer is outside your territories" for r in results)
    assert all(r["code"] == "scope.customer_outside" for r in results)


def test_a_new_customer_outside_the_reps_territories_is_refused(world):
    cy = Device(world, world.cy_token)
    result = cy.send_one(op(0, "customer.create", str(uuid.uuid4()),
                            {"name": "温州鞋业", "province": "Zhejiang"}))
    assert result["status"] == "rejected" and "outside your territories" in result["reason"]
    inside = cy.send_one(op(0, "customer.create", str(uuid.uuid4()),
                            {"name": "绵阳电器", "province": "Sichuan"}))
    assert inside["status"] == "applied" and inside["record"]["owner_id"] == world.cy["id"]


def test_a_manager_acts_only_for_their_own_team(world):
    with db.writing(world.engine) as conn:
        _dan, dan_token = add_rep(conn, "Dan", team="Other", territories=["SC"], role="manager")
    dan, _ = world.scope(dan_token)
    assert world.ana_own["id"] not in dan.get("customer", {}), "another team's customers"
    h = world.headers(dan_token)
    east = world.client.post("/v1/assign", headers=h,
                             json={"strategy": "round-robin", "team_id": "East"})
    assert east.status_code == 403 and "own team" in east.json()["detail"]
    moved = world.client.post(f"/v1/customers/{world.ana_own['id']}/transfer", headers=h,
                              json={"to_rep_id": world.cy["id"]})
    assert moved.status_code == 403
    with db.reading(world.engine) as conn:
        assert db.get_record(conn, "customer", world.ana_own["id"])["owner_id"] == world.ana["id"]


def test_devices_and_me_belong_to_the_tokens_rep(world):
    for rep, token in ((world.ana, world.ana_token), (world.cy, world.cy_token)):
        device = world.client.post("/v1/devices", headers=world.headers(token),
                                   json={"name": "thinkpad"}).json()
        assert device["rep_id"] == rep["id"] and device["last_mid"] == 0
        me = world.client.get("/v1/me", headers=world.headers(token)).json()
        assert me["rep"]["id"] == rep["id"]
    ana = world.client.get("/v1/me", headers=world.headers(world.ana_token)).json()
    assert ana["team"]["name"] == "East" and [t["name"] for t in ana["territories"]] == ["ZJ"]
    assert ana["policy"]["protection_days"] == 10


def test_a_rep_cannot_push_with_another_reps_device_even_for_a_duplicate(world):
    ana = Device(world, world.ana_token)
    ana.send(visit(0, world.ana_own["id"]))
    replay = world.push(world.cy_token, ana.id, [{**visit(0, world.ana_own["id"]), "mid": 1}])
    assert replay.status_code == 403, "a stored result is not served to someone else"
    unknown = world.push(world.ana_token, "no-such-device", [])
    assert unknown.status_code == 403


def test_work_logged_while_a_customer_was_yours_still_arrives_after_it_left_your_scope(world):
    far = world.customer("成都机床", "Sichuan", owner=world.ana)  # Ana's, outside her territory
    view, _ = world.scope(world.ana_token)
    assert far["id"] in view["customer"]
    moved = world.client.post(f"/v1/customers/{far['id']}/transfer",
                              headers=world.headers(world.root_token),
                              json={"to_rep_id": world.cy["id"]})
    assert moved.status_code == 200
    ana = Device(world, world.ana_token)
    late = ana.send_one(visit(0, far["id"], notes="logged offline before the transfer"))
    assert late["status"] == "applied" and late["record"]["non_owner"] is True
    never_had = ana.send_one(visit(0, world.pool_sc["id"]))
    assert never_had["status"] == "rejected", "a customer the rep was never sent stays closed"
