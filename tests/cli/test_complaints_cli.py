"""``fieldrep complaints`` and ``fieldrep complaint respond|resolve ID --text …`` as a rep and a
manager type them, offline (the server is not there): the open complaints of the scope oldest
first with severity, age, the SLA's due times and the breached ones marked, ``--all``,
``--json``, ``--lang zh``; a response and a resolution queued in the outbox (a response with its
own id, so the server keeps it once); every refusal one line with a non-zero exit.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.test_cli_headless import fieldrep, one_line
from tests.tui.conftest import ME, OTHER_REP, OTHERS, SINOPEC, fill_store

pytestmark = pytest.mark.timeout(180)


def _ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


def _complaint(fid: str, customer: str, rep: str, hours: float, severity: str,
               text: str, **more) -> dict:
    record = {"id": fid, "customer_id": customer, "rep_id": rep, "at": _ago(hours),
              "kind": "complaint", "severity": severity, "score": None, "text": text,
              "status": "open", "resolution": "", "version": 1, **more}
    return {"entity": "feedback", "id": fid, "op": "upsert", "record": record}


def _fill(home: Path, role: str = "rep") -> Path:
    from cache import Store

    with Store.open(home) as store:
        fill_store(store)
        if role != "rep":
            store.save_session("http://127.0.0.1:9", {**ME, "role": role}, "device-0001",
                               "test-token")
        store.apply_pull_page([
            _complaint("cmp-old-0001", SINOPEC, ME["id"], 30, "medium", "invoice wrong"),
            _complaint("cmp-new-0002", SINOPEC, ME["id"], 1, "low", "slow reply"),
            _complaint("cmp-done-0003", SINOPEC, ME["id"], 50, "high", "broken pump",
                       status="resolved", resolution="replaced",
                       resolved_at=_ago(40), responded_at=_ago(45)),
            _complaint("cmp-li-0004", OTHERS, OTHER_REP["id"], 10, "high", "Li's customer"),
        ], "cursor-2")
    return home


@pytest.fixture
def home(tmp_path) -> Path:
    return _fill(tmp_path / "home")


def _listed(home: Path, *args: str) -> list[dict]:
    return json.loads(fieldrep(home, "complaints", "--json", *args).stdout)


def test_complaints_lists_the_reps_open_ones_oldest_first_with_the_sla(home):
    listed = _listed(home)
    ids = [c["id"] for c in listed]
    # the fixture's fb-0001 (Acme, 5 days) is the oldest; Li Wei's customer's is not this rep's
    assert ids[-2:] == ["cmp-old-0001", "cmp-new-0002"] and "cmp-li-0004" not in ids
    assert "cmp-done-0003" not in ids
    old = listed[ids.index("cmp-old-0001")]["sla"]
    assert old["severity"] == "medium" and old["age_hours"] == pytest.approx(30, abs=0.2)
    assert old["response_breached"] and not old["resolution_breached"] and old["breached"]
    new = listed[ids.index("cmp-new-0002")]["sla"]
    assert not new["breached"]
    out = fieldrep(home, "complaints").stdout.splitlines()
    assert out[0].split()[:2] == ["SEVERITY", "AGE"] and out[0].endswith("ID")
    line = next(row for row in out if row.endswith("cmp-old-0001"))
    assert line.startswith("medium    1 d 6 h") and "response late" in line
    assert "invoice wrong" in line
    assert "on time" in next(row for row in out if row.endswith("cmp-new-0002"))
    assert "cmp-done-0003" in {c["id"] for c in _listed(home, "--all")}


def test_complaints_in_chinese(home):
    out = fieldrep(home, "--lang", "zh", "complaints").stdout
    assert "严重度" in out and "回复超时" in out and "中" in out


def test_a_manager_sees_the_teams_complaints(tmp_path):
    home = _fill(tmp_path / "home", role="manager")
    assert "cmp-li-0004" in {c["id"] for c in _listed(home)}


def test_respond_queues_a_response_with_its_own_id_by_the_first_letters(home):
    done = fieldrep(home, "complaint", "respond", "cmp-old", "--text", "called the buyer",
                    "--json")
    record = json.loads(done.stdout)
    assert record["status"] == "in_progress"
    assert [r["text"] for r in record["responses"]] == ["called the buyer"]
    fieldrep(home, "complaint", "respond", "cmp-old-0001", "--text", "sent a new invoice")
    responses = [op["fields"]["response"] for op in _outbox(home)
                 if op["kind"] == "feedback.update"]
    assert [r["text"] for r in responses] == ["called the buyer", "sent a new invoice"]
    assert len({r["id"] for r in responses}) == 2
    plain = fieldrep(home, "complaint", "respond", "cmp-new", "--text", "on it").stdout
    assert "queued" in plain


def _outbox(home: Path) -> list[dict]:
    from cache import Store

    with Store.open(home, read_only=True) as store:
        return store.outbox()


def test_resolve_queues_the_resolution_and_then_no_response_is_taken(home):
    done = fieldrep(home, "complaint", "resolve", "cmp-old-0001", "--text", "credited the "
                    "invoice")
    assert "re-visit in 7 days" in done.stdout
    ops = [op for op in _outbox(home) if op["kind"] == "feedback.update"]
    assert ops[-1]["fields"] == {"status": "resolved", "resolution": "credited the invoice"}
    refused = fieldrep(home, "complaint", "respond", "cmp-old-0001", "--text", "late", code=1)
    assert "already resolved" in one_line(refused)
    refused = fieldrep(home, "--lang", "zh", "complaint", "resolve", "cmp-old-0001", "--text",
                       "again", code=1)
    assert "已经处理完毕" in one_line(refused)


@pytest.mark.parametrize(("args", "words"), [
    (("respond", "cmp-new-0002", "--text", "   "), "the text is empty"),
    (("resolve", "cmp-new-0002", "--text", ""), "the text is empty"),
    (("respond", "cmp-new-0002", "--text", "bad \x1b[31m"), "control"),
    (("respond", "nope-9999", "--text", "hi"), "no complaint nope-9999"),
    (("respond", "cmp-", "--text", "hi"), "matches 4 complaints"),
    (("respond", "fb-0002", "--text", "hi"), "no complaint fb-0002"),  # a satisfaction score
])
def test_bad_answers_are_one_line_and_change_nothing(home, args, words):
    before = _outbox(home)
    refused = fieldrep(home, "complaint", *args, code=1)
    assert words in one_line(refused)
    assert _outbox(home) == before


def _as(home: Path, role: str) -> Path:
    """The laptop's rep made ``role`` in its snapshot too (what the manager's actions read)."""
    from cache import Store

    with Store.open(home) as store:
        store.apply_pull_page([{"entity": "rep", "id": ME["id"], "op": "upsert",
                                "record": {**ME, "role": role}}], "cursor-3")
    return home


def test_a_manager_gives_a_complaint_to_a_rep_of_the_team(tmp_path):
    home = _as(_fill(tmp_path / "home", role="manager"), "manager")
    done = json.loads(fieldrep(home, "complaint", "assign", "cmp-old", "--to", "Li Wei",
                               "--json").stdout)
    assert done["assignee_id"] == "rep-0002" and done["synced"] is False
    [op] = [op for op in _outbox(home) if op["kind"] == "feedback.assign"]
    assert (op["record_id"], op["fields"]) == ("cmp-old-0001", {"assignee_id": "rep-0002"})
    listed = {c["id"]: c for c in _listed(home)}
    assert listed["cmp-old-0001"]["assignee_name"] == "Li Wei"
    line = next(r for r in fieldrep(home, "complaints").stdout.splitlines()
                if r.endswith("cmp-old-0001"))
    assert "Li Wei" in line
    zh = fieldrep(home, "--lang", "zh", "complaint", "assign", "cmp-new", "--to", "rep-0002")
    assert "已交给 Li Wei" in zh.stdout
    assert "处理人" in fieldrep(home, "--lang", "zh", "complaints").stdout


@pytest.mark.parametrize(("role", "args", "words"), [
    ("rep", ("cmp-old-0001", "--to", "Li Wei"), "manager"),
    ("manager", ("cmp-done-0003", "--to", "Li Wei"), "resolved complaint is not given"),
    ("manager", ("cmp-old-0001", "--to", "Nobody"), "no rep Nobody"),
    ("manager", ("nope-9999", "--to", "Li Wei"), "no complaint nope-9999"),
    ("manager", ("cmp-old-0001", "--to", "Li\x1b[31m"), "no rep"),
])
def test_a_bad_assignment_is_one_line_and_queues_nothing(tmp_path, role, args, words):
    home = _as(_fill(tmp_path / "home", role=role), role)
    before = _outbox(home)
    refused = fieldrep(home, "complaint", "assign", *args, code=1)
    assert words in one_line(refused)
    assert _outbox(home) == before
