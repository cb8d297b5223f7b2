"""A restored or copied data folder reuses mids: the engine never loses the work behind them.

Against the in-memory server, twice: as the server now answers a reused mid (409
``push.mid_reused``), and as an older server did (the stored result of the other operation,
whose op_id is not ours). Either way the engine registers a fresh device and sends every
pending operation again on it; the answer for another operation is never taken for ours.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import orjson
import pytest

from cache import Store
from sync.client import Client, MidReused
from sync.engine import SyncEngine, login
from tests.support.fakeserver import FakeServer, json_response
from tests.sync._harness import log_visits

URL = "http://fake.test"


class ReusedMidServer(FakeServer):
    """Answers a mid the device used for another operation with 409 push.mid_reused."""

    def push(self, rep: dict, body: dict) -> httpx.Response:
        device = self.devices.get(body["device_id"])
        if device is not None:
            for mutation in body["mutations"]:
                stored = self.results.get((body["device_id"], mutation["mid"]))
                if mutation["mid"] <= device["last_mid"] and stored is not None and (
                    stored["op_id"] != mutation["op_id"]
                ):
                    return json_response(
                        {"detail": f"mutation {mutation['mid']} was already used",
                         "code": "push.mid_reused", "params": {"mid": mutation["mid"]},
                         "expected_mid": device["last_mid"] + 1}, 409)
        return super().push(rep, body)


@pytest.fixture(params=["409 push.mid_reused", "an older server's stored result"])
def server(request):
    kind = ReusedMidServer if request.param.startswith("409") else FakeServer
    return kind(customers=6)


def _visits_on(server) -> list[str]:
    return sorted(rid for entity, rid in server.records if entity == "visit")


def _restored_after_syncing(server, tmp_path: Path, visits: int) -> tuple[Path, list[str], str]:
    """A laptop signed in and synced, backed up, synced ``visits`` more visits, then restored
    from the backup: its folder, the ids of those visits, and its device before the restore."""
    home, backup = tmp_path / "home", tmp_path / "backup"
    with Store.open(home) as store:
        login(store, URL, "good-token", client_factory=server.client_factory())
        assert SyncEngine(store, client_factory=server.client_factory()).sync().ok
    shutil.copytree(home, backup)
    with Store.open(home) as store:
        synced = log_visits(store, visits, "first")
        assert SyncEngine(store, client_factory=server.client_factory()).sync().ok
        device = store.device_id
    shutil.rmtree(home)
    shutil.copytree(backup, home)
    return home, list(synced), device


def test_a_restored_laptop_sends_its_new_visits_on_a_fresh_device(server, tmp_path):
    home, first, old_device = _restored_after_syncing(server, tmp_path, 3)
    with Store.open(home) as store:
        later = log_visits(store, 4, "later")  # mids 1-3 are taken on the server, mid 4 is not
        engine = SyncEngine(store, client_factory=server.client_factory())
        report = engine.sync()
        assert report.ok, report.error
        assert store.pending_count() == 0 and store.device_id != old_device
        assert report.pushed == 4
        assert _visits_on(server) == sorted([*first, *later])
        assert engine.sync().ok
        assert sorted(v["id"] for v in store.visits()) == sorted([*first, *later])


def test_login_on_a_restored_folder_takes_a_fresh_device(server, tmp_path):
    home, _synced, device = _restored_after_syncing(server, tmp_path, 2)
    with Store.open(home) as store:
        login(store, URL, "good-token", client_factory=server.client_factory())
        assert store.device_id != device, "the server's last mid (2) is above this copy's (0)"


def test_the_client_tells_a_reused_mid_from_a_gap():
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, content=orjson.dumps(
            {"detail": "taken", "code": "push.mid_reused", "params": {"mid": 1},
             "expected_mid": 4}))

    client = Client(URL, "t", transport=httpx.MockTransport(answer))
    with pytest.raises(MidReused) as reused:
        client.push("d", [])
    assert reused.value.expected_mid == 4 and reused.value.params == {"mid": 1}
