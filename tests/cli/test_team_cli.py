"""``fieldrep team [--period week|month|quarter] [--json]`` as a manager types it, offline: one row
per rep of their own team (not another team's) and the total, the goals scaled to the period,
``--json`` one object with every figure, ``--lang zh``, read beside a running workspace; a rep
running it, and a period that is none, get one line and a non-zero exit.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.test_cli_headless import fieldrep, one_line
from tests.tui.conftest import MANAGER, ME, OTHER_REP, SINOPEC, _records, fill_store

pytestmark = pytest.mark.timeout(180)
WEST = {"id": "rep-0031", "name": "Chen Jie", "role": "rep", "team_id": "team-west",
        "territory_ids": ["terr-east"], "version": 1}


def _visit(vid: str, rep: dict, amount: float | None) -> dict:
    at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()  # this week, whatever the day
    return {"op": "upsert", "reason": None, "entity": "visit", "id": vid, "record": {
        "id": vid, "customer_id": SINOPEC, "rep_id": rep["id"], "at": at, "kind": "visit",
        "outcome": "Met", "notes": "", "next_step": "", "amount": amount, "version": 1}}


@pytest.fixture
def boss(tmp_path) -> Path:
    """Zhao Min's laptop (East's manager): the team's people and customers, none of the fixed
    data set's history (its days are fixed, the command counts from today), and three visits
    made a minute ago: two by Wang Fang, one by Chen Jie of another team."""
    from cache import Store

    home = tmp_path / "boss"
    people = [c for c in _records() if c["entity"] not in ("visit", "feedback", "followup")]
    with Store.open(home) as store:
        store.save_session("http://127.0.0.1:9", MANAGER, "device-0009", "test-token")
        store.apply_bootstrap_page(people, None, "cursor-1", True)
        store.apply_pull_page([
            {"op": "upsert", "reason": None, "entity": "rep", "id": WEST["id"], "record": WEST},
            _visit("v-1", ME, 3000.0), _visit("v-2", ME, None), _visit("v-3", WEST, 9e6)],
            "cursor-2")
    return home


@pytest.fixture
def rep_home(tmp_path) -> Path:
    from cache import Store

    home = tmp_path / "rep"
    with Store.open(home) as store:
        fill_store(store)
    return home


def _team(home: Path, *args: str) -> dict:
    return json.loads(fieldrep(home, "team", "--json", *args).stdout)


def test_the_json_has_the_teams_reps_their_figures_and_the_total(boss):
    data = _team(boss)
    assert data["period"]["kind"] == "week" and data["period"]["current"] is True
    assert data["team"] == "East" and data["cap"] == 200
    assert [r["name"] for r in data["reps"]] == [OTHER_REP["name"], ME["name"]]  # not Chen Jie
    wang = data["reps"][1]
    assert wang["rep_id"] == ME["id"]
    assert (wang["visits"]["actual"], wang["visits"]["goal"]) == (2, 10)
    assert (wang["revenue"]["actual"], wang["revenue"]["goal"]) == (3000.0, 23077.0)
    assert wang["held"] == {"actual": 26, "goal": 200, "standing": None}
    assert wang["last_sync"] is None  # rep records carry no last-sync time
    assert data["total"]["visits"]["actual"] == 2  # Chen Jie's visit is West's
    assert data["total"]["revenue"]["actual"] == 3000.0


@pytest.mark.parametrize(("period", "visits", "revenue"), [
    ("week", 10, 23077.0), ("month", 43, 100000.0), ("quarter", 130, 300000.0)])
def test_the_goals_are_scaled_to_the_period_asked_for(boss, period, visits, revenue):
    data = _team(boss, "--period", period)
    wang = data["reps"][1]
    assert data["period"]["kind"] == period
    assert (wang["visits"]["goal"], wang["revenue"]["goal"]) == (visits, revenue)
    assert wang["visits"]["actual"] == 2


def test_the_listing_has_a_row_per_rep_the_total_and_what_the_marks_mean(boss):
    lines = fieldrep(boss, "team", "--period", "month").stdout.splitlines()
    assert lines[0].startswith("East · ") and lines[0].endswith("(this month)")
    assert lines[1].split()[:3] == ["REP", "VISITS", "A"]
    wang = next(line for line in lines if line.startswith("Wang Fang"))
    assert "2/43 " in wang and "3,000/100,000" in wang and "26/200" in wang
    assert lines[-2].startswith("Team total")
    assert lines[-1].startswith("✓ met · ~ near or on pace · ! behind")
    bare = fieldrep(boss, "team", "--no-header").stdout.splitlines()
    assert not any(line.startswith("REP") for line in bare)


def test_the_listing_in_chinese(boss):
    out = fieldrep(boss, "--lang", "zh", "team", "--period", "quarter").stdout
    assert "（本季度）" in out and "团队合计" in out and "拜访" in out


def test_it_reads_beside_a_running_workspace(boss):
    from cache import Store

    with Store.open(boss):  # the workspace holds the store
        assert [r["name"] for r in _team(boss)["reps"]] == [OTHER_REP["name"], ME["name"]]


@pytest.mark.parametrize("lang", ("en", "zh"))
def test_a_rep_gets_a_one_line_refusal(rep_home, lang):
    line = one_line(fieldrep(rep_home, "--lang", lang, "team", code=1))
    said = {"en": "only a manager or an admin may do this", "zh": "只有经理或管理员可以这样做"}
    assert line == f"fieldrep: {said[lang]}"
    assert one_line(fieldrep(rep_home, "team", "--json", code=1)).endswith("may do this")


def test_a_period_that_is_none_is_a_usage_error(boss):
    line = one_line(fieldrep(boss, "team", "--period", "year", code=2))
    assert "invalid choice: 'year'" in line
