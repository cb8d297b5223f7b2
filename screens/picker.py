"""Pick one of a short list in a modal: each choice has its own key (``1``–``9``, like the snooze
picker), ``j``/``k`` and the arrows move, ``enter`` picks the highlighted one, ``esc`` picks
nothing. ``ChoicePicker`` dismisses with the chosen id, or None; the return reasons
(``screens/return_customer.py``) and the rep a complaint goes to (``screens/complaints_board.py``)
are picked with it.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ui.widgets.choice import KEY_STYLE
from ui.widgets.key_footer import KeyFooter


class ChoicePicker(ModalScreen[str | None]):
    """A titled list of (id, label) choices; a choice's number picks it at once."""

    HELP_TITLE = "Pick one"

    BINDINGS = [
        Binding("j", "move('down')", "Down", id="pick.down", show=False,
                tooltip="Next choice"),
        Binding("k", "move('up')", "Up", id="pick.up", show=False,
                tooltip="Previous choice"),
        Binding("escape", "cancel", "Cancel", id="pick.cancel", tooltip="Pick nothing"),
    ]

    def __init__(self, title: str, choices: list[tuple[str, str]], hint: str, *,
                 box_id: str = "pick-box", list_id: str = "pick-list") -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.hint = hint
        self.box_id, self.list_id = box_id, list_id
        self.keys = [str(n) for n in range(1, min(len(self.choices), 9) + 1)]
        """Each choice's key, in order (a choice past the ninth is picked with enter)."""

    def compose(self) -> ComposeResult:
        options = []
        for position, (choice_id, label) in enumerate(self.choices):
            prompt = Text(no_wrap=True, overflow="ellipsis")
            prompt.append(self.keys[position] if position < len(self.keys) else " ",
                          style=KEY_STYLE)
            prompt.append(f"  {label}")
            options.append(Option(prompt, id=choice_id))
        with Vertical(id=self.box_id, classes="pick-box"):
            yield Static(self.title_text, classes="form-title", markup=False)
            yield OptionList(*options, id=self.list_id, classes="pick-list")
            yield Static(self.hint, classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event) -> None:
        """A choice's number picks it."""
        if event.character and event.character in self.keys:
            event.stop()
            event.prevent_default()
            self.dismiss(self.choices[self.keys.index(event.character)][0])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, direction: str) -> None:
        options = self.query_one(OptionList)
        if direction == "down":
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
