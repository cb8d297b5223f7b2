"""What the rep is told about customers going back to the shared pool, in the UI's language.

The store keeps the news (``Store.take_pool_news`` and ``Store.pool_returns``, from
``cache/apply.py``); these functions only say it: the toast after a sync
(:func:`pool_news_toast`), the queue entry's line (:func:`pool_entry_text`) and the customer
header of a pool customer (:func:`pool_header`), which names the cool-off when the rep may not
claim it back yet instead of inviting a claim that would be refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sync.protocol import rules
from sync.protocol.refusals import Refusal
from ui.i18n import _

NAMED = 5
"""How many customers a toast names before "and N more"."""


def _names(news: list[dict]) -> str:
    names = [str(n.get("name") or "?") for n in news]
    text = ", ".join(names[:NAMED])
    if len(names) > NAMED:
        text += " " + _("and {n} more", n=len(names) - NAMED)
    return text


def pool_news_toast(news: list[dict]) -> str | None:
    """The toast for customers a sync found back in the pool (None for none): one line per
    reason, e.g. "2 customers went back to the pool (protection lapsed): 华东电子, Acme"."""
    lines = []
    lapsed = [n for n in news if n.get("reason") == "protection_lapsed"]
    other = [n for n in news if n.get("reason") != "protection_lapsed"]
    if lapsed:
        lines.append(
            _("1 customer went back to the pool (protection lapsed): {names}",
              names=_names(lapsed)) if len(lapsed) == 1 else
            _("{n} customers went back to the pool (protection lapsed): {names}",
              n=len(lapsed), names=_names(lapsed)))
    if other:
        lines.append(
            _("1 customer went back to the pool: {names}", names=_names(other))
            if len(other) == 1 else
            _("{n} customers went back to the pool: {names}", n=len(other),
              names=_names(other)))
    return "\n".join(lines) or None


def cooloff_refusal(customer: dict | None, rep_id: str | None, now: datetime,
                    policy: Any) -> Refusal | None:
    """The claim refusal when it is the cool-off that forbids ``rep_id`` to claim ``customer``
    back now (the one rule, ``rules.claim_refusal``), else None."""
    if customer is None or not rep_id:
        return None
    refusal = rules.claim_refusal(customer, rep_id, in_territory=True, now=now, claims_today=0,
                                  held=0, policy=policy)
    return refusal if refusal is not None and refusal.code == "claim.cooloff" else None


def pool_entry_text(customer: dict | None, rep_id: str | None, now: datetime,
                    policy: Any) -> str:
    """The queue's "what" of a customer that went back to the pool."""
    refusal = cooloff_refusal(customer, rep_id, now, policy)
    if refusal is not None:
        return _("claim again from {date} (cool-off)",
                 date=refusal.params.get("until", ""))
    return _("c to claim it again")


def pool_header(customer: dict, rep_id: str | None, now: datetime, policy: Any) -> str:
    """The protection line of a customer in the pool: an invitation to claim it, or, when the
    cool-off forbids this rep (its previous owner) for now, the cool-off and until when; before
    the pool's claim delay has passed, from when it is claimable."""
    waiting = rules.claimable_refusal(customer, now, policy)
    if waiting is not None:
        return _("In the shared pool: claimable from {at}", at=waiting.params["at"])
    refusal = cooloff_refusal(customer, rep_id, now, policy)
    if refusal is not None:
        return _("In the shared pool, in cool-off for you: you may claim it again from {date}",
                 date=refusal.params.get("until", ""))
    return _("In the shared pool: press c to claim")
