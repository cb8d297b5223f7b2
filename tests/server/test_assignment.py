"""Sharing the pool out: round-robin, region, customer type, industry; limits; every decision audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server import db, schema
from server.org import add_rep, add_team, add_territory, set_policy
from sync.protocol.models import Policy


@pytest.fixture
def verticals(world):
    """A team grouped by customer type and industry, on customers in Fujian (no region team)."""
    with db.writing(world.engine) as conn:
        add_team(conn, "Verticals", "customer_type")
        add_territory(conn, "Retail", customer_types=["B2C"])
        add_territory(conn, "Chem", industries=["chemicals"])
        add_territory(conn, "Machines", industries=["machinery"])
        add_rep(conn, "Fay", team="Verticals", territories=["Retail"])
        add_rep(conn, "Gus", team="Verticals", territories=["Chem"])
        add_rep(conn, "Hal", team="Verticals", territories=["Chem", "Machines"])
        _vic, vic_token = add_rep(conn, "Vic", team="Verticals", territories=[], role="manager")
    for i, (industry, kind) in enumerate([("chemicals", "B2B")] * 4 + [("machinery", "B2B")] * 2
                                         + [("retail", "B2C")] * 3):
        world.customer(f"福建{industry}{i}", "Fujian", industry=industry, customer_type=kind)
    world.vic_token = vic_token
    return world


def _assign(world, token, **body):
    response = world.client.post("/v1/assign", headers=world.headers(token), json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_customer_type_assignment_goes_to_the_rep_whose_territory_lists_the_type(verticals):
    summary = _assign(verticals, verticals.vic_token, strategy="customer-type")
    by_rep = {}
    for decision in summary["decisions"]:
        by_rep.setdefault(decision["rep"], []).append(decision["customer"])
    assert sorted(by_rep) == ["Fay"] and len(by_rep["Fay"]) == 3
    assert all("retail" in name for name in by_rep["Fay"])
    assert summary["skipped"] == 6, "B2B customers: no territory of the team lists B2B"


def test_industry_assignment_is_fair_among_the_reps_that_list_the_industry(verticals):
    summary = _assign(verticals, verticals.vic_token, strategy="industry")
    owners = {d["customer"]: d["rep"] for d in summary["decisions"]}
    chem = [rep for name, rep in owners.items() if "chemicals" in name]
    machines = [rep for name, rep in owners.items() if "machinery" in name]
    assert machines == ["Hal", "Hal"], "only Hal lists machinery"
    assert len(chem) == 4 and set(chem) == {"Gus", "Hal"}
    assert summary["per_rep"] == {"Fay": 0, "Gus": 3, "Hal": 3}, (
        "Hal's machinery first, then chemicals evened out: the fewest this round")
    assert summary["skipped"] == 3, "retail: nobody lists it"


def test_round_robin_shares_only_the_teams_pool_and_stays_within_one(verticals):
    summary = _assign(verticals, verticals.vic_token, strategy="round-robin")
    assert summary["assigned"] == 9, "every Fujian pool customer, none of East's"
    assert max(summary["per_rep"].values()) - min(summary["per_rep"].values()) <= 1
    assert all(not d["customer"].startswith(("杭州", "成都")) for d in summary["decisions"])


def test_every_assignment_is_audited_with_who_and_why_and_reaches_the_new_owner(verticals):
    _, cursor = verticals.scope(verticals.ana_token)
    summary = _assign(verticals, verticals.mei_token, strategy="region")
    assert summary["decisions"], "East's pool is shared out"
    with db.reading(verticals.engine) as conn:
        audit = conn.execute(sa.select(schema.audit.c.actor, schema.audit.c.record_id, schema.audit.c.why)
                             .where(schema.audit.c.action == "assign").order_by(schema.audit.c.id)).all()
    assert {row.record_id for row in audit} == {d["customer_id"] for d in summary["decisions"]}
    assert {row.actor for row in audit} == {verticals.mei["id"]}
    assert all(row.why.startswith(f"{d['customer']} → {d['rep']}: region")
               for row, d in zip(audit, summary["decisions"], strict=True))
    anas = {d["customer_id"] for d in summary["decisions"] if d["rep"] == "Ana"}
    pulled = verticals.pull(verticals.ana_token, cursor)["changes"]
    assigned = {c["id"] for c in pulled if c["op"] == "upsert"
                and (c["record"] or {}).get("owner_id") == verticals.ana["id"]}
    assert assigned == anas
    assert all(c["reason"].startswith("assigned to Ana") for c in pulled if c["id"] in anas)


def test_assignment_respects_the_held_limit_and_leaves_the_rest_in_the_pool(world):
    with db.writing(world.engine) as conn:
        set_policy(conn, Policy(max_held=1), "test")
    summary = _assign(world, world.mei_token, strategy="round-robin")
    assert summary["per_rep"] == {"Ana": 0, "Bo": 1}, "Ana already holds one"
    assert summary["skipped"] == 1


def test_an_unknown_strategy_is_a_422_with_the_choices(world):
    response = world.client.post("/v1/assign", headers=world.headers(world.mei_token),
                                 json={"strategy": "lottery"})
    assert response.status_code == 422
    assert "round-robin, region, customer-type, industry" in response.json()["detail"]
