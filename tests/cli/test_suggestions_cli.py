"""``fieldrep suggestions [--json]`` and ``fieldrep suggestions accept (CUSTOMER…|--all)`` (issue
12), offline, on the orders of ``tests/tui/test_suggestions_screen.py`` dated from today: the
disagreements with their scores, in Chinese too; a manager's acceptance queued as ordinary
``customer.update`` operations (and gone from the list); a rep, a customer with nothing to
accept, and a command line that names neither customers nor ``--all`` (or both) get one line
and a non-zero exit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli.test_cli_headless import fieldrep, one_line
from tests.tui.conftest import ACME, CUSTOMER_IDS, MANAGER, ME, SINOPEC, _records
from tests.tui.test_suggestions_screen import add_orders

pytestmark = pytest.mark.timeout(180)
ZHENHUA, NANGANG = CUSTOMER_IDS[1], CUSTOMER_IDS[4]


def _laptop(home: Path, who: dict) -> Path:
    """The team's people and customers (none of the fixed data set's dated history: the command
    counts from today) and the orders, on ``who``'s laptop."""
    from cache import Store

    people = [c for c in _records() if c["entity"] not in ("visit", "feedback", "followup")]
    with Store.open(home) as store:
        store.save_session("http://127.0.0.1:9", who, f"device-{who['id']}", "test-token")
        store.apply_bootstrap_page(people, None, "cursor-1", True)
        add_orders(store, datetime.now(UTC))
    return home


@pytest.fixture
def boss(tmp_path) -> Path:
    return _laptop(tmp_path / "boss", MANAGER)


@pytest.fixture
def rep(tmp_path) -> Path:
    return _laptop(tmp_path / "rep", ME)


def _updates(home: Path) -> dict[str, dict]:
    from cache import Store

    with Store.open(home) as store:
        return {op["record_id"]: op["fields"] for op in store.outbox()
                if op["kind"] == "customer.update"}


def test_json_lists_each_disagreement_with_its_scores(boss):
    rows = json.loads(fieldrep(boss, "suggestions", "--json").stdout)
    assert [(r["id"], r["current_tier"], r["tier"], r["current_stage"], r["stage"],
             r["r"], r["f"], r["m"]) for r in rows] == [
        (ACME, "A", "B", "active", "active", 4, 3, 3),
        (ZHENHUA, "A", "C", "active", "at_risk", 2, 3, 2),
        (NANGANG, "B", "C", "active", "lost", 1, 1, 1)]
    assert (rows[0]["name"], rows[0]["recency_days"], rows[0]["frequency"],
            rows[0]["monetary"]) == ("Acme Robotics", 9, 1, 120_000.0)


def test_text_in_english_and_chinese(boss):
    lines = fieldrep(boss, "suggestions").stdout.splitlines()
    assert lines[0].split()[:3] == ["Customer", "Owner", "Tier"]
    assert "A → C" in lines[2] and "active → at risk" in lines[2] and "R2 F3 M2" in lines[2]
    assert "200 days ago" in lines[2]
    zh = fieldrep(boss, "suggestions", "--lang", "zh", "--no-header").stdout.splitlines()
    assert len(zh) == 3 and "活跃 → 有风险" in zh[1] and "200 天前" in zh[1]


def test_a_manager_accepts_one_then_all_as_customer_updates(boss):
    done = json.loads(fieldrep(boss, "suggestions", "accept", "上海振华重工", "--json").stdout)
    assert done == {"queued": [ZHENHUA], "refused": []}
    assert _updates(boss) == {ZHENHUA: {"tier": "C", "stage": "at_risk"}}
    rows = json.loads(fieldrep(boss, "suggestions", "--json").stdout)
    assert [r["id"] for r in rows] == [ACME, NANGANG]
    said = fieldrep(boss, "suggestions", "accept", "--all").stdout
    assert "2 suggestions accepted" in said
    assert _updates(boss) == {ZHENHUA: {"tier": "C", "stage": "at_risk"},
                              ACME: {"tier": "B"}, NANGANG: {"tier": "C", "stage": "lost"}}
    assert fieldrep(boss, "suggestions").stdout.strip() == (
        "Every customer with orders has the tier and stage its history suggests")
    assert json.loads(fieldrep(boss, "suggestions", "--json").stdout) == []


def test_a_customer_whose_history_agrees_has_nothing_to_accept(boss):
    line = one_line(fieldrep(boss, "suggestions", "accept", SINOPEC, code=1))
    assert "nothing to accept" in line
    assert _updates(boss) == {}


def test_a_rep_lists_but_may_not_accept(rep):
    assert len(json.loads(fieldrep(rep, "suggestions", "--json").stdout)) == 3
    line = one_line(fieldrep(rep, "suggestions", "accept", "--all", code=1))
    assert "manager" in line
    assert _updates(rep) == {}


@pytest.mark.parametrize("args", [(), ("--all", ACME)])
def test_accept_names_customers_or_all_not_both_nor_neither(boss, args):
    line = one_line(fieldrep(boss, "suggestions", "accept", *args, code=2))
    assert "--all" in line
    assert _updates(boss) == {}


def test_not_logged_in_is_one_line(tmp_path):
    line = one_line(fieldrep(tmp_path / "empty", "suggestions", code=1))
    assert "not logged in" in line
