"""O (issue 10): goals per period, end to end through a real server process on loopback. The
manager sets Ana's goals offline from next month on (``fieldrep goals set``): the Mei's laptop
shows them pending at once; one sync and the server keeps them in Ana's history; Ana's laptop
shows them after her next sync, while this month keeps the goals she had (her dashboard's
figures are measured against the month they are about). Another team's manager, and Ana herself,
are refused in one line before anything is queued, as is a bad value or period.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date

import pytest

from sync.protocol import goals
from tests.sync._harness import PYTHON, ROOT, Laptop, engine_for, sync_until_settled

pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.org(reps=["Ana", "Bo"], managers=["Mei"]),
]


def _synced(laptop: Laptop) -> None:
    with laptop.open() as store:
        sync_until_settled(engine_for(store), store)


def _refused(laptop: Laptop, *args: str) -> str:
    """``fieldrep ARGS`` that must fail: its one line on stderr (exit 1, nothing on stdout)."""
    done = subprocess.run([PYTHON, "-m", "tui.cli", *args], capture_output=True, text=True,
                          env=laptop.env(), cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    return done.stderr


def _next_month() -> date:
    today = date.today()
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def test_goals_set_offline_reach_the_server_once_and_the_rep_after_her_sync(org, tmp_path):
    laptops = {name: Laptop(tmp_path / name, rep, org.url).login()
               for name, rep in org.reps.items()}
    for laptop in laptops.values():
        _synced(laptop)
    ana = json.loads(laptops["Ana"].cli("goals", "--json"))
    before = ana["goals"]
    start = _next_month()
    period = f"{start.year}-{start.month:02d}"

    queued = json.loads(laptops["Mei"].cli("goals", "set", "Ana", "--period", period,
                                           "--visits", "17", "--revenue", "320000", "--json"))
    assert queued["pending"] is True
    assert queued["history"][-1]["effective"] == start.isoformat()
    assert queued["history"][-1]["goals"]["visits_per_week"] == 17
    with laptops["Mei"].open() as store:
        [op] = store.outbox()
        assert op["kind"] == "rep.goals"
        assert op["fields"] == {"goals": {"visits_per_week": 17, "revenue_per_month": 320000.0},
                                "effective": start.isoformat()}
    _synced(laptops["Mei"])
    with laptops["Mei"].open() as store:
        assert store.pending_count() == 0 and store.rejections() == []
    shown = json.loads(laptops["Mei"].cli("goals", "--rep", "Ana", "--json"))
    assert shown["pending"] is False and shown["history"][-1]["by_name"] == "Mei"
    _synced(laptops["Mei"])  # nothing is sent again

    _synced(laptops["Ana"])
    with laptops["Ana"].open() as store:
        rep = store.me
        assert goals.goals_at(rep, date.today()).model_dump(mode="json") == before
        later = goals.goals_at(rep, start)
        assert (later.visits_per_week, later.revenue_per_month) == (17, 320000)
    text = laptops["Ana"].cli("--lang", "zh", "goals")
    assert f"自 {start.isoformat()} 起，由 Mei 设定" in text, text
    assert "拜访：每周 17 次" in text


def test_goals_refused_on_the_laptop_and_by_the_server_are_said(org, tmp_path):
    laptops = {name: Laptop(tmp_path / name, rep, org.url).login()
               for name, rep in org.reps.items()}
    for laptop in laptops.values():
        _synced(laptop)
    refused = _refused(laptops["Ana"], "goals", "set", "Bo", "--period", "today", "--visits",
                       "3")
    assert "only a manager or an admin" in refused, refused
    with laptops["Ana"].open() as store:
        assert store.outbox() == []
    for args, words in ((("--visits", "-3"), "visits_per_week"),
                        (("--satisfaction", "7"), "satisfaction_target"),
                        ((), "at least one goal")):
        refused = _refused(laptops["Mei"], "goals", "set", "Bo", "--period", "today", *args)
        assert words in refused, refused
    refused = _refused(laptops["Mei"], "--lang", "zh", "goals", "set", "Bo", "--period", "soon",
                       "--visits", "3")
    assert "不是周期" in refused, refused
    with laptops["Mei"].open() as store:
        assert store.outbox() == []
