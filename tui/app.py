"""The fieldrep App: the shell around the screens.

It owns the store and the sync engine, the jump keys and the status bar, and the one background
sync worker. Start is cache-first: the queue is painted from the local store at once and the
first sync runs afterwards in a thread, so the rep never waits on the network.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from screens.messages import OpenCustomer, StoreChanged, SyncFinished, SyncRequested
from tui.commands import FieldRepCommands
from ui.i18n import _, set_language
from ui.widgets.key_footer import KeyFooter
from ui.widgets.status_bar import StatusBar, SyncState

log = logging.getLogger("fieldrep.tui")

SYNC_EVERY_S = 180.0
"""Background sync period while online."""
SAVE_SYNC_DELAY_S = 0.8
"""A save asks for a sync this much later, so a burst of saves makes one sync."""
PROBE_EVERY_S = 30.0
"""How often an offline App checks whether the server answers again."""
IDLE_PROBE_S = 0.05
IDLE_BEFORE_WARM_UP_S = 0.1
IDLE_CPU_SHARE = 0.1
"""Idle: the process used at most this share of the wall-clock time since the last probe."""
"""The search index is built once the UI has had nothing to do for this long after start."""
STARTED_AT = time.perf_counter()
DEFAULT_THEME = "textual-dark"
"""Any Textual theme works (ctrl+p → theme); FIELDREP_THEME picks one at start."""

MODES: dict[str, tuple[str, str]] = {
    "queue": ("screens.queue", "QueueScreen"),
    "territory": ("screens.territory", "TerritoryScreen"),
    "dashboard": ("screens.dashboard", "DashboardScreen"),
    "sync": ("screens.sync", "SyncScreen"),
}


def translate_bindings(node: Any) -> None:
    """Give ``node``'s bindings their description and tooltip in the current language."""
    if getattr(node, "_fieldrep_translated", False):
        return
    bindings = node._bindings
    for key, items in list(bindings.key_to_bindings.items()):
        bindings.key_to_bindings[key] = [
            dataclasses.replace(b, description=_(b.description), tooltip=_(b.tooltip))
            for b in items
        ]
    node._fieldrep_translated = True


