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

from screens.messages import StoreChanged
from screens.picker import ChoicePicker
from ui.i18n import _, refusal_text
from ui.ownership import reason_text


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


class ReturnPicker(ChoicePicker):
    """The policy's return reasons; a reason's number picks it at once, esc keeps the customer."""

    HELP_TITLE = "Return to the pool"

    def __init__(self, customer_name: str, reasons: list[str]) -> None:
        super().__init__(
            _("Return {name} to the pool: why?", name=customer_name),
            [(code, reason_text(code)) for code in reasons],
            _("a number or enter returns it; the server decides at sync · esc keeps it"),
            box_id="return-box", list_id="return-reasons")
        self.customer_name = customer_name
        self.reasons = list(reasons)


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
