"""Sync (``4``): is the server reachable, what is waiting to go, what went wrong, and why.

Four panes: pending operations (the outbox, oldest first), conflicts to settle, rejections with
the server's reason (``x`` dismisses one), and the log of sync runs. A conflict's row names what
differs (``contacts[Nina Tanaka].phone``, from ``cache/conflicts.py``); ``enter`` on it opens
every difference side by side (``screens/conflict_detail.py``); ``m`` keep mine and ``t`` take
theirs settle the conflict highlighted in its list wherever the focus is. The state line reads
``app.engine.status()`` in a worker thread when there is an engine (it may touch the network) and
the local store otherwise; ``S`` syncs now.

Layout: from 150 columns the panes sit two by two; below, they stack, each the full width, so a
pending visit's details, a rejection's reason and a sub-field label such as
``contacts[Nina Tanaka].phone`` read whole at 80 and 120 columns. Within a pane the columns flex
(``ui/widgets/columns.py``): each is as wide as its widest text, the last (details, reason, the
server's value, the note) takes the rest, and names give up cells first. An empty pane says so in
a line under its header, wrapped, and (stacked) takes only the lines it needs.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from screens.conflict_detail import ConflictDetail, difference_label, value_text
from screens.messages import StoreChanged
from sync.protocol import rules
from ui.i18n import OP_LABELS, _, _n, rejection_text
from ui.times import SHORT, due_text, local_time
from ui.widgets.cells import fit
from ui.widgets.columns import Column, natural_width, share
from ui.widgets.key_footer import KeyFooter
from ui.widgets.list_table import ListTable

SIDE_BY_SIDE = 150
"""From this many columns the four panes sit two by two; below, they stack."""
SCROLLBAR = 2
"""Cells kept for a table's scrollbar."""

# A table's columns: (title, least, keep, fill); least None: as wide as its widest text always.
Spec = tuple[tuple[str, int | None, int, bool], ...]
Rows = list[tuple[tuple[str, ...], str]]


