"""The App's connection and login: the health check, the signed-out state, logging in again.

``SignInActions`` is mixed into the App (as ``DemoActions`` is). ``check_connection`` asks the
server's health in a worker and shows the answer at once. ``L`` (``action_login``, shown while
the server turns the login down, and on a laptop never logged in) opens the login modal
(``screens.login``) and logs in the way ``fieldrep login`` does (``sync.engine.login``), keeping
the pending work, then syncs; a laptop that had no login gets its sync engine then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from textual import work

from ui.i18n import _
from ui.widgets.status_bar import SyncState

log = logging.getLogger("fieldrep.tui")


class SignInActions:
    """For an App with ``store``, ``engine`` (a ``SyncEngine`` or None), ``status``,
    ``status_version``, ``start_sync``, ``_start_ticking`` and ``_refresh_status_from_store``;
    the App's ``check_action`` shows ``L`` while signed out or not logged in at all."""

    store: Any
    engine: Any
    engine_factory: Callable[[Any], Any]
    """Makes the sync engine of a laptop logged in from the TUI (``SyncEngine``)."""
    status: SyncState
    status_version: int
    _new_engine: Any = None

    def _engine_signed_out(self) -> bool:
        try:
            if self.engine is None:
                return False
            return bool(getattr(self.engine, "signed_out", self.status.signed_out))
        except Exception as error:  # the bar must never take the App down
            log.warning("signed-out state unknown: %s", error)
            return False

    # ------------------------------------------------------------------ the connection

    def check_connection(self) -> None:
        """Ask the server's health now, in a worker: the bar shows the answer at once (the demo's
        cut network, the 30 s probe while offline), and a server that answers again gets a sync."""
        if self.engine is not None:
            self._probe_worker(self.engine)

    @work(exclusive=True, group="probe", thread=True, exit_on_error=False)
    def _probe_worker(self, engine: Any) -> None:
        online = bool(engine.check_online())
        self.call_from_thread(self._connection_checked, engine, online)

    def _connection_checked(self, engine: Any, online: bool) -> None:
        if engine is not self.engine:
            return  # the demo switched laptops meanwhile
        was_online, self.status.online = self.status.online, online
        self.status_version += 1
        if online and was_online is False:
            self.start_sync("probe")

    # ------------------------------------------------------------------ logging in again

    def action_login(self) -> None:
        from screens.login import LoginScreen

        if isinstance(self.screen, LoginScreen):
            return
        server = (self.store.session or {}).get("server") or ""
        self.push_screen(LoginScreen(server, self._log_in, first=self.engine is None),
                         self._logged_in)

    def _log_in(self, server: str, token: str) -> None:
        """The login the CLI does (``sync.engine.login``), from the modal's worker thread;
        raises SyncError with the reason. Pending work is kept (login never drops it). A laptop
        with no engine yet (never logged in) gets one, taken up once the modal closes."""
        engine = self.engine if self.engine is not None else self.engine_factory(self.store)
        engine.log_in(server, token)
        self._new_engine = engine

    def _logged_in(self, done: bool | None) -> None:
        if not done:
            return
        if self.engine is None and self._new_engine is not None:
            self.engine, self._new_engine = self._new_engine, None
            self._start_ticking()
        self.status.signed_out = False
        self.status.online = True
        self._refresh_status_from_store()
        self.notify(_("Logged in: your pending work syncs now"))
        self._manual_sync = True
        self.start_sync("login")
