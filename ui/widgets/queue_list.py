"""The follow-up queue's rows: a ``RowList`` (line API) of prepared text.

The screen turns each queue entry into a ``QueueRow`` of short texts; the list draws only the
rows on screen, so a queue of hundreds of cadence reminders opens as fast as one of ten (a
DataTable measured every cell of every row before its first paint).

Columns are as wide as their widest text and flex with the terminal (``ui/widgets/columns.py``):
on a narrow one Why and City give up cells first, then Customer and What share what is left; on
a wide one What takes the rest. Widths are worked out once per set of rows and width.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from textual.message import Message

from ui.i18n import _
from ui.widgets.cells import fit
from ui.widgets.columns import Column, natural_width, share
from ui.widgets.row_list import RowList

# The fewest cells (each with its one-cell gap) a column shrinks to on a narrow terminal.
WHY_LEAST, CITY_LEAST, CUSTOMER_LEAST, WHAT_LEAST = 11, 7, 13, 13


@dataclass(frozen=True)
class QueueRow:
    """One queue entry as the list shows it."""

    why: str
    customer: str
    tier: str
    city: str
    due: str
    what: str
    late: bool = False


def _cell(text: str, width: int) -> str:
    return fit(text, width - 1) + " "


class QueueList(RowList):
    """What to do, one entry a line, the most urgent first."""

    COMPONENT_CLASSES = {"queue-list--late"}
    ZEBRA = True

    @dataclass
    class Highlighted(Message):
        index: int | None

    @dataclass
    class Selected(Message):
        index: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._entries: list[QueueRow] = []
        self._widths: tuple[int, tuple[int, ...]] | None = None
        """(the width, each column's width in it) for the rows shown."""

    def set_entries(self, rows: list[QueueRow], cursor: int = 0) -> None:
        """Show ``rows``, the cursor on row ``cursor``."""
        self._entries = rows
        self._widths = None
        self.show_count(len(rows), cursor, scroll_home=cursor == 0)

    @property
    def rows(self) -> tuple[QueueRow, ...]:
        """The rows shown, in order (the row under the cursor is ``rows[cursor]``)."""
        return tuple(self._entries)

    def highlighted_message(self) -> Message:
        return self.Highlighted(self.cursor if self._entries else None)

    def selected_message(self) -> Message | None:
        return self.Selected(self.cursor) if self._entries else None

    @staticmethod
    def _titles() -> tuple[str, ...]:
        return (_("Why"), _("Customer"), _("Tier"), _("City"), _("Due"), _("What"))

    def column_widths(self, width: int) -> tuple[int, ...]:
        """Each column's cells (with its gap) in a list ``width`` cells wide."""
        if self._widths is None or self._widths[0] != width:
            texts = list(zip(self._titles(), *((row.why, row.customer, row.tier, row.city,
                                                row.due, row.what) for row in self._entries),
                             strict=True))
            why, customer, tier, city, due, what = (natural_width(column, 1) for column in texts)
            columns = (
                Column(why, least=WHY_LEAST),
                Column(customer, least=CUSTOMER_LEAST, keep=1),
                Column(tier),
                Column(city, least=CITY_LEAST),
                Column(due),
                Column(what, least=WHAT_LEAST, keep=1, fill=True),
            )
            self._widths = (width, share(columns, width - 1))
        return self._widths[1]

    def _line(self, parts: tuple[str, ...], width: int) -> str:
        widths = self.column_widths(width)
        return " " + "".join(_cell(text, w) for text, w in zip(parts, widths, strict=True) if w)

    def header_text(self, width: int) -> str:
        return self._line(self._titles(), width)

    def row_text(self, index: int, width: int) -> tuple[str, Style | None]:
        row = self._entries[index]
        text = self._line((row.why, row.customer, row.tier, row.city, row.due, row.what), width)
        late = self.get_component_rich_style("queue-list--late") if row.late else None
        return text, late
