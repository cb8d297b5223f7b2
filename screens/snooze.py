"""Put something off: 1 day, 3 days, next week, or a date the rep types.

``SnoozePicker()`` dismisses with the chosen ``date`` or None. Days count from the App's clock
in the organisation's time zone, the same calendar the queue uses. A typed date is read by
``rules.snooze_date`` (the store's own rule); what it refuses is said under the box, as every
form says a refused field (``form_base.show_problem``).
"""

from __future__ import annotations

from datetime import date, timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from screens.form_base import clear_problem, problem_text, show_problem
from ui.i18n import _
from ui.widgets.cells import short_day
from ui.widgets.key_footer import KeyFooter

CHOICES = (("1d", "1 day"), ("3d", "3 days"), ("week", "Next week"), ("date", "A date…"))


def snooze_until(choice: str, today: date) -> date:
    """The day ``choice`` (1d, 3d, week) means from ``today``; next week is next Monday."""
    if choice == "1d":
        return today + timedelta(days=1)
    if choice == "3d":
        return today + timedelta(days=3)
    if choice == "week":
        return today + timedelta(days=7 - today.weekday())
    raise ValueError(f"unknown snooze choice {choice!r}")


class SnoozePicker(ModalScreen[date | None]):
    """Four choices; ``1``–``4`` pick at once, enter picks the highlighted one."""

    HELP_TITLE = "Snooze"

    BINDINGS = [
        Binding("1", "pick('1d')", "1 day", id="snooze.1d", tooltip="Until tomorrow"),
        Binding("2", "pick('3d')", "3 days", id="snooze.3d", tooltip="Three days from today"),
        Binding("3", "pick('week')", "Next week", id="snooze.week",
                tooltip="Until next Monday"),
        Binding("4", "pick('date')", "A date", id="snooze.date",
                tooltip="Type a date: 2026-12-01, fri, +3d"),
        Binding("escape", "cancel", "Cancel", id="snooze.cancel", tooltip="Do not snooze"),
    ]

    def today(self) -> date:
        return self.app.store.today(self.app.now())

    def compose(self) -> ComposeResult:
        today = self.today()
        options = []
        for number, (key, label) in enumerate(CHOICES, 1):
            when = "" if key == "date" else "  " + short_day(snooze_until(key, today))
            options.append(Option(f"{number}  {_(label)}{when}", id=key))
        with Vertical(id="snooze-box"):
            yield Static(_("Snooze until…"), classes="form-title")
            yield OptionList(*options, id="snooze-options")
            yield Input(placeholder=_("a date: 2026-12-01, fri, +3d"), id="snooze-date")
            yield Static("", id="snooze-error", classes="form-error", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#snooze-date", Input).display = False
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(event.option.id or "1d")

    def action_pick(self, choice: str) -> None:
        if choice == "date":
            field = self.query_one("#snooze-date", Input)
            field.display = True
            field.focus()
            return
        self.dismiss(snooze_until(choice, self.today()))

    @on(Input.Submitted, "#snooze-date")
    def _typed(self, event: Input.Submitted) -> None:
        from sync.protocol import rules
        from sync.protocol.validation import Invalid

        field = self.query_one("#snooze-date", Input)
        try:
            day = rules.snooze_date("until", event.value, self.today())
        except Invalid as problem:
            # a coded refusal, said on the error line under the box as every form says it
            show_problem(self.query_one("#snooze-error", Static), field,
                         problem_text(problem, "until", at_field=True))
            field.focus()
            return
        self.dismiss(day)

    @on(Input.Changed, "#snooze-date")
    def _edited(self, event: Input.Changed) -> None:
        clear_problem(self.query_one("#snooze-error", Static), event.input)

    def action_cancel(self) -> None:
        self.dismiss(None)
