"""One customer: who they are, whether they are protected, and everything that happened.

The keys it shares with the queue and the territory (visit, feedback, follow-up, claim, edit)
are ``screens.customer_actions.CustomerActions``; its own are ``d`` (resolve the highlighted
complaint, as ``d`` on the queue) and ``r`` (return the customer to the pool with a reason:
``screens/return_customer.py``; the owner only). Under the timeline, the ownership history:
who changed the owner, when (in the policy's zone) and why, newest first. Under the protection
line, when the order history suggests another tier or stage (``sync/protocol/rfm.py``), a line
"suggested: A (R5 F4 M5) — now B"; a manager accepts it on the Suggestions screen (``8``).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from screens.customer_actions import CustomerActions, resolve_complaint
from screens.pool_news import pool_header
from screens.return_customer import return_customer, return_unavailable_reason
from screens.transfer_customer import transfer_customer, transfer_unavailable_reason
from sync.protocol import rules
from ui.complaint_text import revisit_title
from ui.i18n import _, _n
from ui.ownership import days_left, kind_text, who_text, why_text
from ui.suggestion_text import suggestion_line
from ui.times import day_text, due_text, local_time
from ui.values import stage_text, value_label
from ui.widgets.key_footer import KeyFooter
from ui.widgets.list_table import ListTable

WHAT_WIDTH = 12
"""The timeline's What column: the longest kind, "satisfaction", in full."""


def _timeline_text(entry: dict, policy: Any = None) -> tuple[str, str]:
    """(kind label, one-line summary) for a timeline entry."""
    record = entry.get("record") or {}
    kind = entry.get("type")
    if kind == "visit":
        text = record.get("outcome", "")
        if record.get("notes"):
            text += f" — {record['notes']}"
        if record.get("amount"):
            text += " · " + _("order {amount:,.0f}", amount=float(record["amount"]))
        return _(record.get("kind") or "visit"), text
    if kind == "feedback":
        fkind = record.get("kind", "")
        text = record.get("text", "")
        if fkind == "satisfaction" and record.get("score"):
            text = f"{'★' * int(record['score'])} {text}"
        if fkind == "complaint":
            text = " · ".join((*_complaint_state(record, policy), text))
        return _(fkind), text
    status = record.get("status", "open")
    text = f"{revisit_title(record)} · " + _("due {date}", date=due_text(record.get("due")))
    if status != "open":
        text += _(" ({aside})", aside=_(status))
    return _("follow-up"), text


def _complaint_state(record: dict, policy: Any = None) -> list[str]:
    """Whether a complaint is open or resolved (when, in the policy's zone, and how), and its
    severity, in words."""
    status = str(record.get("status") or "open")
    if status == "resolved":
        resolution = " ".join(str(record.get("resolution") or "").split())
        state = _("resolved: {resolution}", resolution=resolution) if resolution else _("resolved")
        if record.get("resolved_at"):
            state = _("{state} ({date})", state=state,
                      date=day_text(record["resolved_at"], policy))
    else:
        state = _(COMPLAINT_STATES.get(status, status))
    severity = record.get("severity")
    return [state, _("{level} severity", level=_(str(severity)))] if severity else [state]


COMPLAINT_STATES = {"open": "open", "in_progress": "in progress"}
"""A complaint's status as a person reads it (the catalogue gives the Chinese)."""


