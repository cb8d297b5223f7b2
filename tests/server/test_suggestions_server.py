"""``fieldrep-server suggestions [--team TEAM] [--json]`` (issue 12): the laptops' function
(``sync.protocol.rfm.suggest``) over the server's records, on a world worked by hand. With
``--team`` the ranking is within the team's customers (owned by its reps, or in its reps'
territories' pool), so another team's big buyer changes nothing; without it, the organisation's
ranking, where it does. Read-only: nothing is written.

Today is 2026-11-23 (Shanghai). East (Ana): e1 A active, one order of 100 ten days ago; e2 A
active, 50 two hundred days ago; e3 C prospect, 1,000 three and four days ago; e4 a pool
prospect with no order. West (Bo): w1 two orders of 1,000,000 yesterday.

East alone: R e2 1, e1 3, e3 5; F e1 2, e2 2, e3 5; M e2 1, e1 3, e3 5 → e1 8 B (now A), e2 4 C
and at risk, e3 15 A and new (a first order). Everyone: R e2 1, e1 2, e3 4, w1 5; F e1, e2 2,
e3, w1 4; M e2 1, e1 2, e3 4, w1 5 → e1 6 C.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from server import db, schema
from server.org import add_rep, add_team, add_territory, ensure_policy
from server.suggestions import team_suggestions

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def world(tmp_path):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    engine = db.make_engine(url)
    schema.create_schema(engine)
    with db.writing(engine) as conn:
        ensure_policy(conn)
        add_team(conn, "East")
        add_team(conn, "West")
        add_territory(conn, "华东", provinces=["上海"])
        add_territory(conn, "West coast", provinces=["CA"])
        ana, _token = add_rep(conn, "Ana", team="East", territories=["华东"])
        bo, _token = add_rep(conn, "Bo", team="West", territories=["West coast"])

        def customer(cid: str, owner: dict | None, tier: str, stage: str, province: str) -> None:
            db.put_record(conn, "customer", {
                "id": cid, "name": cid, "province": province, "city": "", "tier": tier,
                "stage": stage, "owner_id": owner["id"] if owner else None,
                "owner_name": owner["name"] if owner else None, "version": 1},
                {owner["id"]} if owner else set())

        def order(vid: str, cid: str, rep: dict, days: int, amount: float) -> None:
            db.put_record(conn, "visit", {
                "id": vid, "customer_id": cid, "rep_id": rep["id"], "kind": "visit",
                "outcome": "Order", "at": (NOW - timedelta(days=days)).isoformat(),
                "amount": amount, "version": 1}, {rep["id"]})

        customer("e1", ana, "A", "active", "上海")
        customer("e2", ana, "A", "active", "上海")
        customer("e3", ana, "C", "prospect", "上海")
        customer("e4", None, "C", "prospect", "上海")
        customer("w1", bo, "A", "active", "CA")
        order("v1", "e1", ana, 10, 100.0)
        order("v2", "e2", ana, 200, 50.0)
        order("v3", "e3", ana, 3, 1000.0)
        order("v4", "e3", ana, 4, 1000.0)
        order("v5", "w1", bo, 1, 1e6)
        order("v6", "w1", bo, 1, 1e6)
    yield engine, url
    engine.dispose()


def _by_id(rows) -> dict[str, tuple]:
    return {c["id"]: (s.r, s.f, s.m, s.tier, s.stage) for c, s in rows}


def test_a_team_is_ranked_within_itself(world):
    engine, _url = world
    with db.reading(engine) as conn:
        rows = team_suggestions(conn, "East", NOW.date())
    assert _by_id(rows) == {"e1": (3, 2, 3, "B", "active"), "e2": (1, 2, 1, "C", "at_risk"),
                            "e3": (5, 5, 5, "A", "new")}


def test_without_a_team_the_organisation_is_ranked_together(world):
    engine, _url = world
    with db.reading(engine) as conn:
        rows = team_suggestions(conn, None, NOW.date())
    got = _by_id(rows)
    assert got["e1"] == (2, 2, 2, "C", "active")
    assert "w1" not in got  # A and active, as its history says


def test_the_command_prints_json_and_writes_nothing(world):
    engine, url = world
    with db.reading(engine) as conn:
        before = db.all_records(conn, "customer")
    env = {**os.environ, "FIELDREP_DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-m", "server.cli", "suggestions", "--team", "East",
                           "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert {r["id"] for r in rows} == {"e1", "e2", "e3"}  # days counted from the real today
    assert all(r["current_tier"] and "customer_id" not in r for r in rows)
    with db.reading(engine) as conn:
        assert db.all_records(conn, "customer") == before
    unknown = subprocess.run([sys.executable, "-m", "server.cli", "suggestions", "--team",
                              "Nowhere"], capture_output=True, text=True, env=env, timeout=120)
    assert unknown.returncode == 1 and len(unknown.stderr.strip().splitlines()) == 1
