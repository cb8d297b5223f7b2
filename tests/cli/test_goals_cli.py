"""O (issue 10): ``fieldrep goals`` and ``fieldrep goals set REP --period P …`` as a rep and a
manager type them, offline: a rep reads their own goals; a manager the team's, sets a rep's goals
from a month, quarter or week on (one ``rep.goals`` in the outbox carrying only the goals given),
sees them pending at once with the history entry, in English and Chinese; every refusal (a rep,
another team's rep, a bad value, a bad or far period, nothing to set, hostile text) one line with
a non-zero exit, nothing queued.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from sync.protocol import goals
from tests.cli.test_cli_headless import fieldrep, one_line
from tests.tui.conftest import ME, fill_store

pytestmark = pytest.mark.timeout(180)

STRANGER = {"id": "rep-0042", "name": "Sun Li", "role": "rep", "team_id": "team-west",
            "territory_ids": []}


def _home(tmp_path: Path, role: str) -> Path:
    from cache import Store

    home = tmp_path / "home"
    with Store.open(home) as store:
        fill_store(store)
        store.save_session("http://127.0.0.1:9", {**ME, "role": role}, "device-0001",
                           "test-token")
        store.apply_pull_page([
            {"entity": "rep", "id": ME["id"], "op": "upsert", "record": {**ME, "role": role}},
            {"entity": "rep", "id": STRANGER["id"], "op": "upsert", "record": STRANGER},
        ], "cursor-3")
    return home


def _outbox(home: Path) -> list[dict]:
    """The goals waiting to sync (the fixture's store has other work pending)."""
    from cache import Store

    with Store.open(home, read_only=True) as store:
        return [op for op in store.outbox() if op["kind"] == "rep.goals"]


def _next_quarter() -> date:
    today = date.today()
    first = 3 * ((today.month - 1) // 3) + 4
    return date(today.year + (first - 1) // 12, (first - 1) % 12 + 1, 1)


def test_a_rep_reads_their_own_goals(tmp_path):
    home = _home(tmp_path, "rep")
    shown = json.loads(fieldrep(home, "goals", "--json").stdout)
    assert shown["rep_id"] == ME["id"] and shown["goals"]["visits_per_week"] == 10
    assert shown["history"] == [] and shown["pending"] is False
    text = fieldrep(home, "goals").stdout
    assert "visits: 10 a week" in text and "revenue: 100,000 a month" in text
    assert "拜访：每周 10 次" in fieldrep(home, "--lang", "zh", "goals").stdout


def test_a_manager_sets_a_reps_goals_from_a_quarter_on(tmp_path):
    home = _home(tmp_path, "manager")
    team = json.loads(fieldrep(home, "goals", "--json").stdout)
    assert [v["rep_name"] for v in team] == ["Li Wei"]  # the team's reps; not Sun Li's team
    start = _next_quarter()
    period = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    done = json.loads(fieldrep(home, "goals", "set", "Li Wei", "--period", period,
                               "--revenue", "300000", "--coverage", "95", "--json").stdout)
    assert done["pending"] is True and done["rep_name"] == "Li Wei"
    assert done["goals"]["revenue_per_month"] == 100000  # today keeps today's goals
    entry = done["history"][-1]
    assert entry["effective"] == start.isoformat() and entry["by_name"] == "Wang Fang"
    assert entry["goals"]["revenue_per_month"] == 300000
    assert entry["goals"]["a_coverage_pct"] == 95
    [op] = _outbox(home)
    assert (op["kind"], op["record_id"]) == ("rep.goals", "rep-0002")
    assert op["fields"] == {"goals": {"revenue_per_month": 300000.0, "a_coverage_pct": 95},
                            "effective": start.isoformat()}
    text = fieldrep(home, "goals", "--rep", "rep-0002").stdout
    assert "not yet synced" in text and f"from {start.isoformat()}, set by Wang Fang" in text
    zh = fieldrep(home, "--lang", "zh", "goals", "set", "Li Wei", "--period", "2026-W50",
                  "--visits", "12").stdout
    assert "Li Wei 的目标已排队" in zh and "尚未同步" in zh
    ops = _outbox(home)
    assert ops[-1]["fields"]["effective"] == date.fromisocalendar(2026, 50, 1).isoformat()
    assert ops[-1]["fields"]["goals"] == {"visits_per_week": 12}


def test_the_period_words_name_the_first_day():
    today = date(2026, 12, 4)
    assert goals.period_start("2027-01", today) == date(2027, 1, 1)
    assert goals.period_start("2027-Q2", today) == date(2027, 4, 1)
    assert goals.period_start("2027q3", today) == date(2027, 7, 1)
    assert goals.period_start("2026-W53", today) == date(2026, 12, 28)
    assert goals.period_start("today", today) == today
    assert goals.period_start("+1w", today) == date(2026, 12, 11)
    for bad in ("2027-13", "2027-Q5", "2026-W60", "soon", "", "2027-00"):
        with pytest.raises(ValueError, match="is not a period"):
            goals.period_start(bad, today)


@pytest.mark.parametrize(("role", "args", "words"), [
    ("rep", ("Li Wei", "--period", "today", "--visits", "3"), "only a manager or an admin"),
    ("manager", ("Sun Li", "--period", "today", "--visits", "3"), "not a rep of your team"),
    ("manager", ("Nobody", "--period", "today", "--visits", "3"), "no rep Nobody"),
    ("manager", ("Li Wei", "--period", "today"), "at least one goal"),
    ("manager", ("Li Wei", "--period", "today", "--visits", "-2"), "visits_per_week"),
    ("manager", ("Li Wei", "--period", "today", "--coverage", "120"), "a_coverage_pct"),
    ("manager", ("Li Wei", "--period", "today", "--satisfaction", "0"), "satisfaction_target"),
    ("manager", ("Li Wei", "--period", "today", "--revenue", "nan"), "revenue_per_month"),
    ("manager", ("Li Wei", "--period", "soon", "--visits", "3"), "soon is not a period"),
    ("manager", ("Li Wei", "--period", "2031-01", "--visits", "3"), "not 2031-01-01"),
    ("manager", ("Li\x1b[31m", "--period", "today", "--visits", "3"), "no rep"),
])
def test_a_bad_goal_is_one_line_and_queues_nothing(tmp_path, role, args, words):
    home = _home(tmp_path, role)
    refused = fieldrep(home, "goals", "set", *args, code=1)
    assert words in one_line(refused)
    assert _outbox(home) == []


def test_the_usage_is_said_in_one_line(tmp_path):
    home = _home(tmp_path, "manager")
    done = fieldrep(home, "goals", "set", "Li Wei", "--visits", "3", code=2)
    assert "--period" in one_line(done)
    done = fieldrep(home, "goals", "set", "Li Wei", "--period", "today", "--visits", "x", code=2)
    assert "invalid int value" in one_line(done)
