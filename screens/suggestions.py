"""Suggestions (``8``, a manager's): every customer whose order history suggests another tier or
lifecycle stage than the one it has, with the change and the scores behind it.

The suggestions are ``cache.suggestions`` (the rules: ``sync/protocol/rfm.py``), worked out in a
thread when the screen opens or the data changed, never at start-up. ``y`` accepts the
highlighted row, ``Y`` every disagreement (after a confirm saying how many); an acceptance is an
ordinary ``customer.update`` of tier and stage, queued in the outbox like an edit and sent at the
next sync. Nothing here changes a tier by itself. ``enter`` opens the customer.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from cache.suggestions import Accepted, accept, cached_suggestions, disagreements
from screens.confirm import Confirm
from screens.messages import OpenCustomer, StoreChanged
from sync.protocol import rules
from sync.protocol.rfm import Suggestion
from ui.i18n import _, _n, error_text
from ui.suggestion_text import scores_text, stage_change, tier_change
from ui.widgets.key_footer import KeyFooter
from ui.widgets.list_table import ListTable

MAX_ROWS = 2000
"""Rows listed at most (a DataTable of a few thousand rows); ``Y`` still accepts them all."""


class SuggestionsScreen(Screen):
    """The disagreements between the order history's suggestion and each customer's tier/stage."""

    HELP_TITLE = "Suggestions"

    DEFAULT_CSS = """
    SuggestionsScreen #suggestions-summary { padding: 0 1; }
    SuggestionsScreen #suggestions-rule { padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("y", "accept_one", "Accept", id="suggestions.accept",
                tooltip="Accept the highlighted suggestion: a customer update, sent at the next "
                        "sync"),
        Binding("Y", "accept_all", "Accept all", id="suggestions.accept_all",
                tooltip="Accept every suggestion listed, after a confirm"),
        Binding("enter", "open_customer", "Open", id="suggestions.open",
                tooltip="Open the highlighted customer"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data_version = -1
        self.rows: list[Suggestion] = []
        self.loading = False
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Static(id="suggestions-summary", markup=False)
        yield Static(_("R: days since the last order · F: orders in 365 days · M: their amount; "
                       "each 1–5 by fifths of the customers here. A: R+F+M ≥ 13, B: ≥ 8. "
                       "No order for 180 days: at risk; 365: lost"),
                     id="suggestions-rule", markup=False)
        yield ListTable(id="suggestions")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#suggestions", DataTable)
        table.add_column(_("Customer"), key="name", width=28)
        table.add_column(_("Owner"), key="owner", width=12)
        table.add_column(_("Tier"), key="tier", width=7)
        table.add_column(_("Stage"), key="stage", width=20)
        table.add_column(_("Scores"), key="scores", width=10)
        table.add_column(_("Last order"), key="recency", width=12)
        table.add_column(_("Orders"), key="orders", width=7)
        table.add_column(_("Amount"), key="amount")
        self.refresh_from_store()
        table.focus()

    # ------------------------------------------------------------------ the rows

    def refresh_from_store(self) -> None:
        """Work the suggestions out again (in a thread) for the data as it is now."""
        app = self.app
        self.data_version = app.data_version
        store, version = app.store, app.data_version
        today = rules.policy_day(store.policy, app.now())
        self.loading = True
        if not self.rows:
            self.query_one("#suggestions-summary", Static).update(
                _("Working out suggestions from the order history…"))

        def work() -> None:
            rows = disagreements(cached_suggestions(store, today, version), store)
            app.call_from_thread(self._fill, rows)

        self.run_worker(work, thread=True, group="suggestions", exclusive=True,
                        exit_on_error=False)

    def _fill(self, rows: list[Suggestion]) -> None:
        if not self.is_attached:
            return
        self.loading = False
        store = self.app.store
        table = self.query_one("#suggestions", DataTable)
        keep = self.current().customer_id if self.current() else None
        table.clear()
        self.rows = rows
        for s in rows[:MAX_ROWS]:
            customer = store.customer(s.customer_id) or {}
            owner = customer.get("owner_name") or (
                _("pool") if not customer.get("owner_id") else "?")
            table.add_row(customer.get("name") or s.customer_id, owner, tier_change(s),
                          stage_change(s), scores_text(s),
                          _n("{n} day ago", "{n} days ago", s.recency_days or 0),
                          str(s.frequency), f"{s.monetary:,.0f}", key=s.customer_id)
        if keep is not None:
            keys = [s.customer_id for s in rows[:MAX_ROWS]]
            if keep in keys:
                table.move_cursor(row=keys.index(keep))
        self.query_one("#suggestions-summary", Static).update(self._summary())
        self.refresh_bindings()

    def _summary(self) -> str:
        if not self.rows:
            return _("Every customer with orders has the tier and stage its history suggests")
        text = _n("{n} customer's tier or stage differs from what its order history suggests",
                  "{n} customers' tier or stage differ from what their order history suggests",
                  len(self.rows))
        if len(self.rows) > MAX_ROWS:
            text += " " + _("(the first {shown} listed)", shown=f"{MAX_ROWS:,}")
        return text

    def current(self) -> Suggestion | None:
        try:
            row = self.query_one("#suggestions", DataTable).cursor_row
        except Exception:  # not composed yet
            return None
        shown = self.rows[:MAX_ROWS]
        return shown[row] if 0 <= row < len(shown) else None

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.unavailable_reason(action) else True

    def unavailable_reason(self, action: str) -> str | None:
        if action not in ("accept_one", "accept_all", "open_customer"):
            return None
        if action != "open_customer" and not self.app.managing():
            return _("Only a manager or an admin accepts suggestions")
        if self.busy:
            return _("Still queueing the accepted suggestions")
        if self.loading and not self.rows:
            return _("The suggestions are still being worked out")
        if action == "accept_all" and not self.rows:
            return _("Nothing to accept: no suggestion differs")
        if action != "accept_all" and self.current() is None:
            return _("Highlight a customer first")
        return None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_customer()

    def action_open_customer(self) -> None:
        chosen = self.current()
        if chosen is not None:
            self.post_message(OpenCustomer(chosen.customer_id))

    def action_accept_one(self) -> None:
        chosen = self.current()
        if chosen is not None and not self.unavailable_reason("accept_one"):
            self._accept([chosen])

    def action_accept_all(self) -> None:
        if self.unavailable_reason("accept_all"):
            return
        chosen = list(self.rows)

        def answered(yes: bool | None) -> None:
            if yes:
                self._accept(chosen)

        self.app.push_screen(Confirm(
            _n("Accept the suggestion for {n} customer?",
               "Accept the suggestions for all {n} customers?", len(chosen)),
            detail=_("Each becomes a customer update of tier and stage, sent at the next sync"),
            yes=_("Accept all"), no=_("Cancel"), danger=False), answered)

    def _accept(self, chosen: list[Suggestion]) -> None:
        self.busy = True
        self.refresh_bindings()
        store = self.app.store

        def work() -> None:
            done = accept(store, chosen)
            self.app.call_from_thread(self._accepted, done)

        self.run_worker(work, thread=True, group="suggestions-accept", exclusive=True,
                        exit_on_error=False)

    def _accepted(self, done: Accepted) -> None:
        self.busy = False
        if done.queued:
            self.notify(_n("{n} suggestion accepted — will sync",
                           "{n} suggestions accepted — will sync", len(done.queued)))
        for customer_id, error in done.refused[:3]:
            name = (self.app.store.customer(customer_id) or {}).get("name") or customer_id
            self.notify(_("{name}: {reason}", name=name, reason=error_text(error)),
                        severity="warning", timeout=8)
        if len(done.refused) > 3:
            self.notify(_n("and {n} more refused", "and {n} more refused",
                           len(done.refused) - 3), severity="warning", timeout=8)
        self.post_message(StoreChanged())

