"""The home screen: the follow-up queue, what the rep should do today and why.

Entries come from ``store.queue(now)``, ordered overdue first, worded by ``ui/queue_text.py``.
Follow-ups can be done, snoozed or dismissed here; generated entries (cadence, protection,
complaints) go away when the rep acts on the customer, and the keys that do not apply to them are
dimmed with the reason. ``u`` undoes the last ``d`` or ``x`` (the toast says so); ``v`` on a
follow-up opens the visit form offering to mark that follow-up done.
"""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from screens.customer_actions import CustomerActions, refused_text, resolve_complaint
from screens.messages import OpenCustomer, StoreChanged
from screens.pool_news import pool_entry_text
from sync.protocol import rules
from ui.complaint_text import revisit_title
from ui.i18n import _, _n
from ui.queue_text import due_cell, reason_text
from ui.times import due_text
from ui.widgets.key_footer import KeyFooter
from ui.widgets.queue_list import QueueList, QueueRow

REASON_LABELS = {
    "overdue": "Overdue",
    "due_today": "Due today",
    "followup": "Follow-up",
    "protection_expiring": "Protection ending",
    "cadence": "Visit due",
    "complaint": "Open complaint",
    "complaint_late": "Past its SLA",
    "pool_return": "Back in the pool",
}

GENERATED_REASONS = {
    "cadence": "A cadence visit is done by logging a visit (v); s puts it off",
    "protection_expiring": "Protection is extended by logging a visit (v); s puts it off",
    "complaint": "A complaint is closed with d (resolve), not snoozed or dismissed",
    "complaint_late": "Chase it on the complaints board (7); d resolves it",
    "pool_return": "Claim it again with c, or dismiss the news with x",
}


UNDO_TOAST_S = 6
"""How long the toast offering ``u undo`` stays; ``u`` works until the next ``d`` or ``x``."""


