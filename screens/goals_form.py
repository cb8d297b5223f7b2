"""A rep's goals from a period on (``g`` on the Team screen, a manager's).

``GoalsForm(rep_id, period)`` shows the goals in effect for that period (visits a week, A
coverage, new customers and revenue a month, the satisfaction target) and the rep's goals
history, newest first, with who set each and from when. The period is a month (``2027-01``), a
quarter (``2027-Q1``), a week (``2026-W50``) or a date, shown resolved under the field; changing
it shows the goals in effect then. ``ctrl+s`` queues only the goals changed as one ``rep.goals``
operation (``store.set_goals``: the rules the server applies, said under the field they are
about); the rep's dashboard shows them after their next sync.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Static

from screens.form_base import FieldProblem, FormScreen, Problems, field_row
from sync.protocol import goals as protocol_goals
from sync.protocol.models import Goals
from sync.protocol.refusals import Refusal
from ui.i18n import _, error_text
from ui.times import day_text

FIELDS = (  # the form's field, the label, how a typed value is read
    ("visits_per_week", "Visits/week", int),
    ("a_coverage_pct", "A coverage %", int),
    ("new_customers_per_month", "New/month", int),
    ("revenue_per_month", "Revenue/month", float),
    ("satisfaction_target", "Satisfaction", float),
)
HISTORY_SHOWN = 5


def number_text(value: float | int) -> str:
    """A goal as typed: 12, 150000, 4.2 (no trailing .0)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


class GoalsForm(FormScreen):
    """``GoalsForm(rep_id, period)``: dismisses with the rep's record as queued, or None."""

    FORM_TITLE = "Goals"
    DRAFT_KIND = "goals"
    FOCUS_FIELD = "visits_per_week"
    HELP_TITLE = "Goals form"

    def __init__(self, rep_id: str, period: str) -> None:
        super().__init__(rep_id)
        self.rep_id = rep_id
        self.period = period
        self._shown_for: date | None = None

    @property
    def rep(self) -> dict:
        return self.app.store.reps.get(self.rep_id) or {"id": self.rep_id}

    def subtitle(self) -> str:
        return self.rep.get("name") or self.rep_id

    def today(self) -> date:
        return self.app.store.today(self.app.now())

    def compose_fields(self) -> ComposeResult:
        yield from field_row("period", _("From"), Input(self.period), hint=" ")
        for name, label, _read in FIELDS:
            yield from field_row(name, _(label), Input(), hint=" ")
        yield Static("", id="goals-history", markup=False)

    def after_load(self) -> None:
        self._show_period(fill=not self.restored_draft)
        self.query_one("#goals-history", Static).update(self._history())

    def field_changed(self, name: str) -> None:
        if name == "period":
            self._show_period(fill=True)

    def _effective(self) -> date | None:
        try:
            return protocol_goals.period_start(self.query_one("#field-period", Input).value,
                                               self.today())
        except ValueError:
            return None

    def _show_period(self, *, fill: bool) -> None:
        """Say which day the period starts on and, when it names another one, show the goals in
        effect then (what a save changes from)."""
        effective = self._effective()
        hint = self.query_one("#hint-period", Static)
        if effective is None:
            hint.update(_("a month 2027-01, a quarter 2027-Q1, a week 2026-W50 or a date"))
            return
        hint.update(_("from {day} on", day=effective.isoformat()))
        current = protocol_goals.goals_at(self.rep, effective)
        for name, _label, _read in FIELDS:
            self.query_one(f"#hint-{name}", Static).update(
                _("now {value}", value=number_text(getattr(current, name))))
            if fill and effective != self._shown_for:
                self.query_one(f"#field-{name}", Input).value = number_text(
                    getattr(current, name))
        self._shown_for = effective
        if fill:
            self._initial = self.values()

    def _history(self) -> str:
        history = protocol_goals.history_of(self.rep)
        entries = [e for e in reversed(history) if e.effective != protocol_goals.ORIGIN]
        if not entries:
            return _("No goals set by period yet: these are the rep's goals")
        policy = self.app.store.policy
        lines = [_("History (newest first)")]
        for entry in entries[:HISTORY_SHOWN]:
            goals = entry.goals
            lines.append(_("from {day}: {visits} visits a week · A {coverage}% · {new} new · "
                           "{revenue} a month · satisfaction {satisfaction} · by {who} on {at}",
                           day=entry.effective.isoformat(), visits=goals.visits_per_week,
                           coverage=goals.a_coverage_pct, new=goals.new_customers_per_month,
                           revenue=number_text(goals.revenue_per_month),
                           satisfaction=number_text(goals.satisfaction_target),
                           who=entry.by_name or entry.by or _("the server"),
                           at=day_text(entry.at, policy)))
        if len(entries) > HISTORY_SHOWN:
            lines.append(_("… and {n} older", n=len(entries) - HISTORY_SHOWN))
        return "\n".join(lines)

    def submit(self, values: dict[str, Any]) -> dict:
        from cache.commands import refused

        problems = Problems()
        effective = None
        with problems.at("period"):
            try:
                effective = protocol_goals.period_start(values["period"], self.today())
            except ValueError:
                raise refused(Refusal("goals.period", {"text": values["period"].strip()[:40]}),
                              "period") from None
            out_of_reach = protocol_goals.effective_refusal(effective, self.today())
            if out_of_reach is not None:
                raise refused(out_of_reach, "period")
        current = protocol_goals.goals_at(self.rep, effective) if effective else Goals()
        changed: dict[str, Any] = {}
        for name, _label, read in FIELDS:
            text = values[name].strip().replace(",", "")
            with problems.at(name):
                if not text:
                    raise FieldProblem(name, _("give a number"))
                try:
                    value = read(text)
                except ValueError:
                    raise FieldProblem(name, _("{text} is not a number", text=text[:20])) from None
                if value != getattr(current, name):
                    changed[name] = value
        problems.raise_any()
        if not changed:
            return {}
        from cache import StoreError, ValidationFailed

        try:
            return self.app.store.set_goals(self.rep_id, changed, effective)
        except ValidationFailed as error:
            if error.field in self.fields():
                raise  # said under its field
            raise StoreError(error_text(error)) from error  # the rep, the role: a toast

    def saved_message(self, record: dict) -> str:
        return _("Goals of {name} queued: the rep sees them after their next sync",
                 name=record.get("name") or self.rep_id)
