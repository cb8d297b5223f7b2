"""A one-line choice among a few options (kind, severity, score, tier): ←/→ or the first letter.

It renders every option side by side with the chosen one highlighted, so a form shows all its
choices at a glance and a snapshot shows them too. It posts ``Choice.Changed`` like an Input.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


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
        for position, (_value, label) in enumerate(self.options):
            if position:
                text.append(" ")
            text.append(f" {label} ", style=chosen if position == self.index else other)
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
        """A key that starts exactly one option's label (or value) chooses it."""
        char = (event.character or "").lower()
        if not char or not char.isprintable() or char == " ":
            return
        starts = [i for i, (value, label) in enumerate(self.options)
                  if label.lower().startswith(char) or value.lower().startswith(char)]
        if len(starts) == 1:
            self.index = starts[0]
            event.stop()
            event.prevent_default()
