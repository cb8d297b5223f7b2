"""A manager's team figures: one row per rep of the team for a period, and the team's total.

``team_figures`` reads the records from the local store once, hands each rep their share of them
and calls ``cache.figures.figures_of`` for that rep: the same function the rep's own dashboard
uses, so a rep and their manager read the same numbers off the same records. The Team screen
(``screens/team.py``) and ``fieldrep team`` (``tui/cli/team.py``) show them.

Whose rows: the reps (role ``rep``) of the manager's team; an admin's: every rep. A rep asking
is refused (``role.manager_only``), in the words the server would use.

Goals are rates (``models.Goals``: visits a week, the rest a month); ``period_goals`` is the one
place they are scaled to the period shown. A year is taken as 52 weeks and as 12 months, so a
month is 52/12 weeks (4.33) and a week 12/52 of a month; a quarter is 13 weeks and 3 months,
exactly. Counts (visits, new customers) are rounded to a whole number, half up, so the goal
shown is the goal judged; revenue to a whole unit. The A-coverage and satisfaction targets are
levels and stay as they are.

Each figure is judged against its goal (``standing``): ``met`` at or above it; ``near`` within
``NEAR_SHARE`` of it, or, in the period still running, within that share of the goal pro rata of
the days already over (on Wednesday a week's goal of 10 visits asks for 2.6 to be near, not 9;
on Monday nothing is behind yet); else ``behind``.
Overdue follow-ups and open complaints are judged against none: none is met, an open complaint
still within its SLA is near, any complaint past its SLA or any overdue follow-up is behind.
Customers held are judged against the policy's cap (``Policy.max_held``): at the cap is behind
(no claim is possible), within 10 % of it near, below it not judged.

Rep records carry no time of their last sync, so the laptop cannot say it: ``last_sync`` is
None (shown as "—").
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cache.errors import Refused
from cache.figures import Figures, Period, figures_of, goals_of, period_of
from sync.protocol import rules
from sync.protocol.models import Goals

if TYPE_CHECKING:
    from cache import Store

MANAGING_ROLES = ("manager", "admin")
WEEKS_IN = {"week": 1.0, "month": 52 / 12, "quarter": 13.0}
"""How many weeks each period is, for the goals (a year: 52 weeks, 12 months)."""
NEAR_SHARE = 0.9
"""Within this share of a goal (pro rata in the running period) is near, not behind."""
CAP_NEAR_SHARE = 0.9
"""Holding this share of the policy's cap is near it."""
MET, NEAR, BEHIND = "met", "near", "behind"
COLUMNS = ("name", "visits", "a_coverage", "new_customers", "revenue", "satisfaction",
           "overdue", "complaints", "held", "claims", "last_sync")
"""The team's columns, in the order they are shown and the sort key cycles them."""
PACED = frozenset({"visits", "new_customers", "revenue"})
"""The goals that accrue over the period: judged pro rata while it runs."""


@dataclass(frozen=True)
class PeriodGoals:
    """A rep's goals for one period: counts and revenue scaled by ``period_goals``."""

    visits: float
    a_coverage_pct: float
    new_customers: float
    revenue: float
    satisfaction: float


def _half_up(value: float, digits: int = 0) -> float:
    scale = 10 ** digits
    return math.floor(value * scale + 0.5) / scale


def period_goals(goals: Goals, kind: str) -> PeriodGoals:
    """``goals`` (visits a week, the rest a month) scaled to a ``kind`` period: the one place
    the scaling is done (see the module's doc)."""
    weeks = WEEKS_IN[kind]
    months = weeks * 12 / 52
    return PeriodGoals(visits=_half_up(goals.visits_per_week * weeks),
                       a_coverage_pct=float(goals.a_coverage_pct),
                       new_customers=_half_up(goals.new_customers_per_month * months),
                       revenue=_half_up(goals.revenue_per_month * months),
                       satisfaction=float(goals.satisfaction_target))


def standing(actual: float | None, goal: float | None, pace: float = 1.0) -> str | None:
    """``actual`` against ``goal``: met, near (within ``NEAR_SHARE`` of the goal times ``pace``,
    the share of the period gone by) or behind; None when there is nothing to judge (no figure,
    or no goal)."""
    if actual is None or goal is None or goal <= 0:
        return None
    if actual >= goal:
        return MET
    if actual >= NEAR_SHARE * goal * pace:
        return NEAR
    return BEHIND


