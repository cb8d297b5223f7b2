"""Dashboard (``3``): this period's goals against what the rep actually did.

Figures are computed from the local store alone, so they are there offline and at once:
visits this week, A-customer coverage (A customers seen within their cadence), new customers,
revenue from visit order amounts and the satisfaction average this month, beside the rep's goals
(``Rep.goals``; the protocol's defaults when the server sent none). Below: visits per day for two
weeks, the pipeline by stage, and the satisfaction trend by month.

The numbers are ``cache.figures.compute_figures`` (plain data from the store, no Textual), which
a manager's view (one rep after another, or the team summed) shares; this screen only draws them.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from cache.figures import STAGES, Figures, compute_figures
from ui.i18n import _
from ui.values import stage_text
from ui.widgets.bar_chart import BarChart, horizontal_bar
from ui.widgets.cells import WEEKDAYS, fit, fit_right
from ui.widgets.key_footer import KeyFooter


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
            lines.append(fit(stage_text(stage), 10) + fit_right(str(count), 4) + " "
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
