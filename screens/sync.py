"""Sync (``4``): is the server reachable, what is waiting to go, what went wrong, and why.

Four panes: pending operations (the outbox, oldest first), conflicts to settle, rejections with
the server's reason (``x`` dismisses one), and the log of sync runs. A conflict's row names what
differs (``contacts[Nina Tanaka].phone``, from ``cache/conflicts.py``); ``enter`` on it opens
every difference side by side (``screens/conflict_detail.py``); ``m`` keep mine and ``t`` take
theirs settle the conflict highlighted in its list wherever the focus is. The state line reads ``app.engine.status()`` in a worker thread when there is an
engine (it may touch the network) and the local store otherwise; ``S`` syncs now.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from screens.conflict_detail import ConflictDetail, difference_label, value_text
from screens.messages import StoreChanged
from sync.protocol import rules
from ui.i18n import OP_LABELS, _, rejection_text
from ui.times import SHORT, local_time
from ui.widgets.cells import fit
from ui.widgets.key_footer import KeyFooter


def _short(value: Any, width: int = 24) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        value = "; ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v)
                          for v in value)
    return fit(str(value), width).rstrip()


class SyncScreen(Screen):
    """Sync state, the outbox, conflicts, rejections and the run log."""

    HELP_TITLE = "Sync"

    BINDINGS = [
        Binding("m", "keep('mine')", "Keep mine", id="sync.keep_mine",
                tooltip="Settle the highlighted conflict with your value (sent again)"),
        Binding("t", "keep('theirs')", "Take theirs", id="sync.take_theirs",
                tooltip="Settle the highlighted conflict with the server's value"),
        Binding("enter", "open_conflict", "Details", id="sync.conflict_detail",
                tooltip="See the highlighted conflict side by side, mine against theirs"),
        Binding("x", "dismiss_rejection", "Dismiss", id="sync.dismiss",
                tooltip="Dismiss the highlighted rejection once you have read it"),
        Binding("j", "cursor_down", "Down", id="sync.down", show=False, tooltip="Next row"),
        Binding("k", "cursor_up", "Up", id="sync.up", show=False, tooltip="Previous row"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data_version = -1
        self.conflicts: list[dict] = []
        self.rejections: list[dict] = []
        self.engine_status: dict | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="sync-state", markup=False)
        with Grid(id="sync-grid"):
            with Vertical(classes="sync-pane"):
                yield Static(id="sync-pending-title", classes="section-title")
                yield DataTable(id="sync-pending", cursor_type="row", zebra_stripes=True)
            with Vertical(classes="sync-pane"):
                yield Static(id="sync-conflicts-title", classes="section-title")
                yield DataTable(id="sync-conflicts", cursor_type="row", zebra_stripes=True)
            with Vertical(classes="sync-pane"):
                yield Static(id="sync-rejections-title", classes="section-title")
                yield DataTable(id="sync-rejections", cursor_type="row", zebra_stripes=True)
            with Vertical(classes="sync-pane"):
                yield Static(_("Sync runs"), classes="section-title")
                yield DataTable(id="sync-runs", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        columns = {
            "#sync-pending": (("#", 3), (_("What"), 10), (_("Customer"), 14), (_("Details"), 0)),
            "#sync-conflicts": ((_("Customer"), 10), (_("Field"), 30), (_("Mine"), 13),
                                (_("Theirs"), 0)),
            "#sync-rejections": ((_("What"), 10), (_("Customer"), 14), (_("Reason"), 0)),
            "#sync-runs": ((_("Finished"), 12), (_("Result"), 8), (_("Sent"), 5),
                           (_("Received"), 8), (_("Note"), 0)),
        }
        for selector, spec in columns.items():
            table = self.query_one(selector, DataTable)
            for label, width in spec:
                table.add_column(label, width=width or None)
        self.refresh_from_store()
        self.query_one("#sync-conflicts" if self.conflicts else "#sync-pending").focus()

    # ------------------------------------------------------------------ data

    def refresh_from_store(self) -> None:
        app = self.app
        self.data_version = app.data_version
        store = app.store
        self._fill_pending(store)
        self.conflicts = store.conflicts()
        table = self.query_one("#sync-conflicts", DataTable)
        table.clear()
        for conflict in self.conflicts:
            first, *more = conflict.get("differences") or [{"field": conflict.get("field")}]
            label = difference_label(first) + (f" +{len(more)}" if more else "")
            table.add_row(_short(conflict.get("customer_name"), 10), fit(label, 30).rstrip(),
                          _short(value_text(first.get("mine")), 13),
                          _short(value_text(first.get("theirs")), 40), key=conflict["id"])
        if not self.conflicts:
            table.add_row("", "", _("No conflicts"), "", key="empty")
        self.query_one("#sync-conflicts-title", Static).update(
            _("Conflicts ({n}) — enter details · m mine · t theirs",
              n=len(self.conflicts)))
        self.rejections = store.rejections()
        table = self.query_one("#sync-rejections", DataTable)
        table.clear()
        for rejection in self.rejections:
            table.add_row(_(OP_LABELS.get(rejection.get("kind", ""), rejection.get("kind", ""))),
                          _short(self._customer_name(store, rejection.get("record_id")), 14),
                          rejection_text(rejection), key=rejection["id"])
        if not self.rejections:
            table.add_row("", "", _("Nothing was rejected"), key="empty")
        self.query_one("#sync-rejections-title", Static).update(
            _("Rejected ({n}) — x dismiss", n=len(self.rejections)))
        table = self.query_one("#sync-runs", DataTable)
        table.clear()
        for index, run in enumerate(reversed(store.sync_runs()[-50:])):
            ok = run.get("ok")
            note = run.get("error") or ""
            if ok and (run.get("conflicts") or run.get("rejected")):
                note = _("{c} conflicts, {r} rejected", c=run.get("conflicts") or 0,
                         r=run.get("rejected") or 0)
            table.add_row(local_time(run.get("finished_at") or run.get("at"), store.policy, SHORT),
                          _("ok") if ok else _("failed"), str(run.get("pushed") or 0),
                          str(run.get("pulled") or 0), str(note), key=str(index))
        if table.row_count == 0:
            table.add_row("", "", "", "", _("No sync yet"), key="empty")
        self._show_state()
        if app.engine is not None:
            self._read_engine_status()
        self.refresh_bindings()

    def _fill_pending(self, store: Any) -> None:
        outbox = store.outbox()
        table = self.query_one("#sync-pending", DataTable)
        table.clear()
        for op in outbox:
            fields = op.get("fields") or {}
            customer_id = fields.get("customer_id") or (
                op.get("record_id") if op.get("kind", "").startswith("customer.") else None)
            table.add_row(str(op.get("mid")), _(OP_LABELS.get(op.get("kind", ""), op["kind"])),
                          _short(self._customer_name(store, customer_id), 14),
                          self._op_details(store, op), key=str(op.get("op_id")))
        if not outbox:
            table.add_row("", "", "", _("Nothing waiting: all your work is on the server"),
                          key="empty")
        self.query_one("#sync-pending-title", Static).update(
            _("Waiting to sync ({n})", n=len(outbox)))

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
            return f"{fields.get('title', '')} · " + _("due {date}", date=fields.get("due", ""))
        if kind in ("followup.update", "feedback.update"):
            return _(str(fields.get("status") or "")) + (
                f" → {fields['snoozed_until']}" if fields.get("snoozed_until") else "")
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
            where = _("not logged in: run `fieldrep login` to sync")
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
        widget.update("   ".join(parts))
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

    def action_cursor_down(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable):
            focused.action_cursor_down()

    def action_cursor_up(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable):
            focused.action_cursor_up()
