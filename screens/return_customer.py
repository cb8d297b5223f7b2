"""Give a customer back to the pool (``r`` on the customer screen): why, then the outbox.

``ReturnPicker`` lists the policy's return reasons (``store.return_reasons()``) in the rep's
language, each with its own key (``1``–``9``, like the snooze picker; ``j``/``k`` and the arrows
move, ``enter`` picks the highlighted one) and dismisses with the reason code, or None.
``return_unavailable_reason`` is why ``r`` is dimmed (not the rep's customer, a return already
waiting), said as the refusal the store and the server would give; ``return_customer`` runs the
picker and then ``store.return_customer``, which queues a ``customer.return`` operation: the
server decides at sync.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from screens.messages import StoreChanged
from ui.i18n import _, refusal_text
from ui.ownership import reason_text
from ui.widgets.choice import KEY_STYLE
from ui.widgets.key_footer import KeyFooter


def return_unavailable_reason(store: Any, customer: dict | None) -> str | None:
    """Why this rep cannot return ``customer`` now (as the store would refuse it), or None."""
    if customer is None:
        return _("No customer selected")
    name = customer.get("name", "")
    if customer.get("return_pending"):
        return refusal_text("return.pending", {"name": name})
    if not customer.get("owner_id") or customer.get("owner_id") != store.rep_id:
        return refusal_text("return.not_owner", {"name": name})
    return None


class ReturnPicker(ModalScreen[str | None]):
    """The policy's return reasons; a reason's number picks it at once, esc keeps the customer."""

    HELP_TITLE = "Return to the pool"

    BINDINGS = [
        Binding("j", "move('down')", "Down", id="return.down", show=False,
                tooltip="Next reason"),
        Binding("k", "move('up')", "Up", id="return.up", show=False,
                tooltip="Previous reason"),
        Binding("escape", "cancel", "Cancel", id="return.cancel",
                tooltip="Keep the customer"),
    ]

    def __init__(self, customer_name: str, reasons: list[str]) -> None:
        super().__init__()
        self.customer_name = customer_name
        self.reasons = list(reasons)
        self.keys = [str(n) for n in range(1, min(len(self.reasons), 9) + 1)]
        """Each reason's key, in order (a reason past the ninth is picked with enter)."""

    def compose(self) -> ComposeResult:
        options = []
        for position, code in enumerate(self.reasons):
            prompt = Text(no_wrap=True, overflow="ellipsis")
            key = self.keys[position] if position < len(self.keys) else " "
            prompt.append(key, style=KEY_STYLE)
            prompt.append(f"  {reason_text(code)}")
            options.append(Option(prompt, id=code))
        with Vertical(id="return-box"):
            yield Static(_("Return {name} to the pool: why?", name=self.customer_name),
                         classes="form-title", markup=False)
            yield OptionList(*options, id="return-reasons")
            yield Static(_("a number or enter returns it; the server decides at sync · "
                           "esc keeps it"), classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event) -> None:
        """A reason's number picks it."""
        if event.character and event.character in self.keys:
            event.stop()
            event.prevent_default()
            self.dismiss(self.reasons[self.keys.index(event.character)])

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


def return_customer(host: Any, customer: dict) -> None:
    """Ask why, then queue the return of ``customer`` (toasting what the store refused)."""
    from cache import StoreError
    from screens.customer_actions import refused_text

    store = host.app.store
    name = customer.get("name", "")

    def picked(reason: str | None) -> None:
        if not reason:
            return
        try:
            store.return_customer(customer["id"], reason)
        except StoreError as error:
            host.app.notify(refused_text(error), severity="warning", title=_("Cannot return"))
            return
        host.app.notify(_("Return of {name} queued ({reason}): the server decides at sync",
                          name=name, reason=reason_text(reason)))
        host.post_message(StoreChanged("return", sync_soon=True))

    host.app.push_screen(ReturnPicker(name, store.return_reasons()), callback=picked)
