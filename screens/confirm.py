"""Ask before a destructive action: ``Confirm(message)`` dismisses with True or False."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ui.i18n import _
from ui.widgets.key_footer import KeyFooter


class Confirm(ModalScreen[bool]):
    """A yes/no question; ``y`` or enter on the yes button says yes, ``n`` or esc says no."""

    HELP_TITLE = "Confirm"

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Yes, go ahead"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no",
                tooltip="No, leave things as they are"),
        Binding("left,right", "app.focus_next", "Switch", id="confirm.switch", show=False,
                tooltip="Move between the two buttons"),
    ]

    def __init__(self, message: str, *, yes: str | None = None, no: str | None = None,
                 detail: str = "", danger: bool = True) -> None:
        super().__init__()
        self.message = message
        self.yes_label = yes or _("Yes")
        self.no_label = no or _("No")
        self.detail = detail
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="-danger" if self.danger else ""):
            yield Static(self.message, id="confirm-message", markup=False)
            if self.detail:
                yield Static(self.detail, id="confirm-detail", classes="hint", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes_label} (y)", id="confirm-yes",
                             variant="error" if self.danger else "primary")
                yield Button(f"{self.no_label} (n)", id="confirm-no")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
