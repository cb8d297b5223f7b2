"""seed-demo: a realistic organisation whose tokens work, one change row per record, fast at 50k."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from server import db, schema
from server.app import create_app
from server.seed import seed
from sync.protocol.search_keys import pinyin_keys

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    engine = db.make_engine(f"sqlite:///{tmp_path_factory.mktemp('seed') / 'server.db'}")
    schema.create_schema(engine)
    people = seed(engine, reps=6, customers=1500, seed_value=7, now=NOW)
    with db.reading(engine) as conn:
        data = {entity: db.all_records(conn, entity)
                for entity in ("customer", "visit", "feedback", "followup", "rep", "team",
                               "territory")}
    yield engine, people, data
    engine.dispose()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_people_are_n_reps_two_managers_and_an_admin_in_both_kinds_of_team(seeded):
    _, people, data = seeded
    assert all(set(p) == {"name", "role", "team", "token"} for p in people)
    assert [p["role"] for p in people].count("rep") == 6
    assert [p["role"] for p in people].count("manager") == 2
    assert [p["role"] for p in people].count("admin") == 1
    assert len({p["name"] for p in people}) == len(people)
    assert len({p["token"] for p in people}) == len(people)
    assert {t["grouping"] for t in data["team"]} == {"region", "industry"}
    reps_by_team = {p["team"] for p in people if p["role"] == "rep"}
    assert reps_by_team == {t["name"] for t in data["team"]}


def test_every_token_logs_in_as_its_person_and_every_rep_has_customers(seeded):
    engine, people, _ = seeded
    client = TestClient(create_app(engine=engine))
    for person in people:
        headers = {"Authorization": f"Bearer {person['token']}", "X-Fieldrep-Schema": "1"}
        me = client.get("/v1/me", headers=headers)
        assert me.status_code == 200, me.text
        assert (me.json()["rep"]["name"], me.json()["rep"]["role"]) == (person["name"],
                                                                         person["role"])
        if person["role"] == "rep":
            page = client.get("/v1/sync/bootstrap", headers=headers, params={"limit": 20}).json()
            assert any(c["entity"] == "customer" for c in page["changes"]), person["name"]


def test_customers_look_real_in_both_languages_with_pinyin_precomputed(seeded):
    _, _, data = seeded
    customers = data["customer"]
    assert len(customers) == 1500
    assert len({c["name"] for c in customers}) > 1400, "names are varied"
    chinese = [c for c in customers if re.search(r"[\u4e00-\u9fff]", c["name"])]
    english = [c for c in customers if not re.search(r"[\u4e00-\u9fff]", c["name"])]
    assert len(chinese) > 600 and len(english) > 200
    assert any(c["name"].endswith("有限公司") or "有限公司（" in c["name"] for c in chinese)
    assert any(c["name"].startswith("中国石化") for c in chinese)
    assert all(c["search_keys"] for c in chinese), "every Chinese name has its pinyin keys"
    assert all(c["search_keys"] == pinyin_keys(c["name"]) for c in customers), (
        "the same keys as a name written by import or a laptop")
    assert not any(re.search(r"[\u4e00-\u9fff]", k) for c in chinese for k in c["search_keys"])
    assert all(re.fullmatch(r"[a-z0-9]+", c["search_keys"][1]) for c in chinese), "initials"
    sinopec = next(c for c in chinese if c["name"].startswith("中国石化"))
    assert any(k.startswith("zhongguoshihua") for k in sinopec["search_keys"])
    assert any(k.startswith("zgsh") for k in sinopec["search_keys"])
    assert {c["tier"] for c in customers} == {"A", "B", "C"}
    assert {c["stage"] for c in customers} >= {"prospect", "active", "at_risk"}
    assert {c["customer_type"] for c in customers} == {"B2B", "B2C"}
    assert len({c["industry"] for c in customers}) >= 6
    assert len({c["city"] for c in customers}) >= 15
    assert any(c["province"] == "International" for c in customers)
    for c in customers:
        (contact,) = c["contacts"]
        assert contact["name"] and contact["title"] and "@" in contact["email"]
        assert re.fullmatch(r"1\d{10}", contact["phone"]), contact["phone"]
        assert c["product_lines"]


def test_ownership_has_a_pool_expiring_claims_and_lapsed_ones(seeded):
    _, _, data = seeded
    customers = data["customer"]
    owned = [c for c in customers if c["owner_id"]]
    assert 0.4 < len(owned) / len(customers) < 0.9
    rep_ids = {r["id"] for r in data["rep"] if r["role"] == "rep"}
    assert {c["owner_id"] for c in owned} <= rep_ids, "only field reps own customers"
    assert len({c["owner_id"] for c in owned}) == 6
    until = [_at(c["protected_until"]) for c in owned]
    assert any(NOW < u < NOW + timedelta(days=3) for u in until), "claims about to expire"
    assert any(u < NOW for u in until), "lapsed claims for the next reclaim"
    assert all(_at(c["claimed_at"]) < NOW for c in owned)
    assert all(c["owner_name"] for c in owned)


def test_history_spans_months_with_outcomes_scores_open_complaints_and_overdue_followups(seeded):
    _, _, data = seeded
    by_id = {c["id"]: c for c in data["customer"]}
    visits = data["visit"]
    assert len(visits) > 1000
    ages = [(NOW - _at(v["at"])).days for v in visits]
    assert max(ages) > 90 and min(ages) <= 2
    assert any(re.search(r"[\u4e00-\u9fff]", v["outcome"]) for v in visits)
    assert any(v["outcome"].isascii() for v in visits)
    assert any(v["amount"] for v in visits)
    for v in visits:
        assert by_id[v["customer_id"]]["owner_id"] == v["rep_id"]
    last = max(visits, key=lambda v: v["at"])
    assert by_id[last["customer_id"]]["last_visit_at"] == last["at"]
    kinds = {f["kind"] for f in data["feedback"]}
    assert kinds == {"satisfaction", "complaint", "suggestion"}
    assert all(1 <= f["score"] <= 5 for f in data["feedback"] if f["kind"] == "satisfaction")
    assert any(f["kind"] == "complaint" and f["status"] == "open" for f in data["feedback"])
    dues = [datetime.fromisoformat(f["due"]).date() for f in data["followup"]]
    assert any(d < NOW.date() for d in dues) and any(d > NOW.date() for d in dues)


def test_each_seeded_record_has_exactly_one_change_row(seeded):
    engine, _, data = seeded
    with db.reading(engine) as conn:
        counts = dict(conn.execute(
            sa.select(schema.changes.c.entity, sa.func.count()).group_by(schema.changes.c.entity)).all())
        repeated = conn.execute(
            sa.select(schema.changes.c.record_id)
            .where(schema.changes.c.entity.in_(["customer", "visit", "feedback", "followup"]))
            .group_by(schema.changes.c.entity, schema.changes.c.record_id)
            .having(sa.func.count() > 1)).all()
    for entity in ("customer", "visit", "feedback", "followup"):
        assert counts[entity] == len(data[entity]), entity
    assert repeated == []


def test_the_same_seed_gives_the_same_organisation_and_another_seed_does_not(tmp_path):
    def run(name: str, seed_value: int) -> list[list[dict]]:
        engine = db.make_engine(f"sqlite:///{tmp_path / name}")
        schema.create_schema(engine)
        seed(engine, reps=3, customers=200, seed_value=seed_value, now=NOW)
        with db.reading(engine) as conn:
            reps = {r["id"]: r["name"] for r in db.all_records(conn, "rep")}
            out = [db.all_records(conn, e) for e in ("customer", "visit", "feedback",
                                                     "followup")]
        engine.dispose()
        for group in out:  # rep ids are random per database; their names are not
            for record in group:
                record.pop("updated_at", None)
                for key in ("owner_id", "rep_id"):
                    if record.get(key):
                        record[key] = reps[record[key]]
        return out

    first = run("a.db", 5)
    assert run("b.db", 5) == first
    assert run("c.db", 6) != first


def test_seeding_a_database_that_has_an_organisation_refuses_in_one_line(tmp_path):
    env = {**os.environ, "FIELDREP_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}"}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "server.cli", *args], capture_output=True,
                              text=True, env=env, timeout=120)

    done = cli("seed-demo", "--reps", "2", "--customers", "30")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2 + 2 + 1 + 1, done.stdout
    assert all(re.search(r"\S{20,}$", line) for line in lines[:-1]), "each line ends in a token"
    assert "seeded 30 customers" in lines[-1]
    again = cli("seed-demo", "--reps", "2", "--customers", "30", "--json")
    assert again.returncode == 1 and again.stdout == ""
    assert "already has an organisation" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1 and "Traceback" not in again.stderr
    for bad, words in ((("--reps", "0"), "--reps"), (("--customers", "-1"), "--customers")):
        done = cli("seed-demo", *bad)
        assert done.returncode != 0 and words in done.stderr and "Traceback" not in done.stderr
    people = json.loads(cli("--database", f"sqlite:///{tmp_path / 'j.db'}", "seed-demo",
                            "--reps", "1", "--customers", "5", "--json").stdout)
    assert [p["role"] for p in people] == ["rep", "manager", "manager", "admin"]


@pytest.mark.slow
def test_fifty_thousand_customers_seed_in_well_under_a_minute(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'big.db'}")
    schema.create_schema(engine)
    started = time.perf_counter()
    seed(engine, reps=50, customers=50_000, seed_value=1, now=NOW)
    took = time.perf_counter() - started
    with db.reading(engine) as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(schema.records)
                             .where(schema.records.c.entity == "customer")).scalar_one()
    assert count == 50_000
    assert took < 45, f"seeding 50k customers took {took:.1f} s"
