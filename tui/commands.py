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
from ui.textual_private import binding_walk


class FieldRepCommands(Provider):
    """Every binding of the screen the palette was opened on, plus the jump targets."""

    def _commands(self) -> list[tuple[str, str, Any]]:
        """(title, help, callback) for every action reachable from the current screen."""
        app = self.app
        seen: set[tuple[int, str]] = set()
        commands: list[tuple[str, str, Any]] = []
        for bound in binding_walk(self.screen):
            namespace, binding = bound.namespace, bound.binding
            if binding.action in ("command_palette", "quit") and namespace is not app:
                continue
            marker = (id(namespace), binding.action)
            if marker in seen:
                continue
            seen.add(marker)
            keys = binding.key_display or bound.key
            title = f"{binding.description}  [{keys}]"
            help_text = binding.tooltip or ""
            if bound.state is None:
                help_text = _("unavailable: {reason}", reason=bound.reason or _("not here"))
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
