"""O (issue 10): the Team screen's figures and the rep's dashboard read the goals *of the period
they show*: a manager sets Li Wei's goals from next month on, through the store (the outbox);
this month's team row and dashboard keep the old goals, next month's show the new ones, pending
until sync; and a malformed history is ignored, not a crash.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cache.figures import compute_figures, period_of, step_period
from cache.team import team_figures
from tests.tui.conftest import MANAGER, fill_store


def _month_after(day):
    return step_period(period_of("month", day), 1)


def test_team_rows_and_the_dashboard_use_each_periods_goals(tmp_path):
    from cache import Store

    with Store.open(tmp_path / "home") as store:
        fill_store(store)
        store.save_session("http://127.0.0.1:9", MANAGER, "device-0009", "test-token")
        now = datetime.now(UTC)
        this = period_of("month", store.today(now))
        following = _month_after(store.today(now))
        store.set_goals("Li Wei", {"visits_per_week": 20, "revenue_per_month": 500_000},
                        f"{following.start.year}-{following.start.month:02d}")
        assert store.reps["rep-0002"]["pending_goals"] is True

        def li(period):
            figures = team_figures(store, now, period)
            return next(r for r in figures.rows if r.rep_id == "rep-0002")

        assert li(this).goals.revenue == 100_000  # the goals Li Wei had
        assert li(following).goals.revenue == 500_000
        assert li(following).goals.visits > li(this).goals.visits
        assert compute_figures(store, "rep-0002", now).goals.visits_per_week == 10
        assert compute_figures(store, "rep-0002", now, following).goals.visits_per_week == 20


def test_a_malformed_history_falls_back_to_the_plain_goals(tmp_path):
    from cache import Store

    with Store.open(tmp_path / "home") as store:
        fill_store(store)
        store.apply_pull_page([{"entity": "rep", "id": "rep-0002", "op": "upsert", "record": {
            "id": "rep-0002", "name": "Li Wei", "role": "rep", "team_id": "team-east",
            "goals": {"visits_per_week": 7},
            "goals_history": [{"effective": "not a day"}, 5, None]}}], "cursor-9")
        now = datetime.now(UTC)
        assert compute_figures(store, "rep-0002", now).goals.visits_per_week == 7
