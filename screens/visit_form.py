"""Log a visit, call, email or meeting: the form a rep fills between two meetings.

Opened with ``v`` on the queue, the territory or a customer. The cursor starts in the notes, the
kind is "visit", the outcome is preset and the time is now, so the fast path is: ``v``, type the
notes, ``ctrl+s``. A next step with a due date (``tomorrow``, ``fri``, ``+3d``, ``2026-12-01``)
becomes a follow-up in the queue.

Logged from a follow-up (``v`` on its queue entry), or for a customer with an open follow-up that
is due, the form offers to close it: a box "Also mark “Send the quote” done", ticked, since a
visit logged from a due follow-up is nearly always that follow-up done (``space`` unticks it;
the fast path stays ``v``, notes, ``ctrl+s``). A restored draft keeps the time that was typed:
``14:30`` or ``yesterday 14:30`` is read as of the draft's time, not of the reopening.
Every field's problem is shown at once (``Problems``).
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Static, TextArea

from cache import StoreError
from screens.form_base import FieldProblem, FormScreen, Problems, field_row
from sync.protocol import rules
from ui.i18n import _, error_text
from ui.times import local_time
from ui.visit_input import DEFAULT_OUTCOMES, TIME_FORMAT, parse_visit_time
from ui.widgets.cells import short_day
from ui.widgets.choice import Choice

KINDS = (("visit", "visit"), ("call", "call"), ("email", "email"), ("meeting", "meeting"))


def parse_time(text: str, now: datetime, zone: tzinfo) -> datetime:
    """When the visit happened (``ui/visit_input.py``, shared with ``fieldrep visit log``)."""
    try:
        return parse_visit_time(text, now, zone)
    except ValueError as error:
        raise FieldProblem("at", str(error)) from None


def parse_amount(text: str) -> float | None:
    cleaned = text.strip().replace(",", "").replace(" ", "").replace("，", "")
    if not cleaned:
        return None
    try:
        amount = float(cleaned)
    except ValueError:
        raise FieldProblem("amount", _("the order amount must be a number, like 12000")) from None
    if amount != amount or amount < 0:
        raise FieldProblem("amount", _("the order amount must be a positive number or empty"))
    return amount


class VisitForm(FormScreen):
    """``VisitForm(customer_id)``: dismisses with the saved visit, or None."""

    FORM_TITLE = "Log a visit"
    DRAFT_KIND = "visit"
    FOCUS_FIELD = "notes"
    HELP_TITLE = "Visit form"

    DEFAULT_CSS = """
    VisitForm .form-input Checkbox {
        border: none;
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    VisitForm .form-input Checkbox:focus {
        background: $primary 20%;
    }
    """

    def __init__(self, customer_id: str, followup_id: str | None = None) -> None:
        super().__init__(customer_id)
        self._last_kind = "visit"
        self._followup_id = followup_id
        self.offered: dict | None = None
        """The follow-up the form offers to mark done (None: none)."""

    def today(self) -> date:
        return self.app.store.today(self.app.now())

    def _followup_to_offer(self) -> dict | None:
        """The follow-up named (from the queue), else the customer's first one due today or
        before, by the queue's own reckoning; an open or snoozed one only."""
        store = self.app.store
        followups = {f["id"]: f for f in store.followups(self.customer_id)}
        if self._followup_id:
            return followups.get(self._followup_id)
        for entry in store.queue(self.app.now()):
            if (entry.get("customer_id") == self.customer_id
                    and entry.get("reason_code") in ("overdue", "due_today")
                    and entry.get("followup_id") in followups):
                return followups[entry["followup_id"]]
        return None

    def compose_fields(self) -> ComposeResult:
        self.offered = self._followup_to_offer()
        now = local_time(self.app.now(), self.app.store.policy, TIME_FORMAT)
        yield from field_row("at", _("When"), Input(now))
        yield from field_row("kind", _("Kind"),
                             Choice([(value, _(label)) for value, label in KINDS], "visit"))
        yield from field_row("outcome", _("Outcome"), Input(_(DEFAULT_OUTCOMES["visit"])))
        yield from field_row("notes", _("Notes"), TextArea(soft_wrap=True))
        yield from field_row("next_step", _("Next step"),
                             Input(placeholder=_("what to do next (optional)")))
        yield from field_row("due", _("Due"),
                             Input(placeholder=_("tomorrow, fri, +3d, 2026-12-01")), hint=" ")
        yield from field_row("amount", _("Order amount"), Input(placeholder=_("optional")))
        if self.offered is not None:
            label = _("Also mark “{title}” done", title=self.offered.get("title", ""))
            yield from field_row("close_followup", _("Follow-up"),
                                 Checkbox(Text(label), True, compact=True))

    def after_load(self) -> None:
        self._last_kind = self.values().get("kind", "visit")
        self._show_due()

    def field_changed(self, name: str) -> None:
        if name == "kind":
            values = self.values()
            outcome = self.query_one("#field-outcome", Input)
            if outcome.value in ("", _(DEFAULT_OUTCOMES.get(self._last_kind, ""))):
                outcome.value = _(DEFAULT_OUTCOMES.get(values["kind"], ""))
            self._last_kind = values["kind"]
        elif name == "due":
            self._show_due()

    def _show_due(self) -> None:
        """Say which day the typed due date means, as the rep types it."""
        from sync.protocol.dates import parse_date

        text = self.query_one("#field-due", Input).value.strip()
        hint = self.query_one("#hint-due", Static)
        if not text:
            hint.update(" ")
            return
        try:
            day = parse_date(text, self.today())
        except ValueError:
            hint.update(" ")
            return
        hint.update("→ " + short_day(day) + f" ({day.isoformat()})")

    def restored_values(self, values: dict[str, Any], saved_at: datetime | None) -> dict:
        """A draft's time as typed, read as of when it was typed (``14:30`` yesterday stays
        yesterday's 14:30), written out in full; left as it was when it cannot be read."""
        text = str(values.get("at") or "")
        if saved_at is None or not text.strip():
            return values
        zone = rules.policy_zone(self.app.store.policy)
        try:
            moment = parse_visit_time(text, saved_at, zone)
        except ValueError:
            return values  # shown as typed; saving says what is wrong with it
        return {**values, "at": local_time(moment, self.app.store.policy, TIME_FORMAT)}

    def submit(self, values: dict[str, Any]) -> dict:
        store = self.app.store
        now = self.app.now()
        problems = Problems()
        at = now
        if values["at"] != self._initial.get("at"):
            with problems.at("at"):
                at = parse_time(values["at"], now, rules.policy_zone(store.policy))
        outcome = values["outcome"].strip()
        with problems.at("outcome"):
            if not outcome:
                raise FieldProblem("outcome", _("say what came of it (the outcome is empty)"))
        next_step = values["next_step"].strip()
        due = None
        with problems.at("due"):
            # unreadable or past: a coded refusal, said under the field in the UI's language
            due = rules.due_date("due", values["due"].strip(), self.today())
            if due is None and next_step:
                raise FieldProblem("due", _("when is the next step due? e.g. fri or +3d"))
        with problems.at("next_step"):
            if due is not None and not next_step:
                raise FieldProblem("next_step", _("a due date needs a next step to do"))
        amount = None
        with problems.at("amount"):
            amount = parse_amount(values["amount"])
        problems.raise_any()
        visit = store.log_visit(
            self.customer_id, kind=values["kind"], outcome=outcome, notes=values["notes"],
            next_step=next_step, due=due, amount=amount, at=at,
        )
        if self.offered is not None and values.get("close_followup"):
            try:
                store.complete_followup(self.offered["id"])
            except StoreError as error:  # the visit is saved: say so, and why this was not
                return {**visit, "followup_refused": error_text(error)}
            visit = {**visit, "closed_followup": self.offered}
        return visit

    def saved_message(self, record: dict) -> str:
        closed = record.get("closed_followup")
        if record.get("followup_refused"):
            return _("Saved — will sync; the follow-up stays as it was: {why}",
                     why=record["followup_refused"])
        if closed:
            return _("Saved, and “{title}” done — will sync", title=closed.get("title", ""))
        return super().saved_message(record)

