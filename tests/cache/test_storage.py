"""The durable storage: atomic replace, TinyDB compatibility, clear errors for damaged files."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tinydb import Query, TinyDB

from cache.errors import DamagedFile
from cache.storage import AtomicJSONStorage, atomic_write, read_document, write_document

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.dictionaries(st.text(max_size=10), json_values, max_size=8))
def test_a_written_document_reads_back_equal(tmp_path, document):
    path = tmp_path / "doc.json"
    write_document(path, document)
    assert read_document(path) == document


def test_atomic_write_leaves_no_temporary_files_and_keeps_0600(tmp_path):
    path = tmp_path / "secret"
    atomic_write(path, b"one")
    atomic_write(path, b"two")
    assert path.read_bytes() == b"two"
    assert sorted(os.listdir(tmp_path)) == ["secret"]
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "doc.json"
    write_document(path, {"old": True})

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_document(path, {"new": True})
    monkeypatch.undo()
    assert read_document(path) == {"old": True}
    assert os.listdir(tmp_path) == ["doc.json"]


@pytest.mark.parametrize("content", [b"{\"a\": [1, 2", b"", b"\x00\x00garbage", b"{\"a\":}"])
def test_reading_a_damaged_file_raises_damaged_file(tmp_path, content):
    path = tmp_path / "doc.json"
    path.write_bytes(content)
    with pytest.raises(DamagedFile, match=r"doc\.json"):
        read_document(path)


def test_a_missing_file_reads_as_the_default(tmp_path):
    assert read_document(tmp_path / "absent.json", default={"x": 1}) == {"x": 1}


def test_tinydb_runs_on_the_atomic_storage(tmp_path):
    path = tmp_path / "db.json"
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        db.table("visits").insert({"id": "v1", "outcome": "ok"})
        db.table("visits").insert({"id": "v2", "outcome": "meh"})
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        assert [d["id"] for d in db.table("visits").search(Query().outcome == "ok")] == ["v1"]
        assert len(db.table("visits")) == 2


def test_tinydb_storage_refuses_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "db.json"
    path.write_bytes(b"[1, 2, 3]")
    with pytest.raises(DamagedFile):
        AtomicJSONStorage(path).read()
