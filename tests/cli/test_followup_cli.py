"""Issue 12: ``fieldrep followup add CUSTOMER --title T --due DATE [--json]``, the ``n`` key's
headless twin, with the contract of the other commands: the new follow-up's id on stdout (or the
record with --json), queued in the outbox and in the queue at once; every bad input one line on
stderr with exit 1 (or 2 for usage), nothing queued.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.cli.test_cli_headless import fieldrep, one_line
from tests.tui.conftest import SINOPEC, fill_store

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def home(tmp_path) -> Path:
    from cache import Store

    home = tmp_path / "home"
    with Store.open(home) as store:
        fill_store(store)
    return home


def _created(home: Path) -> list[dict]:
    from cache import Store

    with Store.open(home, read_only=True) as store:
        return [op for op in store.outbox() if op["kind"] == "followup.create"]


def test_a_followup_is_added_by_name_and_shows_in_the_queue(home):
    before = len(_created(home))
    done = fieldrep(home, "followup", "add", "中国石化", "--title", "send the price list",
                    "--due", "+3d")
    fid = done.stdout.strip()
    ops = _created(home)
    assert len(ops) == before + 1 and ops[-1]["record_id"] == fid
    fields = ops[-1]["fields"]
    assert fields["customer_id"] == SINOPEC and fields["title"] == "send the price list"
    assert fields["due"] == (_team_today(home) + timedelta(days=3)).isoformat()
    queue = json.loads(fieldrep(home, "queue", "--json").stdout)
    assert any(e.get("followup_id", e.get("id")) == fid or e.get("title") == "send the price list"
               for e in queue)
    record = json.loads(fieldrep(home, "followup", "add", SINOPEC, "--title", "回访", "--due",
                                 "tomorrow", "--json").stdout)
    assert record["title"] == "回访" and record["customer_id"] == SINOPEC


def _team_today(home: Path) -> date:
    from cache import Store

    with Store.open(home, read_only=True) as store:
        return store.today()


def test_today_is_the_teams_today_whatever_the_machines_clock_says(home):
    """``--due today`` is counted in the team's time zone (Shanghai here), as the queue counts:
    from 16:00 UTC the machine's date is the team's yesterday, and was refused as past."""
    record = json.loads(fieldrep(home, "followup", "add", "中国石化", "--title", "call",
                                 "--due", "today", "--json").stdout)
    assert record["due"] == _team_today(home).isoformat()


@pytest.mark.parametrize(("args", "words"), [
    (("中国石化", "--title", "x", "--due", "someday"), "--due"),
    (("中国石化", "--title", "   ", "--due", "today"), "title"),
    (("中国石化", "--title", "bad \x1b[31m", "--due", "today"), "control"),
    (("中国石化", "--title", "x" * 5000, "--due", "today"), "title"),
    (("nobody-at-all", "--title", "x", "--due", "today"), "nobody-at-all"),
    (("中国石化", "--title", "x", "--due", "2020-01-01"), "is in the past"),
])
def test_a_bad_followup_is_one_line_and_queues_nothing(home, args, words):
    before = _created(home)
    refused = fieldrep(home, "followup", "add", *args, code=1)
    assert words in one_line(refused)
    assert _created(home) == before


def test_the_usage_is_one_line(home):
    assert "--title" in one_line(fieldrep(home, "followup", "add", "中国石化", "--due", "today",
                                          code=2))
    assert "COMMAND" in one_line(fieldrep(home, "followup", code=2))
