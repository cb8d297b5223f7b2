"""The sales organisation's rules, as plain functions shared by the server and the laptop.

The server decides with its own clock; the laptop runs the same functions offline so a rep sees
the protection countdown, the queue and a likely refusal while typing, not at sync.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sync.protocol.dates import parse_date
from sync.protocol.models import FeedbackKind, FeedbackStatus, Policy, Tier
from sync.protocol.refusals import Refusal
from sync.protocol.validation import Invalid

WEEKEND = (5, 6)


def add_days(start: datetime, days: int, working_days_only: bool) -> datetime:
    """``start`` plus ``days`` calendar days, or working days (Mon–Fri) when asked."""
    if not working_days_only:
        return start + timedelta(days=days)
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() not in WEEKEND:
            remaining -= 1
    return current


def protection_on_claim(now: datetime, policy: Policy) -> datetime:
    """When protection ends for a customer claimed ``now``."""
    return add_days(now, policy.protection_days, policy.working_days_only)


def protection_cap(claimed_at: datetime, policy: Policy) -> datetime:
    """The latest protection may run without a deal."""
    return add_days(claimed_at, policy.max_protection_days, policy.working_days_only)


def protection_after_owner_visit(
    claimed_at: datetime | None,
    protected_until: datetime | None,
    now: datetime,
    has_deal: bool,
    policy: Policy,
) -> datetime:
    """Each owner visit adds ``visit_extension_days``; never shortens; capped unless a deal."""
    current = protected_until or now
    start = max(current, now)
    extended = add_days(start, policy.visit_extension_days, policy.working_days_only)
    if not has_deal and claimed_at is not None:
        extended = min(extended, protection_cap(claimed_at, policy))
    return max(current, extended)


def policy_zone(policy: Policy) -> tzinfo:
    """The time zone the policy's calendar days are counted in (UTC if the zone is unknown)."""
    try:
        return ZoneInfo(policy.timezone)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError; a bad name a ValueError
        return UTC


def policy_day(policy: Policy, now: datetime) -> date:
    """The calendar day ``now`` falls on in the policy's time zone: the day "due today",
    "overdue" and the daily claim cap are counted in."""
    return now.astimezone(policy_zone(policy)).date()


def policy_day_start(policy: Policy, now: datetime) -> datetime:
    """Midnight at the start of ``now``'s calendar day in the policy's time zone."""
    return now.astimezone(policy_zone(policy)).replace(hour=0, minute=0, second=0, microsecond=0)


def due_refusal(day: date, today: date) -> Refusal | None:
    """Why ``day`` may not be a due (or snooze) date counted from ``today``: it is past."""
    if day < today:
        return Refusal("date.past", {"date": day.isoformat()})
    return None


def due_date(field: str, value: date | str | None, today: date) -> date | None:
    """The due date ``value`` means (typed as the rep types it: ``fri``, ``+3d``, ``2026-12-01``),
    None when empty; ``validation.Invalid`` (a coded refusal) when unreadable or past."""
    if value is None or value == "":
        return None
    try:
        day = parse_date(value, today)
    except ValueError:
        raise Invalid(Refusal("date.unreadable", {"field": field, "text": str(value).strip()})
                      ) from None
    refusal = due_refusal(day, today)
    if refusal is not None:
        raise Invalid(Refusal("date.past", {**refusal.params, "field": field}))
    return day


def snooze_date(field: str, value: date | str | None, today: date) -> date:
    """The day a snooze runs to: read as ``due_date`` reads it, and after ``today`` (snoozing to
    today puts nothing off); ``validation.Invalid`` (a coded refusal) otherwise."""
    day = due_date(field, value, today)
    if day is None:
        raise Invalid(Refusal("field.required", {"field": field}))
    if day <= today:
        raise Invalid(Refusal("date.not_after_today", {"field": field, "date": day.isoformat()}))
    return day


def feedback_refusal(kind: str, score: int | None) -> Refusal | None:
    """A satisfaction rating must carry its score (1–5; the range is the model's)."""
    if kind == FeedbackKind.satisfaction and score is None:
        return Refusal("feedback.score_required")
    return None


