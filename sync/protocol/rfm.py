"""Tier and lifecycle suggestions from order history: recency, frequency and monetary value (RFM).

One pure function, ``suggest``, the same on the laptop (``cache/suggestions.py``: the customer
screen's "suggested" line, the manager's Suggestions screen, ``fieldrep suggestions``) and on
the server (``fieldrep-server suggestions``). It suggests; it never changes a customer. A
manager accepts a suggestion, which becomes an ordinary ``customer.update`` of ``tier`` and
``stage``.

**Orders.** An order is a visit with an amount above zero (``Visit.amount``), dated by the
team's calendar day of the visit (``visit_orders``, in the policy's zone as ``rules.policy_day``
counts days), plus the order history imported from the CRM a team left
(``Customer.orders_12m``, ``revenue_12m``, ``last_order_at``). The window is the last
``WINDOW_DAYS`` (365) days: an order of day ``d`` is in it when ``0 <= today - d < 365``; an
order dated after today is not counted at all.

**Imported history and visits, never counted twice.** The imported figures describe the CRM's
orders up to ``last_order_at``, the latest order it knew:

- a visit order counts only when its day is *after* ``last_order_at`` (one on or before that day
  is taken to be among the imported orders already);
- ``orders_12m`` and ``revenue_12m`` count in F and M, in full, while ``last_order_at`` is in the
  window, and not at all once it is 365 days or more ago (the figures are not pro-rated: the
  CRM gave totals, not dates);
- ``last_order_at`` counts for R as an order of that day;
- imported figures with no ``last_order_at`` cannot be placed in any window and are not used
  (import the column to use them).

**Raw values**, per customer: R = days from the latest order to today, F = orders in the
window, M = the order amount in the window.

**Who is scored.** Only customers with at least one order ever (a dated one, above): a customer
who never ordered has no R, is left out of the quintiles and gets no suggestion at all, neither
tier nor stage (a prospect stays the rep's business; fifty thousand "C"s would bury the real
disagreements). A customer whose orders are all older than the window is scored (F = 0, M = 0).

**Scores, 1 to 5, by quintile within the set given** (the laptop: the customers it holds, a
manager's the team's; the server: one team's). For a value held by ``equal`` customers, with
``less`` customers below it, out of ``n``: ``score = 1 + floor(5 * (less + equal / 2) / n)``,
i.e. the quintile of the middle of its block of ties. Equal values always get equal scores,
a higher value never a lower score, and a set where everyone is equal scores 3 throughout
("no information": the middle). Five customers with M = 10, 20, 30, 40, 50 score M1 … M5. For
R fewer days is better, so R is scored on the count of customers with *more* days.

**Tier**, from the total T = R + F + M (3 to 15):

- ``A`` when T >= 13 (e.g. 5 5 3 or 5 4 4): top fifth on two measures and above the middle on
  the third; by construction roughly the best fifth of the ordering customers;
- ``B`` when T >= 8 (e.g. 3 3 2): about the middle or better on average;
- ``C`` otherwise.

**Lifecycle stage**, for customers with an order only, from R:

- R >= 365 days → ``lost``; R >= 180 days → ``at_risk`` (whatever the stage now);
- an order within 180 days: ``prospect`` → ``new`` (a first order), ``at_risk`` or ``lost`` →
  ``active`` (won back); ``new`` and ``active`` stay as they are.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sync.protocol import rules
from sync.protocol.models import Policy

WINDOW_DAYS = 365
"""F and M count the orders of the last 365 days (today included)."""
AT_RISK_DAYS = 180
"""No order for this many days: suggested ``at_risk``."""
LOST_DAYS = 365
"""No order for this many days: suggested ``lost``."""
TIER_A_TOTAL = 13
"""R + F + M at or above this: suggested tier A."""
TIER_B_TOTAL = 8
"""R + F + M at or above this (and below A's): suggested tier B; below it: C."""

Order = tuple[str, date, float]
"""(customer id, the team's calendar day of the order, amount)."""


@dataclass(slots=True)
class Suggestion:
    """One customer's RFM figures and what they suggest.

    ``recency_days`` is None (and the scores, ``tier`` and ``stage`` with it) for a customer
    with no order ever; ``stage`` is the stage suggested, equal to ``current_stage`` when the
    history asks for no move."""

    customer_id: str
    recency_days: int | None
    frequency: int
    monetary: float
    r: int | None
    f: int | None
    m: int | None
    tier: str | None
    stage: str | None
    current_tier: str
    current_stage: str

    @property
    def scored(self) -> bool:
        return self.recency_days is not None

    @property
    def tier_differs(self) -> bool:
        return self.tier is not None and self.tier != self.current_tier

    @property
    def stage_differs(self) -> bool:
        return self.stage is not None and self.stage != self.current_stage

    @property
    def disagrees(self) -> bool:
        """The suggestion is not what the customer has now (a line to show, a row to accept)."""
        return self.tier_differs or self.stage_differs

    def changes(self) -> dict[str, str]:
        """The fields a manager's acceptance changes: the ``customer.update`` to queue."""
        out: dict[str, str] = {}
        if self.tier_differs and self.tier is not None:
            out["tier"] = self.tier
        if self.stage_differs and self.stage is not None:
            out["stage"] = self.stage
        return out

    def as_json(self) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "recency_days": self.recency_days,
                "frequency": self.frequency, "monetary": self.monetary,
                "r": self.r, "f": self.f, "m": self.m,
                "tier": self.tier, "stage": self.stage,
                "current_tier": self.current_tier, "current_stage": self.current_stage,
                "disagrees": self.disagrees}


