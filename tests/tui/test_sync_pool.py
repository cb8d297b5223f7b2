"""Customers the server returned to the pool are announced: after a sync from a (fake) server
the toast names them, the queue has an entry for each until it is dismissed or the customer
claimed, and the customer header says the cool-off instead of "press c to claim"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sync.engine import SyncEngine
from tests.support.fakeserver import FakeServer
from tests.tui.conftest import ACME, FROZEN_NOW, ME, POOL, SINOPEC, Posted, make_app

SIZE = (120, 40)
COOLOFF_UNTIL = FROZEN_NOW + timedelta(days=14)  # 2026-12-07


def reclaimed(store, cid: str) -> dict:
    """``cid`` as the server's reclaim leaves it: no owner, the rep as previous owner, cool-off."""
    record = {k: v for k, v in store.customer(cid).items() if k != "synced"}
    record.update(owner_id=None, owner_name=None, claimed_at=None, protected_until=None,
                  previous_owner_id=ME["id"], cooloff_until=COOLOFF_UNTIL.isoformat(),
                  version=record["version"] + 1)
    return record


def server_that_reclaimed(store) -> FakeServer:
    """A fake server that knows this laptop and has put SINOPEC and ACME back in the pool."""
    server = FakeServer(tokens={"test-token": ME})
    server.devices["device-0001"] = {"rep_id": ME["id"], "last_mid": 0}
    store.apply_pull_page([], "s0")  # this laptop has the server's feed up to its start
    for cid in (SINOPEC, ACME):
        server.put("customer", reclaimed(store, cid))
    return server


async def _synced(app, pilot) -> None:
    for _ in range(200):
        if app.store.last_sync_at is not None and not app.status.syncing:
            break
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("lang,toast", [
    ("en", "2 customers went back to the pool (protection lapsed): 中国石化上海分公司, "
           "Acme Robotics"),
    ("zh", "2 个客户回到了公海（保护期已过）：中国石化上海分公司, Acme Robotics"),
])
async def test_a_sync_that_returns_my_customers_to_the_pool_says_so(store, lang, toast):
    server = server_that_reclaimed(store)
    engine = SyncEngine(store, client_factory=server.client_factory())
    app = make_app(store, lang=lang, engine=engine)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _synced(app, pilot)
        assert toast in posted.toasts
        queue = app.screen
        assert type(queue).__name__ == "QueueScreen"
        pooled = [e for e in queue.entries if e["reason_code"] == "pool_return"]
        assert sorted(e["customer_id"] for e in pooled) == sorted([SINOPEC, ACME])
        what = queue.what(pooled[0])
        assert "2026-12-07" in what
    await_again = make_app(store, lang=lang, engine=None)
    posted_again = Posted()
    async with await_again.run_test(size=SIZE, message_hook=posted_again) as pilot:
        await pilot.pause()
        assert not any("pool" in t or "公海" in t for t in posted_again.toasts)  # told once


async def test_x_dismisses_the_pool_entry(store):
    server = server_that_reclaimed(store)
    app = make_app(store, engine=SyncEngine(store, client_factory=server.client_factory()))
    async with app.run_test(size=SIZE) as pilot:
        await _synced(app, pilot)
        queue = app.screen
        row = next(i for i, e in enumerate(queue.entries) if e["customer_id"] == SINOPEC
                   and e["reason_code"] == "pool_return")
        queue.query_one("#queue").cursor = row
        await pilot.pause()
        assert queue.check_action("dismiss_followup", ()) is True
        assert queue.check_action("snooze", ()) is None  # only dismiss (or claim) applies
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert [r["customer_id"] for r in store.pool_returns()] == [ACME]
        assert not any(e["customer_id"] == SINOPEC and e["reason_code"] == "pool_return"
                       for e in app.screen.entries)


@pytest.mark.parametrize("lang,words", [
    ("en", "you may claim it again from 2026-12-07"),
    ("zh", "2026-12-07"),
])
async def test_the_header_of_a_customer_in_cool_off_says_so_not_press_c(store, lang, words):
    store.apply_pull_page([{"entity": "customer", "id": SINOPEC, "op": "upsert",
                            "record": reclaimed(store, SINOPEC)}], "cursor-2")
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        from screens.messages import OpenCustomer

        for cid, cooled in ((SINOPEC, True), (POOL, False)):
            app.post_message(OpenCustomer(cid))
            await pilot.pause()
            await pilot.pause()
            line = str(app.screen.query_one("#customer-protection").render())
            if cooled:
                assert words in line and "press c" not in line and "按 c" not in line
                assert app.screen.check_action("claim", ()) is None  # c dimmed, with the why
                assert words in app.screen.unavailable_reason("claim")
            else:
                assert "press c to claim" in line or "按 c 认领" in line
            await pilot.press("escape")
            await pilot.pause()
