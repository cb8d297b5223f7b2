"""The admin's commands: `list reps|teams|territories`, `goals`, `policy show|set`, one-line coded
errors; `PUT /v1/policy` refuses an unknown key; `export visits` names customer and rep."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from server import db
from server.app import create_app
from server.cli import main
from server.export import rows_for, to_csv
from server.org import add_rep
from tests.server._world import Device, op, visit


@pytest.fixture
def admin(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'server.db'}"

    def run(*args: str, code: int = 0) -> tuple[str, str]:
        capsys.readouterr()
        assert main(["--database", url, *args]) == code
        out, err = capsys.readouterr()
        if code:
            assert len(err.strip().splitlines()) == 1, err
        return out, err

    run("init")
    run("add-team", "East")
    run("add-team", "West", "--grouping", "industry")
    run("add-territory", "ZJ", "--provinces", "Zhejiang", "--cities", "杭州,宁波")
    run("add-rep", "Ana", "--team", "East", "--territories", "ZJ")
    run("add-rep", "Li Wei", "--team", "East", "--territories", "ZJ", "--role", "manager")
    run.url = url
    return run


def test_list_reps_teams_and_territories_with_a_header_and_as_json(admin):
    out, _ = admin("list", "reps")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "ROLE", "TEAM", "TERRITORIES"]
    assert lines[1].split() == ["Ana", "rep", "East", "ZJ"]
    assert lines[2].split() == ["Li", "Wei", "manager", "East", "ZJ"]
    reps = json.loads(admin("list", "reps", "--json")[0])
    assert [(r["name"], r["team"], r["territories"]) for r in reps] == [
        ("Ana", "East", ["ZJ"]), ("Li Wei", "East", ["ZJ"])]
    assert reps[0]["goals"]["visits_per_week"] == 10
    teams = admin("list", "teams")[0].splitlines()
    assert teams[0].split() == ["NAME", "GROUPING", "MEMBERS"]
    assert teams[1].split() == ["East", "region", "2"] and teams[2].split() == ["West",
                                                                                  "industry", "0"]
    territories = json.loads(admin("list", "territories", "--json")[0])
    assert territories[0]["name"] == "ZJ" and territories[0]["cities"] == ["杭州", "宁波"]
    assert "杭州,宁波" in admin("list", "territories")[0]


def test_goals_set_changes_one_reps_goals_and_refuses_bad_ones_in_one_line(admin):
    out, _ = admin("goals", "set", "Ana", "visits_per_week=15", "revenue_per_month=250000")
    assert "visits_per_week: 10 → 15" in out and "revenue_per_month: 100000.0 → 250000.0" in out
    goals = json.loads(admin("goals", "show", "Ana", "--json")[0])
    assert goals["visits_per_week"] == 15 and goals["satisfaction_target"] == 4.2
    assert "visits_per_week = 15" in admin("goals", "show", "Ana")[0]
    _, err = admin("goals", "set", "Ana", "visits_per_week=-1", code=1)
    assert err.startswith("fieldrep-server: visits_per_week: input should be greater")
    for huge in ("inf", "1e400", "nan"):  # stored as null by orjson, the rep unreadable after
        _, err = admin("goals", "set", "Ana", f"revenue_per_month={huge}", code=1)
        assert err.startswith("fieldrep-server: revenue_per_month: "), err
    _, err = admin("goals", "set", "Ana", "calls=3", code=1)
    assert "unknown setting 'calls'" in err and "visits_per_week" in err
    _, err = admin("goals", "set", "Ana", "visits_per_week", code=1)
    assert "'visits_per_week' is not KEY=VALUE" in err
    _, err = admin("goals", "set", "Nobody", "visits_per_week=3", code=1)
    assert "no rep called 'Nobody'" in err


def test_goals_set_from_a_period_keeps_the_earlier_ones_in_the_history(admin):
    """O (issue 10): ``--from`` a month, quarter, week or date; this period keeps its goals."""
    _, err = admin("goals", "set", "Ana", "visits_per_week=18", "--from", "2099-01", code=1)
    assert "goals are set for a period from" in err and "not 2099-01-01" in err
    today = date.today()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    out, _ = admin("goals", "set", "Ana", "visits_per_week=18", "--from", quarter)
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    assert f"from {first.isoformat()}:" in out and "visits_per_week: 10 → 18" in out
    shown = json.loads(admin("goals", "show", "Ana", "--json")[0])
    assert shown["visits_per_week"] == 18
    assert [e["effective"] for e in shown["history"]] == ["2000-01-01", first.isoformat()]
    assert shown["history"][0]["goals"]["visits_per_week"] == 10  # the days before keep theirs
    assert f"from {first.isoformat()} (admin): visits_per_week=18" in admin(
        "goals", "show", "Ana")[0]
    _, err = admin("goals", "set", "Ana", "visits_per_week=3", "--from", "soon", code=1)
    assert err.startswith("fieldrep-server: soon is not a period"), err


def test_policy_show_and_set_are_validated_by_the_model(admin):
    assert "protection_days = 10" in admin("policy", "show")[0]
    assert "cadence_days.A = 14" in admin("policy", "show")[0]
    out, _ = admin("policy", "set", "protection_days=12", "cadence_days.A=7",
                   "working_days_only=false")
    assert "protection_days: 10 → 12" in out and "cadence_days.A: 14 → 7" in out
    shown = json.loads(admin("policy", "show", "--json")[0])
    assert (shown["protection_days"], shown["cadence_days"]["A"],
            shown["working_days_only"]) == (12, 7, False)
    for bad, words in [("max_held=lots", "max_held: input should be a valid integer"),
                       ("timezone=Mars/Olympus", "unknown time zone Mars/Olympus"),
                       ("cadence_days.A=0", "cadence_days.A: must be 1 to 3650 days, not 0"),
                       ("cadence_days.Z=3", "unknown setting 'cadence_days.Z'"),
                       ("colour=red", "unknown setting 'colour'")]:
        _, err = admin("policy", "set", bad, code=1)
        assert words in err, (bad, err)
    assert json.loads(admin("policy", "show", "--json")[0])["protection_days"] == 12


def test_put_policy_refuses_an_unknown_key_with_a_coded_422(admin):
    with db.writing(db.make_engine(admin.url)) as conn:
        _, root = add_rep(conn, "Root", team=None, territories=[], role="admin")
    client = TestClient(create_app(admin.url))
    h = {"Authorization": f"Bearer {root}"}
    policy = client.get("/v1/policy", headers=h).json()
    response = client.put("/v1/policy", headers=h, json={**policy, "protection_dayz": 12})
    assert response.status_code == 422
    assert response.json()["code"] == "admin.unknown_key"
    assert response.json()["params"]["key"] == "protection_dayz"
    assert client.put("/v1/policy", headers=h, json=policy).status_code == 200, (
        "what GET returns can be sent back as it is")


def test_put_policy_refuses_a_handoff_naming_no_team_or_the_same_one(admin):
    from server.org import add_team

    with db.writing(db.make_engine(admin.url)) as conn:
        _, root = add_rep(conn, "Root", team=None, territories=[], role="admin")
        east, other = add_team(conn, "Handoff A"), add_team(conn, "Handoff B")
    client = TestClient(create_app(admin.url))
    h = {"Authorization": f"Bearer {root}"}
    policy = client.get("/v1/policy", headers=h).json()

    def put(*rules):
        return client.put("/v1/policy", headers=h, json={**policy, "handoffs": [
            {"from_team": a, "stage": "active", "to_team": b} for a, b in rules]})

    response = put((east["id"], "team-gone"))
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["params"]) == (
        "policy.handoff_team", {"n": 0, "field": "to_team", "team": "team-gone"})
    response = put((east["id"], other["id"]), (other["id"], other["id"]))
    assert (response.status_code, response.json()["code"]) == (422, "policy.handoff_same")
    assert client.get("/v1/policy", headers=h).json()["handoffs"] == [], "nothing stored"
    assert put((east["id"], other["id"])).status_code == 200


def test_export_visits_and_feedback_name_the_customer_and_the_rep(world):
    ana = Device(world, world.ana_token)
    customer = world.ana_own
    results = ana.send(visit(0, customer["id"]), op(0, "feedback.create", str(uuid.uuid4()), {
        "customer_id": customer["id"], "at": datetime.now(UTC).isoformat(), "kind": "suggestion",
        "text": "good"}))
    assert [r["status"] for r in results] == ["applied", "applied"], [r["reason"] for r in results]
    for what in ("visits", "feedback"):
        (record,) = rows_for(world.engine, what)
        assert (record["customer_name"], record["rep_name"]) == ("宁波化工", "Ana")
        header, row = list(csv.reader(io.StringIO(to_csv(what, [record]).lstrip("\ufeff"))))
        assert header[:5] == ["id", "customer_id", "customer_name", "rep_id", "rep_name"]
        assert row[2:5] == ["宁波化工", world.ana["id"], "Ana"]
