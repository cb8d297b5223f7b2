"""The follow-up queue's rows: a ``RowList`` (line API) of prepared text.

The screen turns each queue entry into a ``QueueRow`` of short texts; the list draws only the
rows on screen, so a queue of hundreds of cadence reminders opens as fast as one of ten (a
DataTable measured every cell of every row before its first paint).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from textual.message import Message

from ui.i18n import _
from ui.widgets.cells import fit
from ui.widgets.row_list import RowList

# Column widths in cells, each with its one-cell gap; "what" takes the rest.
WHY, CUSTOMER, TIER, CITY, DUE = 19, 29, 5, 11, 11
WHAT_MIN = 12


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

    def set_entries(self, rows: list[QueueRow], cursor: int = 0) -> None:
        """Show ``rows``, the cursor on row ``cursor``."""
        self._entries = rows
        self.show_count(len(rows), cursor, scroll_home=cursor == 0)

    @property
    def rows(self) -> tuple[QueueRow, ...]:
        """The rows shown, in order (the row under the cursor is ``rows[cursor]``)."""
        return tuple(self._entries)

    def highlighted_message(self) -> Message:
        return self.Highlighted(self.cursor if self._entries else None)

    def selected_message(self) -> Message | None:
        return self.Selected(self.cursor) if self._entries else None

    def _line(self, parts: tuple[str, ...], width: int) -> str:
        what = max(WHAT_MIN, width - (WHY + CUSTOMER + TIER + CITY + DUE) - 1)
        widths = (WHY, CUSTOMER, TIER, CITY, DUE, what)
        return " " + "".join(_cell(text, w) for text, w in zip(parts, widths, strict=True))

    def header_text(self, width: int) -> str:
        return self._line((_("Why"), _("Customer"), _("Tier"), _("City"), _("Due"), _("What")),
                          width)

    def row_text(self, index: int, width: int) -> tuple[str, Style | None]:
        row = self._entries[index]
        text = self._line((row.why, row.customer, row.tier, row.city, row.due, row.what), width)
        late = self.get_component_rich_style("queue-list--late") if row.late else None
        return text, late
