"""Dashboard (``3``): this period's goals against what the rep actually did.

Figures are computed from the local store alone, so they are there offline and at once:
visits this week, A-customer coverage (A customers seen within their cadence), new customers,
revenue from visit order amounts and the satisfaction average this month, beside the rep's goals
(``Rep.goals``; the protocol's defaults when the server sent none). Below: visits per day for two
weeks, the pipeline by stage, and the satisfaction trend by month.

``compute_figures`` takes a store, a rep id and a moment and returns plain data, so a manager's
view (one rep after another, or the team summed) can be built on it later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from sync.protocol import rules
from sync.protocol.models import Goals
from ui.i18n import _
from ui.widgets.bar_chart import BarChart, horizontal_bar
from ui.widgets.cells import WEEKDAYS, fit, fit_right
from ui.widgets.key_footer import KeyFooter

STAGES = ("prospect", "new", "active", "at_risk", "lost")
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


def _month_start(day: date, back: int = 0) -> date:
    month = day.month - 1 - back
    return date(day.year + month // 12, month % 12 + 1, 1)


def compute_figures(store: Any, rep_id: str | None, now: datetime) -> Figures:
    """The dashboard's numbers for ``rep_id`` from the local store, as of ``now``."""
    from screens.visit_form import zone_of

    zone = zone_of(store)
    today = now.astimezone(zone).date()
    week_start = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    rep = (store.reps or {}).get(rep_id or "") or store.me or {}
    try:
        goals = Goals.model_validate(rep.get("goals") or {})
    except Exception:  # a malformed goal from the server: the documented defaults
        goals = Goals()
    figures = Figures(today=today, week_start=week_start, month_start=month_start, goals=goals)

    def local_day(value: Any) -> date | None:
        moment = rules.as_datetime(value)
        return moment.astimezone(zone).date() if moment else None

    per_day: dict[date, int] = {}
    first_chart_day = today - timedelta(days=CHART_DAYS - 1)
    for visit in store.visits():
        if rep_id and visit.get("rep_id") != rep_id:
            continue
        day = local_day(visit.get("at"))
        if day is None or day > today:
            continue
        if day >= week_start:
            figures.visits_week += 1
        if day >= month_start:
            figures.revenue += float(visit.get("amount") or 0)
        if day >= first_chart_day:
            per_day[day] = per_day.get(day, 0) + 1
    figures.visits_per_day = [(first_chart_day + timedelta(days=i),
                               per_day.get(first_chart_day + timedelta(days=i), 0))
                              for i in range(CHART_DAYS)]

    pipeline = dict.fromkeys(STAGES, 0)
    mine = store.customers_in_group("owner", rep_id) if rep_id else []
    for cid in mine:
        customer = store.customer(cid)
        if customer is None:
            continue
        stage = customer.get("stage") or "prospect"
        pipeline[stage] = pipeline.get(stage, 0) + 1
        claimed = local_day(customer.get("claimed_at"))
        if claimed is not None and month_start <= claimed <= today:
            figures.new_customers += 1
        if customer.get("tier") == "A":
            figures.a_total += 1
            due = rules.next_visit_due(customer, store.policy)
            if due is not None and due >= today:
                figures.a_covered += 1
    figures.pipeline = pipeline

    months = [_month_start(today, back) for back in range(TREND_MONTHS - 1, -1, -1)]
    scores: dict[date, list[int]] = {m: [] for m in months}
    for record in store.feedback():
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
    this_month = scores.get(month_start) or []
    figures.satisfaction_count = len(this_month)
    figures.satisfaction = sum(this_month) / len(this_month) if this_month else None
    return figures


def _money(amount: float) -> str:
    return f"{amount:,.0f}"


