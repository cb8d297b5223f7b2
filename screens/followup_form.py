"""A follow-up for a customer: what to do and by when (``tomorrow``, ``fri``, ``+3d``, a date)."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Static

from screens.form_base import FieldProblem, FormScreen, Problems, field_row
from sync.protocol import rules
from ui.i18n import _
from ui.widgets.cells import short_day


class FollowUpForm(FormScreen):
    """``FollowUpForm(customer_id)``: dismisses with the saved follow-up, or None."""

    FORM_TITLE = "New follow-up"
    DRAFT_KIND = "followup"
    FOCUS_FIELD = "title"
    HELP_TITLE = "Follow-up form"

    def today(self) -> date:
        return self.app.store.today(self.app.now())

    def compose_fields(self) -> ComposeResult:
        yield from field_row("title", _("What"), Input(placeholder=_("e.g. send the quote")))
        yield from field_row("due", _("Due"), Input(_("tomorrow")), hint=" ")

    def after_load(self) -> None:
        self._show_due()

    def field_changed(self, name: str) -> None:
        if name == "due":
            self._show_due()

    def _show_due(self) -> None:
        from sync.protocol.dates import parse_date

        hint = self.query_one("#hint-due", Static)
        try:
            day = parse_date(self.query_one("#field-due", Input).value, self.today())
        except ValueError:
            hint.update(_("tomorrow, fri, +3d, 2026-12-01"))
            return
        hint.update("→ " + short_day(day) + f" ({day.isoformat()})")

    def submit(self, values: dict[str, Any]) -> dict:
        problems = Problems()
        title = values["title"].strip()
        with problems.at("title"):
            if not title:
                raise FieldProblem("title", _("say what to follow up (the title is empty)"))
        with problems.at("due"):
            # unreadable or past: a coded refusal, said under the field in the UI's language
            due = rules.due_date("due", values["due"].strip(), self.today())
            if due is None:
                raise FieldProblem("due", _("when is it due? e.g. fri or +3d"))
        problems.raise_any()
        return self.app.store.add_followup(self.customer_id, title=title, due=due)
