"""The territory's filter box: an Input that hands the keyboard back to the list."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class FilterInput(Input):
    """Typing filters live; ↓ moves into the list, esc clears (then leaves), enter opens."""

    HELP_GROUP = "Filter"

    BINDINGS = [
        Binding("down", "leave('down')", "To the list", id="filter.down",
                tooltip="Move into the list of matches"),
        Binding("escape", "clear_or_leave", "Clear", id="filter.clear",
                tooltip="Clear the filter; again to leave it"),
    ]

    @dataclass
    class Leave(Message):
        filter_input: FilterInput
        direction: str

    def action_leave(self, direction: str) -> None:
        self.post_message(self.Leave(self, direction))

    def action_clear_or_leave(self) -> None:
        if self.value:
            self.value = ""
        else:
            self.post_message(self.Leave(self, "escape"))
