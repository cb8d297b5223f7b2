"""Log a visit, call, email or meeting: the form a rep fills between two meetings.

Opened with ``v`` on the queue, the territory or a customer. The cursor starts in the notes, the
kind is "visit", the outcome is preset and the time is now, so the fast path is: ``v``, type the
notes, ``ctrl+s``. A next step with a due date (``tomorrow``, ``fri``, ``+3d``, ``2026-12-01``)
becomes a follow-up in the queue.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Static, TextArea

from screens.form_base import FieldProblem, FormScreen, field_row
from sync.protocol import rules
from ui.i18n import _
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

    def __init__(self, customer_id: str) -> None:
        super().__init__(customer_id)
        self._last_kind = "visit"

    def today(self) -> date:
        return self.app.store.today(self.app.now())

    def compose_fields(self) -> ComposeResult:
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

    def submit(self, values: dict[str, Any]) -> dict:
        store = self.app.store
        now = self.app.now()
        untouched = values["at"] == self._initial.get("at")
        at = now if untouched else parse_time(values["at"], now, rules.policy_zone(store.policy))
        outcome = values["outcome"].strip()
        if not outcome:
            raise FieldProblem("outcome", _("say what came of it (the outcome is empty)"))
        next_step = values["next_step"].strip()
        # unreadable or past: a coded refusal, said under the field in the UI's language
        due = rules.due_date("due", values["due"].strip(), self.today())
        if due is not None:
            if not next_step:
                raise FieldProblem("next_step", _("a due date needs a next step to do"))
        elif next_step:
            raise FieldProblem("due", _("when is the next step due? e.g. fri or +3d"))
        amount = parse_amount(values["amount"])
        return store.log_visit(
            self.customer_id, kind=values["kind"], outcome=outcome, notes=values["notes"],
            next_step=next_step, due=due, amount=amount, at=at,
        )

