"""The command palette (ctrl+p): every action of the current screen, and the App's own.

Commands are read from the screen's live bindings, so a new binding is a palette entry at once,
and a dimmed binding says why instead of running. Textual's own entries (``system_commands``,
which the App's ``get_system_commands`` returns) are said in the rep's language too: theme,
maximize/minimize and screenshot. Its "Quit" and "Keys" are left out: ``ctrl+q`` quit and ``?``
(every key of the screen) are already entries of ours.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.command import CommandInput, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.screen import Screen
from textual.theme import ThemeProvider

from ui.i18n import _
from ui.textual_private import binding_walk, say_no_matches


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
            title = _("{title}  [{keys}]", title=binding.description, keys=keys)
            help_text = binding.tooltip or ""
            if bound.state is None:
                help_text = _("unavailable: {reason}", reason=bound.reason or _("not here"))
            commands.append(
                (title, help_text, partial(app.run_action, binding.action, namespace))
            )
        return commands

    async def startup(self) -> None:
        """Say the palette's search line in the rep's language (Textual writes it in English)."""
        palette = self.app.screen
        if isinstance(palette, CommandPalette):
            for field in palette.query(CommandInput):
                field.placeholder = _("Search for commands…")
            say_no_matches(palette, _("No matches found"))

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = max(matcher.match(title), matcher.match(help_text) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text)


def system_commands(app: App, screen: Screen) -> Iterator[SystemCommand]:
    """Textual's own palette entries, in the rep's language (the App's ``get_system_commands``)."""
    yield SystemCommand(_("Theme"), _("Change the colours of the app"),
                        lambda: app.push_screen(CommandPalette(
                            providers=[ThemeProvider], placeholder=_("Search for themes…"))))
    if screen.maximized is not None:
        yield SystemCommand(_("Minimize"), _("Bring the widget back to its normal size"),
                            screen.action_minimize)
    elif screen.focused is not None and screen.focused.allow_maximize:
        yield SystemCommand(_("Maximize"), _("Fill the screen with the focused widget"),
                            screen.action_maximize)
    yield SystemCommand(_("Screenshot"), _("Save an SVG picture of this screen"),
                        lambda: app.set_timer(0.1, app.deliver_screenshot))
