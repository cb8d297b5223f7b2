"""What every form shares: fields with their errors underneath, ctrl+s, esc, and a durable draft.

A form is a modal screen over the screen it came from. Each field is a widget with the id
``field-<name>`` and a line ``error-<name>`` under it where its problem is shown. While the rep
types, the form keeps a draft in the store (``store.save_draft``: the values and when they were
typed), so a crash or a quit loses nothing; opening the same form for the same customer restores
it and says so ("draft from 14:02 restored", in the policy's zone). ``ctrl+s`` validates, saves
durably, clears the draft and closes with a toast; ``esc`` closes at once when nothing changed and
asks first when something did.

A form's ``submit`` collects every field's problem (``Problems``) so each is shown at its field at
once and the first gets the focus; ``show_problem`` is the one way a refused field is drawn (the
snooze picker's date box uses it too).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Static, TextArea

from screens.messages import StoreChanged
from sync.protocol import rules
from ui.i18n import _, error_text, field_refusal_text
from ui.times import moment_text
from ui.widgets.cells import fit
from ui.widgets.choice import Choice
from ui.widgets.key_footer import KeyFooter

DRAFT_DELAY_S = 0.4
"""A draft is written this long after the last keystroke (and at once when the form closes)."""
LABEL_CELLS = 14


class FieldProblem(Exception):
    """Input a form refuses before it reaches the store: ``field`` and ``message``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class FieldProblems(Exception):
    """Several fields refused at once: ``found``, (field, problem) in the order they were met."""

    def __init__(self, found: list[tuple[str, Exception]]) -> None:
        super().__init__("; ".join(str(problem) for _field, problem in found))
        self.found = found


class Problems:
    """Every field's problem, collected while a form checks what was typed, so the rep sees
    them all at once::

        problems = Problems()
        with problems.at("title"):
            ...  # raises FieldProblem, a rule's validation.Invalid or cache.ValidationFailed
        with problems.at("due"):
            due = rules.due_date("due", values["due"], today)
        problems.raise_any()  # FieldProblems when any field was refused

    ``at(field)`` names the field the problem is shown at (a rule may name a nested one, such as
    ``contacts.0.email``, that the form shows as ``contact_email``).
    """

    def __init__(self) -> None:
        self.found: list[tuple[str, Exception]] = []

    @contextmanager
    def at(self, field: str) -> Iterator[None]:
        from cache import ValidationFailed
        from sync.protocol.validation import Invalid

        try:
            yield
        except (FieldProblem, ValidationFailed, Invalid) as problem:
            self.found.append((field, problem))

    def raise_any(self) -> None:
        if self.found:
            raise FieldProblems(self.found)


def problem_text(problem: Exception, field: str, *, at_field: bool) -> str:
    """Why the input was refused, in the UI's language: a coded refusal from its code (under
    its field without the field's name, ``at_field``; elsewhere with it), else the message."""
    if getattr(problem, "refusal", None) is None:
        return _(str(getattr(problem, "message", None) or problem))
    if at_field:
        return field_refusal_text(problem, field)
    return error_text(problem)


def show_problem(line: Static, widget: Widget, message: str) -> None:
    """Say ``message`` on the error ``line`` under ``widget`` and mark the widget invalid: the
    one way every form (and the snooze picker's date box) shows a refused field."""
    line.update(message)
    line.add_class("-shown")
    widget.add_class("-invalid")


def clear_problem(line: Static, widget: Widget) -> None:
    """Take a shown problem away again (the rep changed the field)."""
    line.update("")
    line.remove_class("-shown")
    widget.remove_class("-invalid")


def field_row(name: str, label: str, widget: Widget, hint: str = "") -> Iterator[Widget]:
    """A labelled field, its hint and its (empty) error line."""
    widget.id = f"field-{name}"
    with Horizontal(classes="form-row", id=f"row-{name}"):
        yield Label(fit(label, LABEL_CELLS), classes="form-label")
        with Vertical(classes="form-input"):
            yield widget
            if hint:
                yield Static(hint, classes="form-hint", id=f"hint-{name}", markup=False)
            yield Static("", classes="form-error", id=f"error-{name}", markup=False)


