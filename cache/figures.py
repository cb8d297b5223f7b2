"""A rep's figures for the period: what they did, beside their goals, from local records alone.

``figures_of`` is a pure function over plain records (visits, feedback, the rep's customers),
the policy and the goals, so the numbers are there offline and at once, and the manager's team
figures can be built from the same function over the team's records. ``compute_figures`` reads
those records from a ``Store`` for one rep. The dashboard (``screens/dashboard.py``) shows them.

- visits this week (weeks start on Monday), and visits per day for the last ``CHART_DAYS`` days;
- A-customer coverage: A customers seen within their cadence (``seen_in_cadence``: visited,
  and the next cadence visit not yet overdue; one never visited is not seen, however new);
- new customers this month (claimed this month), revenue this month (visit order amounts);
- the satisfaction average this month and by month for ``TREND_MONTHS`` months;
- the pipeline: the rep's customers by stage.

Days are calendar days in the policy's time zone (``rules.policy_day``), as the queue counts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sync.protocol import rules
from sync.protocol.models import Goals, Policy

if TYPE_CHECKING:
    from cache import Store

STAGES = ("prospect", "new", "active", "at_risk", "lost")
"""The pipeline's stages, in the order they are shown."""
CHART_DAYS = 14
TREND_MONTHS = 6


@dataclass
class Figures:
    """One rep's (or later, a team's) numbers for the period containing ``today``."""

    today: date
    week_start: date
    month_start: date
    goals: Goals
    visits_week: int = 0
    a_total: int = 0
    a_covered: int = 0
    new_customers: int = 0
    revenue: float = 0.0
    satisfaction: float | None = None
    satisfaction_count: int = 0
    visits_per_day: list[tuple[date, int]] = field(default_factory=list)
    pipeline: dict[str, int] = field(default_factory=dict)
    satisfaction_trend: list[tuple[date, float | None, int]] = field(default_factory=list)

    @property
    def a_coverage_pct(self) -> float | None:
        return 100.0 * self.a_covered / self.a_total if self.a_total else None


def month_start(day: date, back: int = 0) -> date:
    """The first day of ``day``'s month, or of the month ``back`` months before it."""
    month = day.month - 1 - back
    return date(day.year + month // 12, month % 12 + 1, 1)


def seen_in_cadence(customer: dict, policy: Policy, today: date) -> bool:
    """Has the customer been visited within their tier's cadence as of ``today``? A customer
    never visited has not been seen, even one claimed yesterday whose first visit is not due."""
    if not customer.get("last_visit_at"):
        return False
    due = rules.next_visit_due(customer, policy)
    return due is not None and due >= today


def goals_of(rep: dict | None) -> Goals:
    """The rep's goals as the server sent them; the protocol's defaults when it sent none, or
    sent something malformed."""
    try:
        return Goals.model_validate((rep or {}).get("goals") or {})
    except ValidationError:
        return Goals()


def figures_of(
    *,
    now: datetime,
    policy: Policy,
    goals: Goals,
    visits: Iterable[dict],
    feedback: Iterable[dict],
    customers: Iterable[dict],
    rep_id: str | None,
) -> Figures:
    """The figures as of ``now``: of the visits and feedback by ``rep_id`` (every record's when
    None) and of ``customers`` (the ones the figures are about: the rep's own)."""
    today = rules.policy_day(policy, now)
    week_start = today - timedelta(days=today.weekday())
    this_month = today.replace(day=1)
    figures = Figures(today=today, week_start=week_start, month_start=this_month, goals=goals)

    def local_day(value: Any) -> date | None:
        moment = rules.as_datetime(value)
        return rules.policy_day(policy, moment) if moment else None

    per_day: dict[date, int] = {}
    first_chart_day = today - timedelta(days=CHART_DAYS - 1)
    for visit in visits:
        if rep_id and visit.get("rep_id") != rep_id:
            continue
        day = local_day(visit.get("at"))
        if day is None or day > today:
            continue
        if day >= week_start:
            figures.visits_week += 1
        if day >= this_month:
            figures.revenue += float(visit.get("amount") or 0)
        if day >= first_chart_day:
            per_day[day] = per_day.get(day, 0) + 1
    figures.visits_per_day = [(first_chart_day + timedelta(days=i),
                               per_day.get(first_chart_day + timedelta(days=i), 0))
                              for i in range(CHART_DAYS)]

    pipeline = dict.fromkeys(STAGES, 0)
    for customer in customers:
        stage = customer.get("stage") or "prospect"
        pipeline[stage] = pipeline.get(stage, 0) + 1
        claimed = local_day(customer.get("claimed_at"))
        if claimed is not None and this_month <= claimed <= today:
            figures.new_customers += 1
        if customer.get("tier") == "A":
            figures.a_total += 1
            if seen_in_cadence(customer, policy, today):
                figures.a_covered += 1
    figures.pipeline = pipeline

    months = [month_start(today, back) for back in range(TREND_MONTHS - 1, -1, -1)]
    scores: dict[date, list[int]] = {m: [] for m in months}
    for record in feedback:
        if record.get("kind") != "satisfaction" or not record.get("score"):
            continue
        if rep_id and record.get("rep_id") != rep_id:
            continue
        day = local_day(record.get("at"))
        if day is None or day > today:
            continue
        month = day.replace(day=1)
        if month in scores:
            scores[month].append(int(record["score"]))
    figures.satisfaction_trend = [
        (m, (sum(s) / len(s)) if s else None, len(s)) for m, s in scores.items()]
    scored = scores.get(this_month) or []
    figures.satisfaction_count = len(scored)
    figures.satisfaction = sum(scored) / len(scored) if scored else None
    return figures


def compute_figures(store: Store, rep_id: str | None, now: datetime) -> Figures:
    """The figures of ``rep_id`` (their goals, visits, feedback and own customers) from the
    local store, as of ``now``."""
    rep = (store.reps or {}).get(rep_id or "") or store.me or {}
    owned = store.customers_in_group("owner", rep_id) if rep_id else []
    customers = [c for c in (store.customer(cid) for cid in owned) if c is not None]
    return figures_of(now=now, policy=store.policy, goals=goals_of(rep), visits=store.visits(),
                      feedback=store.feedback(), customers=customers, rep_id=rep_id)
