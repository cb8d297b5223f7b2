"""Every touch of Textual's private API, in one module: the list to check on a Textual upgrade.

Written against Textual 8.2.8 (pinned exactly in the lock file; snapshot tests depend on it).
Each function names the private attribute it reads or writes and why we need it; nothing else in
``ui/``, ``screens/`` or ``tui/`` reaches into Textual's internals. If an upgrade renames one of
them, this file is the only one to change, and the tests of help (``?``), the command palette,
the jump keys and the first frame say which function broke.

- ``binding_walk(screen)``: every binding reachable from a screen, as help and the command
  palette list them (``Screen._modal_binding_chain``, ``App._check_action_state``).
- ``parse_action(app, ...)``: which node an action string runs on (``App._parse_action``).
- ``translate_keys(node, translate)``: a node's bindings with their description and tooltip
  in the UI's language (``DOMNode._bindings``).
- ``drop_key(node, key)``: unbind one inherited key on one widget (``DOMNode._bindings``).
- ``adopt_app_styles(screen, app)``: a new screen counts as styled by the current stylesheet
  (``App._css_update_count``, ``Screen._css_update_count``).
- ``footer_keys_ready`` / ``mark_footer_keys_ready``: the Footer's "bindings are
  ready" flag, for a Footer that recomposes only when its keys change (``Footer._bindings_ready``).
- ``bound_action(screen, key)`` / ``run_bindings(app, key)``: the action a key would run when it
  bubbles up, found and run as soon as the App receives the key, so a key that opens a screen
  is acted on before the keys typed after it are routed (``Screen._modal_binding_chain``,
  ``App._check_bindings``; the type-ahead of ``tui/app.py``).
- ``say_no_matches(palette, text)``: the command palette's "No matches found" in the UI's
  language (Textual writes it in English: ``CommandPalette._NO_MATCHES``, the option it adds).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: importing this module loads no more of Textual
    from textual.app import App
    from textual.binding import Binding
    from textual.command import CommandPalette
    from textual.dom import DOMNode
    from textual.screen import Screen
    from textual.widgets import Footer

TEXTUAL_VERSION = "8.2.8"
"""The Textual release these functions were written and checked against."""

_TRANSLATED = "_fieldrep_translated"
"""Marks a node whose bindings were translated already (ours, set on the node)."""


@dataclasses.dataclass(frozen=True)
class BoundAction:
    """One binding as help and the palette show it: where its action runs, its key, whether
    it is available now (True) or dimmed (None), and, when dimmed, the node's reason."""

    namespace: DOMNode
    key: str
    binding: Binding
    state: bool | None
    reason: str | None = None

    @property
    def action(self) -> str:
        return self.binding.action


def binding_walk(screen: Screen) -> Iterator[BoundAction]:
    """Every binding that works on ``screen``, innermost node first (the focused widget, its
    parents, the screen, the App), stopping at the last modal screen: what the keys would do.

    A system binding, one without a description and one whose ``check_action`` says False
    (hidden) are left out; a dimmed one (``check_action`` None) comes with the reason its node's
    ``unavailable_reason(action_name)`` gives, if it has one. Uses
    ``Screen._modal_binding_chain`` (the chain Textual itself dispatches keys along) and
    ``App._check_action_state`` (the check Textual's Footer makes).
    """
    app = screen.app
    for namespace, bindings in screen._modal_binding_chain:
        for key, binding in bindings:
            if binding.system or not binding.description:
                continue
            state = app._check_action_state(binding.action, namespace)
            if state is False:
                continue
            reason = None
            if state is None:
                reason_of = getattr(namespace, "unavailable_reason", None)
                reason = reason_of(binding.action.split("(")[0]) if reason_of else None
            yield BoundAction(namespace, key, binding, state, reason)


def parse_action(
    app: App, action: Any, default_namespace: DOMNode, namespaces: Mapping[str, DOMNode] | None
) -> tuple[DOMNode, str, tuple[object, ...]]:
    """(the node ``action`` runs on, its name, its parameters), as ``App.run_action`` resolves
    them (``App._parse_action``); raises Textual's ActionError for an action it cannot parse."""
    return app._parse_action(action, default_namespace, namespaces)


def translate_keys(node: DOMNode, translate: Callable[[str], str]) -> None:
    """Give ``node``'s bindings their description and tooltip through ``translate`` (once per
    node). Textual keeps a node's bindings in ``DOMNode._bindings`` (a BindingsMap whose
    ``key_to_bindings`` maps a key to its Binding objects); there is no public setter."""
    if getattr(node, _TRANSLATED, False):
        return
    bindings = node._bindings
    for key, items in list(bindings.key_to_bindings.items()):
        bindings.key_to_bindings[key] = [
            dataclasses.replace(b, description=translate(b.description),
                                tooltip=translate(b.tooltip))
            for b in items
        ]
    setattr(node, _TRANSLATED, True)


def drop_key(node: DOMNode, key: str) -> None:
    """Unbind ``key`` on this one node (its class's BINDINGS stay as they are for the others),
    from ``DOMNode._bindings``."""
    node._bindings.key_to_bindings.pop(key, None)


def adopt_app_styles(screen: Screen, app: App) -> None:
    """Count a new ``screen`` as styled by the App's current stylesheet.

    Textual would otherwise see a screen that never had its CSS refreshed and re-parse every
    stylesheet and restyle every widget of the App, twice, on the first visit to a mode (~100 ms
    at start). A theme change later still refreshes it as usual. Copies
    ``App._css_update_count`` to ``Screen._css_update_count``.
    """
    screen._css_update_count = app._css_update_count


def footer_keys_ready(footer: Footer) -> bool:
    """Whether Textual's Footer has been told the bindings are ready (``Footer._bindings_ready``;
    its ``compose`` shows nothing before)."""
    return bool(footer._bindings_ready)


def mark_footer_keys_ready(footer: Footer) -> None:
    """What Textual's ``Footer.bindings_changed`` does first: set ``Footer._bindings_ready``."""
    footer._bindings_ready = True


def say_no_matches(palette: CommandPalette, text: str) -> None:
    """Have ``palette`` say ``text`` where Textual writes "No matches found": the option it adds
    after a search that found nothing (id ``CommandPalette._NO_MATCHES``) is replaced, as it is
    added, by the same option worded ``text``."""
    from rich.align import Align
    from rich.text import Text
    from textual.command import CommandList
    from textual.widgets.option_list import Option

    command_list = palette.query_one(CommandList)
    add_option = command_list.add_option
    no_matches = getattr(palette, "_NO_MATCHES", None)

    def worded(item: Any = None) -> Any:
        if no_matches is not None and isinstance(item, Option) and item.id == no_matches:
            item = Option(Align.center(Text(text, style="not bold")), disabled=True, id=item.id)
        return add_option(item)

    command_list.add_option = worded  # type: ignore[method-assign]


def bound_action(screen: Screen, key: str) -> str | None:
    """The name of the action (without its namespace and arguments) of the first non-priority
    binding of ``key`` from the focused widget up (``Screen._modal_binding_chain``, which already
    leaves out the keys a focused Input or TextArea types), or None."""
    for _node, bindings in screen._modal_binding_chain:
        for binding in bindings.key_to_bindings.get(key, ()):
            if not binding.priority:
                return binding.action.split("(", 1)[0].rsplit(".", 1)[-1]
    return None


async def run_bindings(app: App, key: str) -> bool:
    """Run ``key``'s non-priority binding now, as Textual does when the key bubbles up to the App
    (``App._check_bindings``); True when one ran."""
    return await app._check_bindings(key)