class CustomerScreen(CustomerActions, Screen):
    """Header, contacts and the timeline of one customer."""

    HELP_TITLE = "Customer"

    BINDINGS = [
        *CustomerActions.CUSTOMER_BINDINGS,
        Binding("d", "resolve", "Resolve", id="customer.resolve",
                tooltip="Resolve the highlighted complaint"),
        Binding("r", "return_customer", "Return", id="customer.return",
                tooltip="Give this customer back to the pool, with a reason"),
        Binding("t", "transfer", "Transfer", id="customer.transfer",
                tooltip="Give this customer to another rep of the team (a manager)"),
    ]

    def __init__(self, customer_id: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.data_version = -1
        self.timeline: list[dict] = []
        self.ownership: list[dict] = []
        """The ownership history as shown, newest first."""

    def current_customer_id(self) -> str | None:
        return self.customer_id

    def compose(self) -> ComposeResult:
        with Vertical(id="customer-head"):
            yield Static(id="customer-title")
            yield Static(id="customer-facts")
            yield Static(id="customer-protection")
            yield Static(id="customer-suggestion", markup=False)  # issue 12: shown if it differs
        with Horizontal(id="customer-body"):
            with Vertical(id="customer-contacts-box"):
                yield Static(_("Contacts"), classes="section-title")
                yield Static(id="customer-contacts")
            with Vertical(id="customer-timeline-box"):
                yield Static(_("Timeline"), classes="section-title")
                yield ListTable(id="timeline")
                yield Static(_("Ownership"), classes="section-title")
                yield ListTable(id="ownership")
                yield Static(id="ownership-why", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#timeline", DataTable)
        table.add_column(_("When"), key="when", width=16)
        table.add_column(_("What"), key="what", width=WHAT_WIDTH)
        table.add_column(_("Details"), key="details")
        table.add_column("", key="sync", width=14)
        trail = self.query_one("#ownership", DataTable)
        trail.add_column(_("When"), key="when", width=16)
        trail.add_column(_("What"), key="what", width=WHAT_WIDTH)
        trail.add_column(_("By"), key="who", width=12)
        trail.add_column(_("Why"), key="why")
        self.refresh_from_store()
        table.focus()

    def refresh_from_store(self) -> None:
        app = self.app
        self.data_version = app.data_version
        store = app.store
        customer = store.customer(self.customer_id)
        if customer is None:
            self.query_one("#customer-title", Static).update(_("This customer is gone"))
            return
        now = app.now()
        title = f"{customer.get('name', '')}"
        self.query_one("#customer-title", Static).update(title)
        owner = customer.get("owner_name") or (
            _("pool (unowned)") if not customer.get("owner_id") else "?")
        facts = " · ".join(
            part for part in (
                _("Tier {tier}", tier=customer.get("tier") or "?"),
                stage_text(customer.get("stage")),
                _("owner: {owner}", owner=owner),
                value_label("industry", customer.get("industry"), store.policy),
                " ".join(p for p in (customer.get("province"), customer.get("city")) if p),
                customer.get("address") or "",
            ) if part
        )
        if customer.get("claim_pending"):
            facts += " · " + _("claim waiting to sync")
        if customer.get("return_pending"):
            facts += " · " + _("return to the pool waiting to sync")
        self.query_one("#customer-facts", Static).update(facts)
        self.query_one("#customer-protection", Static).update(self._protection(customer, now))
        self._show_suggestion()
        contacts = customer.get("contacts") or []
        lines = []
        for contact in contacts:
            lines.append(f"{contact.get('name', '')}  {contact.get('title', '')}".rstrip())
            for extra in (contact.get("phone"), contact.get("email")):
                if extra:
                    lines.append(f"  {extra}")
        self.query_one("#customer-contacts", Static).update(
            "\n".join(lines) or _("No contacts yet (e to add)"))
        table = self.query_one("#timeline", DataTable)
        table.clear()
        self.timeline = store.timeline(self.customer_id)
        for index, entry in enumerate(self.timeline):
            kind, text = _timeline_text(entry, store.policy)
            synced = "" if entry.get("synced", True) else _("not yet synced")
            record = entry.get("record") or {}
            when = local_time(entry.get("at"), store.policy)
            if entry.get("type") == "followup":
                when = when[:10]
            table.add_row(when, kind, text, synced,
                          key=str(record.get("id") or index))
        if table.row_count == 0:
            table.add_row("", "", _("Nothing yet: press v to log the first visit"), "")
        self._show_ownership()
        self.refresh_bindings()

    def _show_suggestion(self) -> None:
        """The tier/stage suggestion from order history (``cache/suggestions.py``), when it
        differs from the customer's; worked out in a thread the first time (it ranks every
        customer on the laptop), then kept until the data changes."""
        app = self.app
        store, version = app.store, app.data_version
        today = rules.policy_day(store.policy, app.now())
        line = self.query_one("#customer-suggestion", Static)
        if not line.content:
            line.display = False

        def work() -> None:
            from cache.suggestions import cached_suggestions

            found = cached_suggestions(store, today, version).get(self.customer_id)
            app.call_from_thread(self._put_suggestion, suggestion_line(found))

        self.run_worker(work, thread=True, group="suggestion", exclusive=True,
                        exit_on_error=False)

    def _put_suggestion(self, text: str) -> None:
        if not self.is_attached:
            return
        line = self.query_one("#customer-suggestion", Static)
        line.update(text)
        line.display = bool(text)

    def _show_ownership(self) -> None:
        """The ownership history, newest first."""
        store = self.app.store
        trail = self.query_one("#ownership", DataTable)
        trail.clear()
        self.ownership = store.ownership_history(self.customer_id)[::-1]
        for event in self.ownership:
            trail.add_row(local_time(event.get("at"), store.policy), kind_text(event.get("kind")),
                          who_text(event), why_text(event), key=str(event.get("id")))
        if trail.row_count == 0:
            trail.add_row("", "", "", _("No ownership history on this laptop yet: it comes "
                                        "with the next sync"))
        self._show_why()

    def _show_why(self) -> None:
        """The highlighted event's reason in full under the history (its cell may be cut)."""
        row = self.query_one("#ownership", DataTable).cursor_row
        event = self.ownership[row] if 0 <= row < len(self.ownership) else None
        self.query_one("#ownership-why", Static).update(why_text(event) if event else "")

    def _protection(self, customer: dict, now: Any) -> str:
        store = self.app.store
        until = rules.as_datetime(customer.get("protected_until"))
        if not customer.get("owner_id"):
            return pool_header(customer, store.rep_id, now, store.policy)
        left = days_left(customer, now)
        if until is None or left is None:
            return _("Owned, no protection period")
        next_due = rules.next_visit_due(customer, store.policy)
        due = ("  ·  " + _("next visit due {date}", date=due_text(next_due))) if next_due else ""
        if left < 0:
            return _("Protection lapsed on {date}: returns to the pool",
                     date=day_text(until, store.policy)) + due
        return _n("Protected for {n} more day (until {date})",
                  "Protected for {n} more days (until {date})", left,
                  date=day_text(until, store.policy)) + due

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.unavailable_reason(action) else True

    def unavailable_reason(self, action: str) -> str | None:
        if action == "resolve" and self._open_complaint() is None:
            return _("Highlight an open complaint in the timeline first")
        if action == "return_customer":
            return return_unavailable_reason(self.app.store, self.current_customer())
        if action == "transfer":
            return transfer_unavailable_reason(self.app, self.current_customer())
        return self.customer_unavailable_reason(action)

    def _open_complaint(self) -> dict | None:
        try:
            row = self.query_one("#timeline", DataTable).cursor_row
        except Exception:  # not composed yet
            return None
        if not 0 <= row < len(self.timeline):
            return None
        record = self.timeline[row].get("record") or {}
        if record.get("kind") == "complaint" and record.get("status") != "resolved":
            return record
        return None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "ownership":
            self._show_why()
        self.refresh_bindings()

    def action_resolve(self) -> None:
        complaint = self._open_complaint()
        if complaint is not None:
            name = (self.current_customer() or {}).get("name", "")
            resolve_complaint(self, complaint["id"], name, complaint.get("text", ""))

    def action_transfer(self) -> None:
        customer = self.current_customer()
        if customer is not None and not self.unavailable_reason("transfer"):
            transfer_customer(self, customer)

    def action_return_customer(self) -> None:
        customer = self.current_customer()
        if customer is not None and not self.unavailable_reason("return_customer"):
            return_customer(self, customer)
