"""How an assignment's preview is said, on the Pool screen and by ``fieldrep assign --strategy``:
the rule that gave a customer to a rep, and why a customer stays in the pool."""

from __future__ import annotations

from ui.i18n import _, field_name

STAY_WHY = {"uncovered": "no territory of the team covers it",
            "unmatched": "no rep's territory names its region, type or industry",
            "full": "every rep who could take it is at the limit"}
"""Why a customer of a ``plan_pool`` plan stays in the pool (English: the catalogue key)."""


def rule_text(move: dict) -> str:
    """Why this rep got this customer, in the UI's language."""
    fewest = _("fewest so far ({count}) of {eligible}", count=move["count"],
               eligible=move["eligible"])
    if move.get("field"):
        return _("{field} {value} in their territory; {fewest}",
                 field=field_name(move["field"]), value=move["value"], fewest=fewest)
    return fewest
