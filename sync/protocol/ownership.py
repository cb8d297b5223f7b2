"""Who owned a customer, and why: the kinds of ownership event, each event's reason as a code
with an English template (the laptop says it in the rep's language: ``ui/ownership.py``, the
Chinese in ``ui/locales/zh_f.py``), the return reasons a rep picks from, and the rule a return
is judged by, the same on the laptop and the server.

The server writes one event in the transaction that changes a customer's owner
(``server/domain/trail.py``); it travels in the change feed as the entity ``ownership``
(``models.OwnershipEvent``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sync.protocol.models import Policy
from sync.protocol.refusals import Refusal, render
from sync.protocol.rules import _STRATEGY_KEYS

ENTITY = "ownership"
"""The entity ownership events travel as in the feed."""

KINDS = ("create", "claim", "return", "reclaim", "assign", "transfer", "handoff", "import")
"""What changed the owner: a new customer, a claim from the pool, a rep's return, the server's
reclaim, an assignment by a strategy, a transfer, a stage hand-off, an import."""

TEMPLATES: dict[str, str] = {
    "history.created": "{who} added it as a new customer",
    "history.claimed": "{who} claimed it from the pool; protected until {until}",
    "history.returned": "{who} returned it to the pool: {reason}",
    "history.reclaimed.no_visit": (
        "back to the pool: {who} did not visit it after claiming it on {since}; "
        "protection lapsed on {until}"
    ),
    "history.reclaimed.no_deal": (
        "back to the pool: no deal within {days} days of {who}'s claim on {since}; "
        "protection lapsed on {until}"
    ),
    "history.reclaimed.lapsed": (
        "back to the pool: {who} last visited it on {last}; protection lapsed on {until}"
    ),
    "history.assigned": (
        "assigned to {to} by {who} ({strategy}): the fewest assignments this round ({count}) "
        "among {eligible} eligible"
    ),
    "history.assigned_match": (
        "assigned to {to} by {who} ({strategy}): their territory names its {field} {value}; "
        "the fewest assignments this round ({count}) among {eligible} eligible"
    ),
    "history.transferred": "transferred from {prev} to {to} by {who}",
    "history.transferred_pool": "given to {to} from the pool by {who}",
    # I: a manager's customer.assign / customer.transfer (server/domain/manager.py)
    "history.assigned_by": "assigned to {to} from the pool by {who}",
    # Q: a manager's customer.assign by a strategy (the laptop's preview, fields.strategy)
    "history.assigned_strategy": "assigned to {to} by {who} ({strategy})",
    "history.assigned_strategy_match": (
        "assigned to {to} by {who} ({strategy}): their territory names its {field} {value}"
    ),
    "history.transferred_note": "transferred from {prev} to {to} by {who}: {note}",
    "history.transferred_pool_note": "given to {to} from the pool by {who}: {note}",
    "history.imported": "owner set to {to} by an import",
    "history.handoff": "handed to {to} of {team} when it reached the stage {stage}",
    # J (issue 10): the policy's recycle conditions (rules.recycle_reason), protection not lapsed
    "history.reclaimed.no_visit_days": (
        "back to the pool: {who} had not visited it for {days} days (last seen {last})"
    ),
    "history.reclaimed.no_deal_days": (
        "back to the pool: no deal within {days} days of {who}'s claim on {since}"
    ),
}
"""Each event's reason, by code. The stage hand-off rule (not written yet) records kind
``handoff`` with ``history.handoff``."""

DEFAULT_RETURN_REASONS: tuple[str, ...] = tuple(Policy().return_reasons)
RETURN_REASON_LABELS: dict[str, str] = {
    "not_interested": "not interested",
    "duplicate": "a duplicate of another customer",
    "out_of_territory": "outside the territory",
    "closed_business": "the business has closed",
    "other": "another reason",
}
"""The English label of each default return reason (a code an admin adds reads as itself)."""

STRATEGY_LABELS: dict[str, str] = {
    "round-robin": "round-robin",
    "region": "by region",
    "customer-type": "by customer type",
    "industry": "by industry",
}


def reason_label(code: str) -> str:
    """A return reason in English: its label, or the code itself."""
    return RETURN_REASON_LABELS.get(code, code)


def event_text(event: dict, translate: Callable[[str], str] = str) -> str:
    """Why ``event`` happened, in one line: its template (through ``translate``, the UI's
    catalogue, for the rep's language) with its params; an unknown code reads as the code."""
    code = str(event.get("reason") or "")
    template = TEMPLATES.get(code)
    if template is None:
        return code
    params: dict[str, Any] = dict(event.get("params") or {})
    if isinstance(params.get("reason"), str):
        params["reason"] = translate(reason_label(params["reason"]))
    if isinstance(params.get("strategy"), str):
        params["strategy"] = translate(STRATEGY_LABELS.get(params["strategy"],
                                                           params["strategy"]))
    if isinstance(params.get("field"), str):
        params["field"] = translate(params["field"])
    try:
        return render(translate(template), params)
    except (ValueError, IndexError):  # a translation with a broken placeholder
        return render(template, params)


def return_refusal(customer: dict, rep_id: str, reason: Any, policy: Policy) -> Refusal | None:
    """Why ``rep_id`` may not return ``customer`` to the pool with ``reason``, or None: the
    reason must be one of the policy's ``return_reasons``, and the customer the rep's own."""
    choices = ", ".join(policy.return_reasons)
    if reason is None or reason == "":
        return Refusal("return.reason_required", {"choices": choices})
    if not isinstance(reason, str) or reason not in policy.return_reasons:
        return Refusal("return.unknown_reason", {"reason": str(reason)[:40], "choices": choices})
    if customer.get("owner_id") != rep_id:
        return Refusal("return.not_owner", {"name": customer.get("name", "")})
    return None


def matched_key(strategy: str, customer: dict, territories: Sequence[dict]) -> tuple[str, str]:
    """(the customer's field, its value) that a territory of ``territories`` names, which made
    the rep eligible under ``strategy`` (``rules.eligible_for``); ("", "") for round-robin."""
    for field, listed in _STRATEGY_KEYS.get(strategy, ()):
        value = customer.get(field)
        if any(value in (territory.get(listed) or ()) for territory in territories):
            return field, str(value)
    return "", ""
