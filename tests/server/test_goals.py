"""O (issue 10): a manager sets a rep's goals from a period on (``rep.goals``), through the push,
on SQLite and PostgreSQL: refused for a rep, another team's manager, a manager's own or another
manager's goals, bad values and periods out of reach; applied for the team's manager and an
admin, exactly once, kept in the history so an earlier period keeps its goals; and the rep sees
them at the next pull.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from server import db
from server.org import add_rep
from sync.protocol import goals
from tests.server._world import Device, World, op

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def w(engine):
    world = World(engine)
    with db.writing(engine) as conn:
        world.oz, world.oz_token = add_rep(conn, "Oz", team="Other", territories=["SC"],
                                           role="manager")
    return world


def _rep(w: World, rid: str) -> dict:
    with db.reading(w.engine) as conn:
        return db.get_record(conn, "rep", rid)


def _goals(rep: dict, values: dict, effective: str) -> dict:
    return op(0, "rep.goals", rep["id"], {"goals": values, "effective": effective})


def _refused(result: dict, code: str) -> None:
    assert result["status"] == "rejected", result
    assert result["code"] == code, result


def _first_of_month(offset: int = 0) -> date:
    today = date.today()
    month = today.month - 1 + offset
    return date(today.year + month // 12, month % 12 + 1, 1)


def test_only_the_teams_manager_or_an_admin_sets_a_reps_goals(w):
    change = _goals(w.ana, {"visits_per_week": 15}, _first_of_month().isoformat())
    _refused(Device(w, w.ana_token).send_one(change), "role.manager_only")
    _refused(Device(w, w.bo_token).send_one({**change, "op_id": str(uuid.uuid4())}),
             "role.manager_only")
    _refused(Device(w, w.oz_token).send_one({**change, "op_id": str(uuid.uuid4())}),
             "goals.own_team")
    mine = _goals(w.mei, {"visits_per_week": 1}, _first_of_month().isoformat())
    _refused(Device(w, w.mei_token).send_one(mine), "goals.own_team")  # not her own
    assert _rep(w, w.ana["id"]).get("goals_history") in (None, [])
    unknown = {**_goals(w.ana, {"visits_per_week": 3}, "2026-12-01"), "record_id": "nobody"}
    _refused(Device(w, w.root_token).send_one(unknown), "record.unknown")


def test_the_manager_sets_goals_once_and_earlier_periods_keep_theirs(w):
    before = goals.goals_at(_rep(w, w.ana["id"]), date.today())
    this_month, next_month = _first_of_month(), _first_of_month(1)
    mei = Device(w, w.mei_token)
    change = _goals(w.ana, {"visits_per_week": 15, "revenue_per_month": 250000},
                    next_month.isoformat())
    first = mei.send_one(change)
    assert first["status"] == "applied", first
    assert first["entity"] == "rep" and first["record"]["id"] == w.ana["id"]
    rep = _rep(w, w.ana["id"])
    # this month keeps the goals Ana had; next month has the new ones, the rest carried over
    assert goals.goals_at(rep, this_month) == before
    later = goals.goals_at(rep, next_month + timedelta(days=40))
    assert later.visits_per_week == 15 and later.revenue_per_month == 250000
    assert later.satisfaction_target == before.satisfaction_target
    entries = goals.history_of(rep)
    assert [e.effective for e in entries] == [goals.ORIGIN, next_month]
    assert entries[-1].by == w.mei["id"] and entries[-1].by_name == "Mei"
    assert rep["goals"] == before.model_dump(mode="json")  # in effect today
    # exactly once: the same operation again is answered the same, nothing added
    again = w.push(w.mei_token, mei.id, [{**change, "mid": mei.mid}]).json()["results"][0]
    assert again == first
    assert len(goals.history_of(_rep(w, w.ana["id"]))) == 2
    # a second change from the same period replaces that entry, keeping the other goal
    third = mei.send_one(_goals(w.ana, {"visits_per_week": 12}, next_month.isoformat()))
    assert third["status"] == "applied", third
    rep = _rep(w, w.ana["id"])
    assert len(goals.history_of(rep)) == 2
    assert goals.goals_at(rep, next_month).visits_per_week == 12
    assert goals.goals_at(rep, next_month).revenue_per_month == 250000


def test_goals_from_today_are_in_effect_now_and_reach_the_rep_by_pull(w):
    _, cursor = w.scope(w.ana_token)
    result = Device(w, w.root_token).send_one(
        _goals(w.ana, {"a_coverage_pct": 75}, date.today().isoformat()))
    assert result["status"] == "applied", result
    assert _rep(w, w.ana["id"])["goals"]["a_coverage_pct"] == 75
    changes = w.pull(w.ana_token, cursor)["changes"]
    (seen,) = [c for c in changes if c["entity"] == "rep" and c["id"] == w.ana["id"]]
    assert seen["record"]["goals"]["a_coverage_pct"] == 75
    assert seen["record"]["goals_history"][-1]["by_name"] == "Root"


@pytest.mark.parametrize(("values", "effective", "code"), [
    ({}, "today", "goals.empty"),
    ({"visits_per_week": -1}, "today", "field.invalid"),
    ({"visits_per_week": 10_000}, "today", "field.invalid"),
    ({"satisfaction_target": 9}, "today", "field.invalid"),
    ({"revenue_per_month": "lots"}, "today", "field.invalid"),
    ({"owner": "me"}, "today", "field.unexpected"),
    ({"visits_per_week": 5}, "soon", "field.invalid"),
    ({"visits_per_week": 5}, "+5y", "goals.effective_range"),
    ({"visits_per_week": 5}, "-5y", "goals.effective_range"),
])
def test_bad_goals_and_periods_are_refused_with_the_reason(w, values, effective, code):
    day = {"today": date.today(), "+5y": date.today() + timedelta(days=5 * 365),
           "-5y": date.today() - timedelta(days=5 * 365)}.get(effective)
    change = _goals(w.ana, values, day.isoformat() if day else effective)
    result = Device(w, w.mei_token).send_one(change)
    assert result["status"] == "rejected", result
    assert result["code"] in (code, "field.too_large", "field.too_small"), result
    if code != "field.invalid":
        assert result["code"] == code
    assert not goals.history_of(_rep(w, w.ana["id"]))


def test_extra_fields_and_a_hostile_effective_are_refused(w):
    change = op(0, "rep.goals", w.ana["id"], {"goals": {"visits_per_week": 5},
                                                "effective": "2026-12-01", "owner_id": "x"})
    _refused(Device(w, w.mei_token).send_one(change), "field.unexpected")
    for effective in ("2026-13-01", "\x00", 20261201, None):
        change = op(0, "rep.goals", w.ana["id"], {"goals": {"visits_per_week": 5},
                                                    "effective": effective})
        result = Device(w, w.mei_token).send_one(change)
        assert result["status"] == "rejected", (effective, result)
    assert not goals.history_of(_rep(w, w.ana["id"]))


def test_the_history_keeps_the_latest_entries(w):
    mei = Device(w, w.mei_token)
    start = date.today() - timedelta(days=300)
    for i in range(goals.MAX_HISTORY + 5):
        day = start + timedelta(days=i * 10)
        result = mei.send_one(_goals(w.ana, {"visits_per_week": i % 50}, day.isoformat()))
        assert result["status"] == "applied", result
    entries = goals.history_of(_rep(w, w.ana["id"]))
    assert len(entries) == goals.MAX_HISTORY
    assert entries[-1].goals.visits_per_week == (goals.MAX_HISTORY + 4) % 50
