"""A one-line choice among a few options (kind, severity, score, tier): ←/→ or the option's key.

It renders every option side by side with the chosen one highlighted, so a form shows all its
choices at a glance and a snapshot shows them too. It posts ``Choice.Changed`` like an Input.

Every option has its own key, shown underlined before its label in either language (a label
that is its key alone, a tier "A", is just underlined): the first letter of its value not taken
by an option before it, else a digit (``option_keys``). So satisfaction / complaint / suggestion
are ``s`` / ``c`` / ``u``, and a Chinese label still has a Latin key to type.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


def option_keys(values: list[str]) -> list[str]:
    """One distinct key per value, in order: the value's first letter that no earlier value
    took, else its first such digit ("" when every one is taken): ``B2C`` after ``B2B`` is
    ``c``, a score ``3`` is ``3``."""
    taken: list[str] = []
    for value in values:
        chars = [char for char in value.lower() if char.isascii() and char.isalnum()]
        candidates = [c for c in chars if c.isalpha()] + [c for c in chars if c.isdigit()]
        taken.append(next((char for char in candidates if char not in taken), ""))
    return taken


KEY_STYLE = Style(underline=True)
"""How an option's key is marked on the picker."""


class Choice(Widget, can_focus=True):
    """Pick one of ``options`` ((value, label) pairs); ``value`` is the chosen one's value."""

    HELP_GROUP = "Choice"

    BINDINGS = [
        Binding("right,space", "next", "Next", id="choice.next", show=False,
                tooltip="Choose the next option"),
        Binding("left", "previous", "Previous", id="choice.previous", show=False,
                tooltip="Choose the previous option"),
    ]

    COMPONENT_CLASSES = {"choice--chosen", "choice--option"}

    index: reactive[int] = reactive(0)

    @dataclass
    class Changed(Message):
        choice: Choice
        value: str

        @property
        def control(self) -> Choice:
            return self.choice

    def __init__(self, options: list[tuple[str, str]], value: str | None = None, *,
                 id: str | None = None, classes: str | None = None,
                 disabled: bool = False) -> None:
        super().__init__(id=id, classes=classes, disabled=disabled)
        if not options:
            raise ValueError("a Choice needs at least one option")
        self.options = list(options)
        values = [v for v, _label in self.options]
        self.keys = option_keys(values)
        """Each option's key, in the order of ``options``."""
        self.set_reactive(Choice.index, values.index(value) if value in values else 0)

    @property
    def value(self) -> str:
        return self.options[self.index][0]

    @value.setter
    def value(self, value: str) -> None:
        values = [v for v, _label in self.options]
        if value in values:
            self.index = values.index(value)

    def render(self) -> Text:
        chosen = self.get_component_rich_style("choice--chosen", partial=True)
        other = self.get_component_rich_style("choice--option", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis")
        for position, ((_value, label), key) in enumerate(zip(self.options, self.keys,
                                                               strict=True)):
            style = chosen if position == self.index else other
            if position:
                text.append(" ")
            text.append(" ", style=style)
            if key and label.lower() == key:  # a tier "A": the label is its own key
                text.append(label, style=style + KEY_STYLE)
            elif key:
                text.append(key, style=style + KEY_STYLE)
                text.append(f" {label}", style=style)
            else:
                text.append(label, style=style)
            text.append(" ", style=style)
        return text

    def get_content_width(self, container, viewport) -> int:
        return self.render().cell_len

    def watch_index(self, old: int, new: int) -> None:
        if old != new:
            self.post_message(self.Changed(self, self.value))

    def action_next(self) -> None:
        self.index = (self.index + 1) % len(self.options)

    def action_previous(self) -> None:
        self.index = (self.index - 1) % len(self.options)

    def on_key(self, event) -> None:
        """An option's key (either case) chooses it."""
        char = (event.character or "").lower()
        if char and char in self.keys:
            self.index = self.keys.index(char)
            event.stop()
            event.prevent_default()
