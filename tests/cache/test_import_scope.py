"""Pending work exported on one rep's laptop is never imported as another rep's.

The rule (cache/recovery.py, ``import_outbox``): a file is refused when it names another rep
(its ``rep_id``), or when any operation in it was made by another rep (the ``rep_id`` a visit,
feedback or follow-up carries). An export written while logged out (no ``rep_id``) or a damaged
journal is imported only when nothing in it says it is someone else's work; a file that names
no rep and whose operations name none either (customer edits and claims only) is refused too,
since nothing shows it is this rep's. Nothing is added when a file is refused.
"""

from __future__ import annotations

import orjson
import pytest

from cache import Store, StoreError
from sync.protocol.refusals import TEMPLATES, render
from tests.cache.conftest import ACME, ME, OTHER, SINOPEC, base_changes, default_customers


def _laptop(home, rep: dict, device: str) -> Store:
    store = Store.open(home)
    store.save_session("http://127.0.0.1:9", rep, device, f"token-{device}")
    store.apply_bootstrap_page(base_changes(default_customers()), None, "cur", True)
    return store


def _exported(tmp_path, rep: dict, name="pending.json") -> tuple:
    path = tmp_path / name
    with _laptop(tmp_path / f"{rep['id']}-laptop", rep, f"device-{rep['id']}") as store:
        visit = store.log_visit(ACME, outcome="met", notes=f"by {rep['name']}")
        store.update_customer(SINOPEC, {"address": "2 Bund Road"})
        assert store.export_outbox(path) == 2
    return path, visit


def test_another_reps_export_is_refused_with_the_coded_reason(tmp_path):
    path, _visit = _exported(tmp_path, OTHER)
    with _laptop(tmp_path / "mine", ME, "device-me") as store:
        with pytest.raises(StoreError) as refused:
            store.import_outbox(path)
        assert refused.value.code == "import.other_rep"
        assert str(refused.value) == render(TEMPLATES["import.other_rep"], {"rep": "Li Wei"})
        assert store.pending_count() == 0 and store.visits() == []


def test_the_same_reps_export_still_imports(tmp_path):
    path, visit = _exported(tmp_path, ME)
    with _laptop(tmp_path / "mine", ME, "device-2") as store:
        assert store.import_outbox(path) == 2
        assert [v["id"] for v in store.visits()] == [visit["id"]]


def test_an_export_without_rep_id_is_refused_when_its_operations_are_another_reps(tmp_path):
    path, _visit = _exported(tmp_path, OTHER)
    document = orjson.loads(path.read_bytes())
    document.pop("rep_id")  # an export written while logged out, or edited by hand
    path.write_bytes(orjson.dumps(document))
    with _laptop(tmp_path / "mine", ME, "device-me") as store:
        with pytest.raises(StoreError, match="another rep"):
            store.import_outbox(path)
        assert store.pending_count() == 0


def test_an_export_naming_nobody_is_refused(tmp_path):
    path, _visit = _exported(tmp_path, ME)
    document = orjson.loads(path.read_bytes())
    document["rep_id"] = None
    document["ops"] = [op for op in document["ops"] if op["kind"] == "customer.update"]
    path.write_bytes(orjson.dumps(document))
    with _laptop(tmp_path / "mine", ME, "device-me") as store:
        with pytest.raises(StoreError, match="does not say whose"):
            store.import_outbox(path)
        assert store.pending_count() == 0


def test_another_reps_damaged_journal_is_refused_too(tmp_path):
    with _laptop(tmp_path / "theirs", OTHER, "device-o") as store:
        store.log_visit(ACME, outcome="their visit")
    journal = (tmp_path / "theirs" / "journal.json").read_bytes()
    damaged = tmp_path / "journal.json.damaged"
    damaged.write_bytes(journal[:-3])
    with _laptop(tmp_path / "mine", ME, "device-me") as store:
        with pytest.raises(StoreError, match="another rep"):
            store.import_outbox(damaged)
        assert store.pending_count() == 0
