"""The home screen: the follow-up queue, what the rep should do today and why.

Entries come from ``store.queue(now)``, ordered overdue first. Follow-ups can be done, snoozed
or dismissed here; generated entries (cadence, protection, complaints) go away when the rep acts
on the customer, and the keys that do not apply to them are dimmed with the reason.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from screens.customer_actions import CustomerActions, refused_text, resolve_complaint
from screens.messages import OpenCustomer, StoreChanged
from screens.pool_news import pool_entry_text
from sync.protocol import rules
from ui.i18n import _
from ui.widgets.key_footer import KeyFooter
from ui.widgets.queue_list import QueueList, QueueRow

REASON_LABELS = {
    "overdue": "Overdue",
    "due_today": "Due today",
    "followup": "Follow-up",
    "protection_expiring": "Protection ending",
    "cadence": "Visit due",
    "complaint": "Open complaint",
    "pool_return": "Back in the pool",
}

GENERATED_REASONS = {
    "cadence": "A cadence visit is done by logging a visit (v); s puts it off",
    "protection_expiring": "Protection is extended by logging a visit (v); s puts it off",
    "complaint": "A complaint is closed with d (resolve), not snoozed or dismissed",
    "pool_return": "Claim it again with c, or dismiss the news with x",
}


def _due_text(value: Any, today: date) -> str:
    if not value:
        return "—"
    due = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    delta = (due - today).days
    if delta == 0:
        return _("today")
    if delta < 0:
        return _("{n}d late", n=-delta)
    return due.isoformat()


class QueueScreen(CustomerActions, Screen):
    """What to do today, most urgent first."""

    HELP_TITLE = "Queue"

    BINDINGS = [
        Binding("d", "done", "Done", id="queue.done", tooltip="Mark this follow-up done"),
        Binding("s", "snooze", "Snooze", id="queue.snooze",
                tooltip="Put this follow-up off: 1 day, 3 days, next week or a date"),
        Binding("x", "dismiss_followup", "Dismiss", id="queue.dismiss",
                tooltip="Drop this follow-up (asks first)"),
        *CustomerActions.CUSTOMER_BINDINGS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[dict] = []
        self.data_version = -1
        self._titles: dict[str, str] = {}
        self._complaints: dict[str, dict] = {}

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
        self._titles = {f["id"]: f.get("title", "") for f in store.followups()}
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
                due=_due_text(entry.get("due"), today),
                what=self.what(entry),
                late=code == "overdue",
            ))
        self.query_one(QueueList).set_entries(rows, cursor)
        overdue = sum(row.late for row in rows)
        summary = _("{n} things to do", n=len(self.entries))
        if overdue:
            summary += " · " + _("{n} overdue", n=overdue)
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
        if code == "complaint" and entry.get("feedback_id") in self._complaints:
            complaint = self._complaints[entry["feedback_id"]]
            severity = _(complaint.get("severity") or "")
            text = complaint.get("text", "")
            return f"[{severity}] {text}" if severity else text
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
            return _("last visit {n} days ago", n=days)
        return entry.get("reason", "")

    def _show_detail(self) -> None:
        entry = self.current_entry()
        detail = self.query_one("#queue-detail", Static)
        if entry is None:
            detail.update("")
            return
        detail.update(f"{entry.get('customer_name', '')} · {entry.get('reason', '')}")

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

    def action_done(self) -> None:
        entry = self.current_entry()
        if entry and entry.get("feedback_id") and not entry.get("followup_id"):
            resolve_complaint(self, entry["feedback_id"], entry.get("customer_name", ""),
                              entry.get("reason", ""))
            return
        if entry and entry.get("followup_id"):
            self.app.store.complete_followup(entry["followup_id"])
            self.app.notify(_("Done: {name}", name=entry.get("customer_name", "")))
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
            self.app.notify(_("Snoozed until {date}", date=until.isoformat()))
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
                self.app.store.dismiss_followup(followup_id)
                self.app.notify(_("Follow-up dismissed"))
                self.post_message(StoreChanged("followup", sync_soon=True))

        from screens.confirm import Confirm

        self.app.push_screen(
            Confirm(_("Dismiss “{title}” for {name}? It will not come back.",
                      title=self.what(entry), name=entry.get("customer_name", ""))),
            callback=confirmed)
