"""The status bar every screen shows at the top: where you are, and the state of sync.

It reads ``app.status`` (a ``SyncState``) and redraws whenever the App bumps ``status_version``;
it never talks to the store or the network itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from ui.i18n import _

JUMPS = (("queue", "1", "Queue"), ("territory", "2", "Territory"),
         ("dashboard", "3", "Dashboard"), ("sync", "4", "Sync"))


@dataclass
class SyncState:
    """What the status bar shows about sync; owned and updated by the App."""

    online: bool | None = None  # None: not known yet
    syncing: bool = False
    pending: int = 0
    last_sync: datetime | None = None
    last_error: str | None = None
    conflicts: int = 0
    rejections: int = 0
    logged_in: bool = True
    signed_out: bool = False  # the server turned the login down: log in again (the engine's word)
    view_label: str = ""


def describe_last_sync(last: datetime | None, now: datetime) -> str:
    if last is None:
        return _("never synced")
    seconds = max(0, int((now - last).total_seconds()))
    if seconds < 60:
        return _("synced just now")
    if seconds < 3600:
        return _("synced {n} min ago", n=seconds // 60)
    if seconds < 86400:
        return _("synced {n} h ago", n=seconds // 3600)
    return _("synced {date}", date=last.date().isoformat())


class StatusBar(Horizontal):
    """Jump tabs on the left; online/offline, pending count and last sync on the right."""

    def compose(self) -> ComposeResult:
        for mode, key, label in JUMPS:
            yield Label(f" {key} {_(label)} ", id=f"tab-{mode}", classes="tab")
        yield Label("", id="sb-view")
        yield Label("", id="sb-spacer")
        yield Label("", id="sb-attention")
        yield Label("", id="sb-pending")
        yield Label("", id="sb-last")
        yield Label("", id="sb-online")

    def on_mount(self) -> None:
        self.watch(self.app, "status_version", self._redraw, init=True)

    def _redraw(self, _version: int = 0) -> None:
        app = self.app
        state: SyncState = getattr(app, "status", SyncState())
        mode = getattr(app, "current_mode", "")
        for tab_mode, _key, _label in JUMPS:
            self.query_one(f"#tab-{tab_mode}", Label).set_class(tab_mode == mode, "-active")
        self.query_one("#sb-view", Label).update(state.view_label)

        online = self.query_one("#sb-online", Label)
        online.remove_class("-online", "-offline", "-syncing", "-unknown")
        if not state.logged_in:
            online.update(_("● not logged in"))
            online.add_class("-offline")
        elif state.signed_out:
            online.update("● " + _("signed out: log in again"))
            online.add_class("-offline")
        elif state.syncing:
            online.update(_("⟳ syncing…"))
            online.add_class("-syncing")
        elif state.online is None:
            online.update(_("○ connecting…"))
            online.add_class("-unknown")
        elif state.online:
            online.update(_("● online"))
            online.add_class("-online")
        else:
            online.update(_("● offline"))
            online.add_class("-offline")

        pending = self.query_one("#sb-pending", Label)
        pending.update(_("{n} pending", n=state.pending))
        pending.set_class(state.pending > 0, "-pending")

        now = app.now() if hasattr(app, "now") else datetime.now().astimezone()
        self.query_one("#sb-last", Label).update(describe_last_sync(state.last_sync, now))

        attention = []
        if state.conflicts:
            attention.append(_("{n} conflicts", n=state.conflicts))
        if state.rejections:
            attention.append(_("{n} rejected", n=state.rejections))
        self.query_one("#sb-attention", Label).update(" · ".join(attention))
