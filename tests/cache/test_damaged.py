"""A damaged file at start is set aside with a clear notice; pending work is never lost silently."""

from __future__ import annotations

from cache import Store
from cache.storage import read_document
from tests.cache.conftest import ACME, SINOPEC, open_filled


def _damaged(home, name):
    return sorted(home.glob(f"{name}.damaged-*"))


def test_a_truncated_snapshot_is_moved_aside_and_the_next_sync_rebuilds_it(fieldrep_home):
    store = open_filled(fieldrep_home)
    store.log_visit(ACME, outcome="Demo")
    store.close()
    snapshot = fieldrep_home / "snapshot.json"
    snapshot.write_bytes(snapshot.read_bytes()[:100])
    with Store.open(fieldrep_home) as store:
        moved = _damaged(fieldrep_home, "snapshot.json")
        assert len(moved) == 1
        assert any("snapshot was damaged" in n and str(moved[0]) in n for n in store.notices)
        assert store.pull_cursor is None  # the next sync re-bootstraps
        assert store.pending_count() == 1  # the rep's work is untouched
    with Store.open(fieldrep_home) as store:
        assert store.notices == []  # a clean file was written in its place


def test_a_snapshot_of_the_wrong_shape_counts_as_damaged(fieldrep_home):
    open_filled(fieldrep_home).close()
    (fieldrep_home / "snapshot.json").write_bytes(b'{"customers": [1, 2, 3]}')
    with Store.open(fieldrep_home) as store:
        assert store.customer_count() == 0
        assert _damaged(fieldrep_home, "snapshot.json")
        assert store.notices


def test_a_damaged_journal_has_its_pending_operations_salvaged(fieldrep_home):
    store = open_filled(fieldrep_home)
    visits = [store.log_visit(SINOPEC, outcome=f"visit {n}")["id"] for n in range(3)]
    mids = [op["mid"] for op in store.outbox()]
    store.close()
    journal = fieldrep_home / "journal.json"
    raw = journal.read_bytes()
    journal.write_bytes(raw + b"\x00garbage")  # no longer valid JSON
    with Store.open(fieldrep_home) as store:
        moved = _damaged(fieldrep_home, "journal.json")
        assert len(moved) == 1
        notice = " ".join(store.notices)
        assert str(moved[0]) in notice and "import" in notice and "which will sync: 3." in notice
        assert [op["mid"] for op in store.outbox()] == mids
        assert {v["id"] for v in store.visits()} >= set(visits)
        # the next operation continues the device's sequence, never reusing a mid
        store.log_visit(SINOPEC, outcome="after the damage")
        assert store.outbox()[-1]["mid"] == mids[-1] + 1


def test_operations_are_salvaged_even_from_a_truncated_journal(fieldrep_home):
    store = open_filled(fieldrep_home)
    for n in range(5):
        store.log_visit(SINOPEC, outcome=f"visit {n}")
    store.close()
    journal = fieldrep_home / "journal.json"
    document = read_document(journal)
    raw = journal.read_bytes()
    last_op = raw.rfind(b'{"op_id"')
    journal.write_bytes(raw[: last_op + 30])  # the last operation is cut in half
    with Store.open(fieldrep_home) as store:
        assert store.pending_count() >= 4
        salvaged = {op["op_id"] for op in store.outbox()}
        assert salvaged <= {op["op_id"] for op in document["outbox"]}


def test_a_damaged_journal_can_be_imported_again_without_duplicates(fieldrep_home):
    store = open_filled(fieldrep_home)
    store.log_visit(SINOPEC, outcome="only once")
    store.close()
    journal = fieldrep_home / "journal.json"
    journal.write_bytes(journal.read_bytes()[:-5])
    with Store.open(fieldrep_home) as store:
        moved = _damaged(fieldrep_home, "journal.json")[0]
        assert store.pending_count() == 1
        assert store.import_outbox(moved) == 0  # already recovered: nothing added twice


def test_a_damaged_session_file_is_set_aside_and_the_rep_logs_in_again(fieldrep_home):
    open_filled(fieldrep_home).close()
    (fieldrep_home / "session.json").write_bytes(b"{nope")
    with Store.open(fieldrep_home) as store:
        assert store.session is None
        assert any("session" in n for n in store.notices)


def test_leftover_temporary_files_do_not_disturb_opening(fieldrep_home):
    open_filled(fieldrep_home).close()
    (fieldrep_home / ".journal.json.999.tmp").write_bytes(b"half a wri")
    with Store.open(fieldrep_home) as store:
        assert store.notices == []
        assert store.customer_count() == 5


def test_an_unreadable_journal_is_kept_byte_for_byte_and_the_notice_says_how_to_import_it(
    fieldrep_home,
):
    store = open_filled(fieldrep_home)
    store.log_visit(SINOPEC, outcome="typed before the disk went bad")
    store.close()
    journal = fieldrep_home / "journal.json"
    garbage = b"\x00\x13\x37" * 100
    journal.write_bytes(garbage)
    with Store.open(fieldrep_home) as store:
        moved = _damaged(fieldrep_home, "journal.json")
        assert len(moved) == 1 and moved[0].read_bytes() == garbage  # nothing thrown away
        notice = next(n for n in store.notices if "journal" in n)
        assert "recovered from it, which will sync: 0." in notice
        assert f"fieldrep import-outbox {moved[0]}" in notice
        assert store.customer_count() == 5  # the territory is still there
        store.log_visit(SINOPEC, outcome="the rep carries on")
        assert store.pending_count() == 1


def test_a_lost_journal_never_makes_the_device_reuse_a_mid_the_server_acknowledged(
    fieldrep_home,
):
    store = open_filled(fieldrep_home)
    ops = [store.update_customer(SINOPEC, {"address": f"{n} Nanjing Road"}) and
           store.outbox()[-1] for n in range(3)]
    store.apply_push_results([{"op_id": op["op_id"], "mid": op["mid"], "status": "applied",
                               "version": 2 + n} for n, op in enumerate(ops)])
    assert store.pending_count() == 0
    store.close()
    (fieldrep_home / "journal.json").write_bytes(b"\x00" * 64)  # the disk ate the journal
    with Store.open(fieldrep_home) as store:
        store.log_visit(SINOPEC, outcome="after the damage")
        # mids 1-3 are the server's already: a reused one would be dropped as a duplicate
        assert store.outbox()[0]["mid"] == 4
