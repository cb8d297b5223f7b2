"""The command palette (ctrl+p): every action of the current screen, and the App's own.

Commands are read from the screen's live bindings, so a new binding is a palette entry at once,
and a dimmed binding says why instead of running.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from ui.i18n import _


class FieldRepCommands(Provider):
    """Every binding of the screen the palette was opened on, plus the jump targets."""

    def _commands(self) -> list[tuple[str, str, Any]]:
        """(title, help, callback) for every action reachable from the current screen."""
        app = self.app
        screen = self.screen
        seen: set[tuple[int, str]] = set()
        commands: list[tuple[str, str, Any]] = []
        for namespace, bindings in screen._modal_binding_chain:
            for key, binding in bindings:
                if binding.system or not binding.description:
                    continue
                if binding.action in ("command_palette", "quit") and namespace is not app:
                    continue
                marker = (id(namespace), binding.action)
                if marker in seen:
                    continue
                seen.add(marker)
                state = app._check_action_state(binding.action, namespace)
                if state is False:
                    continue
                keys = binding.key_display or key
                title = f"{binding.description}  [{keys}]"
                help_text = binding.tooltip or ""
                if state is None:
                    reason_of = getattr(namespace, "unavailable_reason", None)
                    reason = reason_of(binding.action.split("(")[0]) if reason_of else None
                    help_text = _("unavailable: {reason}", reason=reason or _("not here"))
                commands.append(
                    (title, help_text, partial(app.run_action, binding.action, namespace))
                )
        return commands

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = max(matcher.match(title), matcher.match(help_text) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text)
