"""A rep's figures for a period: what they did, beside their goals, from local records alone.

``figures_of`` is the one function that counts them: a pure function over plain records
(visits, feedback, follow-ups, ownership events, the rep's customers), the policy and the
goals, so the numbers are there offline and at once. The rep's dashboard
(``screens/dashboard.py``, through ``compute_figures``) and the manager's Team screen and
``fieldrep team`` (``cache/team.py``, once per rep) both call it.

Counted over the period (``Period``: its first and last calendar day; the dashboard's default is
the month of today, and nothing after today counts):

- visits, and revenue (the visits' order amounts);
- new customers (the customers held now whose ``claimed_at`` falls in it: claimed, assigned or
  transferred to the rep), and claims (the rep's claims from the pool in it, from the ownership
  events the laptop holds: a customer claimed and since returned still counts);
- the satisfaction average (the scores the rep recorded in it).

As of the period's last day (today for the current period):

- A-customer coverage: A customers seen within their cadence (``seen_in_cadence``: visited, and
  the next cadence visit not yet overdue; one never visited is not seen, however new). For a
  past period the last visit is the latest one this laptop holds on or before that day, and a
  customer the rep took over later is left out.

Now, whatever the period: overdue follow-ups (open, or snoozed past their date, due before
today), open complaints (those assigned to the rep, or unassigned on the rep's customers; the
ones past their SLA counted apart), customers held; and for the dashboard visits this week
(weeks start on Monday) and per day for the last ``CHART_DAYS`` days, the satisfaction by month
for ``TREND_MONTHS`` months, the pipeline by stage.

Days are calendar days in the policy's time zone (``rules.policy_day``), as the queue counts them:
a visit at 23:30 in Shanghai is that day's, whatever the UTC date says.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sync.protocol import complaints, rules
from sync.protocol.goals import base_goals, goals_at
from sync.protocol.models import Goals, Policy

if TYPE_CHECKING:
    from cache import Store

STAGES = ("prospect", "new", "active", "at_risk", "lost")
"""The pipeline's stages, in the order they are shown."""
CHART_DAYS = 14
TREND_MONTHS = 6
PERIOD_KINDS = ("week", "month", "quarter")
"""The periods figures are counted over, in the order ``p`` cycles them."""
GENERATED_FOLLOWUPS = frozenset({"cadence", "protection_expiring", "complaint"})
"""Follow-up sources whose non-open record is only a snooze marker of a queue entry
(``cache/queue.py``), never a task of its own."""


@dataclass(frozen=True)
class Period:
    """A week (Monday to Sunday), a calendar month or a calendar quarter: ``start`` and ``end``
    are its first and last day, both counted."""

    kind: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def elapsed_share(self, today: date) -> float:
        """The share of the period's days over before ``today`` (0.0 on its first day, 1.0 once
        it has ended): how much of a goal is due by now."""
        if today > self.end:
            return 1.0
        if today <= self.start:
            return 0.0
        return (today - self.start).days / self.days


def month_start(day: date, back: int = 0) -> date:
    """The first day of ``day``'s month, or of the month ``back`` months before it."""
    month = day.month - 1 - back
    return date(day.year + month // 12, month % 12 + 1, 1)


def _month_end(first: date, months: int) -> date:
    last = month_start(first, -(months - 1))
    return last.replace(day=calendar.monthrange(last.year, last.month)[1])


def period_of(kind: str, day: date) -> Period:
    """The ``kind`` period (week, month or quarter) that contains ``day``."""
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6))
    if kind == "month":
        start = day.replace(day=1)
        return Period(kind, start, _month_end(start, 1))
    if kind == "quarter":
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, start, _month_end(start, 3))
    raise ValueError(f"unknown period {kind!r}; use one of: {', '.join(PERIOD_KINDS)}")


def step_period(period: Period, steps: int) -> Period:
    """The period of the same kind ``steps`` periods later (earlier when negative)."""
    if period.kind == "week":
        return period_of("week", period.start + timedelta(weeks=steps))
    months = 3 if period.kind == "quarter" else 1
    return period_of(period.kind, month_start(period.start, -steps * months))