class FormScreen(ModalScreen[dict | None]):
    """A modal form; subclasses give the fields (``compose_fields``) and the save (``submit``)."""

    FORM_TITLE = "Form"
    DRAFT_KIND = "form"
    FOCUS_FIELD: str | None = None
    HELP_TITLE = "Form"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save", priority=True,
                tooltip="Save durably; it syncs in the background"),
        Binding("escape", "cancel", "Cancel", id="form.cancel",
                tooltip="Close the form (asks first when something was typed)"),
        Binding("tab", "app.focus_next", "Next field", id="form.next", show=False,
                tooltip="Move to the next field"),
        Binding("shift+tab", "app.focus_previous", "Previous field", id="form.previous",
                show=False, tooltip="Move to the previous field"),
    ]

    def __init__(self, customer_id: str | None = None) -> None:
        super().__init__()
        self.customer_id = customer_id
        self._initial: dict[str, Any] = {}
        self._draft_timer: Timer | None = None
        self._ready = False
        self._form_closed = False
        self.restored_draft = False
        self._error_values: dict[str, Any] = {}
        self._latest: dict[str, Any] = {}

    # ------------------------------------------------------------------ subclass hooks

    def compose_fields(self) -> ComposeResult:
        raise NotImplementedError

    def submit(self, values: dict[str, Any]) -> dict:
        """Write to the store; raise FieldProblem, a rule's ``validation.Invalid`` or
        cache.ValidationFailed on bad input."""
        raise NotImplementedError

    def saved_message(self, record: dict) -> str:
        return _("Saved — will sync")

    def subtitle(self) -> str:
        customer = self.customer
        return customer.get("name", "") if customer else ""

    def after_load(self) -> None:
        """Called after the fields got their values (defaults or a restored draft)."""

    def restored_values(self, values: dict[str, Any], saved_at: Any) -> dict[str, Any]:
        """A draft's values as the form shows them again (``saved_at``: when they were typed,
        None for a draft of an older build); the visit form reads a typed time as of then."""
        return values

    # ------------------------------------------------------------------ layout

    @property
    def customer(self) -> dict | None:
        return self.app.store.customer(self.customer_id) if self.customer_id else None

    @property
    def draft_key(self) -> str:
        return f"{self.DRAFT_KIND}:{self.customer_id or ''}"

    def compose(self) -> ComposeResult:
        with Vertical(classes="form-box", id="form-box"):
            yield Static(_(self.FORM_TITLE), classes="form-title", markup=False)
            yield Static(self.subtitle(), classes="form-subtitle", id="form-subtitle",
                         markup=False)
            with VerticalScroll(classes="form-fields"):
                yield from self.compose_fields()
            yield Static(_("ctrl+s save · esc cancel · tab next field"), classes="form-keys")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._initial = self.values()
        draft = self.app.store.load_draft(self.draft_key)
        if draft:
            saved_at = rules.as_datetime(draft.get("saved_at")) if draft.get("saved_at") else None
            self.load_values(self.restored_values(draft.get("values") or {}, saved_at))
            self.restored_draft = True
            if saved_at is None:
                said = _("Your unsaved draft is back")
            else:
                said = _("Draft from {time} restored", time=moment_text(
                    saved_at, self.app.store.policy, self.app.now()))
            self.notify(said, timeout=4)
        self.after_load()
        focus = self.FOCUS_FIELD
        if focus:
            self.query_one(f"#field-{focus}").focus()
        self.call_after_refresh(self._ready_now)

    def _ready_now(self) -> None:
        self._ready = True

    # ------------------------------------------------------------------ values

    def fields(self) -> dict[str, Widget]:
        return {w.id.removeprefix("field-"): w for w in self.query(".form-input > *")
                if w.id and w.id.startswith("field-")}

    def values(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, widget in self.fields().items():
            if isinstance(widget, Input):
                result[name] = widget.value
            elif isinstance(widget, TextArea):
                result[name] = widget.text
            elif isinstance(widget, Choice | Checkbox):
                result[name] = widget.value
        return result

    def load_values(self, values: dict[str, Any]) -> None:
        for name, widget in self.fields().items():
            if name not in values or values[name] is None:
                continue
            if isinstance(widget, Checkbox):
                widget.value = values[name] is True
                continue
            value = str(values[name])
            if isinstance(widget, Input):
                widget.value = value
            elif isinstance(widget, TextArea):
                widget.load_text(value)
            elif isinstance(widget, Choice):
                widget.value = value

    @property
    def changed(self) -> bool:
        return self.values() != self._initial

    # ------------------------------------------------------------------ drafts

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Choice.Changed)
    @on(Checkbox.Changed)
    def _edited(self, event: Any) -> None:
        control = getattr(event, "control", None) or getattr(event, "text_area", None)
        name = (getattr(control, "id", "") or "").removeprefix("field-")
        if name and self.values().get(name) != self._error_values.get(name):
            self.clear_error(name)  # the rep changed the field since the error was shown
        self.field_changed(name)
        self._latest = self.values()
        if not self._ready or self._form_closed:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY_S, self.save_draft)

    def field_changed(self, name: str) -> None:
        """A field's value changed (subclasses update dependent fields)."""

    def save_draft(self) -> None:
        """Keep what was typed (durably) or forget the draft when the form is back to empty."""
        self._draft_timer = None
        if self._form_closed:
            return
        store = self.app.store
        try:
            values = self.values() or self._latest  # widgets may be gone while quitting
            if values and values != self._initial:
                store.save_draft(self.draft_key, {"values": values,
                                                  "saved_at": self.app.now().isoformat()})
            else:
                store.clear_draft(self.draft_key)
        except Exception as error:  # a draft must never take the form down
            self.log.warning(f"draft not saved: {error}")

    def on_unmount(self) -> None:
        """A quit (or crash of the App loop) with the form open keeps the draft."""
        if not self._form_closed and self._ready:
            self.save_draft()

    # ------------------------------------------------------------------ errors

    def show_error(self, field: str, message: str, *, focus: bool = True) -> None:
        widgets = self.fields()
        if field not in widgets:
            self.notify(message, severity="error", title=_("Not saved"))
            return
        self._error_values[field] = self.values().get(field)
        show_problem(self.query_one(f"#error-{field}", Static), widgets[field], message)
        if focus:
            widgets[field].focus()

    def show_problems(self, found: list[tuple[str, Exception]]) -> None:
        """Every refused field's problem at its field at once; the first in the form's order
        gets the focus (a problem of no field of this form is a toast)."""
        widgets = self.fields()
        shown: dict[str, str] = {}
        for field, problem in found:
            at = field if field in widgets else str(getattr(problem, "field", "") or field)
            if at not in shown:
                shown[at] = problem_text(problem, at, at_field=at in widgets)
        for at, message in shown.items():
            self.show_error(at, message, focus=False)
        first = next((name for name in widgets if name in shown), None)
        if first is not None:
            widgets[first].focus()

    def clear_error(self, field: str) -> None:
        for line in self.query(f"#error-{field}"):
            for widget in self.query(f"#field-{field}"):
                if isinstance(line, Static):
                    clear_problem(line, widget)

    def clear_errors(self) -> None:
        for name in self.fields():
            self.clear_error(name)

    def errors(self) -> dict[str, str]:
        """The errors shown now, by field (for tests and the help line)."""
        shown = {}
        for name in self.fields():
            text = str(self.query_one(f"#error-{name}", Static).render()).strip()
            if text:
                shown[name] = text
        return shown

    # ------------------------------------------------------------------ actions

    def action_save(self) -> None:
        from cache import StoreError, ValidationFailed
        from sync.protocol.validation import Invalid

        self.clear_errors()
        try:
            record = self.submit(self.values())
        except FieldProblems as problems:
            self.show_problems(problems.found)
            return
        except (FieldProblem, ValidationFailed, Invalid) as problem:
            self.show_problems([(problem.field, problem)])
            return
        except StoreError as error:
            self.notify(error_text(error), severity="error", title=_("Not saved"), timeout=8)
            return
        if not record:
            app = self.app
            self._discard()
            app.notify(_("Nothing changed"))
            return
        self._close_for_good()
        self.app.store.clear_draft(self.draft_key)
        app = self.app
        app.post_message(StoreChanged(self.DRAFT_KIND, sync_soon=True))
        message = self.saved_message(record)
        self.dismiss(record)
        # after the pop: a toast mounted on a screen being removed would hold its removal up
        app.notify(message)

    def action_cancel(self) -> None:
        if not self.changed:
            self._discard()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self._discard()

        from screens.confirm import Confirm

        self.app.push_screen(
            Confirm(_("Discard what you typed?"), yes=_("Discard"), no=_("Keep editing"),
                    detail=_("Nothing was saved yet.")),
            callback=answered,
        )

    def _discard(self) -> None:
        self._close_for_good()
        self.app.store.clear_draft(self.draft_key)
        self.dismiss(None)

    def _close_for_good(self) -> None:
        self._form_closed = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
