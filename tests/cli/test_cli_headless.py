"""The headless commands as a rep scripts them, no server needed: reading beside a running
workspace (a real second process holding the store), listings with a header row, grouping,
``--lang`` anywhere, ``visit log``'s defaults and ``--at``, the refusals that must exit non-zero,
and output piped to ``head``.

The laptop is the fixed data set of the TUI tests (``tests/tui/conftest.py``), logged in to a
server that is not there (every command here works offline).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sync.protocol.rules import as_datetime
from tests.sync._harness import ROOT, client_env
from tests.tui.conftest import ACME, SINOPEC, fill_store

pytestmark = pytest.mark.timeout(180)
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the fixed data set's policy zone

HOLDER = """
import sys
from cache import Store
store = Store.open(sys.argv[1])
print("holding", flush=True)
for line in sys.stdin:
    store.log_visit(sys.argv[2], outcome="met", notes=line.strip())
    print("logged", flush=True)
"""


@pytest.fixture
def home(tmp_path) -> Path:
    from cache import Store

    home = tmp_path / "home"
    with Store.open(home) as store:
        fill_store(store)
    return home


def fieldrep(home: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "tui.cli", *args], env=client_env(home),
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, (args, done.returncode, done.stdout, done.stderr)
    return done


def one_line(done: subprocess.CompletedProcess) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fieldrep"), done.stderr
    return lines[0]


@pytest.fixture
def workspace(home):
    """A second process holding the store open, as the TUI does; send it a line to log a visit."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(home), SINOPEC], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    yield proc
    proc.kill()
    proc.wait()


