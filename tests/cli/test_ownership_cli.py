"""``fieldrep history CUSTOMER`` and ``fieldrep return CUSTOMER --reason CODE`` as a rep types
them, offline (the laptop is logged in to a server that is not there): a listing with a header
row in the team's time zone, ``--json``, ``--lang zh``, a customer that left the laptop found by
its history, the history read beside a running workspace, and every refusal one line with a
non-zero exit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli_headless import HOLDER, fieldrep, one_line
from tests.sync._harness import ROOT
from tests.tui.conftest import ME, OTHER_REP, OTHERS, POOL, SINOPEC, fill_store

pytestmark = pytest.mark.timeout(180)


def _events() -> list[dict]:
    claim = {"id": "ev-1", "customer_id": SINOPEC, "customer_name": "中国石化上海分公司", "n": 1,
             "kind": "claim", "at": "2026-11-02T06:30:00+00:00", "actor_id": ME["id"],
             "actor_name": ME["name"], "from_rep_id": None, "from_rep_name": None,
             "to_rep_id": ME["id"], "to_rep_name": ME["name"], "reason": "history.claimed",
             "params": {"who": ME["name"], "until": "2026-11-16"}, "version": 1}
    gone = {**claim, "id": "ev-2", "customer_id": "cust-gone", "customer_name": "远方贸易",
            "n": 3, "kind": "transfer", "at": "2026-11-20T01:00:00+00:00",
            "actor_id": "rep-0009", "actor_name": "Zhao Min", "from_rep_id": ME["id"],
            "from_rep_name": ME["name"], "to_rep_id": OTHER_REP["id"],
            "to_rep_name": OTHER_REP["name"], "reason": "history.transferred",
            "params": {"who": "Zhao Min", "prev": ME["name"], "to": OTHER_REP["name"]}}
    return [{"entity": "ownership", "id": e["id"], "op": "upsert", "record": e}
            for e in (claim, gone)]


@pytest.fixture
def home(tmp_path) -> Path:
    from cache import Store

    home = tmp_path / "home"
    with Store.open(home) as store:
        fill_store(store)
        store.apply_pull_page(_events(), "cursor-2")
    return home


def test_history_lists_who_when_and_why_in_the_teams_zone(home):
    out = fieldrep(home, "history", "中国石化上海").stdout.splitlines()
    assert out[0].split() == ["WHEN", "KIND", "FROM", "TO", "WHY"]
    assert out[1].startswith("2026-11-02 14:30  claimed"), out  # 06:30 UTC in Shanghai
    assert out[1].endswith("Wang Fang claimed it from the pool; protected until 2026-11-16")
    assert "pool" in out[1]
    assert fieldrep(home, "history", SINOPEC, "--no-header").stdout.splitlines() == out[1:]


def test_history_in_chinese_and_as_json(home):
    zh = fieldrep(home, "--lang", "zh", "history", SINOPEC).stdout
    assert "认领" in zh and "Wang Fang 从公海认领；保护期至 2026-11-16" in zh
    [event] = json.loads(fieldrep(home, "history", SINOPEC, "--json").stdout)
    assert (event["id"], event["kind"], event["reason"], event["why"]) == (
        "ev-1", "claim", "history.claimed",
        "Wang Fang claimed it from the pool; protected until 2026-11-16")


def test_a_customer_that_left_the_laptop_is_found_by_its_history(home):
    by_name = fieldrep(home, "history", "远方贸易").stdout
    assert "transferred from Wang Fang to Li Wei by Zhao Min" in by_name
    assert fieldrep(home, "history", "cust-gone").stdout == by_name


def test_no_history_yet_is_said_and_an_unknown_customer_is_one_line(home):
    out = fieldrep(home, "history", POOL).stdout
    assert out.strip() == ("no ownership history of 宁波港集团 on this laptop yet "
                           "(it comes with the next sync)")
    assert "no customer matches" in one_line(fieldrep(home, "history", "nobody-at-all", code=1))


def test_history_reads_beside_a_running_workspace_and_return_says_to_close_it(home):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(home), SINOPEC], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "holding"
        assert "claimed it from the pool" in fieldrep(home, "history", SINOPEC).stdout
        refused = one_line(fieldrep(home, "return", SINOPEC, "--reason", "other", code=1))
        assert "close the workspace" in refused
    finally:
        proc.kill()
        proc.wait()


def test_return_queues_the_change_with_its_reason(home):
    done = fieldrep(home, "return", "中国石化上海", "--reason", "duplicate")
    assert done.stdout.strip() == ("return of 中国石化上海分公司 queued (a duplicate of another "
                                   "customer); the server decides at the next sync")
    zh = fieldrep(home, "--lang", "zh", "return", "杭州娃哈哈", "--reason", "other").stdout
    assert zh.strip() == "杭州娃哈哈集团 的退回已排队（其他原因）；下次同步时由服务器决定"
    outbox = json.loads(fieldrep(home, "status", "--json").stdout)
    assert outbox["pending"] >= 3
    again = one_line(fieldrep(home, "return", SINOPEC, "--reason", "duplicate", code=1))
    assert "already waiting to sync" in again


@pytest.mark.parametrize(("customer", "reason", "words"), [
    (SINOPEC, "bored", "unknown return reason bored: use not_interested, duplicate, "
                       "out_of_territory, closed_business, other"),
    (SINOPEC, "\x1b[2Jx", "unknown return reason ␛[2Jx"),
    (POOL, "duplicate", "宁波港集团 is not yours to return"),
    (OTHERS, "duplicate", "阿里巴巴杭州 is not yours to return"),
])
def test_a_return_that_would_be_refused_is_one_line_and_queues_nothing(home, customer, reason,
                                                                       words):
    line = one_line(fieldrep(home, "return", customer, "--reason", reason, code=1))
    assert words in line and "\x1b" not in line
    assert json.loads(fieldrep(home, "status", "--json").stdout)["pending"] == 1


def test_a_refusal_in_chinese_and_a_missing_reason_is_a_usage_error(home):
    line = one_line(fieldrep(home, "--lang", "zh", "return", POOL, "--reason", "duplicate",
                             code=1))
    assert "宁波港集团 不是你的客户，不能退回" in line
    usage = fieldrep(home, "return", SINOPEC, code=2)
    assert "--reason" in usage.stderr and len(usage.stderr.strip().splitlines()) == 1
