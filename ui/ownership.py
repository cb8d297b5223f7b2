"""A customer's ownership history as a person reads it, in the UI's language: what kind of
change each event was, why (its reason code rendered from ``sync/protocol/ownership.py`` through
the catalogue, the return reason and the strategy said in words), and the return reasons a rep
picks from. The command line (``fieldrep history``, ``fieldrep return``) and the customer screen
say them the same way."""

from __future__ import annotations

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

