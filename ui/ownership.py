"""A customer's ownership history as a person reads it, in the UI's language: what kind of
change each event was, why (its reason code rendered from ``sync/protocol/ownership.py`` through
the catalogue, the return reason and the strategy said in words), who made it, the return
reasons a rep picks from, and the days of ownership a customer has left. The command line
(``fieldrep history``, ``fieldrep return``), the customer screen and the territory's rows say
them the same way."""

from __future__ import annotations

from datetime import datetime

from sync.protocol import rules
from sync.protocol.ownership import event_text, reason_label
from ui.i18n import _, field_name

KIND_LABELS = {
    "create": "added",
    "claim": "claimed",
    "return": "returned",
    "reclaim": "reclaimed",
    "assign": "assigned",
    "transfer": "transferred",
    "handoff": "handed off",
    "import": "imported",
}
"""What each kind of ownership event is called, in English (the catalogue key)."""


def _translate(text: str) -> str:
    return _(text)


def kind_text(kind: str | None) -> str:
    """The kind of an event in the UI's language (an unknown kind as itself)."""
    label = KIND_LABELS.get(kind or "")
    return _(label) if label else str(kind or "")


def why_text(event: dict) -> str:
    """Why the event happened, in the UI's language."""
    params = event.get("params")
    if isinstance(params, dict) and isinstance(params.get("field"), str):
        event = {**event, "params": {**params, "field": field_name(params["field"])}}
    return event_text(event, _translate)


def reason_text(code: str) -> str:
    """A return reason code in words, in the UI's language (an admin's own code as itself)."""
    return _(reason_label(code))



def who_text(event: dict) -> str:
    """Who made the change: the person's name, else the server (a reclaim, a hand-off) or an
    administrator (an import)."""
    if event.get("actor_name"):
        return str(event["actor_name"])
    actor = event.get("actor_id")
    if actor in (None, "", "server"):
        return _("the server")
    return _("an administrator") if actor == "admin" else str(actor)


def days_left(customer: dict, now: datetime) -> int | None:
    """Whole days of ownership left on an owned customer (its protection; negative once it
    lapsed), None for a pool customer or one held without a protection period. The customer
    screen's header and the territory's rows both count with this."""
    if not customer.get("owner_id"):
        return None
    return rules.days_left(rules.as_datetime(customer.get("protected_until")), now)


def days_left_mark(customer: dict, now: datetime) -> str:
    """The territory row's compact count of ``days_left``: ``12d`` (``12天``), "" for none."""
    left = days_left(customer, now)
    return "" if left is None else _("{n}d", n=left)
