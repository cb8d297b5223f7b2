"""A customer list that stays fast at 50,000 rows: a line-API ScrollView.

Modelled on toolong's ``LogLines``: the widget holds only the ordered customer ids; its virtual
height is the number of rows, and ``render_line`` draws just the lines on screen, fetching those
few customers through a lookup function. Columns are padded by terminal cells so Chinese and
English names line up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sync.protocol import rules
from tui.i18n import _
from tui.widgets.cells import fit

Lookup = Callable[[str], dict | None]

# Fixed column widths in cells; the name column takes what is left.
MARK, TIER, STAGE, CITY, OWNER, DATE = 2, 5, 10, 11, 13, 11
NAME_MIN, NAME_MAX = 16, 40


def _cell(text: str, width: int) -> str:
    """A column: ``text`` fitted to ``width`` cells, the last one kept as a gap."""
    return fit(text, width - 1) + " "


def _day(value: object) -> str:
    moment = rules.as_datetime(value) if value else None
    return moment.date().isoformat() if moment else "—"


@dataclass(frozen=True)
class Columns:
    """Column widths for a given total width."""

    name: int

    @classmethod
    def for_width(cls, width: int) -> Columns:
        rest = width - (MARK + TIER + STAGE + CITY + OWNER + 2 * DATE)
        return cls(name=max(NAME_MIN, min(NAME_MAX, rest)))


class CustomerList(ScrollView, can_focus=True, inherit_bindings=False):
    """The territory's customers, one line each, with a highlighted row."""

    COMPONENT_CLASSES = {
        "customer-list--header",
        "customer-list--cursor",
        "customer-list--pool",
        "customer-list--pending",
        "customer-list--overdue",
        "customer-list--empty",
    }

    HELP_GROUP = "List"

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", id="list.down", show=False,
                tooltip="Next customer"),
        Binding("k,up", "cursor_up", "Up", id="list.up", show=False,
                tooltip="Previous customer"),
        Binding("g,home", "first", "First", id="list.first", show=False,
                tooltip="Jump to the first customer"),
        Binding("G,end", "last", "Last", id="list.last", show=False,
                tooltip="Jump to the last customer"),
        Binding("ctrl+home", "first", "First", id="list.top", show=False,
                tooltip="Jump to the first customer"),
        Binding("ctrl+end", "last", "Last", id="list.bottom", show=False,
                tooltip="Jump to the last customer"),
        Binding("pagedown", "page_down", "Page down", id="list.page_down", show=False,
                tooltip="One screen down"),
        Binding("pageup", "page_up", "Page up", id="list.page_up", show=False,
                tooltip="One screen up"),
        Binding("enter", "open", "Open", id="list.open", tooltip="Open the highlighted customer"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    @dataclass
    class Highlighted(Message):
        customer_id: str | None

    @dataclass
    class Selected(Message):
        customer_id: str

    def __init__(
        self, *, id: str | None = None, classes: str | None = None, shift_g_is_last: bool = True
    ) -> None:
        super().__init__(id=id, classes=classes)
        if not shift_g_is_last:
            # The host uses G for itself (the territory's grouping): end still goes last.
            self._bindings.key_to_bindings.pop("G", None)
        self._ids: list[str] = []
        self._lookup: Lookup = lambda _id: None
        self._rows: dict[str, dict | None] = {}
        self._now: Callable[[], datetime] | None = None
        self._policy = None
        self.empty_text = ""

    # ------------------------------------------------------------------ data

    def set_rows(
        self,
        ids: list[str],
        lookup: Lookup,
        *,
        policy: object = None,
        now: Callable[[], datetime] | None = None,
        keep_cursor: bool = False,
    ) -> None:
        """Show ``ids`` (in order); rows are fetched with ``lookup`` only when drawn."""
        current = self.highlighted_id if keep_cursor else None
        self._ids = ids
        self._lookup = lookup
        self._rows = {}
        self._policy = policy
        self._now = now
        self.virtual_size = Size(self.size.width, len(ids) + 1)
        cursor = 0
        if current is not None:
            try:
                cursor = ids.index(current)
            except ValueError:
                cursor = 0
        if not keep_cursor:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor = cursor
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self._ids)

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

    # ------------------------------------------------------------------ cursor

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._ids) - 1)) if self._ids else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self.highlighted_id))

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
        self.cursor = len(self._ids) - 1

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height - 2)

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height - 2)

    def action_open(self) -> None:
        if self.highlighted_id:
            self.post_message(self.Selected(self.highlighted_id))

    def on_click(self, event) -> None:
        row = int(self.scroll_y) + event.y - 1
        if 0 <= row < len(self._ids):
            if row == self.cursor and getattr(event, "chain", 1) > 1:
                self.action_open()
            self.cursor = row

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._ids) + 1)

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

    def row_text(self, customer: dict, width: int) -> tuple[str, bool]:
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
        overdue = bool(due and self._now and due < self._now().date())
        text = (
            fit(mark, MARK)
            + _cell(customer.get("name", ""), cols.name)
            + _cell(customer.get("tier") or "", TIER)
            + _cell(_(customer.get("stage") or ""), STAGE)
            + _cell(customer.get("city") or "", CITY)
            + _cell(owner, OWNER)
            + _cell(_day(customer.get("last_visit_at")), DATE)
            + _cell(due.isoformat() if due else "—", DATE)
        )
        return text, overdue

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("customer-list--header")
            return Strip([Segment(fit(self.header_text(width), width), style)], width)
        index = int(self.scroll_y) + y - 1
        if index >= len(self._ids):
            if not self._ids and y == 1 and self.empty_text:
                style = base + self.get_component_rich_style("customer-list--empty")
                return Strip([Segment(fit("  " + self.empty_text, width), style)], width)
            return Strip.blank(width, base)
        customer = self._row(self._ids[index]) or {"name": self._ids[index]}
        text, overdue = self.row_text(customer, width)
        style: Style = base
        if not customer.get("owner_id"):
            style += self.get_component_rich_style("customer-list--pool")
        if customer.get("claim_pending"):
            style += self.get_component_rich_style("customer-list--pending")
        if overdue:
            style += self.get_component_rich_style("customer-list--overdue")
        if index == self.cursor:
            cursor = "customer-list--cursor"
            style += self.get_component_rich_style(cursor)
        return Strip([Segment(fit(text, width), style)], width)
