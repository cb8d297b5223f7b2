"""The status bar every screen shows at the top: where you are, and the state of sync.

It reads ``app.status`` (a ``SyncState``) and redraws whenever the App bumps ``status_version``;
it never talks to the store or the network itself. On a narrow terminal it fits itself to one
line, giving up the least useful words first: the other tabs' names (their keys stay), then the
time of the last sync, then the view's name; the sync state (online, pending, conflicts) stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from ui.i18n import _, _n
from ui.times import day_text

JUMPS = (("queue", "1", "Queue"), ("territory", "2", "Territory"),
         ("dashboard", "3", "Dashboard"), ("sync", "4", "Sync"))
MANAGER_JUMPS = (("team", "5", "Team"), ("pool", "6", "Pool"), ("complaints", "7", "Complaints"))
"""The manager's screens: their tabs are shown to a manager or an admin only (8, the tier
suggestions, has a key and no tab: eight named tabs do not fit 120 columns beside the sync
state)."""


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
    policy: Any = None  # the store's Policy: the zone a date is written in (ui.times)


def describe_last_sync(last: datetime | None, now: datetime, policy: Any = None) -> str:
    """"synced 5 min ago"; past a day, the date in the policy's zone, as every time a person
    reads (``ui.times``)."""
    if last is None:
        return _("never synced")
    seconds = max(0, int((now - last).total_seconds()))
    if seconds < 60:
        return _("synced just now")
    if seconds < 3600:
        return _("synced {n} min ago", n=seconds // 60)
    if seconds < 86400:
        return _("synced {n} h ago", n=seconds // 3600)
    return _("synced {date}", date=day_text(last, policy))


class StatusBar(Horizontal):
    """Jump tabs on the left; online/offline, pending count and last sync on the right."""

    def compose(self) -> ComposeResult:
        for mode, key, label in JUMPS + MANAGER_JUMPS:
            yield Label(f" {key} {_(label)} ", id=f"tab-{mode}", classes="tab")
        yield Label("", id="sb-view")
        yield Label("", id="sb-spacer")
        yield Label("", id="sb-attention")
        yield Label("", id="sb-pending")
        yield Label("", id="sb-last")
        yield Label("", id="sb-online")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._texts: dict[str, str] = {}
        """What each label says in full, for fitting the bar to its width."""

    def on_mount(self) -> None:
        self.watch(self.app, "status_version", self._redraw, init=True)

    def on_resize(self, _event: events.Resize) -> None:
        self._fit()

    def _say(self, label_id: str, text: str) -> Label:
        self._texts[label_id] = text
        label = self.query_one(f"#{label_id}", Label)
        label.update(text)
        return label

    def _jumps(self) -> tuple[tuple[str, str, str], ...]:
        """The tabs of the one logged in: a manager's screens for a manager or an admin."""
        managing = getattr(self.app, "managing", None)
        return JUMPS + MANAGER_JUMPS if callable(managing) and managing() else JUMPS

    def _fit(self) -> None:
        """Fit the bar to one line of its width (see the module's docstring)."""
        width = self.size.width
        if not width:
            return
        mode = getattr(self.app, "current_mode", "")
        jumps = self._jumps()
        for tab_mode, _key, _label in MANAGER_JUMPS:
            self.query_one(f"#tab-{tab_mode}", Label).display = (tab_mode, _key, _label) in jumps
        tabs = {tab_mode: (f" {key} {_(label)} ", f" {key} ") for tab_mode, key, label in jumps}
        right = sum(cell_len(text) + 2 for name, text in self._texts.items()
                    if text and name not in ("sb-last", "sb-view"))
        last = cell_len(self._texts.get("sb-last", "")) + 2
        view = cell_len(self._texts.get("sb-view", "")) + 2 if self._texts.get("sb-view") else 0
        full = sum(cell_len(long) for long, _short in tabs.values())
        short = sum(cell_len(long if tab_mode == mode else brief)
                    for tab_mode, (long, brief) in tabs.items())
        compact = full + right + last + view > width
        tabs_width = short if compact else full
        show_last = tabs_width + right + last + view <= width
        show_view = tabs_width + right + (last if show_last else 0) + view <= width
        for tab_mode, (long, brief) in tabs.items():
            self.query_one(f"#tab-{tab_mode}", Label).update(
                brief if compact and tab_mode != mode else long)
        self.query_one("#sb-last", Label).display = show_last
        self.query_one("#sb-view", Label).display = show_view

    def _redraw(self, _version: int = 0) -> None:
        app = self.app
        state: SyncState = getattr(app, "status", SyncState())
        mode = getattr(app, "current_mode", "")
        for tab_mode, _key, _label in JUMPS + MANAGER_JUMPS:
            self.query_one(f"#tab-{tab_mode}", Label).set_class(tab_mode == mode, "-active")
        self._say("sb-view", state.view_label)

        online = self.query_one("#sb-online", Label)
        online.remove_class("-online", "-offline", "-syncing", "-unknown")
        if not state.logged_in:
            self._say("sb-online", _("● not logged in"))
            online.add_class("-offline")
        elif state.signed_out:
            self._say("sb-online", "● " + _("signed out: log in again"))
            online.add_class("-offline")
        elif state.syncing:
            self._say("sb-online", _("⟳ syncing…"))
            online.add_class("-syncing")
        elif state.online is None:
            self._say("sb-online", _("○ connecting…"))
            online.add_class("-unknown")
        elif state.online:
            self._say("sb-online", _("● online"))
            online.add_class("-online")
        else:
            self._say("sb-online", _("● offline"))
            online.add_class("-offline")

        pending = self._say("sb-pending", _("{n} pending", n=state.pending))
        pending.set_class(state.pending > 0, "-pending")

        now = app.now() if hasattr(app, "now") else datetime.now().astimezone()
        self._say("sb-last", describe_last_sync(state.last_sync, now, state.policy))

        attention = []
        if state.conflicts:
            attention.append(_n("{n} conflict", "{n} conflicts", state.conflicts))
        if state.rejections:
            attention.append(_("{n} rejected", n=state.rejections))
        self._say("sb-attention", " · ".join(attention))
        self._fit()
