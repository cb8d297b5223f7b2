"""``fieldrep assign``, ``fieldrep transfer`` (one customer, and a rep's book with a preview) and
``fieldrep pool`` as a manager types them, offline: each queues its operations in the outbox,
the preview is what is then queued, ``--json`` and ``--lang zh``; a rep running them, and every
refusal, is one line with a non-zero exit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli_headless import fieldrep, one_line
from tests.tui.conftest import MANAGER, OTHER_REP, OTHERS, POOL, SINOPEC, _records, fill_store

pytestmark = pytest.mark.timeout(180)
UNWANTED = "无锡小天鹅电器"  # another pool customer of the team's territory


@pytest.fixture
def boss(tmp_path) -> Path:
    """A manager's laptop (Zhao Min of East) with the team's data, offline."""
    from cache import Store

    home = tmp_path / "boss"
    with Store.open(home) as store:
        store.save_session("http://127.0.0.1:9", MANAGER, "device-0009", "test-token")
        store.apply_bootstrap_page(_records(), None, "cursor-1", True)
    return home


@pytest.fixture
def rep_home(tmp_path) -> Path:
    from cache import Store

    home = tmp_path / "rep"
    with Store.open(home) as store:
        fill_store(store)
    return home


def _outbox(home: Path) -> list[dict]:
    from cache import Store

    with Store.open(home, read_only=True) as store:
        return [op for op in store.outbox() if op["kind"] in ("customer.assign",
                                                           "customer.transfer",
                                                           "book.transfer")]


@pytest.mark.parametrize("args", [
    ("assign", POOL, "--to", "Li Wei"),
    ("transfer", SINOPEC, "--to", "Li Wei"),
    ("transfer", "--from", "Wang Fang", "--to", "Li Wei", "--preview"),
    ("pool",),
])
def test_a_rep_gets_a_one_line_refusal(rep_home, args):
    line = one_line(fieldrep(rep_home, *args, code=1))
    assert "only a manager or an admin may do this" in line
    zh = one_line(fieldrep(rep_home, "--lang", "zh", *args, code=1))
    assert "只有经理或管理员可以这样做" in zh
    assert _outbox(rep_home) == []


def test_assign_queues_one_operation_per_pool_customer(boss):
    out = json.loads(fieldrep(boss, "assign", POOL, UNWANTED, "--to", "Li Wei", "--json").stdout)
    assert [(row["id"], row["to_rep_id"]) for row in out] == [
        (POOL, OTHER_REP["id"]), (out[1]["id"], OTHER_REP["id"])]
    ops = _outbox(boss)
    assert [(o["kind"], o["record_id"], o["fields"]) for o in ops] == [
        ("customer.assign", POOL, {"rep_id": OTHER_REP["id"]}),
        ("customer.assign", out[1]["id"], {"rep_id": OTHER_REP["id"]})]
    again = one_line(fieldrep(boss, "assign", POOL, "--to", "Li Wei", code=1))
    assert "a move of 宁波港集团 is already waiting to sync" in again


@pytest.mark.parametrize("args, words", [
    (("assign", SINOPEC, "--to", "Li Wei"), "中国石化上海分公司 is no longer in the pool"),
    (("assign", POOL, "--to", "Nobody Here"), "no rep Nobody Here on this laptop"),
    (("transfer", OTHERS, "--to", "Li Wei"), "阿里巴巴杭州 is already Li Wei's"),
    (("transfer", SINOPEC, "--to", "Li Wei,Wang Fang"), "one customer goes to one rep"),
    (("transfer", "--to", "Li Wei"), "name a CUSTOMER"),
    (("transfer", "--from", "Wang Fang", "--to", "Wang Fang", "--preview"),
     "Wang Fang cannot take their own customers"),
])
def test_what_the_laptop_knows_is_refused_in_one_line(boss, args, words):
    assert words in one_line(fieldrep(boss, *args, code=1))
    assert _outbox(boss) == []


def test_transfer_one_customer_with_a_reason(boss):
    out = fieldrep(boss, "transfer", SINOPEC, "--to", "Li Wei", "--reason", "王芳调岗").stdout
    assert out.splitlines() == ["中国石化上海分公司 → Li Wei",
                                "1 transfer queued; the server decides at the next sync"]
    [op] = _outbox(boss)
    assert (op["kind"], op["record_id"], op["fields"]) == (
        "customer.transfer", SINOPEC, {"to_rep_id": OTHER_REP["id"], "reason": "王芳调岗"})


def test_a_book_preview_is_what_is_then_queued(boss):
    args = ("transfer", "--from", "Wang Fang", "--to", "Li Wei,Zhao Min")
    plan = json.loads(fieldrep(boss, *args, "--preview", "--json").stdout)
    assert _outbox(boss) == [], "a preview queues nothing"
    assert plan["moves"] and {m["to_rep"] for m in plan["moves"]} == {"Li Wei", "Zhao Min"}
    load = {row["rep"]: (row["before"], row["after"]) for row in plan["load"]}
    moved = len(plan["moves"])
    assert load["Wang Fang"][0] - load["Wang Fang"][1] == moved
    assert sum(after - before for rep, (before, after) in load.items() if rep != "Wang Fang") \
        == moved
    text = fieldrep(boss, *args, "--preview").stdout
    assert f"{moved} of Wang Fang's customers move (evenly); nothing is queued yet" in text
    assert "平均分配" in fieldrep(boss, "--lang", "zh", *args, "--preview").stdout
    fieldrep(boss, *args, "--reason", "王芳离职")
    [book] = _outbox(boss)  # N: the whole book is one operation
    fields = book["fields"]
    assert (book["kind"], fields["reason"]) == ("book.transfer", "王芳离职")
    assert [(cid, fields["to"][i]) for cid, i in fields["moves"]] == [
        (m["customer_id"], m["to_rep_id"]) for m in plan["moves"]]


def test_pool_lists_the_scopes_pool_as_json_and_text(boss):
    rows = json.loads(fieldrep(boss, "pool", "--json").stdout)
    names = [r["name"] for r in rows]
    assert "宁波港集团" in names and "中国石化上海分公司" not in names
    assert all(r["owner_id"] is None for r in rows)
    text = fieldrep(boss, "pool").stdout.splitlines()
    assert text[0].split() == ["CUSTOMER", "CITY", "PREVIOUS", "CLAIMABLE", "WHY"]
    assert len(text) == len(rows) + 1


def test_a_strategys_preview_is_what_apply_then_queues(boss):
    args = ("assign", "--strategy", "region")
    plan = json.loads(fieldrep(boss, *args, "--preview", "--json").stdout)
    assert _outbox(boss) == [], "a preview queues nothing"
    assert plan["strategy"] == "region" and plan["moves"]
    said = [m["customer_id"] for m in plan["moves"]] + [s["customer_id"] for s in plan["stay"]]
    pool = [r["id"] for r in json.loads(fieldrep(boss, "pool", "--json").stdout)]
    assert sorted(said) == sorted(pool), "every pool customer of the scope, moved or said to stay"
    text = fieldrep(boss, *args, "--preview").stdout
    assert text.splitlines()[0].split() == ["CUSTOMER", "TO", "RULE"]
    assert f"{len(plan['moves'])} pool customers would move (by region)" in text
    assert "in their territory" in text
    assert "按地区" in fieldrep(boss, "--lang", "zh", *args, "--preview").stdout
    out = json.loads(fieldrep(boss, *args, "--apply", "--json").stdout)
    assert out["queued"] == len(plan["moves"])
    assert [(o["kind"], o["record_id"], o["fields"]) for o in _outbox(boss)] == [
        ("customer.assign", m["customer_id"], {"rep_id": m["to_rep_id"], "strategy": "region"})
        for m in plan["moves"]]
    again = json.loads(fieldrep(boss, *args, "--preview", "--json").stdout)
    assert again["moves"] == [], "what waits to sync is not planned twice"


def test_a_strategy_over_named_customers_and_reps(boss):
    plan = json.loads(fieldrep(boss, "assign", POOL, UNWANTED, "--strategy", "round-robin",
                               "--to", "Li Wei", "--preview", "--json").stdout)
    assert [(m["customer"], m["to_rep"]) for m in plan["moves"]] == [
        ("宁波港集团", "Li Wei"), (UNWANTED, "Li Wei")]
    assert [row["rep"] for row in plan["load"]] == ["Li Wei"]


@pytest.mark.parametrize("args, words", [
    (("assign", "--strategy", "region"), "say --preview (nothing is queued) or --apply"),
    (("assign", "--strategy", "region", "--preview", "--apply"), "say --preview"),
    (("assign", POOL, "--to", "Li Wei", "--preview"), "--preview and --apply are for"),
    (("assign",), "name the CUSTOMERs and --to REP"),
    (("assign", SINOPEC, "--strategy", "region", "--preview"), "is no longer in the pool"),
])
def test_a_strategys_mistakes_are_one_line(boss, args, words):
    assert words in one_line(fieldrep(boss, *args, code=1))
    assert _outbox(boss) == []


def test_an_unknown_strategy_is_a_usage_error(boss):
    assert "invalid choice" in one_line(fieldrep(boss, "assign", "--strategy", "lottery",
                                                 "--preview", code=2))