def _short(value: Any, width: int = 60) -> str:
    """A value in one line of at most ``width`` cells (its column cuts it further)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        value = "; ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v)
                          for v in value)
    return fit(" ".join(str(value).split()), width).rstrip()


def _break_between(parts: list[str], width: int) -> str:
    """``parts`` joined by three spaces, a line break instead where the next part would not fit
    in ``width`` cells: the line breaks between parts, never inside one (a date and its time).
    A part wider than the line is left to wrap by itself; no width yet is one line."""
    lines: list[str] = []
    for part in parts:
        if lines and width > 0 and cell_len(lines[-1]) + 3 + cell_len(part) > width:
            lines.append(part)
        elif lines:
            lines[-1] += "   " + part
        else:
            lines.append(part)
    return "\n".join(lines)


class SyncScreen(Screen):
    """Sync state, the outbox, conflicts, rejections and the run log."""

    HELP_TITLE = "Sync"
    HORIZONTAL_BREAKPOINTS = [(0, "-stacked"), (SIDE_BY_SIDE, "-side-by-side")]

    BINDINGS = [
        Binding("m", "keep('mine')", "Keep mine", id="sync.keep_mine",
                tooltip="Settle the highlighted conflict with your value (sent again)"),
        Binding("t", "keep('theirs')", "Take theirs", id="sync.take_theirs",
                tooltip="Settle the highlighted conflict with the server's value"),
        Binding("enter", "open_conflict", "Details", id="sync.conflict_detail",
                tooltip="See the highlighted conflict side by side, mine against theirs"),
        Binding("x", "dismiss_rejection", "Dismiss", id="sync.dismiss",
                tooltip="Dismiss the highlighted rejection once you have read it"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data_version = -1
        self.conflicts: list[dict] = []
        self.rejections: list[dict] = []
        self.engine_status: dict | None = None
        self._tables: dict[str, tuple[Spec, Rows, str]] = {}
        """Each table's columns, its rows (uncut) and what it says when empty."""
        self._filled_width = 0

    def compose(self) -> ComposeResult:
        yield Static(id="sync-state", markup=False)
        with Grid(id="sync-grid"):
            for name in ("pending", "conflicts", "rejections", "runs"):
                with Vertical(classes="sync-pane"):
                    if name == "runs":
                        yield Static(_("Sync runs"), classes="section-title")
                    else:
                        yield Static(id=f"sync-{name}-title", classes="section-title")
                    yield ListTable(id=f"sync-{name}")
                    yield Static(classes="sync-empty", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_from_store()
        self.query_one("#sync-conflicts" if self.conflicts else "#sync-pending").focus()

    # ------------------------------------------------------------------ data

    def refresh_from_store(self) -> None:
        app = self.app
        self.data_version = app.data_version
        store = app.store
        self._fill_pending(store)
        self.conflicts = store.conflicts()
        rows: Rows = []
        for conflict in self.conflicts:
            first, *more = conflict.get("differences") or [{"field": conflict.get("field")}]
            label = difference_label(first) + (f" +{len(more)}" if more else "")
            rows.append(((_short(conflict.get("customer_name")), label,
                          _short(value_text(first.get("mine"))),
                          _short(value_text(first.get("theirs")))), conflict["id"]))
        self._fill("#sync-conflicts", (
            (_("Customer"), 8, 0, False), (_("Field"), 27, 2, False), (_("Mine"), 8, 1, False),
            (_("Theirs"), 8, 1, True)), rows, _("No conflicts"))
        self.query_one("#sync-conflicts-title", Static).update(
            _("Conflicts ({n}) — enter details · m mine · t theirs",
              n=len(self.conflicts)))
        self.rejections = store.rejections()
        rows = [((_(OP_LABELS.get(rejection.get("kind", ""), rejection.get("kind", ""))),
                  _short(self._customer_name(store, rejection.get("record_id"))),
                  rejection_text(rejection)), rejection["id"])
                for rejection in self.rejections]
        self._fill("#sync-rejections", (
            (_("What"), 6, 0, False), (_("Customer"), 10, 0, False), (_("Reason"), 12, 1, True)),
            rows, _("Nothing was rejected"))
        self.query_one("#sync-rejections-title", Static).update(
            _("Rejected ({n}) — x dismiss", n=len(self.rejections)))
        rows = []
        for index, run in enumerate(reversed(store.sync_runs()[-50:])):
            ok = run.get("ok")
            note = run.get("error") or ""
            if ok and (run.get("conflicts") or run.get("rejected")):
                conflicts = _n("{n} conflict", "{n} conflicts", run.get("conflicts") or 0)
                note = _("{conflicts}, {rejected}", conflicts=conflicts,
                         rejected=_("{n} rejected", n=run.get("rejected") or 0))
            rows.append(((local_time(run.get("finished_at") or run.get("at"), store.policy,
                                     SHORT),
                          _("ok") if ok else _("failed"), str(run.get("pushed") or 0),
                          str(run.get("pulled") or 0), str(note)), str(index)))
        self._fill("#sync-runs", (
            (_("Finished"), None, 0, False), (_("Result"), None, 0, False),
            (_("Sent"), None, 0, False), (_("Received"), None, 0, False),
            (_("Note"), 8, 1, True)), rows, _("No sync yet"))
        self._show_state()
        if app.engine is not None:
            self._read_engine_status()
        self.refresh_bindings()

    def _fill_pending(self, store: Any) -> None:
        outbox = store.outbox()
        rows: Rows = []
        for op in outbox:
            fields = op.get("fields") or {}
            customer_id = fields.get("customer_id") or (
                op.get("record_id") if op.get("kind", "").startswith("customer.") else None)
            rows.append(((str(op.get("mid")), _(OP_LABELS.get(op.get("kind", ""), op["kind"])),
                          _short(self._customer_name(store, customer_id)),
                          self._op_details(store, op)), str(op.get("op_id"))))
        self._fill("#sync-pending", (
            ("#", None, 0, False), (_("What"), 6, 0, False), (_("Customer"), 10, 0, False),
            (_("Details"), 12, 1, True)), rows,
            _("Nothing waiting: all your work is on the server"))
        self.query_one("#sync-pending-title", Static).update(
            _("Waiting to sync ({n})", n=len(outbox)))

    # ------------------------------------------------------------------ tables

    def _table_width(self) -> int:
        """The cells a table's columns share: the screen's width, or half of it side by side,
        less the table's scrollbar."""
        width = self.size.width or self.app.size.width
        pane = width if width < SIDE_BY_SIDE else (width - 1) // 2
        return pane - SCROLLBAR

    def _fill(self, selector: str, spec: Spec, rows: Rows, empty: str) -> None:
        """Show ``rows`` in the table ``selector``, its columns sized to the width now; when
        there are none, the pane shows ``empty`` under the header instead."""
        self._tables[selector] = (spec, rows, empty)
        self._filled_width = self._table_width()
        table = self.query_one(selector, DataTable)
        cursor = table.cursor_row
        texts = list(zip((title for title, *_rest in spec), *(cells for cells, _key in rows),
                         strict=True))
        columns = [Column(natural_width(column), least=least, keep=keep, fill=fill)
                   for column, (_title, least, keep, fill) in zip(texts, spec, strict=True)]
        padding = 2 * table.cell_padding * len(spec)
        widths = share(columns, self._filled_width - padding)
        table.clear(columns=True)
        for (title, *_rest), width in zip(spec, widths, strict=True):
            table.add_column(fit(title, width).rstrip(), width=width)
        for cells, key in rows:
            table.add_row(*(fit(text, width).rstrip()
                            for text, width in zip(cells, widths, strict=True)), key=key)
        if rows and cursor:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        pane = table.parent
        if pane is not None:
            pane.set_class(not rows, "-empty")
            pane.query_one(".sync-empty", Static).update(empty if not rows else "")

    def on_resize(self) -> None:
        parts = getattr(self, "_state_parts", None)
        if parts:
            widget = self.query_one("#sync-state", Static)
            widget.update(_break_between(parts, widget.content_size.width))
        if self._tables and self._table_width() != self._filled_width:
            for selector, (spec, rows, empty) in list(self._tables.items()):
                self._fill(selector, spec, rows, empty)

    @staticmethod
    def _customer_name(store: Any, customer_id: Any) -> str:
        if not customer_id:
            return ""
        customer = store.customer(str(customer_id))
        if customer is not None:
            return customer.get("name", "")
        for record in store.visits() + store.feedback() + store.followups(include_closed=True):
            if record.get("id") == customer_id:
                found = store.customer(record.get("customer_id", ""))
                return (found or {}).get("name", "")
        return ""

    @staticmethod
    def _op_details(store: Any, op: dict) -> str:
        fields = op.get("fields") or {}
        kind = op.get("kind", "")
        if kind == "visit.create":
            when = local_time(fields.get("at"), store.policy, SHORT)
            return f"{when} {fields.get('outcome') or ''}"
        if kind == "feedback.create":
            return f"{_(fields.get('kind') or '')}: {fields.get('text') or ''}"
        if kind in ("followup.create",):
            return f"{fields.get('title', '')} · " + _("due {date}",
                                                      date=due_text(fields.get("due")))
        if kind in ("followup.update", "feedback.update"):
            return _(str(fields.get("status") or "")) + (
                f" → {due_text(fields['snoozed_until'])}" if fields.get("snoozed_until") else "")
        if kind == "customer.update":
            return ", ".join(_(name) for name in fields)
        return ""

    def _show_state(self) -> None:
        app = self.app
        state = app.status
        store = app.store
        status = self.engine_status or {}
        online = status.get("online", state.online)
        signed_out = state.signed_out  # the App's word, from the engine
        if app.engine is None:
            where = _("not logged in: press L to log in (or run `fieldrep login`)")
        elif signed_out:
            where = _("signed out: log in again")
            online = False
        elif online is None:
            where = _("checking the server…")
        else:
            where = _("online") if online else _("offline")
        server = status.get("server") or (store.session or {}).get("server") or ""
        last = rules.as_datetime(status.get("last_sync") or store.last_sync_at)
        last_text = (local_time(last, store.policy) if last
                     else _("never"))
        parts = [f"● {where}"]
        if server:
            parts.append(server)
        parts.append(_("last successful sync: {when}", when=last_text))
        parts.append(_("{n} pending", n=store.pending_count()))
        error = status.get("last_error") or state.last_error
        if error and not online and not signed_out:
            parts.append(_("last error: {error}", error=error))
        widget = self.query_one("#sync-state", Static)
        self._state_parts = parts
        widget.update(_break_between(parts, widget.content_size.width))
        widget.set_class(bool(online), "-online")
        widget.set_class(online is False or app.engine is None, "-offline")

    @work(exclusive=True, group="sync-status", thread=True, exit_on_error=False)
    def _read_engine_status(self) -> None:
        engine = self.app.engine
        if engine is None:
            return
        status = engine.status()
        as_dict = status if isinstance(status, dict) else {
            name: getattr(status, name, None)
            for name in ("online", "server", "last_sync", "pending", "last_error")}
        self.app.call_from_thread(self._got_status, as_dict)

    def _got_status(self, status: dict) -> None:
        self.engine_status = status
        self._show_state()

    # ------------------------------------------------------------------ keys

    def _highlighted(self, selector: str, rows: list[dict]) -> dict | None:
        table = self.query_one(selector, DataTable)
        if not rows or not 0 <= table.cursor_row < len(rows):
            return None
        return rows[table.cursor_row]

    def unavailable_reason(self, action: str) -> str | None:
        if action in ("keep", "open_conflict") and not self.conflicts:
            return _("No conflicts to settle")
        if action == "dismiss_rejection":
            if not self.rejections:
                return _("No rejections to dismiss")
            if not self.query_one("#sync-rejections", DataTable).has_focus:
                return _("Move to the rejections list first (tab)")
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.unavailable_reason(action) else True

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self.refresh_bindings()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#sync-conflicts")
    def _conflict_chosen(self) -> None:
        self.action_open_conflict()

    def action_open_conflict(self) -> None:
        """The highlighted conflict side by side; what is chosen there is settled here."""
        conflict = self._highlighted("#sync-conflicts", self.conflicts)
        if conflict is None or self.unavailable_reason("open_conflict"):
            return

        def chosen(side: str | None) -> None:
            if side in ("mine", "theirs"):
                self.settle(conflict, side)

        self.app.push_screen(ConflictDetail(conflict), callback=chosen)

    def action_keep(self, side: str) -> None:
        """``m``/``t``: settle the conflict highlighted in its list, whatever has the focus."""
        conflict = self._highlighted("#sync-conflicts", self.conflicts)
        if conflict is None or self.unavailable_reason("keep"):
            return
        self.settle(conflict, side)

    def settle(self, conflict: dict, side: str) -> None:
        """Settle ``conflict`` with ``side`` ("mine" is sent again) and say so."""
        self.app.store.resolve_conflict(conflict["id"], side)
        if side == "mine":
            self.app.notify(_("Kept yours for {field}: it will be sent again",
                              field=_(str(conflict.get("field")))))
        else:
            self.app.notify(_("Took the server's {field}", field=_(str(conflict.get("field")))))
        self.post_message(StoreChanged("conflict", sync_soon=side == "mine"))

    def action_dismiss_rejection(self) -> None:
        rejection = self._highlighted("#sync-rejections", self.rejections)
        if rejection is None or self.unavailable_reason("dismiss_rejection"):
            return
        self.app.store.dismiss_rejection(rejection["id"])
        self.app.notify(_("Rejection dismissed"))
        self.post_message(StoreChanged("rejection", sync_soon=False))

