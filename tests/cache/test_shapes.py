"""Valid JSON of the wrong shape is set aside like a damaged file; what fits is kept.

Each case writes one wrong entry into an otherwise good file, then reads the store through its
public API (status, queue, visits, search) and through the CLI: nothing fails with a TypeError,
the file is set aside with the damaged-file notice, and every entry that fits is still there.
"""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest

from cache import Store, StoreError
from tests.cache.conftest import ACME, SINOPEC, open_filled

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def _damaged(home, name):
    return sorted(home.glob(f"{name}.damaged-*"))


def _edit(home, name, change):
    path = home / name
    document = orjson.loads(path.read_bytes())
    change(document)
    path.write_bytes(orjson.dumps(document))


def _read_everything(store: Store) -> None:
    """What status, queue, visits, customers and the TUI's first screens read."""
    store.pending_count()
    store.outbox()
    store.conflicts()
    store.rejections()
    store.visits()
    store.feedback()
    store.followups(include_closed=True)
    store.queue()
    store.search("acme")
    store.all_customer_ids()
    store.groups("city")
    for cid in store.all_customer_ids():
        store.timeline(cid)


@pytest.fixture
def journal_with_work(fieldrep_home):
    store = open_filled(fieldrep_home)
    kept = store.log_visit(ACME, outcome="kept", notes="this one fits")
    other = store.log_visit(SINOPEC, outcome="also kept")
    store.close()
    return fieldrep_home, kept, other


def _cli(home, *args):
    env = {**__import__("os").environ, "FIELDREP_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120, check=False)


CASES = {
    "an outbox entry that is not an object": (
        "journal.json", lambda d: d["outbox"].insert(0, "not an operation")),
    "an outbox entry missing its mid": (
        "journal.json", lambda d: d["outbox"].append({"op_id": "x", "kind": "visit.create"})),
    "a visit stored as a string": (
        "journal.json", lambda d: d["records"]["visit"].update({"v-bad": "a visit"})),
    "a feedback entry that is a list": (
        "journal.json", lambda d: d["records"]["feedback"].update({"f-bad": [1, 2]})),
    "a local customer layer that is a number": (
        "journal.json", lambda d: d["customers"].update({ACME: 7})),
    "a rejection that is not an object": (
        "journal.json", lambda d: d["rejections"].update({"r-bad": None})),
    "a conflict without its fields": (
        "journal.json", lambda d: d["conflicts"].update({"k-bad": {"field": "name"}})),
    "a next_mid that is text": (
        "journal.json", lambda d: d.update(next_mid="eleven")),
    "a customer that is not an object": (
        "snapshot.json", lambda d: d["customers"].update({"c-bad": "Acme"})),
    "a customer whose name is a number": (
        "snapshot.json", lambda d: d["customers"].update(
            {"c-num": {"id": "c-num", "name": 12, "province": "上海"}})),
    "a customer with contacts that are text": (
        "snapshot.json", lambda d: d["customers"][ACME].update(contacts="Mary")),
    "a rep that is a string": (
        "snapshot.json", lambda d: d["reps"].update({"rep-x": "Li"})),
    "an archived visit that is a string": (
        "archive.json", lambda d: d["visit"].update({"v-old": "old"})),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_wrong_shape_is_set_aside_and_the_rest_is_kept(journal_with_work, case):
    home, kept, other = journal_with_work
    name, change = CASES[case]
    _edit(home, name, change)
    with Store.open(home) as store:
        _read_everything(store)
        moved = _damaged(home, name)
        assert len(moved) == 1, f"{case}: the file was not set aside"
        assert any(str(moved[0]) in notice for notice in store.notices)
        assert store.pending_count() == 2, f"{case}: pending work was lost"
        assert {kept["id"], other["id"]} <= {v["id"] for v in store.visits()}
        assert store.customer(ACME) is not None and store.customer(SINOPEC) is not None
    with Store.open(home) as store:  # a clean file was written in its place
        assert store.notices == []
        _read_everything(store)


@pytest.mark.parametrize("case", ["an outbox entry that is not an object",
                                  "a customer that is not an object",
                                  "a visit stored as a string"])
def test_status_queue_and_visits_work_on_a_wrong_shape(journal_with_work, case):
    home, kept, _other = journal_with_work
    name, change = CASES[case]
    _edit(home, name, change)
    status = _cli(home, "status")
    assert status.returncode == 0, status.stderr
    assert "damaged" in status.stderr and "Traceback" not in status.stderr
    for command in (["queue"], ["visits", "--json"]):
        done = _cli(home, *command)
        assert done.returncode == 0, done.stderr
        assert "unexpected problem" not in done.stderr
    assert kept["id"] in _cli(home, "visits", "--json").stdout


def test_a_journal_from_a_newer_fieldrep_is_refused_clearly_and_left_alone(journal_with_work):
    home, _kept, _other = journal_with_work
    _edit(home, "journal.json", lambda d: d.update(format=99))
    before = (home / "journal.json").read_bytes()
    with pytest.raises(StoreError, match="newer fieldrep"):
        Store.open(home)
    assert (home / "journal.json").read_bytes() == before
    assert not _damaged(home, "journal.json")
    done = _cli(home, "status")
    assert done.returncode != 0 and "newer fieldrep" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_snapshot_this_store_wrote_is_not_checked_customer_by_customer_at_open(
    fieldrep_home, monkeypatch,
):
    """The first frame does not wait for 50,000 shape checks: a snapshot whose bytes match the
    size and CRC noted when the store wrote (or last checked) it is trusted; any other is
    checked whole (the cases above), then noted again."""
    from cache import shapes

    open_filled(fieldrep_home).close()
    checked: list[str] = []
    fit_customer = shapes.fit_customer
    monkeypatch.setattr(shapes, "fit_customer",
                        lambda record: checked.append(record["id"]) or fit_customer(record))
    with Store.open(fieldrep_home) as store:
        assert store.customer_count() == 5
    assert checked == []
    (fieldrep_home / "snapshot.checked.json").unlink()
    with Store.open(fieldrep_home) as store:
        assert store.customer_count() == 5
    assert len(checked) == 5, "a snapshot nobody vouched for was not checked"
    checked.clear()
    with Store.open(fieldrep_home):
        pass
    assert checked == [], "a snapshot checked whole was not noted as fitting"
