"""Every `fieldrep` command, run as a real subprocess against a real server on loopback, and
offline (the link cut by a proxy): exit codes, --json output, one-line errors, no tracebacks.

One server for the module; each test uses its own laptop (FIELDREP_HOME) and its own customers,
so the tests do not depend on each other's order.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cache import Store
from tests.support.faultproxy import FaultProxy
from tests.sync._harness import ROOT, Laptop, Org, client_env, make_customers

pytestmark = pytest.mark.timeout(240)

NAMED = [
    {"name": "杭州精密机械有限公司", "city": "杭州", "tier": "A"},
    {"name": "Acme Pumps", "city": "Ningbo", "tier": "B"},
    {"name": "Acme Valves", "city": "Ningbo", "tier": "C"},
    {"name": "Owned By Bo Trading", "city": "Wenzhou", "tier": "A", "owner": "Bo"},
]


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    org = Org.create(tmp_path_factory.mktemp("cli") / "server")
    org.add_territory("East", ["Zhejiang"])
    for name in ("Ana", "Bo", "Cy", "Di", "Ed"):
        org.add_rep(name, ["East"])
    rows = make_customers(24, "Zhejiang")
    for row, named in zip(rows, NAMED, strict=False):
        row.update(named)
    org.import_customers(rows)
    org.start()
    yield org
    org.stop()


def fieldrep(home: Path, *args: str, code: int = 0, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `fieldrep ARGS` with FIELDREP_HOME=home; assert the exit code and no traceback."""
    done = subprocess.run([sys.executable, "-m", "tui.cli", *args], env=client_env(home),
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, (
        f"fieldrep {' '.join(args)} exited {done.returncode}, not {code}:\n{done.stderr}"
    )
    if code:
        assert done.stderr.strip(), "a failure printed no reason"
        assert done.stderr.startswith("fieldrep"), done.stderr
    return done


def as_json(done: subprocess.CompletedProcess):
    return json.loads(done.stdout)


def first_line_only(done: subprocess.CompletedProcess) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{done.stderr}"
    return lines[0]


def laptop(org: Org, tmp_path: Path, name: str, url: str | None = None, *, sync=True) -> Path:
    home = tmp_path / f"home-{name}"
    Laptop(home, org.reps[name], url or org.url).login()
    if sync:
        fieldrep(home, "sync")
    return home


def find(org: Org, name: str) -> str:
    return next(cid for cid, row in org.customers.items() if row["name"] == name)


# --------------------------------------------------------------------------- no login


def test_without_a_login_the_app_and_the_sync_say_how_to_log_in(tmp_path):
    home = tmp_path / "empty"
    line = first_line_only(fieldrep(home, code=1))
    assert "fieldrep login --server" in line and "make demo" in line
    line = first_line_only(fieldrep(home, "sync", code=1))
    assert "not logged in" in line and "fieldrep login" in line
    status = as_json(fieldrep(home, "status", "--json"))
    assert status["online"] is False and status["server"] is None and status["pending"] == 0


def test_a_bad_fieldrep_setting_is_one_line_naming_the_variable_and_no_traceback(tmp_path):
    for variable, value in (("FIELDREP_LANG", "fr"), ("FIELDREP_DEBUG", "maybe")):
        done = subprocess.run([sys.executable, "-m", "tui.cli", "status"], cwd=ROOT,
                              env=client_env(tmp_path / "home", **{variable: value}),
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        line = first_line_only(done)
        assert line.startswith(f"fieldrep: {variable}={value!r} is not a usable value: use "), line


def test_help_works_for_every_command_and_a_bad_argument_is_one_line(tmp_path):
    home = tmp_path / "help"
    for command in ("login", "sync", "status", "customers", "show", "visits", "feedback",
                    "claim", "queue", "done", "snooze", "conflicts", "resolve",
                    "export-outbox", "import-outbox", "logout"):
        assert "--json" in fieldrep(home, command, "--help").stdout
    assert "--outcome" in fieldrep(home, "visit", "log", "--help").stdout
    line = first_line_only(fieldrep(home, "customers", "--group-by", "colour", code=2))
    assert "invalid choice" in line and "--help" in line
    first_line_only(fieldrep(home, "feedback", "x", "--kind", "complaint", "--text", "t",
                             "--score", "9", code=2))


def test_a_login_with_a_bad_token_or_server_fails_in_one_line(org, tmp_path):
    home = tmp_path / "bad"
    line = first_line_only(fieldrep(home, "login", "--server", org.url, "--token", "nope", code=1))
    assert "log in again" in line or "token" in line
    line = first_line_only(fieldrep(home, "login", "--server", "ftp://x", "--token", "t", code=1))
    assert "http" in line


# --------------------------------------------------------------------------- online


def test_login_sync_and_status_report_online_synced_and_nothing_pending(org, tmp_path):
    home = laptop(org, tmp_path, "Ana")
    status = as_json(fieldrep(home, "status", "--json"))
    assert status["online"] is True
    assert status["server"] == org.url
    assert status["last_sync"] is not None
    assert (status["pending"], status["conflicts"], status["rejections"]) == (0, 0, [])
    report = as_json(fieldrep(home, "sync", "--json"))
    assert report["ok"] is True and report["pending"] == 0


def test_customers_search_pinyin_group_and_show(org, tmp_path):
    home = laptop(org, tmp_path, "Bo")
    everyone = as_json(fieldrep(home, "customers", "--json", "--limit", "1000"))
    assert len(everyone) == 24  # the pool of East and Bo's own customer
    found = as_json(fieldrep(home, "customers", "--search", "hzjm", "--json"))
    assert [c["name"] for c in found] == ["杭州精密机械有限公司"]
    groups = as_json(fieldrep(home, "customers", "--group-by", "tier", "--json"))
    assert sum(g["count"] for g in groups) == 24 and {g["group"] for g in groups} == {"A", "B", "C"}
    text = fieldrep(home, "customers", "--search", "杭州").stdout
    assert "杭州精密机械有限公司" in text

    shown = as_json(fieldrep(home, "show", "Acme Pumps", "--json"))
    assert shown["id"] == find(org, "Acme Pumps") and shown["timeline"] == []
    assert "Acme Pumps" in fieldrep(home, "show", shown["id"]).stdout

    done = fieldrep(home, "show", "Acme", code=1)
    assert "matches 2 customers" in done.stderr
    assert "Acme Pumps" in done.stderr and "Acme Valves" in done.stderr
    assert find(org, "Acme Valves") in done.stderr, "the matches should list their ids"
    first_line_only(fieldrep(home, "show", "no such customer anywhere", code=1))


def test_a_visit_logged_with_a_next_step_syncs_once_and_its_follow_up_is_done(org, tmp_path):
    home = laptop(org, tmp_path, "Cy")
    customer = find(org, "Acme Valves")
    visit_id = as_json(fieldrep(home, "visit", "log", customer, "--kind", "call", "--outcome",
                                "quote requested", "--notes", "cli-visit-cy", "--next-step",
                                "send the quote", "--due", "+3d", "--json"))["id"]
    visits = as_json(fieldrep(home, "visits", "--customer", customer, "--json"))
    assert [(v["id"], v["synced"]) for v in visits] == [(visit_id, False)]
    queue = as_json(fieldrep(home, "queue", "--json"))
    entry = next(e for e in queue if e.get("followup_id"))
    assert entry["customer_id"] == customer and "send the quote" in entry["reason"]
    assert as_json(fieldrep(home, "status", "--json"))["pending"] == 2

    fieldrep(home, "sync")
    visits = as_json(fieldrep(home, "visits", "--json"))
    assert [(v["id"], v["synced"]) for v in visits] == [(visit_id, True)]
    on_server = [v for v in org.export("visits") if v["notes"] == "cli-visit-cy"]
    assert [v["id"] for v in on_server] == [visit_id]

    done = as_json(fieldrep(home, "done", entry["followup_id"][:13], "--json"))
    assert done["status"] == "done" and done["id"] == entry["followup_id"]
    assert not any(e.get("followup_id") for e in as_json(fieldrep(home, "queue", "--json")))
    line = first_line_only(fieldrep(home, "visit", "log", customer, "--outcome", "x", "--due",
                                    "someday", "--next-step", "y", code=1))
    assert "someday" in line


def test_feedback_snooze_and_their_refusals(org, tmp_path):
    home = laptop(org, tmp_path, "Di")
    customer = find(org, "Acme Pumps")
    line = first_line_only(fieldrep(home, "feedback", customer, "--kind", "satisfaction",
                                    "--text", "fine", code=1))
    assert line == "fieldrep: a satisfaction feedback needs a score from 1 to 5: add --score 1-5"
    line = first_line_only(fieldrep(home, "--lang", "zh", "feedback", customer, "--kind",
                                    "satisfaction", "--text", "fine", code=1))
    assert line == "fieldrep: 满意度反馈需要 1 到 5 的评分：请加上 --score 1-5"
    record = as_json(fieldrep(home, "feedback", customer, "--kind", "complaint", "--text",
                              "delivery two weeks late", "--json"))
    assert record["status"] == "open" and record["synced"] is False
    fieldrep(home, "feedback", customer, "--kind", "satisfaction", "--score", "4", "--text", "ok")
    fieldrep(home, "visit", "log", customer, "--outcome", "met", "--next-step", "call back",
             "--due", "tomorrow")
    queue = as_json(fieldrep(home, "queue", "--json"))
    assert any(e["reason_code"] == "complaint" for e in queue)
    followup = next(e for e in queue if e.get("followup_id"))
    snoozed = as_json(fieldrep(home, "snooze", followup["key"], "--until", "+2w", "--json"))
    assert snoozed["status"] == "snoozed"
    assert not any(e.get("followup_id") == followup["followup_id"]
                   for e in as_json(fieldrep(home, "queue", "--json")))
    first_line_only(fieldrep(home, "snooze", followup["followup_id"], "--until", "yesterday",
                             code=1))
    first_line_only(fieldrep(home, "done", "0000-not-a-follow-up", code=1))
    fieldrep(home, "sync")
    texts = {f["text"] for f in org.export("feedback") if f["customer_id"] == customer}
    assert {"delivery two weeks late", "ok"} <= texts


def test_claim_wins_at_sync_and_a_claim_already_pending_or_out_of_scope_is_refused(org, tmp_path):
    home = laptop(org, tmp_path, "Ana")
    customer = find(org, "Acme Pumps")
    claimed = as_json(fieldrep(home, "claim", "Acme Pumps", "--json"))
    assert claimed["claim_pending"] is True
    assert "already waiting" in first_line_only(fieldrep(home, "claim", customer, code=1))
    fieldrep(home, "sync")
    shown = as_json(fieldrep(home, "show", customer, "--json"))
    assert shown["owner_name"] == "Ana" and shown["protected_until"]
    line = first_line_only(fieldrep(home, "claim", find(org, "Owned By Bo Trading"), code=1))
    assert "no customer" in line  # another rep's customer is not in Ana's cache at all


def test_a_conflict_is_listed_and_resolved_by_keeping_mine(org, tmp_path):
    from sync.engine import SyncEngine

    customer = find(org, "Customer Zhejiang 00010")
    bo = laptop(org, tmp_path, "Bo")
    cy = laptop(org, tmp_path, "Cy")
    with Store.open(bo) as store:
        store.update_customer(customer, {"address": "1 Bo Road"})  # a pool customer's address
        assert SyncEngine(store).sync().ok
    with Store.open(cy) as store:
        store.update_customer(customer, {"address": "2 Cy Road"})
    report = as_json(fieldrep(cy, "sync", "--json"))
    assert report["conflicts"] == 1
    conflicts = as_json(fieldrep(cy, "conflicts", "--json"))
    assert [(c["field"], c["mine"], c["theirs"]) for c in conflicts] == [
        ("address", "2 Cy Road", "1 Bo Road")
    ]
    assert "address" in fieldrep(cy, "conflicts").stdout
    first_line_only(fieldrep(cy, "resolve", "zzzzzz", "--keep", "mine", code=1))
    fieldrep(cy, "resolve", conflicts[0]["id"][:12], "--keep", "mine")
    assert as_json(fieldrep(cy, "conflicts", "--json")) == []
    fieldrep(cy, "sync")
    address = next(c["address"] for c in org.export("customers") if c["id"] == customer)
    assert address == "2 Cy Road"


# --------------------------------------------------------------------------- offline


def test_every_command_works_offline_and_sync_delivers_later(org, tmp_path):
    with FaultProxy(org.server.port) as link:
        home = laptop(org, tmp_path, "Bo", link.url)
        link.go_down()
        customer = find(org, "Acme Valves")
        status = as_json(fieldrep(home, "status", "--json"))
        assert status["online"] is False
        assert fieldrep(home, "customers").stdout.count("Zhejiang") >= 20
        visit_id = as_json(fieldrep(home, "visit", "log", "Acme Valves", "--outcome",
                                    "met offline", "--notes", "cli-offline-bo", "--amount",
                                    "1200", "--json"))["id"]
        fieldrep(home, "feedback", customer, "--kind", "suggestion", "--text", "more stock")
        assert as_json(fieldrep(home, "show", customer, "--json"))["timeline"]
        assert as_json(fieldrep(home, "visits", "--json"))[0]["synced"] is False
        fieldrep(home, "queue")
        fieldrep(home, "conflicts")
        line = first_line_only(fieldrep(home, "sync", code=1))
        assert "cannot reach the server" in line
        assert as_json(fieldrep(home, "status", "--json"))["pending"] == 2

        link.come_up()
        fieldrep(home, "sync")
        assert as_json(fieldrep(home, "status", "--json"))["pending"] == 0
    assert [v["id"] for v in org.export("visits") if v["notes"] == "cli-offline-bo"] == [visit_id]


def test_pending_work_exported_from_one_laptop_and_imported_on_another_arrives_once(
    org, tmp_path
):
    old = laptop(org, tmp_path / "old", "Di")
    fieldrep(old, "visit", "log", "Acme Valves", "--outcome", "met", "--notes", "cli-moved-di")
    exported = as_json(fieldrep(old, "export-outbox", str(tmp_path / "work.json"), "--json"))
    assert exported["exported"] == 1
    new = laptop(org, tmp_path / "new", "Di")
    imported = as_json(fieldrep(new, "import-outbox", str(tmp_path / "work.json"), "--json"))
    assert imported["imported"] == 1
    assert as_json(fieldrep(new, "import-outbox", str(tmp_path / "work.json"), "--json"))[
        "imported"] == 0, "importing the same file twice queued it twice"
    fieldrep(new, "sync")
    fieldrep(old, "sync")  # the original laptop sends the same visit: stored once all the same
    assert len([v for v in org.export("visits") if v["notes"] == "cli-moved-di"]) == 1
    first_line_only(fieldrep(new, "import-outbox", str(tmp_path / "missing.json"), code=1))


def test_a_store_held_by_another_fieldrep_is_read_beside_it_and_a_write_is_one_clear_line(
        org, tmp_path):
    home = laptop(org, tmp_path, "Cy", sync=False)
    with Store.open(home):
        assert as_json(fieldrep(home, "status", "--json"))["pending"] == 0
        line = first_line_only(fieldrep(home, "sync", code=1))
    assert "close the workspace or log it there" in line


def test_logout_keeps_pending_work_for_the_next_login(org, tmp_path):
    home = laptop(org, tmp_path, "Ana")
    fieldrep(home, "visit", "log", "Acme Valves", "--outcome", "met", "--notes", "cli-logout")
    assert as_json(fieldrep(home, "logout", "--json")) == {"logged_out": True, "pending": 1}
    first_line_only(fieldrep(home, "sync", code=1))
    fieldrep(home, "login", "--server", org.url, "--token", org.reps["Ana"].token)
    fieldrep(home, "sync")
    assert len([v for v in org.export("visits") if v["notes"] == "cli-logout"]) == 1


def test_a_revoked_token_keeps_the_work_and_says_how_to_log_in_again(org, tmp_path):
    home = laptop(org, tmp_path, "Ed")
    fieldrep(home, "visit", "log", "Acme Valves", "--outcome", "met", "--notes", "cli-revoked")
    org.admin("revoke-token", "Ed")
    line = first_line_only(fieldrep(home, "sync", code=1))
    assert "log in again" in line and f"fieldrep login --server {org.url}" in line
    assert as_json(fieldrep(home, "status", "--json"))["pending"] == 1
    assert not [v for v in org.export("visits") if v["notes"] == "cli-revoked"]
