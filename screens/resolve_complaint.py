"""Ask how a complaint was resolved: a one-line answer, saved with ``enter`` or ``ctrl+s``."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ui.i18n import _


class ResolveComplaint(ModalScreen[str | None]):
    """Ask how a complaint was resolved; dismisses with the resolution, or None."""

    TITLE_TEXT = "Resolve the complaint of {name}"
    PLACEHOLDER = "How was it resolved?"
    EMPTY = "Say how it was resolved first"
    HINT = "enter or ctrl+s saves · esc leaves it open"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="resolve.save",
                tooltip="Close the complaint with this resolution"),
        Binding("escape", "cancel", "Cancel", id="resolve.cancel", tooltip="Leave it open"),
    ]

    def __init__(self, customer_name: str, complaint: str) -> None:
        super().__init__()
        self.customer_name = customer_name
        self.complaint = complaint

    def compose(self) -> ComposeResult:
        with Vertical(id="resolve-box"):
            yield Static(_(self.TITLE_TEXT, name=self.customer_name), classes="section-title",
                         markup=False)
            yield Static(self.complaint, id="resolve-complaint", markup=False)
            yield Input(placeholder=_(self.PLACEHOLDER), id="resolution")
            yield Static(_(self.HINT), classes="hint")

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        text = self.query_one("#resolution", Input).value.strip()
        if not text:
            self.notify(_(self.EMPTY), severity="warning")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