@dataclass(frozen=True)
class Measure:
    """One cell of the team's table: the figure, its goal (or cap), how it stands."""

    actual: float | None
    goal: float | None = None
    standing: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"actual": self.actual, "goal": self.goal, "standing": self.standing}


@dataclass
class TeamRow:
    """One rep's row (``rep_id`` None: the team's total)."""

    rep_id: str | None
    name: str
    figures: Figures
    goals: PeriodGoals
    measures: dict[str, Measure]

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rep_id": self.rep_id, "name": self.name}
        for key in COLUMNS[1:]:
            out[key] = self.measures[key].as_json()
        out["late_complaints"] = self.figures.late_complaints
        out["a_customers"] = {"covered": self.figures.a_covered, "total": self.figures.a_total}
        out["satisfaction"]["scores"] = self.figures.satisfaction_count
        out["last_sync"] = None  # rep records carry no last-sync time (the module's doc)
        return out


@dataclass
class TeamFigures:
    """The team's rows for ``period`` as of ``today`` (``pace``: the share of it gone by)."""

    period: Period
    today: date
    pace: float
    team: str
    cap: int
    rows: list[TeamRow]
    total: TeamRow

    @property
    def current(self) -> bool:
        return self.period.start <= self.today <= self.period.end

    def as_json(self) -> dict[str, Any]:
        return {"period": {"kind": self.period.kind, "start": self.period.start.isoformat(),
                           "end": self.period.end.isoformat(), "current": self.current,
                           "elapsed_share": round(self.pace, 4)},
                "team": self.team, "cap": self.cap,
                "reps": [row.as_json() for row in self.rows], "total": self.total.as_json()}


def measures_of(figures: Figures, goals: PeriodGoals, pace: float, cap: int) -> dict[str, Measure]:
    """Each column's figure, goal and standing for one row."""

    def judged(key: str, actual: float | None, goal: float) -> Measure:
        return Measure(actual, goal, standing(actual, goal, pace if key in PACED else 1.0))

    complaints = figures.open_complaints
    held = figures.held
    return {
        "visits": judged("visits", figures.visits, goals.visits),
        "a_coverage": judged("a_coverage", figures.a_coverage_pct, goals.a_coverage_pct),
        "new_customers": judged("new_customers", figures.new_customers, goals.new_customers),
        "revenue": judged("revenue", figures.revenue, goals.revenue),
        "satisfaction": judged("satisfaction", figures.satisfaction, goals.satisfaction),
        "overdue": Measure(figures.overdue_followups, 0,
                           BEHIND if figures.overdue_followups else MET),
        "complaints": Measure(complaints, 0, BEHIND if figures.late_complaints
                              else NEAR if complaints else MET),
        "held": Measure(held, cap, None if not cap else BEHIND if held >= cap
                        else NEAR if held >= CAP_NEAR_SHARE * cap else None),
        "claims": Measure(figures.claims),
        "last_sync": Measure(None),
    }


def team_reps(store: Store) -> list[dict]:
    """The reps whose rows the signed-in manager sees, by name: their team's (an admin: every
    rep); refused for a rep."""
    me = store.me or {}
    role = me.get("role")
    if role not in MANAGING_ROLES:
        raise Refused("role.manager_only")
    team = me.get("team_id")
    reps = [r for r in store.reps.values() if (r.get("role") or "rep") == "rep"
            and (role == "admin" or (team and r.get("team_id") == team))]
    return sorted(reps, key=lambda r: ((r.get("name") or "").casefold(), r["id"]))