class DashboardScreen(Screen):
    """Goals against actuals, visits per day, pipeline by stage, satisfaction trend."""

    HELP_TITLE = "Dashboard"

    BINDINGS = [
        Binding("r", "refresh_figures", "Refresh", id="dashboard.refresh",
                tooltip="Compute the figures again from the local store"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data_version = -1
        self.figures: Figures | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="dash-title", markup=False)
        with Vertical(id="dash-goals-box"):
            yield Static(_("Goals this period"), classes="section-title")
            yield Static(id="dash-goals", markup=False)
        with Horizontal(id="dash-middle"):
            with Vertical(id="dash-chart-box"):
                yield Static(_("Visits per day (last 14 days)"), classes="section-title")
                yield BarChart(id="dash-chart", chart_height=6, column_width=5)
            with Vertical(id="dash-pipeline-box"):
                yield Static(_("Pipeline by stage (your customers)"), classes="section-title")
                yield Static(id="dash-pipeline", markup=False)
        with Vertical(id="dash-trend-box"):
            yield Static(_("Satisfaction by month"), classes="section-title")
            yield Static(id="dash-trend", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_from_store()

    def action_refresh_figures(self) -> None:
        self.refresh_from_store()
        self.app.notify(_("Figures updated"))

    def refresh_from_store(self) -> None:
        app = self.app
        self.data_version = app.data_version
        store = app.store
        rep_id = (store.session or {}).get("rep_id") or (store.me or {}).get("id")
        figures = compute_figures(store, rep_id, app.now())
        self.figures = figures
        name = (store.session or {}).get("rep_name") or (store.me or {}).get("name") or ""
        self.query_one("#dash-title", Static).update(
            _("{name} — week of {week} · {month}", name=name,
              week=figures.week_start.isoformat(), month=figures.month_start.strftime("%Y-%m")))
        self.query_one("#dash-goals", Static).update(self._goal_lines(figures))
        chart = self.query_one("#dash-chart", BarChart)
        chart.show([n for _day, n in figures.visits_per_day],
                   [_(WEEKDAYS[d.weekday()]) if i < len(figures.visits_per_day) - 1
                    else _("today") for i, (d, _n) in enumerate(figures.visits_per_day)])
        self.query_one("#dash-pipeline", Static).update(self._pipeline_lines(figures))
        self.query_one("#dash-trend", Static).update(self._trend_line(figures))

    @staticmethod
    def _goal_lines(figures: Figures) -> str:
        goals = figures.goals
        rows: list[tuple[str, str, str, float | None]] = []
        rows.append((_("Visits this week"), str(goals.visits_per_week),
                     str(figures.visits_week),
                     figures.visits_week / goals.visits_per_week if goals.visits_per_week
                     else None))
        pct = figures.a_coverage_pct
        rows.append((_("A customers seen in cadence"), f"{goals.a_coverage_pct}%",
                     f"{pct:.0f}% ({figures.a_covered}/{figures.a_total})" if pct is not None
                     else _("no A customers"),
                     pct / goals.a_coverage_pct if pct is not None and goals.a_coverage_pct
                     else None))
        rows.append((_("New customers this month"), str(goals.new_customers_per_month),
                     str(figures.new_customers),
                     figures.new_customers / goals.new_customers_per_month
                     if goals.new_customers_per_month else None))
        rows.append((_("Revenue this month"), _money(goals.revenue_per_month),
                     _money(figures.revenue),
                     figures.revenue / goals.revenue_per_month if goals.revenue_per_month
                     else None))
        sat = figures.satisfaction
        rows.append((_("Satisfaction this month"), f"{goals.satisfaction_target:.1f}",
                     f"{sat:.1f} ({figures.satisfaction_count})" if sat is not None
                     else _("no scores yet"),
                     sat / goals.satisfaction_target if sat is not None else None))
        header = (fit(_("Goal"), 30) + fit_right(_("Target"), 12) + "  "
                  + fit_right(_("Actual"), 16) + "  " + fit(_("Progress"), 34))
        lines = [header]
        for label, target, actual, ratio in rows:
            if ratio is None:
                progress = fit("—", 34)
            else:
                progress = horizontal_bar(min(ratio, 1.0), 1.0, 26) + fit_right(
                    f"{ratio * 100:.0f}%", 6) + (" ✓" if ratio >= 1 else "  ")
            lines.append(fit(label, 30) + fit_right(target, 12) + "  "
                         + fit_right(actual, 16) + "  " + progress)
        return "\n".join(lines)

    @staticmethod
    def _pipeline_lines(figures: Figures) -> str:
        top = max(figures.pipeline.values(), default=0)
        lines = []
        for stage in STAGES:
            count = figures.pipeline.get(stage, 0)
            lines.append(fit(_(stage), 10) + fit_right(str(count), 4) + " "
                         + horizontal_bar(count, top, 20))
        total = sum(figures.pipeline.values())
        lines.append(fit(_("total"), 10) + fit_right(str(total), 4))
        return "\n".join(lines)

    @staticmethod
    def _trend_line(figures: Figures) -> str:
        cells = []
        for month, average, count in figures.satisfaction_trend:
            label = month.strftime("%Y-%m")
            if average is None:
                cells.append(fit(f"{label}  —", 18))
            else:
                cells.append(fit(f"{label}  {average:.1f} ★ ({count})", 18))
        return " ".join(cells)
