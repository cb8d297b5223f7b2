"""The sync screen: outbox, conflicts (keep mine / take theirs), rejections, run log."""

from __future__ import annotations

from tests.tui.conftest import POOL, SINOPEC, Posted, make_app

SIZE = (120, 40)


def add_sync_history(store) -> None:
    """A conflict on SINOPEC's address, a refused claim on POOL and two sync runs (fixed times)."""
    store.update_customer(SINOPEC, {"address": "Mine address"})
    store.claim(POOL)
    ops = {op["kind"]: op for op in store.outbox()}
    update, claim = ops["customer.update"], ops["customer.claim"]
    theirs = {**store.customer(SINOPEC), "address": "Theirs address", "version": 4}
    theirs.pop("synced", None)
    store.apply_push_results([
        {"op_id": update["op_id"], "mid": update["mid"], "status": "conflict",
         "entity": "customer", "record_id": SINOPEC, "version": 4, "record": theirs,
         "conflicts": [{"field": "address", "mine": "Mine address", "theirs": "Theirs address"}]},
        {"op_id": claim["op_id"], "mid": claim["mid"], "status": "rejected", "entity": "customer",
         "record_id": POOL, "reason": "owned by Li Wei, protected until 2026-12-03"},
    ])
    for ok, minute in ((False, 10), (True, 40)):
        store.record_sync_run({"ok": ok, "error": None if ok else "the server did not answer",
                               "pushed": 2 if ok else 0, "pulled": 5 if ok else 0,
                               "applied": 0, "conflicts": 1 if ok else 0,
                               "rejected": 1 if ok else 0,
                               "started_at": f"2026-11-23T01:{minute:02d}:00+00:00",
                               "finished_at": f"2026-11-23T01:{minute:02d}:05+00:00"})


async def _sync_screen(app, pilot):
    await pilot.press("4")
    await pilot.pause()
    await pilot.pause()
    return app.screen


async def test_sync_screen_lists_the_outbox_and_the_run_log(store):
    add_sync_history(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _sync_screen(app, pilot)
        assert type(screen).__name__ == "SyncScreen"
        assert screen.query_one("#sync-pending").row_count == store.pending_count()
        assert screen.query_one("#sync-runs").row_count == 2
        state = str(screen.query_one("#sync-state").render())
        assert "last successful sync: 2026-11-23 09:40" in state


async def test_m_keeps_mine_and_sends_the_field_again(store):
    add_sync_history(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _sync_screen(app, pilot)
        assert app.focused is screen.query_one("#sync-conflicts")
        before = store.pending_count()
        await pilot.press("m")
        await pilot.pause()
        assert store.conflicts() == []
        resent = [op for op in store.outbox() if op["kind"] == "customer.update"]
        assert resent[-1]["fields"] == {"address": "Mine address"}
        assert store.pending_count() == before + 1


async def test_t_takes_theirs_and_sends_nothing(store):
    add_sync_history(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _sync_screen(app, pilot)
        before = store.outbox()
        await pilot.press("t")
        await pilot.pause()
        assert store.conflicts() == [] and store.outbox() == before
        assert store.customer(SINOPEC)["address"] == "Theirs address"


async def test_x_dismisses_a_rejection_once_the_rejections_list_is_focused(store):
    add_sync_history(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _sync_screen(app, pilot)
        assert screen.check_action("dismiss_rejection", ()) is None  # conflicts focused
        screen.query_one("#sync-rejections").focus()
        await pilot.pause()
        assert screen.check_action("dismiss_rejection", ()) is True
        assert "owned by Li Wei" in str(screen.query_one("#sync-rejections").get_row_at(0)[2])
        await pilot.press("x")
        await pilot.pause()
        assert store.rejections() == []


async def test_conflict_keys_are_dimmed_with_a_reason_when_there_is_nothing_to_settle(store):
    app = make_app(store)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        screen = await _sync_screen(app, pilot)
        assert screen.check_action("keep", ("mine",)) is None
        before = store.outbox()
        await pilot.press("m")
        await pilot.pause()
        assert store.outbox() == before
        assert any("No conflicts" in note for note in posted.toasts)