def team_figures(store: Store, now: datetime, period: Period | None = None) -> TeamFigures:
    """The team's figures for ``period`` (default: this week) as of ``now``: one
    ``figures_of`` per rep over that rep's share of the records, and the total."""
    reps = team_reps(store)
    policy = store.policy
    today = rules.policy_day(policy, now)
    period = period or period_of("week", today)
    ids = {r["id"] for r in reps}
    customers: dict[str, list[dict]] = {}
    owner_of: dict[str, str] = {}
    for rep in reps:
        held = store.held_records(rep["id"])  # read only
        customers[rep["id"]] = held
        owner_of.update((c["id"], rep["id"]) for c in held)

    def shared(records: Iterable[dict], *keys: str) -> dict[str, list[dict]]:
        """Each record under its author, the owner of its customer, and whoever ``keys``
        name: a superset of what ``figures_of`` counts for that rep, never all of them."""
        out: dict[str, list[dict]] = defaultdict(list)
        for record in records:
            whose = {record.get("rep_id"), owner_of.get(record.get("customer_id") or "")}
            whose.update(record.get(key) for key in keys)
            for rep_id in whose & ids:
                out[str(rep_id)].append(record)
        return out

    visits = shared(store.visits())
    feedback = shared(store.feedback(), "assignee_id")
    followups = shared(store.followups())
    claims: dict[str, list[dict]] = defaultdict(list)
    for event in store.ownership_events():
        if event.get("kind") == "claim" and event.get("actor_id") in ids:
            claims[str(event["actor_id"])].append(event)
    pace = period.elapsed_share(today)
    cap = policy.max_held
    rows = []
    for rep in reps:
        rid = rep["id"]
        goals = goals_of(rep, period.start)  # O: the goals of the period shown
        figures = figures_of(now=now, policy=policy, goals=goals, visits=visits[rid],
                             feedback=feedback[rid], customers=customers[rid], rep_id=rid,
                             period=period, followups=followups[rid], ownership=claims[rid])
        scaled = period_goals(goals, period.kind)
        rows.append(TeamRow(rid, str(rep.get("name") or rid), figures, scaled,
                            measures_of(figures, scaled, pace, cap)))
    team = (store.team or {}).get("name") or ""
    return TeamFigures(period=period, today=today, pace=pace, team=str(team), cap=cap,
                       rows=rows, total=team_total(rows, period, today, pace, cap))


def _weighted(pairs: list[tuple[float | None, float]]) -> float | None:
    """The mean of the values weighted by their counts; None with no count at all."""
    weight = sum(n for value, n in pairs if value is not None)
    if not weight:
        return None
    return sum(value * n for value, n in pairs if value is not None) / weight


def team_total(rows: list[TeamRow], period: Period, today: date, pace: float,
               cap: int) -> TeamRow:
    """The team's total: counts, revenue and goals summed; A coverage over every A customer
    against the targets weighted by each rep's A customers; satisfaction over every score
    against the targets weighted by each rep's scores (with none, their plain mean); the cap
    once per rep."""
    figures = rows[0].figures if rows else None
    total = Figures(today=today, week_start=figures.week_start if figures else today,
                    month_start=figures.month_start if figures else today,
                    goals=Goals(), period=period)
    for name in ("visits", "visits_week", "a_total", "a_covered", "new_customers", "revenue",
                 "satisfaction_count", "claims", "overdue_followups", "open_complaints",
                 "late_complaints", "held"):
        setattr(total, name, sum(getattr(r.figures, name) for r in rows))
    total.satisfaction = _weighted([(r.figures.satisfaction, r.figures.satisfaction_count)
                                    for r in rows])
    goals = [r.goals for r in rows]

    def level(value: str, weight: str) -> float:
        targets = [getattr(g, value) for g in goals]
        weighted = _weighted([(getattr(g, value), getattr(r.figures, weight))
                              for g, r in zip(goals, rows, strict=True)])
        if weighted is not None:
            return weighted
        return sum(targets) / len(targets) if targets else 0.0

    summed = PeriodGoals(visits=sum(g.visits for g in goals),
                         a_coverage_pct=level("a_coverage_pct", "a_total"),
                         new_customers=sum(g.new_customers for g in goals),
                         revenue=sum(g.revenue for g in goals),
                         satisfaction=level("satisfaction", "satisfaction_count"))
    return TeamRow(None, "", total, summed, measures_of(total, summed, pace, cap * len(rows)))


def sort_rows(rows: list[TeamRow], column: str, reverse: bool = False) -> list[TeamRow]:
    """``rows`` by ``column``: names A to Z, figures highest first (``reverse`` turns either
    round); a row with no figure in that column always last, then by name."""
    if column == "name":
        return sorted(rows, key=lambda r: (r.name.casefold(), r.rep_id or ""), reverse=reverse)
    named = sorted(rows, key=lambda r: (r.name.casefold(), r.rep_id or ""))
    known = [r for r in named if r.measures[column].actual is not None]
    unknown = [r for r in named if r.measures[column].actual is None]
    known.sort(key=lambda r: float(r.measures[column].actual or 0), reverse=not reverse)
    return known + unknown

