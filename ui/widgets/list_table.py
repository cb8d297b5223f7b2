"""A DataTable that keeps the list keys of DESIGN.md's keyboard contract.

In every list `j`/`k` and the arrows move, and `g`/`G` (or `home`/`end`) go to the first and the
last row. Textual's DataTable has only the arrows, and its `home`/`end` scroll sideways; this one
declares its keys itself (no inherited ones), under the help group "List" like the line-API
lists (``ui/widgets/row_list.py``), for the tables a person moves through row by row: the
customer's timeline, a conflict's differences.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable


class ListTable(DataTable, inherit_bindings=False):
    """A row-cursor DataTable with `j`/`k`, `g`/`G`, `home`/`end` as in every list."""

    HELP_GROUP = "List"

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", id="list.down", show=False,
                tooltip="Next row"),
        Binding("k,up", "cursor_up", "Up", id="list.up", show=False,
                tooltip="Previous row"),
        Binding("g,home,ctrl+home", "scroll_top", "First", id="list.first", show=False,
                tooltip="Jump to the first row"),
        Binding("G,end,ctrl+end", "scroll_bottom", "Last", id="list.last", show=False,
                tooltip="Jump to the last row"),
        Binding("pagedown", "page_down", "Page down", id="list.page_down", show=False,
                tooltip="One screen down"),
        Binding("pageup", "page_up", "Page up", id="list.page_up", show=False,
                tooltip="One screen up"),
        Binding("left", "cursor_left", "Scroll left", id="list.left", show=False,
                tooltip="See the start of a long row"),
        Binding("right", "cursor_right", "Scroll right", id="list.right", show=False,
                tooltip="See the rest of a long row"),
        # enter selects the row (DataTable.RowSelected) for the screen that wants it; the
        # screen names what it does, so the binding has no description of its own
        Binding("enter", "select_cursor", show=False),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None,
                 zebra_stripes: bool = True) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=zebra_stripes)
