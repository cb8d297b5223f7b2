"""The territory's customers, one line each: a ``RowList`` (line API) holding only ids.

The widget keeps the ordered customer ids and fetches the few customers on screen through a
lookup function when it draws them, so 50,000 customers cost nothing to show. Columns are padded
by terminal cells so Chinese and English names line up.

The columns flex with the width (``ui/widgets/columns.py``): the name keeps its space longest;
city, owner and stage give up cells first; on a terminal too narrow for all of them, Stage and
then Last visit are left out whole (the customer screen shows both), never cut to a letter.
Beside the owner, an owned customer's days of ownership left (``12d``: its protection, counted
as the customer screen's header counts it, ``ui.ownership.days_left``; negative once lapsed)
never shrinks nor goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from rich.style import Style
from textual.message import Message

from sync.protocol import rules
from ui.i18n import _
from ui.ownership import days_left_mark
from ui.times import day_text, due_text
from ui.values import stage_text
from ui.widgets.cells import fit
from ui.widgets.columns import Column, share
from ui.widgets.row_list import RowList

Lookup = Callable[[str], dict | None]

# Each column in cells with its one-cell gap: the mark, then the name, tier, stage, city, owner,
# days left, last visit and next due. The rows are fetched only when drawn, so the widths are
# set here, not measured: a name up to 40 cells, a day of 10, a due date up to 15 ("周三
# 2027-01-08"), a rep's name of 12, days left of 4 ("-12d", "30天"). Stage, city and owner give
# up cells first, then the due date, the name last.
MARK = 2
COLUMNS = (
    Column(MARK),
    Column(41, least=13, keep=2),
    Column(5),
    Column(10, least=9, drop=2),
    Column(11, least=8),
    Column(13, least=10),
    Column(5),
    Column(11, drop=1),
    Column(16, least=11, keep=1),
)


def _cell(text: str, width: int) -> str:
    """A column: ``text`` fitted to ``width`` cells, the last one kept as a gap (none when the
    column is left out: ``width`` 0)."""
    return fit(text, width - 1) + " " if width else ""


@dataclass(frozen=True)
class Columns:
    """Column widths for a given total width (0 for a column left out)."""

    widths: tuple[int, ...]

    @classmethod
    def for_width(cls, width: int) -> Columns:
        return cls(share(COLUMNS, width))

    @property
    def name(self) -> int:
        return self.widths[1]

    def line(self, mark: str, texts: tuple[str, ...]) -> str:
        """A row: ``mark`` then each text in its column."""
        return fit(mark, self.widths[0]) + "".join(
            _cell(text, width) for text, width in zip(texts, self.widths[1:], strict=True))


class CustomerList(RowList):
    """The territory's customers, one line each, with a highlighted row."""

    COMPONENT_CLASSES = {
        "customer-list--pool",
        "customer-list--pending",
        "customer-list--overdue",
    }

    @dataclass
    class Highlighted(Message):
        customer_id: str | None

    @dataclass
    class Selected(Message):
        customer_id: str

    def __init__(
        self, *, id: str | None = None, classes: str | None = None, shift_g_is_last: bool = True
    ) -> None:
        super().__init__(id=id, classes=classes, shift_g_is_last=shift_g_is_last)
        self._ids: list[str] = []
        self._lookup: Lookup = lambda _id: None
        self._rows: dict[str, dict | None] = {}
        self._today: Callable[[], date] | None = None
        self._policy = None
        self._columns: tuple[int, Columns] | None = None

    # ------------------------------------------------------------------ data

    def set_rows(
        self,
        ids: list[str],
        lookup: Lookup,
        *,
        policy: object = None,
        today: Callable[[], date] | None = None,
        keep_cursor: bool = False,
    ) -> None:
        """Show ``ids`` (in order); rows are fetched with ``lookup`` only when drawn."""
        current = self.highlighted_id if keep_cursor else None
        self._ids = ids
        self._lookup = lookup
        self._rows = {}
        self._policy = policy
        self._today = today
        cursor = 0
        if current is not None:
            try:
                cursor = ids.index(current)
            except ValueError:
                cursor = 0
        self.show_count(len(ids), cursor, scroll_home=not keep_cursor)

    @property
    def ids(self) -> list[str]:
        return self._ids

    @property
    def highlighted_id(self) -> str | None:
        if 0 <= self.cursor < len(self._ids):
            return self._ids[self.cursor]
        return None

    def highlighted(self) -> dict | None:
        cid = self.highlighted_id
        return self._row(cid) if cid else None

    def forget(self, customer_id: str) -> None:
        """Drop the cached row so it is fetched again (after a write)."""
        self._rows.pop(customer_id, None)
        self.refresh()

    def _row(self, customer_id: str) -> dict | None:
        if customer_id not in self._rows:
            if len(self._rows) > 500:
                self._rows.clear()
            self._rows[customer_id] = self._lookup(customer_id)
        return self._rows[customer_id]

    def highlighted_message(self) -> Message:
        return self.Highlighted(self.highlighted_id)

    def selected_message(self) -> Message | None:
        cid = self.highlighted_id
        return self.Selected(cid) if cid else None

    # ------------------------------------------------------------------ drawing

    def columns(self, width: int) -> Columns:
        """The column widths for a list ``width`` cells wide (worked out once per width)."""
        if self._columns is None or self._columns[0] != width:
            self._columns = (width, Columns.for_width(width))
        return self._columns[1]

    def header_text(self, width: int) -> str:
        return self.columns(width).line("", (
            _("Customer"), _("Tier"), _("Stage"), _("City"), _("Owner"), _("Left"),
            _("Last visit"), _("Next due")))

    def customer_text(self, customer: dict, width: int) -> tuple[str, bool]:
        """The row's text and whether its next visit is overdue."""
        owner = customer.get("owner_name") or (_("pool") if not customer.get("owner_id") else "?")
        if customer.get("claim_pending"):
            mark = "⧗"
        elif not customer.get("owner_id"):
            mark = "◇"
        else:
            mark = " "
        due = rules.next_visit_due(customer, self._policy) if self._policy is not None else None
        overdue = bool(due and self._today and due < self._today())
        text = self.columns(width).line(mark, (
            customer.get("name", ""),
            customer.get("tier") or "",
            stage_text(customer.get("stage")),
            customer.get("city") or "",
            owner,
            days_left_mark(customer, self._now()),
            day_text(customer.get("last_visit_at"), self._policy),
            due_text(due),
        ))
        return text, overdue

    def _now(self) -> datetime:
        """The App's clock (tests freeze it), else the machine's."""
        clock = getattr(self.app, "now", None)
        return clock() if callable(clock) else datetime.now(UTC)

    def row_text(self, index: int, width: int) -> tuple[str, Style | None]:
        cid = self._ids[index]
        customer = self._row(cid) or {"name": cid}
        text, overdue = self.customer_text(customer, width)
        style = Style()
        if not customer.get("owner_id"):
            style += self.get_component_rich_style("customer-list--pool")
        if customer.get("claim_pending"):
            style += self.get_component_rich_style("customer-list--pending")
        if overdue:
            style += self.get_component_rich_style("customer-list--overdue")
        return text, style
