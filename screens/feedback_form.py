"""Record what a customer said: a satisfaction score, a complaint with its severity, a suggestion.

A complaint stays in the rep's queue until it is resolved (``d`` on the queue, ``r`` on the
customer screen).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import TextArea

from screens.form_base import FieldProblem, FormScreen, field_row
from ui.i18n import _
from ui.widgets.choice import Choice

KINDS = (("satisfaction", "satisfaction"), ("complaint", "complaint"),
         ("suggestion", "suggestion"))
SCORES = [(str(n), "★" * n) for n in range(1, 6)]
SEVERITIES = (("low", "low"), ("medium", "medium"), ("high", "high"))


class FeedbackForm(FormScreen):
    """``FeedbackForm(customer_id)``: dismisses with the saved feedback, or None."""

    FORM_TITLE = "Customer feedback"
    DRAFT_KIND = "feedback"
    FOCUS_FIELD = "kind"
    HELP_TITLE = "Feedback form"

    def compose_fields(self) -> ComposeResult:
        yield from field_row("kind", _("Kind"),
                             Choice([(v, _(label)) for v, label in KINDS], "satisfaction"),
                             hint=_("←/→ or the underlined letter"))
        yield from field_row("score", _("Score"), Choice(SCORES, "4"),
                             hint=_("1–5: how satisfied the customer is"))
        yield from field_row("severity", _("Severity"),
                             Choice([(v, _(label)) for v, label in SEVERITIES], "medium"))
        yield from field_row("text", _("What they said"), TextArea(soft_wrap=True))

    def after_load(self) -> None:
        self._apply_kind()

    def field_changed(self, name: str) -> None:
        if name == "kind":
            self._apply_kind()

    def _apply_kind(self) -> None:
        """Score is for satisfaction, severity for complaints; the other one is dimmed."""
        kind = self.values().get("kind", "satisfaction")
        self.query_one("#field-score", Choice).disabled = kind != "satisfaction"
        self.query_one("#field-severity", Choice).disabled = kind != "complaint"

    def submit(self, values: dict[str, Any]) -> dict:
        kind = values["kind"]
        text = values["text"].strip()
        if not text:
            raise FieldProblem("text", _("write what the customer said (the text is empty)"))
        return self.app.store.add_feedback(
            self.customer_id, kind=kind, text=text,
            score=int(values["score"]) if kind == "satisfaction" else None,
            severity=values["severity"] if kind == "complaint" else None,
        )

    def saved_message(self, record: dict) -> str:
        if record.get("kind") == "complaint":
            return _("Complaint saved — it stays in your queue until resolved; will sync")
        return _("Saved — will sync")
