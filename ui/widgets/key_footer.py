"""The footer of keys: Textual's Footer, rebuilt only when what it shows changes.

Textual's Footer recomposes every FooterKey whenever a screen refreshes its bindings, and our
screens do that on every cursor move (a key is dimmed or not for the row under the cursor).
Rebuilding a dozen styled widgets per move costs tens of milliseconds, most of a keystroke's
repaint at 50,000 customers; here the footer compares what it would show with what it shows,
and recomposes only when a key, its label, its tooltip or its dimming differs.

It also fits the width. Textual's Footer is one row that scrolls sideways only under a mouse
wheel: the keys past the edge are cut off, and a rep at the keyboard never learns they exist.
Wrapping would take list rows away on a 24-row terminal. So the footer keeps the keys that fit,
in their order (the focused widget's and the screen's own come first, the App-wide ones last),
drops the rest from the end, and turns ``? Help`` into ``? More`` at the end of the row: every
dropped key is in help (``?``) and the command palette (``ctrl+p``). The width of a key is
measured in cells (``rich.cells.cell_len``: a Chinese label is two cells a character).
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from ui.i18n import _
from ui.textual_private import footer_keys_ready, mark_footer_keys_ready

Shown = tuple[tuple[str, str, str, bool, str], ...]
"""Each key shown, in order: key, label, action, enabled, tooltip."""

KEY_GUTTER = 3
"""Cells a footer key takes besides its key and label (Textual's FooterKey: a cell of padding
each side of the key, one after the label)."""
PALETTE_GUTTER = KEY_GUTTER + 2
"""The command palette's key, docked right, also has a border on its left and padding on its
right."""
HELP_ACTION = "help"
"""The key that stays, as "More", when some are dropped."""


def fit_keys(keys: list[tuple[str, str, str, bool, str]], widths: list[int],
             room: int) -> Shown:
    """The keys that fit in ``room`` cells (``widths`` in cells, one per key): all of them if
    they fit; else as many as fit from the start, then the help key, labelled "More"."""
    if sum(widths) <= room:
        return tuple(keys)
    helps = [i for i, key in enumerate(keys) if key[2] == HELP_ACTION]
    more: tuple[tuple[str, str, str, bool, str], ...] = ()
    if helps:
        key, _label, action, enabled, tooltip = keys[helps[0]]
        label = _("More")
        more = ((key, label, action, enabled, tooltip),)
        room -= widths[helps[0]] - cell_len(keys[helps[0]][1]) + cell_len(label)
    kept = []
    for i, key in enumerate(keys):
        if i in helps:
            continue
        if widths[i] > room:
            break
        kept.append(key)
        room -= widths[i]
    return (*kept, *more)


class KeyFooter(Footer):
    """A Footer that skips rebuilding itself when its keys have not changed."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._showing: Shown | None = None
        """What the footer shows."""
        self._recompose_pending = False

    def _shown(self, screen: Screen) -> Shown:
        """What the footer would show for ``screen`` at its width now: each key, its label and
        state, the command palette's last (one key per action, as Textual's Footer shows)."""
        palette = self.app.COMMAND_PALETTE_BINDING
        keys, widths, last, room = [], [], [], self.size.width or screen.size.width
        actions: set[str] = set()
        for _node, binding, enabled, tooltip in screen.active_bindings.values():
            if binding.key == palette:
                last.append((binding.key, binding.description, binding.action, enabled,
                             tooltip or ""))
                room -= self._width(binding, PALETTE_GUTTER)
            elif binding.show and binding.action not in actions:
                actions.add(binding.action)
                keys.append((binding.key, binding.description, binding.action, enabled,
                             tooltip or ""))
                widths.append(self._width(binding, KEY_GUTTER))
        return (*fit_keys(keys, widths, room), *last)

    def _width(self, binding, gutter: int) -> int:
        return cell_len(self.app.get_key_display(binding)) + cell_len(binding.description) + gutter

    def compose(self) -> ComposeResult:
        self._recompose_pending = False
        if not footer_keys_ready(self):
            yield from super().compose()  # nothing, until the bindings are ready
            return
        self._showing = self._shown(self.screen)
        order = {action: (index, label) for index, (_key, label, action, _enabled, _tip)
                 in enumerate(self._showing)}
        keys = []
        for widget in super().compose():
            place = order.get(getattr(widget, "action", None))
            if place is not None:
                widget.description = place[1]  # Textual's FooterKey reads it when it renders
                keys.append((place[0], widget))
            elif not hasattr(widget, "action"):
                keys.append((len(order), widget))  # not a key (a group's label): as it came
        yield from (widget for _place, widget in sorted(keys, key=lambda item: item[0]))

    def bindings_changed(self, screen: Screen) -> None:
        # Textual's own test first (its Footer does nothing else for an unfocused App)
        mark_footer_keys_ready(self)
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        self._recompose_if_changed(screen)

    def on_resize(self) -> None:
        if footer_keys_ready(self) and self.is_attached:
            self._recompose_if_changed(self.screen)

    def _recompose_if_changed(self, screen: Screen) -> None:
        # one recompose at a time, showing the bindings as they are when it runs
        if not self._recompose_pending and self._shown(screen) != self._showing:
            self._recompose_pending = True
            self.call_after_refresh(self.recompose)
