"""The Pool screen's customers, one line each: a ``RowList`` (line API) over the pool rows.

A row reads the mark (``✓`` chosen with space, ``⧗`` a move waiting to sync, ``◇`` in the pool),
the customer, its city, its previous owner, when anyone may claim it, until when that previous
owner may not (the cool-off) and why it is in the pool (its latest ownership event, in the UI's
language). The text of a row is worked out only when it is drawn, so 10,000 pool customers cost
what 40 do. Columns flex with the width (``ui/widgets/columns.py``): the reason fills what is
left and is the first to give up cells; the cool-off goes whole on a narrow terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.style import Style
from textual.message import Message

from ui.i18n import _
from ui.ownership import why_text
from ui.times import SHORT, local_time
from ui.widgets.cells import fit
from ui.widgets.columns import Column, share
from ui.widgets.row_list import RowList

MARK = 2
COLUMNS = (
    Column(MARK),
    Column(29, least=12, keep=3),   # customer
    Column(9, least=6, keep=1),     # city
    Column(15, least=7, keep=1),    # previous owner
    Column(12, least=12, keep=2),   # claimable (a time, or "now")
    Column(12, least=12, drop=1),   # cool-off until
    Column(20, least=10, fill=True),  # why
)


@dataclass(frozen=True)
class PoolColumns:
    widths: tuple[int, ...]

    def line(self, mark: str, texts: tuple[str, ...]) -> str:
        cells = [fit(mark, self.widths[0])]
        for text, width in zip(texts, self.widths[1:], strict=True):
            cells.append(fit(text, width - 1) + " " if width else "")
        return "".join(cells)


class PoolList(RowList):
    """The pool rows with a cursor, the chosen ones marked."""

    COMPONENT_CLASSES = {"pool-list--chosen", "pool-list--pending", "pool-list--waiting"}

    @dataclass
    class Highlighted(Message):
        customer_id: str | None

    @dataclass
    class Selected(Message):
        customer_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[dict] = []
        self.chosen: set[str] = set()
        self.pending: dict[str, str] = {}
        """Customer id → the name of the rep a move waiting to sync gives it to."""
        self._policy = None
        self._now = datetime.min.replace(tzinfo=UTC)
        self._rep_name: Callable[[str], str] = lambda rep_id: rep_id
        self._texts: dict[str, tuple[str, ...]] = {}
        self._columns: tuple[int, PoolColumns] | None = None

    def set_rows(self, rows: list[dict], *, policy: object, names: Callable[[str], str],
                 pending: dict[str, str], now: datetime, keep_cursor: bool = False) -> None:
        current = self.highlighted_id if keep_cursor else None
        self.rows = rows
        self._policy = policy
        self._now = now
        self._rep_name = names
        self.pending = pending
        self._texts = {}
        cursor = 0
        if current is not None:
            cursor = next((i for i, row in enumerate(rows) if row["id"] == current), 0)
        self.show_count(len(rows), cursor, scroll_home=not keep_cursor)

    @property
    def highlighted_id(self) -> str | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]["id"]
        return None

    def highlighted_message(self) -> Message:
        return self.Highlighted(self.highlighted_id)

    def selected_message(self) -> Message | None:
        cid = self.highlighted_id
        return self.Selected(cid) if cid else None

    # ------------------------------------------------------------------ drawing

    def columns(self, width: int) -> PoolColumns:
        if self._columns is None or self._columns[0] != width:
            self._columns = (width, PoolColumns(share(COLUMNS, width)))
        return self._columns[1]

    def header_text(self, width: int) -> str:
        return self.columns(width).line("", (
            _("Customer"), _("City"), _("Previous owner"), _("Claimable"), _("Cool-off"),
            _("Why in the pool")))

    def texts(self, row: dict) -> tuple[str, ...]:
        """The cells of ``row`` (worked out once, when first drawn)."""
        cached = self._texts.get(row["id"])
        if cached is None:
            previous = row.get("previous_owner_id")
            event = row.get("event")
            claimable = row.get("claimable_at")
            waiting = claimable_later(claimable, self._now)
            cached = (row.get("name") or "", row.get("city") or "",
                      self._rep_name(previous) if previous else "",
                      local_time(claimable, self._policy, SHORT) if waiting else _("now"),
                      local_time(row.get("cooloff_until"), self._policy, SHORT, empty=""),
                      why_text(event) if event else "")
            if len(self._texts) > 2000:
                self._texts.clear()
            self._texts[row["id"]] = cached
        return cached

    def row_text(self, index: int, width: int) -> tuple[str, Style | None]:
        row = self.rows[index]
        cid = row["id"]
        to = self.pending.get(cid)
        mark = "✓" if cid in self.chosen else "⧗" if to else "◇"
        texts = self.texts(row)
        if to:  # the reason gives way to where it is going
            texts = (*texts[:-1], _("→ {rep}, waiting to sync", rep=to))
        style = Style()
        if cid in self.chosen:
            style += self.get_component_rich_style("pool-list--chosen")
        if to:
            style += self.get_component_rich_style("pool-list--pending")
        elif texts[3] != _("now"):
            style += self.get_component_rich_style("pool-list--waiting")
        return self.columns(width).line(mark, texts), style


def claimable_later(value: object, now: datetime) -> bool:
    """Is ``value`` (the server's ``claimable_at``) still ahead of ``now``?"""
    if not value:
        return False
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment > now