def _files(home: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(home)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(home.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- beside a running workspace

@pytest.mark.parametrize("args", [
    ("status",), ("status", "--json"), ("customers",), ("customers", "--search", "zgsh"),
    ("show", SINOPEC), ("queue",), ("visits",), ("conflicts",),
])
def test_reading_commands_work_while_another_process_holds_the_store(home, workspace, args):
    before = _files(home)
    done = fieldrep(home, *args)
    assert done.stdout.strip()
    assert _files(home) == before, "a reader wrote, moved or deleted a file of the store"


def test_export_outbox_works_beside_the_workspace_and_writes_only_its_file(home, workspace,
                                                                           tmp_path):
    before = _files(home)
    fieldrep(home, "export-outbox", str(tmp_path / "work.json"))
    assert json.loads((tmp_path / "work.json").read_text())["ops"]
    assert _files(home) == before


def test_a_reader_sees_what_the_workspace_saved_after_it_opened(home, workspace):
    workspace.stdin.write("saved-in-the-workspace\n")
    workspace.stdin.flush()
    assert workspace.stdout.readline().strip() == "logged"
    visits = json.loads(fieldrep(home, "visits", "--customer", SINOPEC, "--json").stdout)
    assert "saved-in-the-workspace" in [v.get("notes") for v in visits]


@pytest.mark.parametrize("args", [
    ("visit", "log", SINOPEC, "--notes", "x"), ("done", "fu-0002"), ("claim", SINOPEC),
    ("sync",),
])
def test_writing_commands_beside_the_workspace_say_to_close_it_or_log_it_there(
        home, workspace, args):
    line = one_line(fieldrep(home, *args, code=1))
    assert "close the workspace or log it there" in line
    assert f"pid {workspace.pid}" in line


def test_a_damaged_file_stops_a_reader_in_one_line_and_is_left_for_the_writer(home, workspace):
    journal = home / "journal.json"
    journal.write_bytes(b'{"format": 1, "outbox": [')
    line = one_line(fieldrep(home, "customers", code=1))
    assert "journal.json looks damaged" in line and "nothing was changed" in line
    assert journal.read_bytes() == b'{"format": 1, "outbox": ['
    assert not list(home.glob("*.damaged-*")), "a reader set a file aside"


# ---------------------------------------------------------------- listings

def test_listings_start_with_a_header_row_and_no_header_drops_it(home):
    for args, titles in [(("customers",), ["NAME", "TIER", "CITY", "OWNER", "ID"]),
                         (("visits",), ["DATE", "CUSTOMER", "KIND", "OUTCOME"]),
                         (("queue",), ["DUE", "CUSTOMER", "WHY"])]:
        lines = fieldrep(home, *args).stdout.splitlines()
        assert lines[0].split()[: len(titles)] == titles or all(t in lines[0] for t in titles)
        bare = fieldrep(home, *args, "--no-header").stdout.splitlines()
        assert bare == lines[1:], args


def test_a_negative_limit_is_refused_in_one_line(home):
    line = one_line(fieldrep(home, "customers", "--limit", "-1", code=2))
    assert "--limit" in line and "1 or more" in line


def test_group_by_lists_the_customers_under_each_group_and_count_gives_counts(home):
    grouped = json.loads(fieldrep(home, "customers", "--group-by", "city", "--json").stdout)
    shanghai = next(g for g in grouped if g["group"] == "上海")
    assert shanghai["count"] == len(shanghai["customers"]) >= 1
    assert SINOPEC in [c["id"] for c in shanghai["customers"]]
    text = fieldrep(home, "customers", "--group-by", "city", "--no-header").stdout.splitlines()
    at = text.index(f"上海 ({shanghai['count']})")
    assert text[at + 1].startswith("  ") and shanghai["customers"][0]["id"] in text[at + 1]
    counts = json.loads(fieldrep(home, "customers", "--group-by", "city", "--count",
                                 "--json").stdout)
    assert {"group": "上海", "count": shanghai["count"]} in counts
    assert all(set(g) == {"group", "count"} for g in counts)


def test_lang_zh_after_the_command_applies_to_the_output(home):
    assert fieldrep(home, "customers", "--lang", "zh").stdout.splitlines()[0].startswith("名称")
    shown = fieldrep(home, "show", SINOPEC, "--lang", "zh").stdout
    assert "负责人：" in shown and "owner:" not in shown
    assert "没有冲突" in fieldrep(home, "--lang", "zh", "conflicts").stdout


def test_output_piped_to_head_ends_quietly(tmp_path):
    from cache import Store
    from tests.tui.conftest import _records

    home = tmp_path / "big"
    records = _records()
    template = next(c for c in records if c["entity"] == "customer")
    for n in range(3000):  # far more than a pipe holds
        records.append({**template, "id": f"bulk-{n:05d}",
                        "record": {**template["record"], "id": f"bulk-{n:05d}",
                                   "name": f"Bulk Customer {n:05d}"}})
    with Store.open(home) as store:
        store.save_session("http://127.0.0.1:9", {"id": "rep-0001", "name": "Wang Fang",
                                                  "role": "rep", "team_id": "team-east"},
                           "device-0001", "test-token")
        store.apply_bootstrap_page(records, None, "cursor-1", True)
    done = subprocess.run(
        ["bash", "-c", f'set -o pipefail; "{sys.executable}" -m tui.cli customers '
                       '--limit 5000 | head -1'],
        env=client_env(home), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stderr == "", done.stderr
    assert done.returncode == 0
    assert done.stdout.startswith("NAME")


# ---------------------------------------------------------------- visit log

def test_visit_log_takes_the_forms_default_outcome_and_says_what_it_logged(home):
    done = fieldrep(home, "visit", "log", ACME, "--notes", "no outcome typed")
    line = done.stdout.strip()
    assert len(line.splitlines()) == 1
    assert "Acme Robotics" in line and "Met the customer" in line
    visit = json.loads(fieldrep(home, "visits", "--customer", ACME, "--json").stdout)[0]
    assert visit["outcome"] == "Met the customer" and visit["id"] in line
    call = json.loads(fieldrep(home, "visit", "log", ACME, "--kind", "call", "--json").stdout)
    assert call["outcome"] == "Spoke on the phone" and call["kind"] == "call"


def test_visit_log_at_yesterday_is_in_the_policy_zone_and_the_future_is_refused(home):
    visit = json.loads(fieldrep(home, "visit", "log", ACME, "--at", "yesterday 09:30",
                                "--json").stdout)
    at = datetime.fromisoformat(visit["at"]).astimezone(SHANGHAI)
    assert (at.hour, at.minute) == (9, 30)
    assert at.date() == datetime.now(SHANGHAI).date() - timedelta(days=1)
    earlier = json.loads(fieldrep(home, "visit", "log", ACME, "--at", "2026-11-20 14:05",
                                  "--json").stdout)
    assert datetime.fromisoformat(earlier["at"]) == datetime(2026, 11, 20, 6, 5, tzinfo=UTC)
    later = (datetime.now(SHANGHAI) + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    assert "future" in one_line(fieldrep(home, "visit", "log", ACME, "--at", later, code=1))
    assert "--at" in one_line(fieldrep(home, "visit", "log", ACME, "--at", "25:99", code=1))


# ---------------------------------------------------------------- refusals that exit non-zero

def test_done_on_a_closed_follow_up_exits_non_zero_with_a_clear_line(home):
    fieldrep(home, "done", "fu-0002")
    line = one_line(fieldrep(home, "done", "fu-0002", code=1))
    assert "already done" in line and "确认交货时间" in line


def test_import_outbox_of_a_file_without_operations_exits_non_zero(home, tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    line = one_line(fieldrep(home, "import-outbox", str(empty), code=1))
    assert "no operations" in line and str(empty) in line
    exported = tmp_path / "work.json"
    fieldrep(home, "export-outbox", str(exported))
    assert "already here" in fieldrep(home, "import-outbox", str(exported)).stdout


# ---------------------------------------------------------------- the lock's time
# "fieldrep is already open … since HH:MM" reads in the policy's zone (Asia/Shanghai), as every
# time a person reads; the laptop here runs in America/New_York, 13 hours away, so its own HH:MM
# never passes for the policy's. When the policy cannot be read, the zone is named (UTC).

LAPTOP_ZONE = "America/New_York"


def _opened_at(home: Path):
    return as_datetime(json.loads((home / "LOCK").read_bytes())["since"])


def _lock_refusal(home: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "tui.cli", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=60,
                          env=client_env(home, TZ=LAPTOP_ZONE, FIELDREP_LANG="en"))
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    return done.stderr


@pytest.mark.parametrize("args", [(), ("visit", "log", SINOPEC, "--notes", "x")],
                         ids=["second-workspace", "writing-command"])
def test_the_lock_message_gives_the_time_it_was_opened_in_the_policy_zone(home, workspace, args):
    opened = _opened_at(home)
    policy_clock = opened.astimezone(SHANGHAI).strftime("%H:%M")
    laptop_clock = opened.astimezone(ZoneInfo(LAPTOP_ZONE)).strftime("%H:%M")
    said = _lock_refusal(home, *args)
    assert f"pid {workspace.pid}" in said
    assert f"since {policy_clock}" in said, said
    assert laptop_clock not in said, said


def test_the_lock_message_is_in_chinese_with_the_policy_zone_time(home, workspace):
    opened = _opened_at(home)
    policy_clock = opened.astimezone(SHANGHAI).strftime("%H:%M")
    said = _lock_refusal(home, "--lang", "zh")
    assert "fieldrep is already open" not in said, said
    assert policy_clock in said and str(workspace.pid) in said, said


def test_without_a_readable_policy_the_lock_message_names_the_zone_of_its_time(home, workspace):
    (home / "snapshot.json").write_bytes(b'{"format": 1, "customers": [')  # the reader stops
    opened = _opened_at(home)
    said = _lock_refusal(home)
    assert f"since {opened.astimezone(UTC).strftime('%H:%M')} UTC" in said, said
