"""The footer of keys: Textual's Footer, rebuilt only when what it shows changes.

Textual's Footer recomposes every FooterKey whenever a screen refreshes its bindings, and our
screens do that on every cursor move (a key is dimmed or not for the row under the cursor).
Rebuilding a dozen styled widgets per move costs tens of milliseconds, most of a keystroke's
repaint at 50,000 customers; here the footer compares what it would show with what it shows,
and recomposes only when a key, its label, its tooltip or its dimming differs.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from ui.textual_private import footer_keys_ready, mark_footer_keys_ready

Shown = tuple[tuple[str, str, str, bool, str], ...]


class KeyFooter(Footer):
    """A Footer that skips rebuilding itself when its keys have not changed."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._showing: Shown | None = None
        """What the footer shows."""
        self._recompose_pending = False

    def _shown(self, screen: Screen) -> Shown:
        """What the footer would show for ``screen`` now: each key, its label and state."""
        return tuple(
            (binding.key, binding.description, binding.action, enabled, tooltip or "")
            for _node, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        )

    def compose(self) -> ComposeResult:
        self._recompose_pending = False
        if footer_keys_ready(self):
            self._showing = self._shown(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        # Textual's own test first (its Footer does nothing else for an unfocused App)
        mark_footer_keys_ready(self)
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        # one recompose at a time, showing the bindings as they are when it runs
        if not self._recompose_pending and self._shown(screen) != self._showing:
            self._recompose_pending = True
            self.call_after_refresh(self.recompose)
