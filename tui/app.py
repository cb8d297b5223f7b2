"""The fieldrep App: the shell around the screens.

It owns the store and the sync engine, the jump keys and the status bar, and the one background
sync worker. Start is cache-first: the queue is painted from the local store at once and the
first sync runs afterwards in a thread, so the rep never waits on the network. Slightly over 500
lines: the sync worker's report handling (each outcome said once) belongs with the shell that
owns the status; signing in is in ``signin.py``, the demo's keys in ``demo_actions.py``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from screens.messages import OpenCustomer, StoreChanged, SyncFinished, SyncRequested
from screens.pool_news import pool_news_toast
from sync.protocol.rules import as_datetime
from tui.commands import FieldRepCommands
from tui.demo_actions import DEMO_BINDINGS, DemoActions
from tui.signin import SignInActions
from ui.i18n import _, notice_text, set_language
from ui.textual_private import (
    adopt_app_styles,
    bound_action,
    parse_action,
    run_bindings,
    translate_keys,
)
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
"""Any Textual theme works (ctrl+p → theme); FIELDREP_THEME picks one at start (an unknown
name: this one)."""


# Each mode's screen is imported when the mode is first shown, so the first frame pays only for
# the queue's imports.

def _queue_screen() -> Screen:
    from screens.queue import QueueScreen

    return QueueScreen()


def _territory_screen() -> Screen:
    from screens.territory import TerritoryScreen

    return TerritoryScreen()


def _dashboard_screen() -> Screen:
    from screens.dashboard import DashboardScreen

    return DashboardScreen()


def _sync_screen() -> Screen:
    from screens.sync import SyncScreen

    return SyncScreen()


def _complaints_screen() -> Screen:
    from screens.complaints_board import ComplaintsBoard

    return ComplaintsBoard()


def _pool_screen() -> Screen:
    from screens.pool import PoolScreen

    return PoolScreen()


def _team_screen() -> Screen:
    from screens.team import TeamScreen

    return TeamScreen()


def _suggestions_screen() -> Screen:
    from screens.suggestions import SuggestionsScreen

    return SuggestionsScreen()


MODES: dict[str, Callable[[], Screen]] = {
    "queue": _queue_screen,
    "territory": _territory_screen,
    "dashboard": _dashboard_screen,
    "sync": _sync_screen,
    "complaints": _complaints_screen,
    "team": _team_screen,
    "pool": _pool_screen,
    "suggestions": _suggestions_screen,
}
OPENING_ACTIONS = frozenset({
    "jump", "manager_jump", "help", "login", "open", "open_rep", "open_conflict", "visit",
    "feedback", "new_followup", "edit", "claim", "return_customer", "transfer", "resolve",
    "respond", "assign", "strategy", "set_goals", "snooze", "dismiss_followup", "focus_filter",
    "focus_tree", "plan", "bulletins", "leaderboard",
})
"""Actions that open a screen (or a picker, a form) or move the focus: the keys typed after one
wait until it has taken effect (the App's type-ahead)."""
HOLD_CHECK_S = 0.005
HOLD_UNCHANGED_S = 0.1
"""How long keys wait behind an opening key that changed nothing (a dimmed key, a refusal)."""
HOLD_LIMIT_S = 1.0
"""The longest keys wait for a new screen to be ready."""
MANAGING_ROLES = ("manager", "admin")
"""Who has the manager's screens (``manager_jump``): a rep sees their keys dimmed, with why."""


def _mode_factory(app: App, mode: str) -> Callable[[], Screen]:
    def make() -> Screen:
        screen = MODES[mode]()
        adopt_app_styles(screen, app)  # no restyle of the whole App on a mode's first visit
        return screen

    return make


class FieldRepApp(SignInActions, DemoActions, App):
    """The rep's workspace."""

    CSS_PATH = [Path(__file__).parent / "styles" / "app.tcss",
                Path(__file__).parent / "styles" / "login.tcss",
                Path(__file__).parent / "styles" / "conflict.tcss"]
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
        Binding("5", "manager_jump('team')", "Team", id="jump.team", show=False,
                tooltip="Each rep's figures for the period against their goals"),
        Binding("6", "manager_jump('pool')", "Pool", id="jump.pool", show=False,
                tooltip="The pool of your scope: why each is there; assign, or share out"),
        Binding("7", "manager_jump('complaints')", "Complaints", id="jump.complaints",
                show=False, tooltip="The team's open complaints, oldest first, with the SLA"),
        Binding("8", "manager_jump('suggestions')", "Suggestions", id="jump.suggestions",
                show=False, tooltip="Customers whose order history suggests another tier or "
                                    "stage; accept one or all"),
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
        Binding("L", "login", "Log in", id="login",
                tooltip="Log in with the server's address and your token; pending work stays "
                        "on this laptop"),
        *DEMO_BINDINGS,
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
        theme: str | None = None,
        engine_factory: Callable[[Any], Any] | None = None,
    ) -> None:
        set_language(lang)
        super().__init__()
        translate_keys(self, _)
        self.store = store
        self.engine = engine
        self.engine_factory = engine_factory or _sync_engine
        """Makes the engine when a laptop never logged in logs in with L."""
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
        self._ticking: Any = None
        self._held_keys: list[events.Key] | None = None
        """Keys typed after a screen-opening key, waiting for it to take effect (type-ahead)."""
        self._hold: tuple[Screen, Any, float] | None = None
        self._hold_timer: Any = None
        for mode in MODES:
            self.add_mode(mode, _mode_factory(self, mode))
        wanted = theme or DEFAULT_THEME
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
        self._quit_on_hang_up()
        self.screen_change_signal.subscribe(self, self._on_screen_change)
        self._refresh_status_from_store()
        self.switch_mode("team" if self.managing() else "queue")  # a manager's home: Team
        for notice in getattr(self.store, "notices", None) or []:
            self.notify(notice_text(notice), severity="warning", timeout=15)
        self.call_after_refresh(self._first_frame)
        self.set_interval(30, self._tick_clock)

    def _quit_on_hang_up(self) -> None:
        """A closed terminal (SIGHUP) quits the way ctrl+q does, so whoever started the App (the
        demo) cleans up after it; by default the process would just die."""
        try:
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: self.exit(return_code=128 + signal.SIGHUP))
        except (NotImplementedError, RuntimeError, AttributeError, ValueError):
            pass  # no SIGHUP here (Windows), or not the main thread

    def _first_frame(self) -> None:
        elapsed = (time.perf_counter() - STARTED_AT) * 1000
        self.started_ms = elapsed
        log.info("started in %d ms", elapsed)
        self.log.info(f"started in {elapsed:.0f} ms")
        self._warm_up_when_idle()
        if self.engine is not None:
            self.set_timer(0.5, lambda: self.start_sync("start"))
            self._start_ticking()

    def _start_ticking(self) -> None:
        if self._ticking is None:
            self._ticking = self.set_interval(PROBE_EVERY_S, self._tick)

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
        if self.status.signed_out:
            return  # every sync would be turned down: the rep logs in again first (L)
        if self.status.online is False:
            self.check_connection()
        elif last is None or (self.now() - last).total_seconds() >= SYNC_EVERY_S:
            self.start_sync("periodic")

    def _on_screen_change(self, screen: Screen) -> None:
        if screen is not self.screen or not screen.is_attached:
            # the signal is delivered later than it is published: a screen shown and popped in
            # one go (the demo's switch of laptop) is gone by now, its widgets removed
            return
        for node in screen.walk_children(with_self=True):
            translate_keys(node, _)
        if isinstance(screen, ModalScreen):
            return
        if not screen.query(StatusBar):
            screen.mount(StatusBar(), before=0 if screen.children else None)
        self.status_version += 1
        refresh = getattr(screen, "refresh_from_store", None)
        if refresh is not None and getattr(screen, "data_version", None) != self.data_version:
            refresh()

    def get_system_commands(self, screen: Screen) -> Any:
        """Textual's own palette entries, in the rep's language (see ``tui/commands.py``)."""
        from tui.commands import system_commands

        return system_commands(self, screen)

    # ------------------------------------------------------------------ type-ahead

    async def on_event(self, event: events.Event) -> None:
        """Type-ahead: Textual routes each key to the focused widget as it arrives and runs a
        screen's binding only when the key bubbles back up, after the keys typed behind it were
        already routed to the old screen (``v`` then the notes; ``2 / zg``; a paste). A key
        whose binding opens a screen or moves the focus is run at once here, and the keys
        behind it wait until the new screen is mounted and focused, then go to it in order."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._held_keys is not None:
                self._held_keys.append(event)
                return
            if (not isinstance(self.screen, ModalScreen)
                    and bound_action(self.screen, event.key) in OPENING_ACTIONS):
                self._hold = (self.screen, self.focused, time.monotonic())
                self._held_keys = []
                self._hold_timer = self.set_interval(HOLD_CHECK_S, self._check_hold)
                if await run_bindings(self, event.key):
                    return
                self._release_keys()
        await super().on_event(event)

    def _check_hold(self) -> None:
        if self._hold is None:
            return
        screen, focused, since = self._hold
        waited = time.monotonic() - since
        current = self.screen
        if current is not screen:
            if current.is_mounted or waited > HOLD_LIMIT_S:
                self._hold = None
                current.call_after_refresh(self._release_keys)
        elif self.focused is not focused or waited > HOLD_UNCHANGED_S:
            self._hold = None
            self.call_after_refresh(self._release_keys)

    def _release_keys(self) -> None:
        """Hand the keys that waited to the screen now shown, in the order they were typed."""
        held, self._held_keys, self._hold = self._held_keys or [], None, None
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        for key in held:
            self.post_message(events.Key(key.key, key.character))

    # ------------------------------------------------------------------ navigation

    def action_jump(self, mode: str) -> None:
        if self.current_mode == mode and len(self.screen_stack) > 1:
            while len(self.screen_stack) > 1:
                self.pop_screen()
            return
        self.switch_mode(mode)

    def action_manager_jump(self, mode: str) -> None:
        """A manager's screen (dimmed for a rep: ``unavailable_reason``)."""
        self.action_jump(mode)

    def managing(self) -> bool:
        """Is the one logged in a manager or an admin (the manager's screens are theirs)?"""
        try:
            me = self.store.me or {}
        except Exception:  # no store yet
            return False
        return me.get("role") in MANAGING_ROLES

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
        if action == "manager_jump" and not self.managing():
            return _("Only a manager or an admin has this screen; you are logged in as a rep")
        if action == "sync_now":
            if self.engine is None:
                return _("Not logged in: press L to log in (or run `fieldrep login`)")
            if self.status.syncing:
                return _("A sync is already running")
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        demo = self.demo_check_action(action)
        if demo is not None:
            return demo
        if action == "back":
            return len(self.screen_stack) > 1 or self.current_mode != "queue"
        if action == "login":  # shown while signed out or never logged in: the one way on
            return self.status.signed_out or self.engine is None
        return None if self.unavailable_reason(action) else True

    async def run_action(self, action: Any, default_namespace: Any = None,
                         namespaces: Any = None) -> bool:
        """Run ``action``; when it is dimmed, say why instead of doing nothing."""
        if await super().run_action(action, default_namespace, namespaces):
            return True
        try:
            target, name, params = parse_action(
                self, action, self if default_namespace is None else default_namespace, namespaces
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
            state.last_sync = as_datetime(store.last_sync_at)
            state.conflicts = len(store.conflicts())
            state.rejections = len(store.rejections())
            state.policy = store.policy
        except Exception as error:  # the bar must never take the App down
            log.warning("status from store failed: %s", error)
        state.logged_in = self.engine is not None
        state.signed_out = self._engine_signed_out()
        self.status_version += 1

    # ------------------------------------------------------------------ sync

    @on(SyncRequested)
    def sync_requested(self) -> None:
        self.action_sync_now()

    def action_sync_now(self) -> None:
        if self.engine is not None and self.status.signed_out:
            self.action_login()  # the one way a sync can work again
            return
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
        report = _as_dict(self.engine.sync())
        report["why"] = why
        self.post_message(SyncFinished(report=report))

    @on(SyncFinished)
    def sync_finished(self, message: SyncFinished) -> None:
        report = message.report
        state = self.status
        state.syncing = False
        was_online = state.online
        manual, self._manual_sync = self._manual_sync, False
        was_signed_out = state.signed_out
        if report.get("signed_out"):
            state.signed_out = True
            state.online = True  # the server answered; it turned the login down
            state.last_error = None
            self._refresh_status_from_store()
            if manual or not was_signed_out:  # said once, not at every periodic try
                self.notify(_("signed out: log in again") + " " + _(
                    "(press L). Your pending work stays on this laptop."),
                    severity="warning", timeout=10)
        elif report.get("ok"):
            state.online = True
            state.signed_out = False
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
            if news := pool_news_toast(report.get("pool_returns") or []):
                self.notify(news, severity="warning", timeout=10)  # also a queue entry each
        elif report.get("too_large"):  # the server answered: one change is over its limit
            from sync.push_limits import TOO_LARGE

            state.online = True
            state.last_error = report.get("error")
            self._refresh_status_from_store()
            self.notify(_(TOO_LARGE, max=report["too_large"]), severity="error", timeout=15)
        else:
            state.online = False
            state.last_error = report.get("error")
            self._refresh_status_from_store()
            if manual or was_online is not False:
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

    async def reset_modes(self) -> None:
        """Back to the queue, with every other mode's screen made again on its next visit (the
        demo's switch between the rep's and the manager's laptop)."""
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.switch_mode("queue")
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        for mode in MODES:
            if mode != "queue":
                await self.remove_mode(mode)
                self.add_mode(mode, _mode_factory(self, mode))


def _sync_engine(store: Any) -> Any:
    from sync.engine import SyncEngine

    return SyncEngine(store)


def _as_dict(report: Any) -> dict:
    if isinstance(report, dict):
        return dict(report)
    if dataclasses.is_dataclass(report):
        return dataclasses.asdict(report)
    dump = getattr(report, "model_dump", None)
    if dump is not None:
        return dump(mode="json")
    return dict(vars(report))


def run_app(store: Any, engine: Any, lang: str, demo: Any = None,
            theme: str | None = None) -> int:
    """Run the TUI until the rep quits; the exit code."""
    app = FieldRepApp(store, engine, lang=lang, demo=demo, theme=theme)
    app.run()
    return app.return_code or 0
