"""``u`` on the queue takes back the last ``d`` or ``x``: the toast offers it, the follow-up is
back in the store and the queue, and the outbox holds the inverse update after the first (never
the first taken out, never anything twice). The same after a sync: tests/sync/test_undo_sync.py.
"""

from __future__ import annotations

from tests.tui.conftest import FROZEN_NOW, Posted, make_app
from tests.tui.test_queue import SIZE, _move_to


def _updates(store, record_id: str) -> list[dict]:
    return [op["fields"] for op in store.outbox()
            if op["kind"] == "followup.update" and op["record_id"] == record_id]


def _status(store, followup_id: str) -> str:
    return next(f["status"] for f in store.followups(include_closed=True)
                if f["id"] == followup_id)


async def test_u_after_d_puts_the_follow_up_back_open_by_a_second_update(store):
    app = make_app(store)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        entry = await _move_to(app, pilot, lambda e: e.get("followup_id") == "fu-0001")
        assert app.screen.check_action("undo", ()) is None  # nothing done yet: dimmed
        await pilot.press("d")
        await pilot.pause()
        assert _status(store, "fu-0001") == "done"
        assert any(t.endswith("u undo") for t in posted.toasts), posted.toasts
        await pilot.press("u")
        await pilot.pause()
        assert _status(store, "fu-0001") == "open"
        assert _updates(store, "fu-0001") == [
            {"status": "done", "snoozed_until": None},
            {"status": "open", "snoozed_until": None},
        ]
        assert entry["key"] in [e["key"] for e in app.screen.entries]
        assert entry["key"] in [e["key"] for e in store.queue(FROZEN_NOW)]
        assert "Undone: Done: 中国石化上海分公司" in posted.toasts
        # one undo per change: a second u does nothing
        assert app.screen.check_action("undo", ()) is None
        await pilot.press("u")
        await pilot.pause()
        assert len(_updates(store, "fu-0001")) == 2


async def test_u_after_x_brings_a_dismissed_follow_up_back(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        entry = await _move_to(app, pilot, lambda e: e.get("followup_id") == "fu-0003")
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert _status(store, "fu-0003") == "dismissed"
        assert entry["key"] not in [e["key"] for e in app.screen.entries]
        await pilot.press("u")
        await pilot.pause()
        assert _status(store, "fu-0003") == "open"
        assert [f["status"] for f in _updates(store, "fu-0003")] == ["dismissed", "open"]
        assert entry["key"] in [e["key"] for e in app.screen.entries]


async def test_u_after_x_on_a_generated_reminder_shows_it_again(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        entry = await _move_to(app, pilot, lambda e: e["reason_code"] == "protection_expiring")
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert entry["key"] not in [e["key"] for e in store.queue(FROZEN_NOW)]
        await pilot.press("u")
        await pilot.pause()
        assert entry["key"] in [e["key"] for e in store.queue(FROZEN_NOW)]
        assert entry["key"] in [e["key"] for e in app.screen.entries]
        kinds = [op["kind"] for op in store.outbox()][-2:]
        assert kinds == ["followup.create", "followup.update"]  # the marker, then its undo


async def test_u_in_a_burst_right_after_d_still_undoes_once(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _move_to(app, pilot, lambda e: e.get("followup_id") == "fu-0001")
        await pilot.press("d", "u", "u")
        await pilot.pause()
        assert _status(store, "fu-0001") == "open"
        assert len(_updates(store, "fu-0001")) == 2


async def test_the_undo_toast_and_refusal_are_in_chinese_on_a_chinese_screen(store):
    app = make_app(store, lang="zh")
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _move_to(app, pilot, lambda e: e.get("followup_id") == "fu-0001")
        await pilot.press("d")
        await pilot.pause()
        assert any(t.endswith("u 撤销") for t in posted.toasts), posted.toasts
        store.undo_followup("fu-0001", {"status": "open"})  # undone elsewhere meanwhile
        await pilot.press("u")
        await pilot.pause()
        assert any("没有可撤销" in t for t in posted.toasts), posted.toasts
