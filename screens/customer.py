"""One customer: who they are, whether they are protected, and everything that happened.

Also home of ``CustomerActions``, the keys every screen that shows customers shares (visit,
feedback, follow-up, claim, edit), and ``open_screen``, which opens another part's screen by
name so a missing form says so instead of crashing.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Static

from screens.messages import StoreChanged
from sync.protocol import rules
from ui.i18n import _, error_text, refusal_text
from ui.widgets.key_footer import KeyFooter

log = logging.getLogger("fieldrep.tui")


def open_screen(host: Any, module: str, name: str, *args: Any,
                callback: Callable[[Any], Any] | None = None) -> bool:
    """Push ``screens.<module>.<name>(*args)``; say so plainly if this build lacks it."""
    try:
        screen_class = getattr(importlib.import_module(f"screens.{module}"), name)
    except (ImportError, AttributeError) as error:
        log.warning("screen %s.%s unavailable: %s", module, name, error)
        host.app.notify(_("That form is not available in this build"), severity="error")
        return False
    host.app.push_screen(screen_class(*args), callback=callback)
    return True


def claim_refusal_for(store: Any, customer: dict | None, now: Any) -> str | None:
    """Why this rep cannot claim ``customer`` (the local pre-check), or None."""
    if customer is None:
        return _("No customer selected")
    if customer.get("claim_pending"):
        return _("A claim for {name} is already waiting to sync", name=customer.get("name", ""))
    session = store.session or {}
    rep_id = session.get("rep_id") or (store.me or {}).get("id") or ""
    reason = rules.claim_refusal(customer, rep_id, in_territory=True, now=now,
                                 claims_today=0, held=0, policy=store.policy)
    # the laptop decides only these; the rest (limits, cool-off) is the server's at sync.
    # Said from the refusal's code and parameters, in the UI's language.
    if reason is None or reason.code not in (
            "claim.already_yours", "claim.owned_by", "claim.owned_by_until"):
        return None
    params = dict(reason.params)
    if "who" in params and not customer.get("owner_name"):
        params["who"] = _("another rep")
    return refusal_text(reason.code, params, reason.text)


def refused_text(error: Exception) -> str:
    """A refused command in the UI's language: its coded refusal, else its own message."""
    if getattr(error, "refusal", None) is not None or getattr(error, "code", None):
        return error_text(error)
    return _(str(getattr(error, "message", None) or error))


class CustomerActions:
    """Keys for the customer under the cursor: v visit, f feedback, n follow-up, c claim, e edit.

    A host screen provides ``current_customer_id()``; these actions then work the same on the
    queue, the territory and the customer screen.
    """

    CUSTOMER_BINDINGS = [
        Binding("v", "visit", "Visit", id="customer.visit",
                tooltip="Log a visit, call or meeting with this customer"),
        Binding("f", "feedback", "Feedback", id="customer.feedback",
                tooltip="Record satisfaction, a complaint or a suggestion"),
        Binding("n", "new_followup", "Follow-up", id="customer.followup",
                tooltip="Add a follow-up with a due date"),
        Binding("c", "claim", "Claim", id="customer.claim",
                tooltip="Claim this pool customer; the server decides at sync"),
        Binding("e", "edit", "Edit", id="customer.edit",
                tooltip="Edit the customer's fields"),
    ]

    def current_customer_id(self) -> str | None:
        raise NotImplementedError

    def current_customer(self) -> dict | None:
        cid = self.current_customer_id()
        return self.app.store.customer(cid) if cid else None

    def customer_unavailable_reason(self, action: str) -> str | None:
        if action not in ("visit", "feedback", "new_followup", "claim", "edit"):
            return None
        if self.current_customer_id() is None:
            return _("No customer selected")
        if action == "claim":
            return claim_refusal_for(self.app.store, self.current_customer(), self.app.now())
        return None

    # The forms save, post StoreChanged and toast themselves; no callback is needed here.

    def action_visit(self) -> None:
        if cid := self.current_customer_id():
            open_screen(self, "visit_form", "VisitForm", cid)

    def action_feedback(self) -> None:
        if cid := self.current_customer_id():
            open_screen(self, "feedback_form", "FeedbackForm", cid)

    def action_new_followup(self) -> None:
        if cid := self.current_customer_id():
            open_screen(self, "followup_form", "FollowUpForm", cid)

    def action_edit(self) -> None:
        if cid := self.current_customer_id():
            open_screen(self, "edit_customer", "EditCustomerForm", cid)

    def action_claim(self) -> None:
        from cache import StoreError

        customer = self.current_customer()
        if customer is None:
            return
        try:
            self.app.store.claim(customer["id"])
        except StoreError as error:
            self.app.notify(refused_text(error), severity="warning", title=_("Cannot claim"))
            return
        self.app.notify(_("Claim for {name} queued: the server decides at sync",
                          name=customer.get("name", "")))
        self.post_message(StoreChanged("claim", sync_soon=True))