def as_datetime(value: Any) -> datetime | None:
    """A stored timestamp (ISO string or datetime) as an aware datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        result = value
    else:
        result = datetime.fromisoformat(str(value))
    if result.tzinfo is None:
        result = result.replace(tzinfo=UTC)
    return result


def protection_lapsed(customer: dict, now: datetime) -> bool:
    """An owned customer whose protection has run out: due to return to the pool."""
    until = as_datetime(customer.get("protected_until"))
    return bool(customer.get("owner_id")) and until is not None and until <= now


def protection_expiring(customer: dict, now: datetime, policy: Policy) -> bool:
    """Owned, still protected, and within the warning window."""
    until = as_datetime(customer.get("protected_until"))
    if not customer.get("owner_id") or until is None or until <= now:
        return False
    return until - now <= timedelta(days=policy.warning_days)


def days_left(until: datetime | None, now: datetime) -> int | None:
    """Whole days of protection left (negative once lapsed)."""
    if until is None:
        return None
    seconds = (until - now).total_seconds()
    return int(seconds // 86400)


def policy_time(moment: datetime, policy: Policy) -> str:
    """``moment`` as a person reads it in the policy's time zone: ``2026-12-02 14:00``."""
    return moment.astimezone(policy_zone(policy)).strftime("%Y-%m-%d %H:%M")


# --- the pool's claim delay and recycle conditions (J, issue 10) -----------------------------


def claimable_from(now: datetime, policy: Policy) -> str | None:
    """When a customer entering the pool at ``now`` (a reclaim, a return, an import into the
    pool) may first be claimed, as stored (ISO text): ``pool_claim_delay_hours`` later; None
    when there is no delay (claimable at once)."""
    if policy.pool_claim_delay_hours <= 0:
        return None
    return (now + timedelta(hours=policy.pool_claim_delay_hours)).isoformat()


def claimable_refusal(customer: Mapping[str, Any], now: datetime,
                      policy: Policy) -> Refusal | None:
    """A pool customer whose ``claimable_at`` is still ahead of ``now`` may not be claimed yet:
    the refusal names the moment in the policy's time zone."""
    at = as_datetime(customer.get("claimable_at"))
    if at is None or at <= now:
        return None
    return Refusal("claim.not_yet_claimable", {"name": customer.get("name", "this customer"),
                                               "at": policy_time(at, policy)})


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


def owner_last_seen(customer: Mapping[str, Any]) -> datetime | None:
    """When the owner last saw the customer, for the no-visit recycle: their latest visit since
    the claim (``owner_visit_at``; a record from before owner visits were dated counts its last
    visit), else the claim itself."""
    claimed = as_datetime(customer.get("claimed_at"))
    visited = as_datetime(customer.get("owner_visit_at") or customer.get("last_visit_at"))
    if claimed is None:
        return visited
    return max(claimed, visited) if visited is not None else claimed


def recycle_reason(customer: Mapping[str, Any], policy: Policy,
                   now: datetime) -> tuple[str, dict[str, Any]] | None:
    """Why an owned customer goes back to the pool before its protection lapses, or None: its
    owner has not visited it for ``recycle_no_visit_days`` (since their last visit, or the
    claim), or there is no deal ``recycle_no_deal_days`` after the claim; each 0 is off, and
    both may be set (the no-visit one is said first). Days count as protection's do
    (``working_days_only``). (the ownership reason code, its params), dated."""
    if not customer.get("owner_id"):
        return None
    who = customer.get("owner_name") or customer.get("owner_id")
    claimed = as_datetime(customer.get("claimed_at"))
    days = policy.recycle_no_visit_days
    seen = owner_last_seen(customer)
    if days > 0 and seen is not None and add_days(seen, days, policy.working_days_only) <= now:
        return "history.reclaimed.no_visit_days", {"who": who, "days": days, "last": _day(seen),
                                                   "since": _day(claimed)}
    days = policy.recycle_no_deal_days
    if (days > 0 and claimed is not None and not customer.get("deal_at")
            and add_days(claimed, days, policy.working_days_only) <= now):
        return "history.reclaimed.no_deal_days", {"who": who, "days": days,
                                                  "since": _day(claimed)}
    return None


def next_visit_due(customer: dict, policy: Policy) -> date | None:
    """When the tier's cadence says the customer must next be seen (calendar days)."""
    last = as_datetime(customer.get("last_visit_at"))
    tier = Tier(customer.get("tier") or "C")
    cadence = policy.cadence_days.get(tier)
    if cadence is None:
        return None
    if last is None:
        claimed = as_datetime(customer.get("claimed_at"))
        if claimed is None:
            return None
        return (claimed + timedelta(days=cadence)).date()
    return (last + timedelta(days=cadence)).date()


