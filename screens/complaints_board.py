"""The complaints board (``7``, a manager's): every open complaint of the team, oldest first.

Each row says the severity, how long it has been open, when the SLA wants the first response and
the resolution (the policy's hours per severity, ``sync/protocol/complaints.sla_of``), whether
one of them was missed (the row in the error colour), the customer, its owner and who works it.
``a`` gives the complaint to a rep of the team (a picker; queued as ``feedback.assign``), ``r``
adds a response (the first one meets the SLA's first response), ``d`` resolves it with what was
done (the owner then gets a satisfaction re-visit), ``enter`` opens the customer, ``A`` shows the
resolved ones too. Everything goes through the outbox and is judged by the server at sync; what
the laptop already knows is refused at once, in the UI's language. The rows are
``store.complaints`` (``cache/complaints.py``), the same as ``fieldrep complaints``.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from screens.customer_actions import refused_text
from screens.messages import OpenCustomer, StoreChanged
from screens.picker import ChoicePicker
from screens.resolve_complaint import ResolveComplaint
from ui.complaint_text import age_text, severity_text, sla_state
from ui.i18n import _, _n
from ui.times import SHORT, local_time
from ui.widgets.cells import fit
from ui.widgets.columns import Column, natural_width, share
from ui.widgets.key_footer import KeyFooter
from ui.widgets.list_table import ListTable

COLUMNS = (  # title, least, keep, drop, fill: how each gives up cells (ui/widgets/columns.py)
    ("Severity", None, 0, 0, False), ("Open for", None, 0, 0, False),
    ("Respond by", None, 0, 2, False), ("Resolve by", None, 0, 1, False),
    ("SLA", None, 0, 0, False), ("Customer", 10, 3, 0, False), ("Owner", 7, 2, 0, False),
    ("Assigned", 8, 2, 0, False), ("Complaint", 16, 1, 0, True))
SCROLLBAR = 2
LATE_STYLE = "bold red"
RESOLVED_STYLE = "dim"


class RespondComplaint(ResolveComplaint):
    """Ask for a response to a complaint; dismisses with the text, or None."""

    TITLE_TEXT = "Respond to the complaint of {name}"
    PLACEHOLDER = "What did you do or tell the customer?"
    EMPTY = "Write the response first"
    HINT = "enter or ctrl+s saves · esc leaves it"


class ComplaintsBoard(Screen):
    """Every open complaint of the manager's team, oldest first, with its SLA."""

    HELP_TITLE = "Complaints"

    BINDINGS = [
        Binding("a", "assign", "Assign", id="complaints.assign",
                tooltip="Give this complaint to a rep of the team"),
        Binding("r", "respond", "Respond", id="complaints.respond",
                tooltip="Add a response; the first one meets the SLA's first response"),
        Binding("d", "resolve", "Resolve", id="complaints.resolve",
                tooltip="Resolve it with what was done; the owner gets a satisfaction re-visit"),
        Binding("enter", "open", "Open", id="complaints.open",
                tooltip="Open the customer of this complaint"),
        Binding("A", "toggle_resolved", "Resolved too", id="complaints.all",
                tooltip="Show the resolved complaints too, or only the open ones"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data_version = -1
        self.rows: list[dict] = []
        self.include_resolved = False
        self._filled_width = 0

    def compose(self) -> ComposeResult:
        yield Static(id="complaints-summary", markup=False)
        yield ListTable(id="complaints")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_from_store()
        self.query_one(ListTable).focus()

    def on_resize(self) -> None:
        if self._filled_width != self._width():
            self._fill()

    # ------------------------------------------------------------------ the rows

    def refresh_from_store(self) -> None:
        app = self.app
        self.data_version = app.data_version
        store = app.store
        current = self.current()
        self.rows = store.complaints(app.now(), include_resolved=self.include_resolved)
        self._fill()
        if current is not None:
            ids = [r["id"] for r in self.rows]
            if current["id"] in ids:
                self.query_one(ListTable).move_cursor(row=ids.index(current["id"]))
        self.query_one("#complaints-summary", Static).update(self._summary())

    def _width(self) -> int:
        return (self.size.width or self.app.size.width) - SCROLLBAR

    def _fill(self) -> None:
        """The rows in the table, its columns shared out over the width there is now."""
        table = self.query_one(ListTable)
        cursor = table.cursor_row
        self._filled_width = self._width()
        policy = self.app.store.policy
        cells = [self._cells(row, policy) for row in self.rows]
        titles = [_(title) for title, *_rest in COLUMNS]
        columns = [Column(natural_width([title, *(r[i][0] for r in cells)]), least=least,
                          keep=keep, drop=drop, fill=fill)
                   for i, (title, (_t, least, keep, drop, fill)) in enumerate(
                       zip(titles, COLUMNS, strict=True))]
        widths = share(columns, self._filled_width - 2 * table.cell_padding * len(COLUMNS))
        table.clear(columns=True)
        shown = [i for i, width in enumerate(widths) if width]
        for i in shown:
            table.add_column(fit(titles[i], widths[i]).rstrip(), width=widths[i])
        for row, values in zip(self.rows, cells, strict=True):
            table.add_row(*(Text(fit(values[i][0], widths[i]).rstrip(), style=values[i][1],
                                 no_wrap=True) for i in shown), key=row["id"])
        if self.rows and cursor:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))

    def _summary(self) -> str:
        open_rows = [r for r in self.rows if r.get("status") != "resolved"]
        late = sum(1 for r in open_rows if (r.get("sla") or {}).get("breached"))
        if not open_rows:
            return _("No open complaints in the team") + (
                "" if not self.include_resolved else " · " + _n(
                    "{n} resolved", "{n} resolved", len(self.rows), n=len(self.rows)))
        text = _n("{n} open complaint", "{n} open complaints", len(open_rows), n=len(open_rows))
        if late:
            text += " · " + _n("{n} past its SLA", "{n} past their SLA", late, n=late)
        return text + " · " + _("oldest first")

    @staticmethod
    def _cells(row: dict, policy: Any) -> list[tuple[str, str]]:
        sla = row.get("sla") or {}
        style = (RESOLVED_STYLE if row.get("status") == "resolved"
                 else LATE_STYLE if sla.get("breached") else "")
        values = [severity_text(sla.get("severity") or row.get("severity")),
                  age_text(float(sla.get("age_hours") or 0)),
                  local_time(sla.get("respond_due"), policy, SHORT),
                  local_time(sla.get("resolve_due"), policy, SHORT), sla_state(row),
                  row.get("customer_name") or "", row.get("owner_name") or _("pool"),
                  row.get("assignee_name") or "", " ".join(str(row.get("text") or "").split())]
        return [(str(v), style) for v in values]

    def current(self) -> dict | None:
        try:
            table = self.query_one(ListTable)
        except Exception:  # not mounted yet
            return None
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("assign", "respond", "resolve", "open"):
            return None if self.unavailable_reason(action) else True
        return True

    def unavailable_reason(self, action: str) -> str | None:
        row = self.current()
        if row is None:
            return _("No complaint selected")
        if action in ("assign", "respond", "resolve") and row.get("status") == "resolved":
            return _("This complaint is resolved")
        return None

    def action_open(self) -> None:
        if (row := self.current()) is not None:
            self.post_message(OpenCustomer(row["customer_id"]))

    def action_toggle_resolved(self) -> None:
        self.include_resolved = not self.include_resolved
        self.refresh_from_store()

    def _write(self, do: Any, done: str, title: str) -> None:
        from cache import StoreError

        try:
            do()
        except StoreError as error:
            self.app.notify(refused_text(error), severity="warning", title=title)
            return
        self.app.notify(done)
        self.post_message(StoreChanged("feedback", sync_soon=True))

    def action_assign(self) -> None:
        row = self.current()
        if row is None:
            return
        from cache.team import team_reps

        store = self.app.store
        reps = team_reps(store)
        if not reps:
            self.app.notify(_("No rep in the team to give it to"), severity="warning")
            return
        choices = [(r["id"], (r.get("name") or r["id"])
                    + ("  ✓" if r["id"] == row.get("assignee_id") else "")) for r in reps]

        def picked(rep_id: str | None) -> None:
            if not rep_id:
                return
            name = next((r.get("name") for r in reps if r["id"] == rep_id), rep_id)
            self._write(lambda: store.assign_complaint(row["id"], rep_id),
                        _("The complaint of {name} goes to {rep}: the server decides at sync",
                          name=row.get("customer_name") or "", rep=name),
                        _("Cannot assign"))

        self.app.push_screen(ChoicePicker(
            _("Who works the complaint of {name}?", name=row.get("customer_name") or ""),
            choices, _("a number or enter gives it · esc leaves it")), callback=picked)

    def action_respond(self) -> None:
        row = self.current()
        if row is None:
            return
        store = self.app.store

        def answered(text: str | None) -> None:
            if text:
                self._write(lambda: store.respond_to_complaint(row["id"], text),
                            _("Response queued: will sync"), _("Cannot respond"))

        self.app.push_screen(RespondComplaint(row.get("customer_name") or "",
                                              str(row.get("text") or "")), callback=answered)

    def action_resolve(self) -> None:
        row = self.current()
        if row is None:
            return
        store = self.app.store

        def resolved(text: str | None) -> None:
            if text:
                self._write(lambda: store.resolve_named_complaint(row["id"], text),
                            _("Complaint resolved: will sync"), _("Cannot resolve"))

        self.app.push_screen(ResolveComplaint(row.get("customer_name") or "",
                                              str(row.get("text") or "")), callback=resolved)
