"""One rep's book, as their manager reads it from the Team screen (``enter`` on a rep's row).

Read-only: the rep's open follow-ups by due date (the overdue ones marked) and the customers they
hold, the next cadence visit soonest first, each with its tier, stage, last visit and
protection. ``enter`` opens the highlighted customer (their timeline); ``tab`` moves between the
two lists; ``esc`` goes back to the team.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from cache.figures import followup_due
from screens.messages import OpenCustomer
from sync.protocol import rules
from ui.i18n import _, _n
from ui.team_text import MARKS
from ui.times import NOTHING, day_text, due_text
from ui.widgets.cells import fit
from ui.widgets.columns import Column, natural_width, share
from ui.widgets.key_footer import KeyFooter
from ui.widgets.team_table import TeamTable

FOLLOWUP_COLUMNS = ("Due", "Customer", "Follow-up")
CUSTOMER_COLUMNS = ("Customer", "City", "Tier", "Stage", "Last visit", "Next due",
                    "Protected until")
SCROLLBAR = 2


class RepBook(Screen):
    """A rep's open follow-ups and customers, read-only."""

    HELP_TITLE = "Rep's book"

    DEFAULT_CSS = """
    RepBook #rep-summary { padding: 0 1; }
    """

    BINDINGS = [
        Binding("enter", "open", "Open", id="rep_book.open",
                tooltip="Open the highlighted customer: their details and timeline"),
    ]

    def __init__(self, rep_id: str) -> None:
        super().__init__()
        self.rep_id = rep_id
        self.data_version = -1
        self.followups: list[dict] = []
        self.customers: list[dict] = []
        self._filled_width = 0

    def compose(self) -> ComposeResult:
        yield Static(id="rep-summary", markup=False)
        yield Static(_("Open follow-ups"), classes="section-title", markup=False)
        yield TeamTable(id="rep-followups")
        yield Static(_("Customers held"), classes="section-title", markup=False)
        yield TeamTable(id="rep-customers")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_from_store()
        target = "#rep-followups" if self.followups else "#rep-customers"
        self.query_one(target, TeamTable).focus()

    def on_resize(self) -> None:
        if self._filled_width != self._width():
            self._fill()

    def _width(self) -> int:
        return (self.size.width or self.app.size.width) - SCROLLBAR

    def _today(self) -> date:
        return rules.policy_day(self.app.store.policy, self.app.now())

    def refresh_from_store(self) -> None:
        app = self.app
        store = app.store
        self.data_version = app.data_version
        today = self._today()
        mine = [c for c in (store.customer(cid) for cid in
                            store.customers_in_group("owner", self.rep_id)) if c is not None]
        policy = store.policy

        def next_due(customer: dict) -> date | None:
            return rules.next_visit_due(customer, policy)

        self.customers = sorted(mine, key=lambda c: (next_due(c) or date.max,
                                                     str(c.get("name") or ""), c["id"]))
        names = {c["id"]: c.get("name") or "" for c in mine}
        open_ = [(followup_due(f), f) for f in store.followups()
                 if f.get("rep_id") == self.rep_id]
        self.followups = [{**f, "_due": due, "_customer": names.get(f["customer_id"])
                           or (store.customer(f["customer_id"]) or {}).get("name") or ""}
                          for due, f in sorted(((d, f) for d, f in open_ if d is not None),
                                               key=lambda p: (p[0], p[1]["id"]))]
        overdue = sum(1 for f in self.followups if f["_due"] < today)
        rep = store.reps.get(self.rep_id) or {}
        followups = _n("{n} open follow-up", "{n} open follow-ups", len(self.followups),
                       n=len(self.followups))
        if overdue:
            followups = _("{followups}, {n} overdue", followups=followups, n=overdue)
        self.query_one("#rep-summary", Static).update(" · ".join([
            str(rep.get("name") or self.rep_id),
            _n("{n} customer", "{n} customers", len(self.customers), n=len(self.customers)),
            followups, _("read-only")]))
        self._fill()

    def _fill(self) -> None:
        self._filled_width = self._width()
        today = self._today()
        policy = self.app.store.policy
        followups = [[(due_text(f["_due"], today), "behind" if f["_due"] < today else None),
                      (str(f["_customer"]), None),
                      (str(f.get("title") or "") + (" " + MARKS["behind"]
                                                    if f["_due"] < today else ""), None)]
                     for f in self.followups]
        customers = [[(str(c.get("name") or ""), None), (str(c.get("city") or ""), None),
                      (str(c.get("tier") or ""), None), (_(str(c.get("stage") or "prospect")),
                                                          None),
                      (day_text(c.get("last_visit_at"), policy), None),
                      self._next_due(c, today),
                      (day_text(c.get("protected_until"), policy), None)]
                     for c in self.customers]
        self._put(self.query_one("#rep-followups", TeamTable), FOLLOWUP_COLUMNS, followups,
                  [f["id"] for f in self.followups], fill=2)
        self._put(self.query_one("#rep-customers", TeamTable), CUSTOMER_COLUMNS, customers,
                  [c["id"] for c in self.customers], fill=0)

    def _next_due(self, customer: dict, today: date) -> tuple[str, str | None]:
        due = rules.next_visit_due(customer, self.app.store.policy)
        if due is None:
            return NOTHING, None
        return due_text(due, today), "behind" if due < today else None

    def _put(self, table: TeamTable, titles: tuple[str, ...], rows: list[list[Any]],
             keys: list[str], fill: int) -> None:
        cursor = table.cursor_row
        said = [_(t) for t in titles]
        columns = [Column(natural_width([said[i], *(r[i][0] for r in rows)]),
                          least=8 if i == fill else None, keep=1, fill=i == fill)
                   for i in range(len(titles))]
        widths = share(columns, self._filled_width - 2 * table.cell_padding * len(titles))
        table.clear(columns=True)
        for i, width in enumerate(widths):
            table.add_column(fit(said[i], width).rstrip(), width=width)
        for key, row in zip(keys, rows, strict=True):
            table.add_row(*(Text(fit(text, widths[i]).rstrip(),
                                 style=table.standing_style(standing), no_wrap=True)
                            for i, (text, standing) in enumerate(row)), key=key)
        if rows and cursor:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    # ------------------------------------------------------------------ keys

    def _current_customer(self) -> str | None:
        focused = self.focused
        if isinstance(focused, TeamTable) and focused.row_count:
            row = focused.cursor_row
            if focused.id == "rep-followups" and row < len(self.followups):
                return str(self.followups[row]["customer_id"])
            if focused.id == "rep-customers" and row < len(self.customers):
                return str(self.customers[row]["id"])
        return None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return None if self.unavailable_reason(action) else True
        return True

    def unavailable_reason(self, action: str) -> str | None:
        if action == "open" and self._current_customer() is None:
            return _("No customer selected")
        return None

    def action_open(self) -> None:
        if (customer_id := self._current_customer()) is not None:
            self.post_message(OpenCustomer(customer_id))