@dataclass
class Figures:
    """One rep's (or everyone's, with no rep) numbers for ``period``; see the module's doc for
    what each counts and over which days."""

    today: date
    week_start: date
    month_start: date
    goals: Goals
    period: Period
    visits: int = 0
    visits_week: int = 0
    a_total: int = 0
    a_covered: int = 0
    new_customers: int = 0
    revenue: float = 0.0
    satisfaction: float | None = None
    satisfaction_count: int = 0
    claims: int = 0
    overdue_followups: int = 0
    open_complaints: int = 0
    late_complaints: int = 0
    held: int = 0
    visits_per_day: list[tuple[date, int]] = field(default_factory=list)
    pipeline: dict[str, int] = field(default_factory=dict)
    satisfaction_trend: list[tuple[date, float | None, int]] = field(default_factory=list)

    @property
    def a_coverage_pct(self) -> float | None:
        return 100.0 * self.a_covered / self.a_total if self.a_total else None


def seen_in_cadence(customer: dict, policy: Policy, today: date) -> bool:
    """Has the customer been visited within their tier's cadence as of ``today``? A customer
    never visited has not been seen, even one claimed yesterday whose first visit is not due."""
    if not customer.get("last_visit_at"):
        return False
    due = rules.next_visit_due(customer, policy)
    return due is not None and due >= today


def followup_due(followup: dict) -> date | None:
    """The day a follow-up is due as the queue counts it: its due date, or a snoozed one's
    ``snoozed_until`` when later; None for one done, dismissed, or a queue entry's snooze
    marker."""
    status = followup.get("status")
    if status not in ("open", "snoozed"):
        return None
    if status == "snoozed" and followup.get("source") in GENERATED_FOLLOWUPS:
        return None
    try:
        due = date.fromisoformat(str(followup.get("due"))[:10])
        until = followup.get("snoozed_until") if status == "snoozed" else None
        return max(due, date.fromisoformat(str(until)[:10])) if until else due
    except ValueError:
        return None


def goals_of(rep: dict | None, day: date | None = None) -> Goals:
    """The rep's goals as the server sent them; the protocol's defaults when it sent none, or
    sent something malformed. With ``day``: the goals in effect that day (O: a manager sets
    goals from a period on, ``sync/protocol/goals.py``), so a period keeps its own goals."""
    return goals_at(rep, day) if day is not None else base_goals(rep)


