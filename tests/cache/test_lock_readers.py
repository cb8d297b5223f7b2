"""A reader beside the store's owner: ``Store.open(read_only=True)`` takes no lock, reads what
the owner last wrote, writes nothing, and leaves a damaged file to the owner."""

from __future__ import annotations

import pytest

from cache import Store
from cache.documents import DamagedForReader, ReadOnly
from tests.cache.test_lock import _hold
from tests.tui.conftest import ACME, SINOPEC, fill_store


@pytest.fixture
def filled(fieldrep_home):
    with Store.open(fieldrep_home) as store:
        fill_store(store)
    return fieldrep_home


def test_a_reader_opens_beside_an_owner_in_another_process_and_reads_its_data(filled):
    holder = _hold(filled)
    try:
        with Store.open(filled, read_only=True) as reader:
            assert reader.customer(SINOPEC)["name"].startswith("中国石化")
            assert reader.pending_count() == 1 and reader.session is not None
    finally:
        holder.kill()
        holder.wait()


def test_a_reader_beside_an_owner_in_this_process_sees_each_saved_write(filled):
    with Store.open(filled) as owner:
        owner.log_visit(ACME, outcome="met", notes="saved by the owner")
        with Store.open(filled, read_only=True) as reader:
            assert "saved by the owner" in [v.get("notes") for v in reader.visits(ACME)]


@pytest.mark.parametrize("write", [
    lambda s: s.log_visit(ACME, outcome="met"), lambda s: s.save_draft("visit:x", {}),
    lambda s: s.clear_session(), lambda s: s.record_sync_run({"ok": True}),
    lambda s: s.apply_pull_page([], "cursor-2"),
])
def test_every_write_of_a_reader_is_refused_and_nothing_changes(filled, write):
    before = {p.name: p.read_bytes() for p in filled.iterdir() if p.is_file()}
    with Store.open(filled, read_only=True) as reader, pytest.raises(ReadOnly):
        write(reader)
    assert {p.name: p.read_bytes() for p in filled.iterdir() if p.is_file()} == before


@pytest.mark.parametrize("name", ["journal.json", "snapshot.json", "session.json"])
def test_a_damaged_file_stops_a_reader_and_stays_where_it_is(filled, name):
    (filled / name).write_bytes(b"{not json")
    with pytest.raises(DamagedForReader, match=f"{name} looks damaged"):
        Store.open(filled, read_only=True)
    assert (filled / name).read_bytes() == b"{not json"
    assert not list(filled.glob("*.damaged-*"))


def test_a_reader_of_a_missing_folder_creates_nothing(tmp_path):
    with Store.open(tmp_path / "nowhere", read_only=True) as reader:
        assert reader.customer_count() == 0 and reader.session is None
    assert not (tmp_path / "nowhere").exists()
