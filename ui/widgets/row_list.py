"""A list of one-line rows under a header, with a cursor, drawn with Textual's line API.

Modelled on toolong's ``LogLines``: the widget knows only how many rows there are; its virtual
height is that number (plus the header), and ``render_line`` draws just the lines on screen,
asking the subclass for the text of those few rows. Nothing is measured or laid out per row, so
a list of 50,000 costs what a list of 40 does. ``CustomerList`` (the territory) and
``QueueList`` (the follow-up queue) are the two kinds. An empty list says why (``empty_text``)
under its header, wrapped over as many lines as it needs, never cut at the width.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ui.textual_private import drop_key
from ui.widgets.cells import fit


class RowList(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows with a highlighted one; subclasses say what each row reads and how it looks."""

    COMPONENT_CLASSES = {
        "row-list--header",
        "row-list--cursor",
        "row-list--stripe",
        "row-list--empty",
    }

    HELP_GROUP = "List"
    ZEBRA = False
    """Shade every other row (a wide table of short rows reads better with it)."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", id="list.down", show=False,
                tooltip="Next row"),
        Binding("k,up", "cursor_up", "Up", id="list.up", show=False,
                tooltip="Previous row"),
        Binding("g,home", "first", "First", id="list.first", show=False,
                tooltip="Jump to the first row"),
        Binding("G,end", "last", "Last", id="list.last", show=False,
                tooltip="Jump to the last row"),
        Binding("ctrl+home", "first", "First", id="list.top", show=False,
                tooltip="Jump to the first row"),
        Binding("ctrl+end", "last", "Last", id="list.bottom", show=False,
                tooltip="Jump to the last row"),
        Binding("pagedown", "page_down", "Page down", id="list.page_down", show=False,
                tooltip="One screen down"),
        Binding("pageup", "page_up", "Page up", id="list.page_up", show=False,
                tooltip="One screen up"),
        Binding("enter", "open", "Open", id="list.open", tooltip="Open the highlighted customer"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    def __init__(
        self, *, id: str | None = None, classes: str | None = None, shift_g_is_last: bool = True
    ) -> None:
        super().__init__(id=id, classes=classes)
        if not shift_g_is_last:
            # The host uses G for itself (the territory's grouping): end still goes last.
            drop_key(self, "G")
        self._count = 0
        self.empty_text = ""
        self._empty_wrapped: tuple[tuple[str, int] | None, tuple[str, ...]] = (None, ())

    # ------------------------------------------------------------------ for subclasses

    def header_text(self, width: int) -> str:
        """The header line (column titles) for ``width`` cells."""
        return ""

    def row_text(self, index: int, width: int) -> tuple[str, Style | None]:
        """Row ``index``'s text, and the style it adds to the list's (None for none)."""
        raise NotImplementedError

    def highlighted_message(self) -> Message | None:
        """The message posted when the cursor lands on a row."""
        return None

    def selected_message(self) -> Message | None:
        """The message posted when the highlighted row is opened (enter, double click)."""
        return None

    # ------------------------------------------------------------------ rows

    def show_count(self, count: int, cursor: int = 0, *, scroll_home: bool = True) -> None:
        """The list now has ``count`` rows; put the cursor on ``cursor`` and repaint."""
        self._count = count
        self.virtual_size = Size(self.size.width, count + 1)
        if scroll_home:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor = cursor
        self.refresh()

    @property
    def row_count(self) -> int:
        return self._count

    # ------------------------------------------------------------------ cursor

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self._count - 1)) if self._count else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        message = self.highlighted_message()
        if message is not None:
            self.post_message(message)

    def _scroll_cursor_into_view(self) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self._count - 1

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height - 2)

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height - 2)

    def action_open(self) -> None:
        message = self.selected_message() if self._count else None
        if message is not None:
            self.post_message(message)

    def on_click(self, event) -> None:
        row = int(self.scroll_y) + event.y - 1
        if 0 <= row < self._count:
            if row == self.cursor and getattr(event, "chain", 1) > 1:
                self.action_open()
            self.cursor = row

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self._count + 1)

    # ------------------------------------------------------------------ drawing

    def _empty_lines(self, width: int) -> tuple[str, ...]:
        """``empty_text`` wrapped to ``width`` cells (after its two-cell indent), by cells."""
        if not self.empty_text:
            return ()
        key = (self.empty_text, width)
        if self._empty_wrapped[0] != key:
            lines = Text(self.empty_text).wrap(self.app.console, max(1, width - 2))
            self._empty_wrapped = (key, tuple(line.plain.rstrip() for line in lines))
        return self._empty_wrapped[1]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("row-list--header")
            return Strip([Segment(fit(self.header_text(width), width), style)], width)
        index = int(self.scroll_y) + y - 1
        if index >= self._count:
            empty = self._empty_lines(width) if not self._count else ()
            if 0 < y <= len(empty):
                style = base + self.get_component_rich_style("row-list--empty")
                return Strip([Segment(fit("  " + empty[y - 1], width), style)], width)
            return Strip.blank(width, base)
        text, extra = self.row_text(index, width)
        style: Style = base
        if self.ZEBRA and index % 2:
            style += self.get_component_rich_style("row-list--stripe")
        if extra is not None:
            style += extra
        if index == self.cursor:
            style += self.get_component_rich_style("row-list--cursor")
        return Strip([Segment(fit(text, width), style)], width)