def _day(value: Any) -> date | None:
    """A stored date (a date, a datetime, or their ISO text) as a date; None if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def visit_orders(visits: Iterable[Mapping[str, Any]], policy: Policy) -> list[Order]:
    """The orders among ``visits`` (an amount above zero), each dated by the team's calendar
    day of the visit (``rules.policy_day``)."""
    zone = rules.policy_zone(policy)
    out: list[Order] = []
    for visit in visits:
        amount = visit.get("amount")
        if not amount or amount <= 0:
            continue
        try:
            moment = rules.as_datetime(visit.get("at"))
        except (TypeError, ValueError):
            continue
        if moment is None:
            continue
        out.append((str(visit.get("customer_id")), moment.astimezone(zone).date(),
                    float(amount)))
    return out


def quintile_scores(values: list[float]) -> list[int]:
    """Each value's score 1..5 by quintile within ``values`` (the module's rule: the quintile of
    the middle of its block of ties)."""
    ordered = sorted(values)
    n = len(ordered)
    out = []
    for value in values:
        less = bisect_left(ordered, value)
        equal = bisect_right(ordered, value) - less
        out.append(min(5, 1 + (10 * less + 5 * equal) // (2 * n)))  # exact: integers
    return out


def tier_for(r: int, f: int, m: int) -> str:
    total = r + f + m
    if total >= TIER_A_TOTAL:
        return "A"
    if total >= TIER_B_TOTAL:
        return "B"
    return "C"


def stage_for(recency_days: int, current: str) -> str:
    if recency_days >= LOST_DAYS:
        return "lost"
    if recency_days >= AT_RISK_DAYS:
        return "at_risk"
    if current == "prospect":
        return "new"
    if current in ("at_risk", "lost"):
        return "active"
    return current


def suggest(customers: Iterable[Mapping[str, Any]], orders: Iterable[Order],
            today: date) -> dict[str, Suggestion]:
    """Every customer's suggestion (by id), the scores ranked within ``customers``; ``orders``
    of customers not given are ignored. One pass over the orders, then a sort per measure."""
    by_id: dict[str, Mapping[str, Any]] = {}
    last: dict[str, date] = {}
    count: dict[str, int] = {}
    amount: dict[str, float] = {}
    cutoff: dict[str, date | None] = {}
    for customer in customers:
        cid = str(customer["id"])
        by_id[cid] = customer
        imported = _day(customer.get("last_order_at"))
        cutoff[cid] = imported
        if imported is None or imported > today:
            continue
        last[cid] = imported
        if (today - imported).days < WINDOW_DAYS:
            count[cid] = int(customer.get("orders_12m") or 0)
            amount[cid] = float(customer.get("revenue_12m") or 0.0)
    for cid, day, value in orders:
        if cid not in by_id or day > today or not value > 0:
            continue  # another set's, not yet, or no order (an amount of 0)
        before = cutoff[cid]
        if before is not None and day <= before:
            continue  # among the imported orders already
        if cid not in last or day > last[cid]:
            last[cid] = day
        if (today - day).days < WINDOW_DAYS:
            count[cid] = count.get(cid, 0) + 1
            amount[cid] = amount.get(cid, 0.0) + value

    scored = list(last)
    recency = {cid: (today - last[cid]).days for cid in scored}
    r_scores = dict(zip(scored, quintile_scores([-float(recency[cid]) for cid in scored]),
                        strict=True))
    f_scores = dict(zip(scored, quintile_scores([float(count.get(cid, 0)) for cid in scored]),
                        strict=True))
    m_scores = dict(zip(scored, quintile_scores([amount.get(cid, 0.0) for cid in scored]),
                        strict=True))
    out: dict[str, Suggestion] = {}
    for cid, customer in by_id.items():
        tier_now = str(customer.get("tier") or "C")
        stage_now = str(customer.get("stage") or "prospect")
        days = recency.get(cid)
        if days is None:
            out[cid] = Suggestion(cid, None, 0, 0.0, None, None, None, None, None,
                                  tier_now, stage_now)
            continue
        r, f, m = r_scores[cid], f_scores[cid], m_scores[cid]
        out[cid] = Suggestion(cid, days, count.get(cid, 0), amount.get(cid, 0.0), r, f, m,
                              tier_for(r, f, m), stage_for(days, stage_now), tier_now, stage_now)
    return out