class QueueScreen(CustomerActions, Screen):
    """What to do today, most urgent first."""

    HELP_TITLE = "Queue"

    BINDINGS = [
        Binding("d", "done", "Done", id="queue.done", tooltip="Mark this follow-up done"),
        Binding("s", "snooze", "Snooze", id="queue.snooze",
                tooltip="Put this follow-up off: 1 day, 3 days, next week or a date"),
        Binding("x", "dismiss_followup", "Dismiss", id="queue.dismiss",
                tooltip="Drop this follow-up (asks first)"),
        Binding("u", "undo", "Undo", id="queue.undo",
                tooltip="Take back the last done or dismissed follow-up"),
        *CustomerActions.CUSTOMER_BINDINGS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[dict] = []
        self.data_version = -1
        self._titles: dict[str, str] = {}
        self._complaints: dict[str, dict] = {}
        self._undo: tuple[str, dict | None, str] | None = None
        """The last d or x to take back: (follow-up id, its status before, what it was)."""

    def compose(self) -> ComposeResult:
        yield Static(id="queue-summary")
        yield QueueList(id="queue")
        yield Static(id="queue-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_from_store()
        self.query_one(QueueList).focus()

    # ------------------------------------------------------------------ data

    def refresh_from_store(self) -> None:
        app = self.app
        self.data_version = app.data_version
        current = self.current_entry()
        current_key = current["key"] if current else None
        # a done or snoozed entry leaves: the cursor stays on its row, now the next entry
        cursor = self.query_one(QueueList).cursor
        store = app.store
        self.entries = store.queue(app.now())
        self._titles = {f["id"]: revisit_title(f) for f in store.followups()}
        self._complaints = {f["id"]: f for f in store.feedback() if f.get("kind") == "complaint"}
        today = store.today(app.now())  # the policy's calendar, as the queue counts
        rows = []
        for row, entry in enumerate(self.entries):
            code = entry.get("reason_code", "")
            if entry["key"] == current_key:
                cursor = row
            rows.append(QueueRow(
                why=_(REASON_LABELS.get(code, code)),
                customer=entry.get("customer_name", ""),
                tier=entry.get("tier") or "",
                city=entry.get("city") or "",
                due=due_cell(entry, today),
                what=self.what(entry),
                late=code in ("overdue", "complaint_late"),
            ))
        self.query_one(QueueList).set_entries(rows, cursor)
        overdue = sum(e.get("reason_code") == "overdue" for e in self.entries)
        late = sum(e.get("reason_code") == "complaint_late" for e in self.entries)
        summary = _n("{n} thing to do", "{n} things to do", len(self.entries))
        if overdue:
            summary += " · " + _("{n} overdue", n=overdue)
        if late:  # a manager's: the team's complaints past their SLA
            summary += " · " + _n("{n} complaint of the team past its SLA",
                                  "{n} complaints of the team past their SLA", late, n=late)
        if not self.entries:
            summary = _("Nothing due. Press 2 to browse your territory.")
        self.query_one("#queue-summary", Static).update(summary)
        self._show_detail()
        self.refresh_bindings()

    def what(self, entry: dict) -> str:
        """What to do, short and in the UI's language (the store's reason is the fallback)."""
        code = entry.get("reason_code")
        if entry.get("followup_id") and entry["followup_id"] in self._titles:
            return self._titles[entry["followup_id"]]
        if code in ("complaint", "complaint_late") and entry.get("feedback_id") in self._complaints:
            complaint = self._complaints[entry["feedback_id"]]
            severity = _(complaint.get("severity") or "")
            text = complaint.get("text", "")
            return _("[{tag}] {text}", tag=severity, text=text) if severity else text
        if code == "protection_expiring":
            return _("visit to extend the protection")
        if code == "pool_return":
            store = self.app.store
            return pool_entry_text(store.customer(entry.get("customer_id", "")), store.rep_id,
                                   self.app.now(), store.policy)
        if code == "cadence":
            customer = self.app.store.customer(entry.get("customer_id", "")) or {}
            last = rules.as_datetime(customer.get("last_visit_at"))
            if last is None:
                return _("not visited since the claim")
            days = (self.app.now() - last).days
            return _n("last visit {n} day ago", "last visit {n} days ago", days)
        return entry.get("reason", "")

    def _show_detail(self) -> None:
        entry = self.current_entry()
        detail = self.query_one("#queue-detail", Static)
        if entry is None:
            detail.update("")
            return
        today = self.app.store.today(self.app.now())
        detail.update(f"{entry.get('customer_name', '')} · {reason_text(entry, today)}")

    def current_entry(self) -> dict | None:
        try:
            cursor = self.query_one(QueueList).cursor
        except Exception:  # not composed yet
            return None
        if not 0 <= cursor < len(self.entries):
            return None
        return self.entries[cursor]

    def current_customer_id(self) -> str | None:
        entry = self.current_entry()
        return entry.get("customer_id") if entry else None

    # ------------------------------------------------------------------ availability

    def unavailable_reason(self, action: str) -> str | None:
        entry = self.current_entry()
        if action == "undo":
            return None if self._undo else _("Nothing to undo")
        if action in ("open", "done", "snooze", "dismiss_followup") and entry is None:
            return _("The queue is empty")
        if action == "done" and entry.get("feedback_id"):
            return None  # d on a complaint resolves it
        if (action in ("snooze", "dismiss_followup") and entry.get("reason_code") in (
            "cadence", "protection_expiring"
        )) or (action == "dismiss_followup" and entry.get("reason_code") == "pool_return"):
            return None  # a reminder the queue made can be put off or dropped too
        if action in ("done", "snooze", "dismiss_followup") and not entry.get("followup_id"):
            return _(GENERATED_REASONS.get(entry.get("reason_code", ""),
                                           "Only follow-ups can be done or snoozed"))
        return self.customer_unavailable_reason(action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.unavailable_reason(action) else True

    @on(QueueList.Highlighted)
    def _moved(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    # ------------------------------------------------------------------ actions

    @on(QueueList.Selected)
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        if cid := self.current_customer_id():
            self.post_message(OpenCustomer(cid))

    def action_visit(self) -> None:
        """The visit form; on a follow-up it offers to mark that follow-up done."""
        entry = self.current_entry()
        if entry and entry.get("followup_id") and entry.get("customer_id"):
            from screens.visit_form import VisitForm

            self.app.push_screen(VisitForm(entry["customer_id"], entry["followup_id"]))
            return
        super().action_visit()

    def action_done(self) -> None:
        entry = self.current_entry()
        if entry and entry.get("feedback_id") and not entry.get("followup_id"):
            today = self.app.store.today(self.app.now())
            resolve_complaint(self, entry["feedback_id"], entry.get("customer_name", ""),
                              reason_text(entry, today))
            return
        if entry and entry.get("followup_id"):
            before = self._status_of(entry["followup_id"])
            self.app.store.complete_followup(entry["followup_id"])
            self._offer_undo(entry["followup_id"], before,
                             _("Done: {name}", name=entry.get("customer_name", "")))
            self.post_message(StoreChanged("followup", sync_soon=True))

    def _status_of(self, followup_id: str) -> dict | None:
        """A follow-up's status and snoozed_until now (None: none yet, a generated entry)."""
        for followup in self.app.store.followups(include_closed=True):
            if followup["id"] == followup_id:
                return {"status": followup.get("status"),
                        "snoozed_until": followup.get("snoozed_until")}
        return None

    def _offer_undo(self, followup_id: str, before: dict | None, said: str) -> None:
        self._undo = (followup_id, before, said)
        self.app.notify(said + " · " + _("u undo"), timeout=UNDO_TOAST_S)
        self.refresh_bindings()

    def action_undo(self) -> None:
        from cache import StoreError

        if self._undo is None:
            return
        followup_id, before, said = self._undo
        self._undo = None
        store = self.app.store
        try:
            store.undo_followup(followup_id, before, store.today(self.app.now()))
        except StoreError as error:
            self.app.notify(refused_text(error), severity="warning", title=_("Cannot undo"))
            self.refresh_bindings()
            return
        self.app.notify(_("Undone: {what}", what=said))
        self.post_message(StoreChanged("followup", sync_soon=True))

    def action_snooze(self) -> None:
        from cache import ValidationFailed

        entry = self.current_entry()
        if not entry or self.unavailable_reason("snooze"):
            return
        followup_id = entry.get("followup_id")
        key = entry["key"]

        def snoozed(until: date | None) -> None:
            if until is None:
                return
            store = self.app.store
            try:
                store.snooze_followup(followup_id or key, until)
            except ValidationFailed as error:
                self.app.notify(refused_text(error),
                                severity="warning", title=_("Cannot snooze"))
                return
            self.app.notify(_("Snoozed until {date}",
                              date=due_text(until, store.today(self.app.now()))))
            self.post_message(StoreChanged("followup", sync_soon=True))

        from screens.snooze import SnoozePicker

        self.app.push_screen(SnoozePicker(), callback=snoozed)

    def action_dismiss_followup(self) -> None:
        entry = self.current_entry()
        if not entry or self.unavailable_reason("dismiss_followup"):
            return
        followup_id = entry.get("followup_id") or entry["key"]

        def confirmed(yes: bool | None) -> None:
            if yes and entry.get("reason_code") == "pool_return":
                self.app.store.dismiss_pool_return(entry["customer_id"])
                self.post_message(StoreChanged("pool", sync_soon=False))
            elif yes:
                before = self._status_of(followup_id) if entry.get("followup_id") else None
                record = self.app.store.dismiss_followup(followup_id)
                self._offer_undo(record["id"], before, _("Follow-up dismissed"))
                self.post_message(StoreChanged("followup", sync_soon=True))

        from screens.confirm import Confirm

        self.app.push_screen(
            Confirm(_("Dismiss “{title}” for {name}? It will not come back.",
                      title=self.what(entry), name=entry.get("customer_name", ""))),
            callback=confirmed)