def figures_of(
    *,
    now: datetime,
    policy: Policy,
    goals: Goals,
    visits: Iterable[dict],
    feedback: Iterable[dict],
    customers: Iterable[dict],
    rep_id: str | None,
    period: Period | None = None,
    followups: Iterable[dict] = (),
    ownership: Iterable[dict] = (),
) -> Figures:
    """The figures of ``rep_id`` (every rep's when None) for ``period`` (default: the month of
    ``now``) as of ``now``: of their visits, feedback, follow-ups and claims (``ownership``
    events), and of ``customers`` (the ones the figures are about: the rep's own). Records of
    other reps may be given: they count only where the module's doc says (a visit to one of the
    rep's customers dates its last visit; a complaint assigned to the rep is theirs)."""
    today = rules.policy_day(policy, now)
    week_start = today - timedelta(days=today.weekday())
    this_month = today.replace(day=1)
    period = period or period_of("month", today)
    first, last = period.start, min(period.end, today)
    as_of = last
    figures = Figures(today=today, week_start=week_start, month_start=this_month, goals=goals,
                      period=period)
    mine = list(customers)
    mine_by_id = {c.get("id"): c for c in mine}
    figures.held = len(mine)

    def local_day(value: Any) -> date | None:
        try:
            moment = rules.as_datetime(value)
        except (TypeError, ValueError):
            return None
        return rules.policy_day(policy, moment) if moment else None

    def is_mine(record: dict, key: str = "rep_id") -> bool:
        return not rep_id or record.get(key) == rep_id

    per_day: dict[date, int] = {}
    last_seen: dict[str, datetime] = {}  # a past period's coverage: the last visit by then
    first_chart_day = today - timedelta(days=CHART_DAYS - 1)
    for visit in visits:
        day = local_day(visit.get("at"))
        if day is None or day > today:
            continue
        if as_of < today and day <= as_of and visit.get("customer_id") in mine_by_id:
            moment = rules.as_datetime(visit["at"])
            cid = str(visit["customer_id"])
            if moment is not None and (cid not in last_seen or moment > last_seen[cid]):
                last_seen[cid] = moment
        if not is_mine(visit):
            continue
        if first <= day <= last:
            figures.visits += 1
            figures.revenue += float(visit.get("amount") or 0)
        if day >= week_start:
            figures.visits_week += 1
        if day >= first_chart_day:
            per_day[day] = per_day.get(day, 0) + 1
    figures.visits_per_day = [(first_chart_day + timedelta(days=i),
                               per_day.get(first_chart_day + timedelta(days=i), 0))
                              for i in range(CHART_DAYS)]

    pipeline = dict.fromkeys(STAGES, 0)
    for customer in mine:
        stage = customer.get("stage") or "prospect"
        pipeline[stage] = pipeline.get(stage, 0) + 1
        claimed = local_day(customer.get("claimed_at"))
        if claimed is not None and first <= claimed <= last:
            figures.new_customers += 1
        if customer.get("tier") != "A":
            continue
        if as_of == today:
            figures.a_total += 1
            figures.a_covered += seen_in_cadence(customer, policy, today)
        elif claimed is None or claimed <= as_of:  # theirs by the end of that period
            figures.a_total += 1
            figures.a_covered += _seen_by(customer, last_seen.get(customer.get("id") or ""),
                                          policy, as_of, local_day)
    figures.pipeline = pipeline

    months = [month_start(today, back) for back in range(TREND_MONTHS - 1, -1, -1)]
    scores: dict[date, list[int]] = {m: [] for m in months}
    scored: list[int] = []
    for record in feedback:
        if record.get("kind") == "complaint":
            if complaints.is_open(record) and _responsible(record, rep_id, mine_by_id):
                figures.open_complaints += 1
                sla = complaints.sla_of(record, policy, now)
                figures.late_complaints += bool(sla is not None and sla.breached)
            continue
        if record.get("kind") != "satisfaction" or not record.get("score"):
            continue
        if not is_mine(record):
            continue
        day = local_day(record.get("at"))
        if day is None or day > today:
            continue
        if first <= day <= last:
            scored.append(int(record["score"]))
        month = day.replace(day=1)
        if month in scores:
            scores[month].append(int(record["score"]))
    figures.satisfaction_trend = [
        (m, (sum(s) / len(s)) if s else None, len(s)) for m, s in scores.items()]
    figures.satisfaction_count = len(scored)
    figures.satisfaction = sum(scored) / len(scored) if scored else None

    for followup in followups:
        due = followup_due(followup) if is_mine(followup) else None
        figures.overdue_followups += bool(due is not None and due < today)
    for event in ownership:
        if event.get("kind") != "claim" or not is_mine(event, "actor_id"):
            continue
        day = local_day(event.get("at"))
        figures.claims += bool(day is not None and first <= day <= last)
    return figures


def _seen_by(customer: dict, visited: datetime | None, policy: Policy, as_of: date,
             local_day: Any) -> bool:
    """Was ``customer`` seen within its cadence as of the past day ``as_of``: its last visit by
    then is the latest of ``visited`` (the visits this laptop holds) and its ``last_visit_at``
    when that was no later than ``as_of``."""
    recorded = rules.as_datetime(customer.get("last_visit_at"))
    if recorded is not None and (local_day(recorded) or as_of) <= as_of:
        visited = max(visited, recorded) if visited else recorded
    if visited is None:
        return False
    return seen_in_cadence({**customer, "last_visit_at": visited.isoformat()}, policy, as_of)


def _responsible(complaint: dict, rep_id: str | None, mine: dict[Any, dict]) -> bool:
    """Is the complaint ``rep_id``'s to work: assigned to them, or unassigned on one of their
    customers (with no rep: any complaint on ``mine`` or assigned to anyone)."""
    assignee = complaint.get("assignee_id")
    if rep_id and assignee:
        return bool(assignee == rep_id)
    return complaint.get("customer_id") in mine or (not rep_id and bool(assignee))


def compute_figures(store: Store, rep_id: str | None, now: datetime,
                    period: Period | None = None) -> Figures:
    """The figures of ``rep_id`` (their goals, visits, feedback, follow-ups and own customers)
    from the local store, for ``period`` (default: this month) as of ``now``."""
    rep = (store.reps or {}).get(rep_id or "") or store.me or {}
    owned = store.customers_in_group("owner", rep_id) if rep_id else []
    customers = [c for c in (store.customer(cid) for cid in owned) if c is not None]
    first = period.start if period is not None else store.today(now).replace(day=1)
    return figures_of(now=now, policy=store.policy, goals=goals_of(rep, first),
                      visits=store.visits(),
                      feedback=store.feedback(), customers=customers, rep_id=rep_id,
                      period=period, followups=store.followups())