def territory_covers(territory: dict, customer: dict) -> bool:
    """Does a territory (provinces/cities, industries, customer types) cover this customer?

    An empty list means "any". Regions match on city or province, whichever the territory lists.
    """
    provinces = territory.get("provinces") or []
    cities = territory.get("cities") or []
    if (provinces or cities) and not (
        customer.get("province") in provinces or customer.get("city") in cities
    ):
        return False
    industries = territory.get("industries") or []
    if industries and customer.get("industry") not in industries:
        return False
    types = territory.get("customer_types") or []
    return not (types and customer.get("customer_type") not in types)


@dataclass(frozen=True)
class ClaimCount:
    """What the claim limits are judged on: ``held``, the customers a rep holds (owned now, plus
    claims still waiting to be decided), and ``today``, the claims made on the policy's calendar
    day (``policy_day``)."""

    held: int
    today: int


def claim_count(owned: int, claimed_at: Iterable[Any], *, now: datetime, policy: Policy,
                pending: int = 0) -> ClaimCount:
    """The one count both sides judge a claim on: ``owned`` customers held now; ``claimed_at``
    the moments of the claims the counting side knows of (the server: its claim log; the laptop:
    its customers' ``claimed_at``), of which those on ``now``'s policy day count for today; and
    ``pending`` claims not yet decided (the laptop's outbox), each one more held and one more
    today. A claim made today is one of the customers held, never a second one."""
    day = policy_day(policy, now)
    made = 0
    for value in claimed_at:
        moment = as_datetime(value)
        if moment is not None and policy_day(policy, moment) == day:
            made += 1
    return ClaimCount(held=owned + pending, today=made + pending)


def claim_refusal(
    customer: dict,
    rep_id: str,
    *,
    in_territory: bool,
    now: datetime,
    claims_today: int,
    held: int,
    policy: Policy,
) -> Refusal | None:
    """Why ``rep_id`` may not claim ``customer`` now (a coded refusal whose ``str()`` is the
    English for the rep); None if they may."""
    name = customer.get("name", "this customer")
    owner = customer.get("owner_id")
    if owner == rep_id and not protection_lapsed(customer, now):
        return Refusal("claim.already_yours", {"name": name})
    if not in_territory:
        return Refusal("scope.outside_territory", {"name": name})
    if owner and owner != rep_id and not protection_lapsed(customer, now):
        until = as_datetime(customer.get("protected_until"))
        who = customer.get("owner_name") or "another rep"
        if until is None:
            return Refusal("claim.owned_by", {"who": who})
        return Refusal("claim.owned_by_until", {"who": who, "until": until.date().isoformat()})
    waiting = claimable_refusal(customer, now, policy)
    if waiting is not None:
        return waiting
    cooloff = as_datetime(customer.get("cooloff_until"))
    if customer.get("previous_owner_id") == rep_id and cooloff is not None and cooloff > now:
        return Refusal("claim.cooloff", {"name": name, "until": cooloff.date().isoformat()})
    if claims_today >= policy.daily_claim_cap:
        return Refusal("claim.daily_cap", {"cap": policy.daily_claim_cap})
    if held >= policy.max_held:
        return Refusal("claim.max_held", {"held": held, "cap": policy.max_held})
    return None


POOL_EDITABLE_FIELDS = frozenset({"address", "lat", "lon", "contacts"})
"""What any rep of the territory may correct on a pool customer: what one learns at the door."""


def pool_edit_refusal(customer: dict, fields: dict, *, role: str) -> Refusal | None:
    """A pool customer (no owner) is shared: before claiming it a rep may correct only where it
    is and whom to ask (POOL_EDITABLE_FIELDS), never its name, its place in the territories
    (province, city, industry, type), tier, stage or product lines; a manager (or an admin)
    curates the team's pool."""
    if not customer.get("owner_id") and role == "rep":
        kept = sorted(set(fields) - POOL_EDITABLE_FIELDS)
        if kept:
            return Refusal("scope.pool_field", {"field": kept[0]})
    return None


def move_refusal(customer: dict, *, covered_before: bool, covered_after: bool) -> Refusal | None:
    """No edit moves a customer out of the editor's reach: ``covered_before``/``covered_after``
    say whether the editor's territories (a manager's: the team's audience) cover the customer
    before and after the change."""
    if covered_before and not covered_after:
        return Refusal("scope.move_out", {"name": customer.get("name", "this customer")})
    return None



# --- sharing out the pool --------------------------------------------------------------------

