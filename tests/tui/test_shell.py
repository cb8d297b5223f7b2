"""The App shell: jump keys, back, status bar, sync worker, palette, demo controls."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from screens.messages import StoreChanged
from tests.tui.conftest import FROZEN_NOW, Posted, make_app
from tui.app import SAVE_SYNC_DELAY_S
from tui.commands import FieldRepCommands
from ui.widgets.status_bar import StatusBar

SIZE = (120, 40)


class ScriptedEngine:
    """A stand-in SyncEngine: answers sync() with the scripted reports, in order."""

    def __init__(self, *reports, online: bool = True) -> None:
        self.reports = list(reports)
        self.calls = 0
        self.online = online
        self.threads: set[str] = set()

    def sync(self):
        self.calls += 1
        self.threads.add(threading.current_thread().name)
        report = self.reports.pop(0) if len(self.reports) > 1 else self.reports[0]
        if isinstance(report, Exception):
            raise report
        return report

    def check_online(self) -> bool:
        return self.online


OK = {"ok": True, "error": None, "pushed": 1, "applied": 1, "conflicts": 0, "rejected": 0,
      "pulled": 3}
DOWN = {"ok": False, "error": "the server did not answer", "pushed": 0, "applied": 0,
        "conflicts": 0, "rejected": 0, "pulled": 0}


def _label(app, selector: str) -> str:
    return str(app.screen.query_one(StatusBar).query_one(selector).render())


async def _after_start_sync(app, pilot, engine) -> None:
    """Wait for the sync the App starts by itself just after the first frame."""
    for _ in range(100):
        if engine.calls and not app.status.syncing:
            break
        await pilot.pause(0.05)
    await _settle(app, pilot)


async def _settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def test_jump_keys_switch_between_queue_territory_dashboard_and_sync(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        assert app.current_mode == "queue"
        await pilot.press("2")
        assert app.current_mode == "territory"
        assert type(app.screen).__name__ == "TerritoryScreen"
        await pilot.press("3")
        assert app.current_mode == "dashboard"
        await pilot.press("4")
        assert app.current_mode == "sync"
        await pilot.press("1")
        assert app.current_mode == "queue"
        assert type(app.screen).__name__ == "QueueScreen"


async def test_escape_goes_back_from_a_customer_then_to_the_queue(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen"
        await pilot.press("escape")
        assert type(app.screen).__name__ == "QueueScreen"
        await pilot.press("2", "escape")
        assert app.current_mode == "queue"


async def test_status_bar_shows_pending_count_and_offline_when_not_logged_in(store):
    app = make_app(store)
    async with app.run_test(size=SIZE):
        pending = store.pending_count()
        assert pending >= 1  # the fixture's unsynced visit
        assert _label(app, "#sb-pending") == f"{pending} pending"
        assert "not logged in" in _label(app, "#sb-online")


async def test_status_bar_pending_count_follows_a_write(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        before = store.pending_count()
        # the day after the frozen or the real today, whichever is later: the store refuses a
        # date in the past by its own clock, in the policy's timezone (ahead of UTC)
        due = max(FROZEN_NOW.date(), date.today()) + timedelta(days=1)
        store.add_followup(store.all_customer_ids()[0], title="Call back", due=due)
        app.screen.post_message(StoreChanged("followup", sync_soon=False))
        await pilot.pause()
        assert _label(app, "#sb-pending") == f"{before + 1} pending"


async def test_sync_now_without_an_engine_says_how_to_log_in(store):
    app = make_app(store)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await pilot.press("S")
        await pilot.pause()
        assert any("fieldrep login" in note for note in posted.toasts)


async def test_sync_now_runs_the_engine_in_a_worker_thread_and_updates_the_status(store):
    engine = ScriptedEngine(OK)
    app = make_app(store, engine=engine)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _after_start_sync(app, pilot, engine)
        calls = engine.calls
        await pilot.press("S")
        await _settle(app, pilot)
        assert engine.calls == calls + 1
        assert threading.main_thread().name not in engine.threads
        assert app.status.online is True
        assert "online" in _label(app, "#sb-online")
        assert any("Synced" in note for note in posted.toasts)


async def test_failed_sync_is_a_quiet_status_change_and_a_notification_not_a_dialog(store):
    engine = ScriptedEngine(DOWN)
    app = make_app(store, engine=engine)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await pilot.press("S")
        await _settle(app, pilot)
        assert app.status.online is False
        assert "offline" in _label(app, "#sb-online")
        assert any("Offline" in note for note in posted.toasts)
        assert type(app.screen).__name__ == "QueueScreen"
        assert len(app.screen_stack) == 1


async def test_a_crashing_sync_worker_is_handled_in_one_place_and_the_app_keeps_running(store):
    engine = ScriptedEngine(RuntimeError("engine exploded"))
    app = make_app(store, engine=engine)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await pilot.press("S")
        await _settle(app, pilot)
        assert app.status.online is False
        assert app.status.syncing is False
        assert any("engine exploded" in note for note in posted.toasts)
        await pilot.press("2")
        assert app.current_mode == "territory"


async def test_a_burst_of_saves_asks_for_one_background_sync(store):
    engine = ScriptedEngine(OK)
    app = make_app(store, engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await _after_start_sync(app, pilot, engine)
        calls = engine.calls
        for _ in range(3):  # a burst of saves
            app.screen.post_message(StoreChanged("visit", sync_soon=True))
        await pilot.pause(SAVE_SYNC_DELAY_S + 0.3)
        await _settle(app, pilot)
        assert engine.calls == calls + 1


async def test_start_is_cache_first_the_queue_is_painted_before_any_sync(store):
    engine = ScriptedEngine(OK)
    app = make_app(store, engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        assert engine.calls == 0
        assert app.screen.entries  # painted from the local store
        await _after_start_sync(app, pilot, engine)
        assert engine.calls == 1
        assert app.status.online is True


async def test_palette_offers_every_binding_of_the_screen_and_runs_it(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        provider = FieldRepCommands(app.screen)
        hits = [hit async for hit in provider.discover()]
        titles = [hit.text or "" for hit in hits]
        for word in ("Done", "Snooze", "Visit", "Feedback", "Follow-up", "Claim", "Edit",
                     "Territory", "Dashboard", "Help", "Sync now", "Quit"):
            assert any(title.startswith(word) for title in titles), word
        jump = next(hit.command for hit in hits if (hit.text or "").startswith("Territory"))
        await jump()
        await pilot.pause()
        assert app.current_mode == "territory"


async def test_palette_opens_with_ctrl_p_on_every_screen_and_runs_a_command(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        for jump in ("1", "2"):
            await pilot.press(jump, "ctrl+p")
            await pilot.pause(0.3)
            assert type(app.screen).__name__ == "CommandPalette"
            await pilot.press("escape")
        await pilot.press("ctrl+p", *"grouping")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.grouping == "tier"


async def test_chinese_ui_translates_the_status_bar_and_bindings(store):
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE):
        assert "待同步" in _label(app, "#sb-pending")
        descriptions = {b.binding.description for b in app.screen.active_bindings.values()
                        if b.binding.id == "customer.visit"}
        assert descriptions == {"拜访"}


class FakeDemo:
    def __init__(self, other) -> None:
        self.connected = True
        self.other = other
        self.cuts = 0
        self.restores = 0

    def cut_connection(self) -> None:
        self.connected = False
        self.cuts += 1

    def restore_connection(self) -> None:
        self.connected = True
        self.restores += 1

    def switch_view(self):
        return self.other, None, "Zhao Min (manager)"


async def test_demo_keys_cut_and_restore_the_connection(store):
    demo = FakeDemo(None)
    app = make_app(store, demo=demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("N")
        assert demo.cuts == 1 and demo.connected is False
        await pilot.press("N")
        assert demo.restores == 1 and demo.connected is True


async def test_demo_keys_are_absent_without_a_demo(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        ids = {b.binding.id for b in app.screen.active_bindings.values()}
        assert "demo.connection" not in ids
        await pilot.press("M")
        assert app.store is store


async def test_demo_switch_view_swaps_the_store_and_refreshes_the_screens(store, tmp_path):
    from cache import Store

    with Store.open(tmp_path / "manager") as manager_store:
        demo = FakeDemo(manager_store)
        app = make_app(store, demo=demo)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("2", "M")
            await pilot.pause()
            assert app.store is manager_store
            assert app.current_mode == "queue"
            assert app.screen.entries == manager_store.queue(FROZEN_NOW)
            assert "Zhao Min (manager)" in _label(app, "#sb-view")


def test_the_theme_setting_picks_a_textual_theme_and_an_unknown_name_falls_back(store):
    from tui.app import DEFAULT_THEME

    assert make_app(store, theme="nord").theme == "nord"
    assert make_app(store, theme="no-such-theme").theme == DEFAULT_THEME
    assert make_app(store).theme == DEFAULT_THEME


async def test_the_status_bar_dates_an_old_sync_in_the_policy_zone_not_utc(store):
    # 2026-11-20 18:30 UTC is already 2026-11-21 02:30 in Asia/Shanghai (the policy's zone)
    store.record_sync_run({"ok": True, "finished_at": "2026-11-20T18:30:00+00:00", "pushed": 0,
                           "pulled": 0})
    for lang, expected in (("en", "synced 2026-11-21"), ("zh", "2026-11-21 同步")):
        app = make_app(store, lang=lang)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert _label(app, "#sb-last") == expected


async def test_a_change_too_large_for_the_server_is_said_plainly_not_as_offline(store):
    from sync.push_limits import TOO_LARGE

    too_large = {**DOWN, "error": TOO_LARGE.format(max=8000), "too_large": 8000}
    for lang, words in (("en", "larger than the server accepts (8000 bytes)"),
                        ("zh", "超过了服务器接受的大小（8000 字节）")):
        app = make_app(store, lang=lang, engine=ScriptedEngine(too_large))
        posted = Posted()
        async with app.run_test(size=SIZE, message_hook=posted) as pilot:
            await pilot.press("S")
            await _settle(app, pilot)
            assert any(words in note for note in posted.toasts), posted.toasts
            assert not any("Offline" in note or "离线" in note for note in posted.toasts)
            assert app.status.online is True
