"""The territory's customers, one line each: a ``RowList`` (line API) holding only ids.

The widget keeps the ordered customer ids and fetches the few customers on screen through a
lookup function when it draws them, so 50,000 customers cost nothing to show. Columns are padded
by terminal cells so Chinese and English names line up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from rich.style import Style
from textual.message import Message

from sync.protocol import rules
from ui.i18n import _
from ui.times import day_text
from ui.widgets.cells import fit
from ui.widgets.row_list import RowList

Lookup = Callable[[str], dict | None]

# Fixed column widths in cells; the name column takes what is left.
MARK, TIER, STAGE, CITY, OWNER, DATE = 2, 5, 10, 11, 13, 11
NAME_MIN, NAME_MAX = 16, 40


def _cell(text: str, width: int) -> str:
    """A column: ``text`` fitted to ``width`` cells, the last one kept as a gap."""
    return fit(text, width - 1) + " "


@dataclass(frozen=True)
class Columns:
    """Column widths for a given total width."""

    name: int

    @classmethod
    def for_width(cls, width: int) -> Columns:
        rest = width - (MARK + TIER + STAGE + CITY + OWNER + 2 * DATE)
        return cls(name=max(NAME_MIN, min(NAME_MAX, rest)))


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

    def header_text(self, width: int) -> str:
        cols = Columns.for_width(width)
        return (
            " " * MARK
            + _cell(_("Customer"), cols.name)
            + _cell(_("Tier"), TIER)
            + _cell(_("Stage"), STAGE)
            + _cell(_("City"), CITY)
            + _cell(_("Owner"), OWNER)
            + _cell(_("Last visit"), DATE)
            + _cell(_("Next due"), DATE)
        )

    def customer_text(self, customer: dict, width: int) -> tuple[str, bool]:
        """The row's text and whether its next visit is overdue."""
        cols = Columns.for_width(width)
        owner = customer.get("owner_name") or (_("pool") if not customer.get("owner_id") else "?")
        if customer.get("claim_pending"):
            mark = "⧗"
        elif not customer.get("owner_id"):
            mark = "◇"
        else:
            mark = " "
        due = rules.next_visit_due(customer, self._policy) if self._policy is not None else None
        overdue = bool(due and self._today and due < self._today())
        text = (
            fit(mark, MARK)
            + _cell(customer.get("name", ""), cols.name)
            + _cell(customer.get("tier") or "", TIER)
            + _cell(_(customer.get("stage") or ""), STAGE)
            + _cell(customer.get("city") or "", CITY)
            + _cell(owner, OWNER)
            + _cell(day_text(customer.get("last_visit_at"), self._policy), DATE)
            + _cell(due.isoformat() if due else "—", DATE)
        )
        return text, overdue

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