class Unavailable(Screen):
    """Stands in for a screen this build does not have."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static(_("{what} is not available in this build.", what=_(self.what)),
                     classes="unavailable")
        yield KeyFooter()


def _mode_factory(app: App, mode: str) -> Callable[[], Screen]:
    module_name, class_name = MODES[mode]

    def make() -> Screen:
        try:
            screen_class = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as error:
            log.warning("screen %s unavailable: %s", mode, error)
            screen: Screen = Unavailable(mode.capitalize())
        else:
            screen = screen_class()
        # A new screen is styled from the current stylesheet when it mounts. Textual (8.2.8)
        # would otherwise see a screen that never had its CSS refreshed and re-parse every
        # stylesheet and restyle every widget of the App, twice, on the first visit to a mode
        # (~100 ms at start). A theme change later still refreshes it as usual.
        screen._css_update_count = app._css_update_count
        return screen

    return make


class FieldRepApp(App):
    """The rep's workspace."""

    CSS_PATH = [Path(__file__).parent / "styles" / "app.tcss"]
    TITLE = "fieldrep"
    COMMANDS = App.COMMANDS | {FieldRepCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"

    BINDINGS = [
        Binding("1", "jump('queue')", "Queue", id="jump.queue", show=False,
                tooltip="The follow-up queue: what to do today"),
        Binding("2", "jump('territory')", "Territory", id="jump.territory", show=False,
                tooltip="Every customer in your territory, grouped and searchable"),
        Binding("3", "jump('dashboard')", "Dashboard", id="jump.dashboard", show=False,
                tooltip="Goals against actuals for this period"),
        Binding("4", "jump('sync')", "Sync", id="jump.sync", show=False,
                tooltip="Sync state, pending operations, conflicts and rejections"),
        Binding("question_mark", "help", "Help", id="help", key_display="?",
                tooltip="Every key of this screen"),
        Binding("S", "sync_now", "Sync now", id="sync.now",
                tooltip="Push pending work and pull changes now"),
        Binding("escape", "back", "Back", id="back", show=False,
                tooltip="Back to the previous screen"),
        Binding("ctrl+p", "command_palette", "Commands", id="palette", show=False, priority=True,
                tooltip="Every action of this screen, searchable"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True,
                tooltip="Quit fieldrep (pending work stays saved)"),
        Binding("N", "toggle_connection", "Cut/restore network", id="demo.connection",
                tooltip="Demo: cut or restore the link to the server"),
        Binding("M", "switch_view", "Switch rep/manager", id="demo.view",
                tooltip="Demo: switch between the rep's and the manager's view"),
    ]

    status_version: reactive[int] = reactive(0, init=False)

    def __init__(
        self,
        store: Any,
        engine: Any = None,
        *,
        lang: str = "en",
        clock: Callable[[], datetime] | None = None,
        demo: Any = None,
    ) -> None:
        set_language(lang)
        super().__init__()
        translate_bindings(self)
        self.store = store
        self.engine = engine
        self.lang = lang
        self.demo = demo
        self._clock = clock
        self.data_version = 0
        """Bumped after every write and every sync that changed data; screens compare."""
        self.status = SyncState()
        self.started_ms: float | None = None
        self._sync_again = False
        self._manual_sync = False
        self._save_sync: Any = None
        for mode in MODES:
            self.add_mode(mode, _mode_factory(self, mode))
        wanted = os.environ.get("FIELDREP_THEME", DEFAULT_THEME)
        self.theme = wanted if wanted in self.available_themes else DEFAULT_THEME

    # ------------------------------------------------------------------ clock

    def now(self) -> datetime:
        """The current time, aware UTC (tests freeze it)."""
        if self._clock is not None:
            moment = self._clock()
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return datetime.now(UTC)

    # ------------------------------------------------------------------ start

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._on_screen_change)
        self._refresh_status_from_store()
        self.switch_mode("queue")
        for notice in getattr(self.store, "notices", None) or []:
            self.notify(str(notice), severity="warning", timeout=15)
        self.call_after_refresh(self._first_frame)
        self.set_interval(30, self._tick_clock)

    def _first_frame(self) -> None:
        elapsed = (time.perf_counter() - STARTED_AT) * 1000
        self.started_ms = elapsed
        log.info("started in %d ms", elapsed)
        self.log.info(f"started in {elapsed:.0f} ms")
        self._warm_up_when_idle()
        if self.engine is not None:
            self.set_timer(0.5, lambda: self.start_sync("start"))
            self.set_interval(PROBE_EVERY_S, self._tick)

    def _warm_up_when_idle(self) -> None:
        """Build the search index in a thread once the App has been idle for IDLE_BEFORE_WARM_UP_S.

        The build takes the CPU for a few hundred milliseconds at 50,000 customers, much of it
        in long C calls that keep the GIL; started while the rep is opening the territory it
        would hold that screen up. Idle is measured as Textual's own ``wait_for_idle`` does: the
        process used almost no CPU time over the last probe (a screen being mounted has gaps
        between frames, so a timer firing on time alone says nothing).
        """
        if getattr(self.store, "warm_up", None) is None:
            return
        state = {"wall": time.perf_counter(), "cpu": time.process_time(), "idle": 0.0}

        def probe() -> None:
            wall, cpu = time.perf_counter(), time.process_time()
            elapsed = wall - state["wall"]
            busy = (cpu - state["cpu"]) > IDLE_CPU_SHARE * elapsed
            state.update(wall=wall, cpu=cpu)
            state["idle"] = 0.0 if busy else state["idle"] + elapsed
            if state["idle"] >= IDLE_BEFORE_WARM_UP_S:
                timer.stop()
                self.run_worker(self.store.warm_up, thread=True, group="warm-up",
                                exit_on_error=False)

        timer = self.set_interval(IDLE_PROBE_S, probe, name="warm-up probe")

    def _tick_clock(self) -> None:
        """Keep "synced N min ago" true as time passes."""
        self.status_version += 1

    def _tick(self) -> None:
        """Every PROBE_EVERY_S: probe when offline, sync every SYNC_EVERY_S when online."""
        last = self.status.last_sync
        if self.status.online is False:
            self.start_sync("probe")
        elif last is None or (self.now() - last).total_seconds() >= SYNC_EVERY_S:
            self.start_sync("periodic")

    def _on_screen_change(self, screen: Screen) -> None:
        for node in screen.walk_children(with_self=True):
            translate_bindings(node)
        if isinstance(screen, ModalScreen):
            return
        if not screen.query(StatusBar):
            screen.mount(StatusBar(), before=0 if screen.children else None)
        self.status_version += 1
        refresh = getattr(screen, "refresh_from_store", None)
        if refresh is not None and getattr(screen, "data_version", None) != self.data_version:
            refresh()

    # ------------------------------------------------------------------ navigation

    def action_jump(self, mode: str) -> None:
        if self.current_mode == mode and len(self.screen_stack) > 1:
            while len(self.screen_stack) > 1:
                self.pop_screen()
            return
        self.switch_mode(mode)

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()
        elif self.current_mode != "queue":
            self.switch_mode("queue")

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    @on(OpenCustomer)
    def open_customer(self, message: OpenCustomer) -> None:
        from screens.customer import CustomerScreen

        if self.store.customer(message.customer_id) is None:
            self.notify(_("That customer is no longer in your territory"), severity="warning")
            return
        self.push_screen(CustomerScreen(message.customer_id))

    # ------------------------------------------------------------------ dimmed actions

    def unavailable_reason(self, action: str) -> str | None:
        if action == "sync_now":
            if self.engine is None:
                return _("Not logged in: run `fieldrep login` to sync")
            if self.status.syncing:
                return _("A sync is already running")
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_connection", "switch_view"):
            return self.demo is not None
        if action == "back":
            return len(self.screen_stack) > 1 or self.current_mode != "queue"
        return None if self.unavailable_reason(action) else True

    async def run_action(self, action: Any, default_namespace: Any = None,
                         namespaces: Any = None) -> bool:
        """Run ``action``; when it is dimmed, say why instead of doing nothing."""
        if await super().run_action(action, default_namespace, namespaces):
            return True
        try:
            target, name, params = self._parse_action(
                action, self if default_namespace is None else default_namespace, namespaces
            )
        except Exception:  # an unparsable action is simply not ours
            return False
        if target.check_action(name, params) is None:
            reason_of = getattr(target, "unavailable_reason", None)
            reason = reason_of(name) if reason_of else None
            if reason:
                self.notify(reason, severity="warning", timeout=4)
                return True
        return False

    # ------------------------------------------------------------------ store changes

    @on(StoreChanged)
    def store_changed(self, message: StoreChanged) -> None:
        self.data_changed()
        if message.sync_soon and self.engine is not None and self._save_sync is None:
            self._save_sync = self.set_timer(SAVE_SYNC_DELAY_S, self._sync_after_save)

    def _sync_after_save(self) -> None:
        self._save_sync = None
        self.start_sync("save")

    def data_changed(self) -> None:
        """The store changed: refresh the status bar and the screen on show."""
        self.data_version += 1
        self._refresh_status_from_store()
        for screen in self.screen_stack:
            refresh = getattr(screen, "refresh_from_store", None)
            if refresh is not None and screen is self.screen:
                refresh()

    def _refresh_status_from_store(self) -> None:
        store = self.store
        state = self.status
        try:
            state.pending = store.pending_count()
            state.last_sync = _aware(store.last_sync_at)
            state.conflicts = len(store.conflicts())
            state.rejections = len(store.rejections())
        except Exception as error:  # the bar must never take the App down
            log.warning("status from store failed: %s", error)
        state.logged_in = self.engine is not None
        self.status_version += 1

    # ------------------------------------------------------------------ sync

    @on(SyncRequested)
    def sync_requested(self) -> None:
        self.action_sync_now()

    def action_sync_now(self) -> None:
        reason = self.unavailable_reason("sync_now")
        if reason and self.engine is None:
            self.notify(reason, severity="warning")
            return
        self._manual_sync = True
        self.start_sync("manual")

    def start_sync(self, why: str) -> None:
        """Start a background sync, or ask for another one after the running one."""
        if self.engine is None:
            return
        if self.status.syncing:
            self._sync_again = True
            return
        self.status.syncing = True
        self.status_version += 1
        self._sync_worker(why)

    @work(exclusive=True, group="sync", thread=True, exit_on_error=False)
    def _sync_worker(self, why: str) -> None:
        engine = self.engine
        if why == "probe" and not engine.check_online():
            self.post_message(SyncFinished(report={"ok": False, "error": None, "probe": True}))
            return
        report = _as_dict(engine.sync())
        report["why"] = why
        self.post_message(SyncFinished(report=report))

    @on(SyncFinished)
    def sync_finished(self, message: SyncFinished) -> None:
        report = message.report
        state = self.status
        state.syncing = False
        was_online = state.online
        manual, self._manual_sync = self._manual_sync, False
        if report.get("ok"):
            state.online = True
            state.last_error = None
            changed = any(report.get(k) for k in ("pulled", "applied", "pushed", "conflicts",
                                                   "rejected"))
            if changed:
                self.data_changed()
            else:
                self._refresh_status_from_store()
            if manual:
                self.notify(_("Synced: {pushed} sent, {pulled} received",
                              pushed=report.get("pushed", 0), pulled=report.get("pulled", 0)))
            if report.get("conflicts") or report.get("rejected"):
                self.notify(_("Sync needs you: see conflicts and rejections (4)"),
                            severity="warning", timeout=8)
        else:
            state.online = False
            state.last_error = report.get("error")
            self._refresh_status_from_store()
            if not report.get("probe") and (manual or was_online is not False):
                self.notify(
                    _("Offline: {error}. Your work is saved and will sync later.",
                      error=report.get("error") or _("the server did not answer")),
                    severity="warning", timeout=6,
                )
        self.status_version += 1
        if self._sync_again:
            self._sync_again = False
            self.start_sync("again")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker is handled: a quiet status change and a notification."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        log.error("worker %s failed: %r", event.worker.name, error)
        if event.worker.group == "sync":
            self.post_message(SyncFinished(report={"ok": False, "error": str(error)}))
        else:
            self.notify(_("Something went wrong: {error}", error=str(error)), severity="error")

    # ------------------------------------------------------------------ demo

    def action_toggle_connection(self) -> None:
        if self.demo is None:
            return
        if self.demo.connected:
            self.demo.cut_connection()
            self.notify(_("Network cut: you are offline. Keep working; it will sync later."))
        else:
            self.demo.restore_connection()
            self.notify(_("Network restored"))
            self.start_sync("restored")

    async def action_switch_view(self) -> None:
        if self.demo is None:
            return
        store, engine, label = self.demo.switch_view()
        self.store, self.engine = store, engine
        self.status = SyncState(view_label=label)
        await self.switch_mode("queue")
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        for mode in MODES:
            if mode != "queue":
                await self.remove_mode(mode)
                self.add_mode(mode, _mode_factory(self, mode))
        self.data_changed()
        self.notify(_("Now viewing as {label}", label=label))
        self.start_sync("switch")


def _aware(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _as_dict(report: Any) -> dict:
    if isinstance(report, dict):
        return dict(report)
    if dataclasses.is_dataclass(report):
        return dataclasses.asdict(report)
    dump = getattr(report, "model_dump", None)
    if dump is not None:
        return dump(mode="json")
    return dict(vars(report))


def run_app(store: Any, engine: Any, lang: str, demo: Any = None) -> int:
    """Run the TUI until the rep quits; the exit code."""
    app = FieldRepApp(store, engine, lang=lang, demo=demo)
    app.run()
    return app.return_code or 0
