"""Help (``?``): every key of the screen it was opened on, grouped by where it works.

A long help scrolls with the list keys: `j`/`k` and the arrows, `g`/`G` to the top and the end.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ui.i18n import _
from ui.textual_private import binding_walk
from ui.widgets.cells import fit
from ui.widgets.key_footer import KeyFooter

KEY_NAMES = {
    "question_mark": "?", "slash": "/", "escape": "esc", "enter": "enter", "down": "↓",
    "up": "↑", "left": "←", "right": "→", "pagedown": "pgdn", "pageup": "pgup",
}

WIDGET_GROUPS = {"DataTable": "Table", "Tree": "Group tree", "Input": "Filter"}

Row = tuple[str, str, str, str | None]  # keys, description, tooltip, unavailable reason


def _key_label(key: str, binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    return KEY_NAMES.get(key, key)


def _group_name(node: Any, screen: Screen) -> str:
    if isinstance(node, App):
        return _("Everywhere")
    if node is screen:
        return _("This screen")
    name = getattr(node, "HELP_GROUP", None) or WIDGET_GROUPS.get(type(node).__name__)
    return _(name or type(node).__name__)


def collect(screen: Screen) -> list[tuple[str, list[Row]]]:
    """The screen's bindings, innermost first, as (group, rows); each action once, keys merged."""
    by_node: dict[int, tuple[Any, dict[str, list[Any]]]] = {}
    for bound in binding_walk(screen):
        _node, by_action = by_node.setdefault(id(bound.namespace), (bound.namespace, {}))
        entry = by_action.setdefault(bound.action, [[], bound])
        label = _key_label(bound.key, bound.binding)
        if label not in entry[0]:
            entry[0].append(label)
    groups: list[tuple[str, list[Row]]] = []
    for namespace, by_action in by_node.values():
        rows: list[Row] = []
        for keys, bound in by_action.values():
            reason = (bound.reason or _("not here")) if bound.state is None else None
            rows.append((" / ".join(keys[:3]), bound.binding.description, bound.binding.tooltip,
                         reason))
        groups.append((_group_name(namespace, screen), rows))
    return groups


class HelpBody(VerticalScroll):
    """The help's rows, scrolled with the list keys as well as the arrows."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll Down", show=False),
        Binding("k", "scroll_up", "Scroll Up", show=False),
        Binding("g", "scroll_home", "Scroll Home", show=False),
        Binding("G", "scroll_end", "Scroll End", show=False),
    ]


class HelpScreen(Screen):
    """The keys of the screen below, grouped; esc or ? closes it."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="help.close", tooltip="Back to the screen"),
    ]

    def __init__(self, groups: list[tuple[str, list[Row]]], title: str = "") -> None:
        super().__init__()
        self.groups = groups
        self.help_title = title

    @classmethod
    def for_screen(cls, screen: Screen) -> HelpScreen:
        return cls(collect(screen), _(getattr(screen, "HELP_TITLE", "") or "Keys"))

    def compose(self) -> ComposeResult:
        with HelpBody(id="help-body"):
            yield Static(_("Keys: {title}", title=self.help_title), id="help-title")
            for group, rows in self.groups:
                yield Static(group, classes="help-group")
                for keys, description, tooltip, reason in rows:
                    detail = _("unavailable: {reason}", reason=reason) if reason else tooltip
                    yield Static(
                        f"  {fit(keys, 18)} {fit(description, 22)} {detail}",
                        classes="help-row -unavailable" if reason else "help-row",
                        markup=False,
                    )
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(HelpBody).focus()

    def action_close(self) -> None:
        self.dismiss()
