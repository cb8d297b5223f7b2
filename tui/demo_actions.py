"""What the App does only in ``fieldrep demo``: cut or restore the network, switch rep/manager.

``DemoActions`` is mixed into the App; its keys (``N``, ``M``) are dimmed unless the App was
started with the demo's controls (``tui.demo.DemoControls``: the loopback link and the two
logged-in laptops). Outside a demo the App carries no demo behaviour beyond these two dimmed keys.
This module imports nothing of the demo runner, so the App's first frame does not pay for it.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from ui.i18n import _
from ui.widgets.status_bar import SyncState

DEMO_ACTIONS = ("toggle_connection", "switch_view")

DEMO_BINDINGS = [
    Binding("N", "toggle_connection", "Cut/restore network", id="demo.connection",
            tooltip="Demo: cut or restore the link to the server"),
    Binding("M", "switch_view", "Switch rep/manager", id="demo.view",
            tooltip="Demo: switch between the rep's and the manager's view"),
]


class DemoActions:
    """The demo's two actions, for an App with ``demo`` (the controls, or None outside a demo),
    ``store``, ``engine``, ``status``, ``start_sync``, ``check_connection``, ``data_changed`` and
    ``reset_modes``."""

    demo: Any
    store: Any
    engine: Any
    status: SyncState

    def demo_check_action(self, action: str) -> bool | None:
        """``check_action`` for the demo's actions: shown only in a demo; None when not ours."""
        if action in DEMO_ACTIONS:
            return self.demo is not None
        return None

    def action_toggle_connection(self) -> None:
        if self.demo is None:
            return
        if self.demo.connected:
            self.demo.cut_connection()
            self.check_connection()  # the bar says offline at once, not at the next sync
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
        await self.reset_modes()
        self.data_changed()
        self.notify(_("Now viewing as {label}", label=label))
        self.start_sync("switch")