class ResolveComplaint(ModalScreen[str | None]):
    """Ask how a complaint was resolved; dismisses with the resolution, or None."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="resolve.save",
                tooltip="Close the complaint with this resolution"),
        Binding("escape", "cancel", "Cancel", id="resolve.cancel", tooltip="Leave it open"),
    ]

    def __init__(self, customer_name: str, complaint: str) -> None:
        super().__init__()
        self.customer_name = customer_name
        self.complaint = complaint

    def compose(self) -> ComposeResult:
        with Vertical(id="resolve-box"):
            yield Static(_("Resolve the complaint of {name}", name=self.customer_name),
                         classes="section-title")
            yield Static(self.complaint, id="resolve-complaint", markup=False)
            yield Input(placeholder=_("How was it resolved?"), id="resolution")
            yield Static(_("enter or ctrl+s saves · esc leaves it open"), classes="hint")

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        text = self.query_one("#resolution", Input).value.strip()
        if not text:
            self.notify(_("Say how it was resolved first"), severity="warning")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


def resolve_complaint(host: Any, feedback_id: str, customer_name: str, text: str) -> None:
    """Ask for a resolution, then close the complaint in the store."""

    def resolved(resolution: str | None) -> None:
        if not resolution:
            return
        host.app.store.resolve_complaint(feedback_id, resolution)
        host.app.notify(_("Complaint resolved: will sync"))
        host.post_message(StoreChanged("feedback", sync_soon=True))

    host.app.push_screen(ResolveComplaint(customer_name, text), callback=resolved)


def _when(value: Any) -> str:
    moment = rules.as_datetime(value)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


def _timeline_text(entry: dict) -> tuple[str, str]:
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
            text = f"[{_(record.get('severity') or '')}/{_(record.get('status') or 'open')}] {text}"
        return _(fkind), text
    status = record.get("status", "open")
    text = f"{record.get('title', '')} · " + _("due {date}", date=record.get("due", ""))
    if status != "open":
        text += f" ({_(status)})"
    return _("follow-up"), text


class CustomerScreen(CustomerActions, Screen):
    """Header, contacts and the timeline of one customer."""

    HELP_TITLE = "Customer"

    BINDINGS = [
        *CustomerActions.CUSTOMER_BINDINGS,
        Binding("r", "resolve", "Resolve", id="customer.resolve",
                tooltip="Resolve the highlighted complaint"),
    ]

    def __init__(self, customer_id: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.data_version = -1
        self.timeline: list[dict] = []

    def current_customer_id(self) -> str | None:
        return self.customer_id

    def compose(self) -> ComposeResult:
        with Vertical(id="customer-head"):
            yield Static(id="customer-title")
            yield Static(id="customer-facts")
            yield Static(id="customer-protection")
        with Horizontal(id="customer-body"):
            with Vertical(id="customer-contacts-box"):
                yield Static(_("Contacts"), classes="section-title")
                yield Static(id="customer-contacts")
            with Vertical(id="customer-timeline-box"):
                yield Static(_("Timeline"), classes="section-title")
                table: DataTable = DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
                yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#timeline", DataTable)
        table.add_column(_("When"), key="when", width=16)
        table.add_column(_("What"), key="what", width=10)
        table.add_column(_("Details"), key="details")
        table.add_column("", key="sync", width=14)
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
                _(customer.get("stage") or ""),
                _("owner: {owner}", owner=owner),
                customer.get("industry") or "",
                " ".join(p for p in (customer.get("province"), customer.get("city")) if p),
                customer.get("address") or "",
            ) if part
        )
        if customer.get("claim_pending"):
            facts += " · " + _("claim waiting to sync")
        self.query_one("#customer-facts", Static).update(facts)
        self.query_one("#customer-protection", Static).update(self._protection(customer, now))
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
            kind, text = _timeline_text(entry)
            synced = "" if entry.get("synced", True) else _("not yet synced")
            record = entry.get("record") or {}
            when = _when(entry.get("at"))
            if entry.get("type") == "followup":
                when = when[:10]
            table.add_row(when, kind, text, synced,
                          key=str(record.get("id") or index))
        if table.row_count == 0:
            table.add_row("", "", _("Nothing yet: press v to log the first visit"), "")
        self.refresh_bindings()

    def _protection(self, customer: dict, now: Any) -> str:
        store = self.app.store
        until = rules.as_datetime(customer.get("protected_until"))
        if not customer.get("owner_id"):
            return _("In the shared pool: press c to claim")
        if until is None:
            return _("Owned, no protection period")
        left = rules.days_left(until, now)
        next_due = rules.next_visit_due(customer, store.policy)
        due = ("  ·  " + _("next visit due {date}", date=next_due.isoformat())) if next_due else ""
        if left is not None and left < 0:
            return _("Protection lapsed on {date}: returns to the pool", date=until.date()) + due
        return _("Protected for {n} more days (until {date})", n=left,
                 date=until.date().isoformat()) + due

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.unavailable_reason(action) else True

    def unavailable_reason(self, action: str) -> str | None:
        if action == "resolve" and self._open_complaint() is None:
            return _("Highlight an open complaint in the timeline first")
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

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_resolve(self) -> None:
        complaint = self._open_complaint()
        if complaint is not None:
            name = (self.current_customer() or {}).get("name", "")
            resolve_complaint(self, complaint["id"], name, complaint.get("text", ""))
