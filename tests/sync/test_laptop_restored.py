"""A laptop data folder restored from a backup, or copied to a second laptop: nothing is lost.

The restored (or copied) folder reuses sequence numbers (mids) the server already holds for
other operations. The server must not answer them with another operation's stored result, and
the laptop must never take such an answer for its own: it registers a fresh device and sends
every pending operation again on it (exactly once still holds, by op_id and record id).

Both scenarios run against a real server process on loopback.
"""

from __future__ import annotations

import shutil
from collections import Counter

import pytest

from cache import Store
from sync.engine import SyncEngine, login
from tests.sync._harness import Org, log_visits, sync_until_settled

pytestmark = [pytest.mark.timeout(240), pytest.mark.org(reps=["Ana"], customers=12)]


def _server_visits(org: Org) -> Counter:
    return Counter((v["id"], v["notes"]) for v in org.export("visits"))


def _first_login(org: Org, home) -> None:
    home.mkdir(parents=True)
    with Store.open(home) as store:
        login(store, org.url, org.reps["Ana"].token)
        sync_until_settled(SyncEngine(store), store)


def test_visits_logged_after_restoring_the_laptop_from_a_backup_all_reach_the_server(
    org, tmp_path
):
    home, backup = tmp_path / "ana", tmp_path / "ana-backup"
    _first_login(org, home)
    shutil.copytree(home, backup)  # the rep backs up FIELDREP_HOME

    with Store.open(home) as store:
        engine = SyncEngine(store)
        first = log_visits(store, 3, "before-restore")
        sync_until_settled(engine, store)
        old_device = store.device_id
        engine.close()

    shutil.rmtree(home)
    shutil.copytree(backup, home)  # … and restores it: the 3 synced visits are unknown here

    with Store.open(home) as store:
        engine = SyncEngine(store)
        later = log_visits(store, 1, "after-restore")
        report = engine.sync()
        assert report.ok, report.error
        assert store.pending_count() == 0
        assert store.device_id != old_device, "the reused mids must go out on a fresh device"
        sync_until_settled(engine, store)
        listed = [v["id"] for v in store.visits()]
        engine.close()

    on_server = _server_visits(org)
    expected = {**first, **later}
    assert sorted(on_server) == sorted(expected.items()), "each visit exactly once"
    assert all(n == 1 for n in on_server.values())
    assert sorted(listed) == sorted(expected), "the laptop lists each visit once"
    with Store.open(home) as store:  # and still after a restart
        assert sorted(v["id"] for v in store.visits()) == sorted(expected)


def test_a_data_folder_copied_to_a_second_laptop_loses_nothing_from_either(org, tmp_path):
    one, two = tmp_path / "laptop-1", tmp_path / "laptop-2"
    _first_login(org, one)
    shutil.copytree(one, two)  # same device id, same mid counter

    written: dict[str, str] = {}
    with Store.open(one) as store:
        written |= log_visits(store, 2, "laptop-1")
        sync_until_settled(SyncEngine(store), store)
    with Store.open(two) as store:
        written |= log_visits(store, 3, "laptop-2")
        engine = SyncEngine(store)
        sync_until_settled(engine, store)
        assert store.pending_count() == 0
    with Store.open(one) as store:  # the first laptop carries on after the second
        written |= log_visits(store, 2, "laptop-1-again")
        engine = SyncEngine(store)
        sync_until_settled(engine, store)
        sync_until_settled(engine, store)
        mine = [v["id"] for v in store.visits()]

    on_server = _server_visits(org)
    assert sorted(on_server) == sorted(written.items())
    assert all(n == 1 for n in on_server.values())
    assert len(mine) == len(set(mine)) == len(written)