STRATEGIES = ("round-robin", "region", "customer-type", "industry")
"""How a manager shares the pool out: evenly, or to the reps whose territories name the
customer's region, type or industry."""

_STRATEGY_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "region": (("city", "cities"), ("province", "provinces")),
    "customer-type": (("customer_type", "customer_types"),),
    "industry": (("industry", "industries"),),
}


def eligible_for(strategy: str, customer: dict, reps: Sequence[dict],
                 territories_of: Callable[[str], Sequence[dict]]) -> list[dict]:
    """The reps of ``reps`` that ``strategy`` may give ``customer`` to: any of them for
    round-robin; otherwise those whose territories (``territories_of(rep_id)``) name the
    customer's region (city or province), type or industry."""
    if strategy == "round-robin":
        return list(reps)
    keys = _STRATEGY_KEYS[strategy]

    def names(rep: dict) -> bool:
        return any(customer.get(field) in (territory.get(listed) or ())
                   for territory in territories_of(rep["id"]) for field, listed in keys)

    return [rep for rep in reps if names(rep)]


def choose_assignee(strategy: str, candidates: Sequence[dict], this_round: dict[str, int],
                    held: dict[str, int], max_held: int) -> tuple[dict, str] | None:
    """Who of ``candidates`` gets the next customer, and why in one English line: the rep with
    the fewest assignments this round, then the fewest held, then by name; never one already at
    ``max_held``. None if nobody may take it."""
    open_ = [rep for rep in candidates if held[rep["id"]] < max_held]
    if not open_:
        return None
    chosen = min(open_, key=lambda rep: (this_round[rep["id"]], held[rep["id"]], rep["name"]))
    why = (f"{strategy}: {chosen['name']} had the fewest assignments this round "
           f"({this_round[chosen['id']]}) among {len(open_)} eligible")
    return chosen, why


# --- what a claim, a visit and a complaint set on a record (C: server rules) -----------------


def claim_fields(owner_id: str, owner_name: str | None, now: datetime,
                 policy: Policy) -> dict[str, str | None]:
    """The fields that make a customer ``owner_id``'s from ``now`` (a claim, an assignment, a
    transfer, a new customer, an imported row with an owner): who, since when, protected until
    (``protection_on_claim``), as stored (ISO text)."""
    return {"owner_id": owner_id, "owner_name": owner_name, "claimed_at": now.isoformat(),
            "protected_until": protection_on_claim(now, policy).isoformat()}


def visit_effects(customer: Mapping[str, Any], *, rep_id: str, at: datetime,
                  amount: float | None, now: datetime, policy: Policy) -> dict[str, str]:
    """What a visit by ``rep_id`` at ``at`` changes on its customer: ``last_visit_at`` when it
    is the latest (never later than ``now``); for the owner's visit, ``deal_at`` on the first
    with an order, ``protected_until`` extended (``protection_after_owner_visit``) and
    ``owner_visit_at`` when it is their latest (the no-visit recycle counts from it); another
    rep's visit to an owned record that has no ``owner_visit_at`` yet first sets it to when the
    owner last saw it (``owner_last_seen``), so it never counts as the owner's."""
    changes: dict[str, str] = {}
    at = min(at, now)
    last = as_datetime(customer.get("last_visit_at"))
    if last is None or at > last:
        changes["last_visit_at"] = at.isoformat()
    if customer.get("owner_id") == rep_id:
        deal = customer.get("deal_at")
        if amount and not deal:
            deal = changes["deal_at"] = now.isoformat()
        until = protection_after_owner_visit(
            as_datetime(customer.get("claimed_at")), as_datetime(customer.get("protected_until")),
            now, bool(deal), policy)
        changes["protected_until"] = until.isoformat()
        seen = as_datetime(customer.get("owner_visit_at"))
        if seen is None or at > seen:
            changes["owner_visit_at"] = at.isoformat()
    elif customer.get("owner_id") and not customer.get("owner_visit_at"):
        # someone else's visit moves the last visit: keep when the owner last saw it first
        seen = owner_last_seen(customer)
        if seen is not None:
            changes["owner_visit_at"] = seen.isoformat()
    return changes


def complaint_defaults(feedback: Mapping[str, Any]) -> dict[str, str]:
    """What a complaint is unless it says otherwise: open, of medium severity; nothing for a
    satisfaction rating or a suggestion."""
    if feedback.get("kind") != FeedbackKind.complaint:
        return {}
    return {"status": feedback.get("status") or FeedbackStatus.open.value,
            "severity": feedback.get("severity") or "medium"}
