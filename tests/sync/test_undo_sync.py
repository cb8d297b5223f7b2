"""An undone follow-up reaches the server as it was undone, offline or after a sync: the undo
is a second ``followup.update``, so the server ends on the state the rep put back, the laptop
agrees after the pull, and nothing is left pending or sent twice (a real server process)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.sync._harness import Laptop, Org, engine_for, sync_until_settled

pytestmark = [pytest.mark.timeout(180), pytest.mark.org(reps=["Ana"], customers=3)]


def _server_status(org: Org, followup_id: str) -> dict:
    return org.scope(org.reps["Ana"].token)["followup"][followup_id]


def _local_status(store, followup_id: str) -> str:
    return next(f["status"] for f in store.followups(include_closed=True)
                if f["id"] == followup_id)


def _ready(org: Org, tmp_path):
    store = Laptop(tmp_path / "ana", org.reps["Ana"], org.url).login().open()
    engine = engine_for(store)
    sync_until_settled(engine, store)
    due = (datetime.now(UTC) + timedelta(days=3)).date()
    followup = store.add_followup(sorted(org.customers)[0], title="Send the quote", due=due)
    sync_until_settled(engine, store)
    return store, engine, followup["id"]


def test_done_and_undone_offline_reaches_the_server_open(org, tmp_path):
    store, engine, fid = _ready(org, tmp_path)
    store.complete_followup(fid)
    store.undo_followup(fid, {"status": "open", "snoozed_until": None})
    assert [op["kind"] for op in store.outbox()] == ["followup.update", "followup.update"]
    sync_until_settled(engine, store)
    server = _server_status(org, fid)
    assert server["status"] == "open"
    assert server["version"] == 3  # created, done, undone: each update applied once
    assert _local_status(store, fid) == "open" and store.pending_count() == 0
    store.close()


def test_done_synced_then_undone_reaches_the_server_open(org, tmp_path):
    store, engine, fid = _ready(org, tmp_path)
    store.dismiss_followup(fid)
    sync_until_settled(engine, store)
    assert _server_status(org, fid)["status"] == "dismissed"
    store.undo_followup(fid, {"status": "open", "snoozed_until": None})
    sync_until_settled(engine, store)
    server = _server_status(org, fid)
    assert server["status"] == "open" and server["version"] == 3
    assert _local_status(store, fid) == "open" and store.pending_count() == 0
    engine.sync()  # a further sync changes nothing
    assert _server_status(org, fid)["version"] == 3
    store.close()
