"""A server database restored from an older backup: the laptop's pending work still arrives.

The restored server has forgotten the device's later operations (its last mid is behind the
laptop's next one: 409 with the expected mid) and its change feed is behind the laptop's cursor
(410). The engine sends the pending work on a fresh device sequence and fetches a fresh copy; the
rep does nothing. The work the server acknowledged after the backup is gone from the server —
that is what restoring a backup means — but nothing still pending on the laptop is lost, and the
laptop ends equal to the restored server's view.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.sync._harness import (
    Laptop,
    Org,
    assert_converged,
    assert_exactly_once,
    engine_for,
    log_visits,
    sync_until_settled,
)

pytestmark = [pytest.mark.timeout(180), pytest.mark.org(reps=["Ana"], customers=40)]


def _database_files(org: Org) -> list[Path]:
    path = Path(org.database_url.removeprefix("sqlite:///"))
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _backup(org: Org, where: Path) -> None:
    org.server.stop()
    where.mkdir()
    for file in _database_files(org):
        if file.exists():
            shutil.copy2(file, where / file.name)
    org.server.restart()


def _restore(org: Org, where: Path) -> None:
    org.server.stop()
    for file in _database_files(org):
        file.unlink(missing_ok=True)
        if (where / file.name).exists():
            shutil.copy2(where / file.name, file)
    org.server.restart()


def test_pending_work_reaches_a_server_restored_from_an_older_backup(org, tmp_path):
    laptop = Laptop(tmp_path / "ana", org.reps["Ana"], org.url).login()
    with laptop.open() as store:
        engine = engine_for(store)
        sync_until_settled(engine, store)
        before = log_visits(store, 5, "before-backup")
        sync_until_settled(engine, store)
        _backup(org, tmp_path / "backup")

        log_visits(store, 7, "after-backup")  # acknowledged, then lost with the restore
        sync_until_settled(engine, store)
        old_device = store.device_id
        _restore(org, tmp_path / "backup")

        pending = log_visits(store, 3, "pending")
        report = engine.sync()
        assert report.ok, report.error
        assert report.bootstrapped, "the laptop kept a cursor the restored server never issued"
        assert store.pending_count() == 0
        assert store.device_id != old_device

        visits = org.export("visits")
        assert_exactly_once(visits, {**before, **pending})
        assert not any(v["notes"].startswith("after-backup") for v in visits)
        assert org.last_mid(laptop.rep.token, store.device_id) == 3
        sync_until_settled(engine, store)
        assert_converged(store, org, laptop.rep.token, who="Ana after the restore")
