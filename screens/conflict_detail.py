"""One conflict side by side (``enter`` on the sync screen's conflicts): every differing sub-field,
yours against the server's, and the same two ways to settle it, ``m`` keep mine and ``t`` take
theirs. ``ConflictDetail(conflict)`` dismisses with ``"mine"``, ``"theirs"`` or None (``esc``);
the sync screen settles it, so the one place that does stays ``SyncScreen.settle``.

:func:`difference_label` and :func:`value_text` say a difference (``cache/conflicts.py``) the
same way here and in the sync screen's list: ``contacts[Nina Tanaka].phone``, in the UI's
language.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ui.i18n import _
from ui.widgets.key_footer import KeyFooter
from ui.widgets.list_table import ListTable


def difference_label(difference: dict) -> str:
    """Where a difference is: the field, the record of a list by name, and its key."""
    label = _(str(difference.get("field") or ""))
    if difference.get("item") is not None:
        label += _("[{item}]", item=difference["item"])
    if difference.get("sub"):
        label += f".{_(str(difference['sub']))}"
    return label


def value_text(value: Any) -> str:
    """One side of a difference as a line ("—" for nothing there)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


class ConflictDetail(ModalScreen[str | None]):
    """A conflict's differences, mine against theirs; ``m``/``t`` settle it, ``esc`` goes back."""

    HELP_TITLE = "Conflict"

    BINDINGS = [
        Binding("m", "choose('mine')", "Keep mine", id="conflict.keep_mine",
                tooltip="Settle this conflict with your values (sent again)"),
        Binding("t", "choose('theirs')", "Take theirs", id="conflict.take_theirs",
                tooltip="Settle this conflict with the server's values"),
        Binding("escape", "choose('')", "Back", id="conflict.back",
                tooltip="Back to the sync screen, the conflict still open"),
    ]

    def __init__(self, conflict: dict) -> None:
        super().__init__()
        self.conflict = conflict

    def compose(self) -> ComposeResult:
        conflict = self.conflict
        differences = conflict.get("differences") or []
        with Vertical(id="conflict-box"):
            yield Static(_("Conflict: {name}", name=conflict.get("customer_name") or "?"),
                         id="conflict-title", markup=False)
            yield Static(_("Changed on this laptop and on the server since your last sync: "
                           "{n} differences", n=len(differences)) if len(differences) != 1
                         else _("Changed on this laptop and on the server since your last "
                                "sync: 1 difference"),
                         id="conflict-note", classes="hint", markup=False)
            yield ListTable(id="conflict-differences")
            yield Static(_("m keep mine · t take theirs · esc back"), id="conflict-keys",
                         classes="hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#conflict-differences", DataTable)
        for label, width in ((_("Field"), 30), (_("Mine"), 24), (_("Theirs"), 24)):
            table.add_column(label, width=width)
        for index, difference in enumerate(self.conflict.get("differences") or []):
            table.add_row(difference_label(difference), value_text(difference.get("mine")),
                          value_text(difference.get("theirs")), key=str(index))
        table.focus()

    def action_choose(self, side: str) -> None:
        self.dismiss(side or None)
