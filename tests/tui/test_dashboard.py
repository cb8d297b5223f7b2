"""The dashboard: goals against actuals computed from the store."""

from __future__ import annotations

from datetime import timedelta

from cache.figures import compute_figures
from sync.protocol.rules import as_datetime
from tests.tui.conftest import FROZEN_NOW, ME, SINOPEC, make_app

SIZE = (120, 40)


def test_figures_come_from_the_store(store):
    figures = compute_figures(store, ME["id"], FROZEN_NOW)
    assert figures.week_start.isoformat() == "2026-11-23"
    assert figures.visits_week == 0
    assert figures.revenue == 120000.0  # the Acme order on 11-14
    assert figures.goals.visits_per_week == 10  # protocol default: the fixture has no goals
    mine = store.customers_in_group("owner", ME["id"])
    assert sum(figures.pipeline.values()) == len(mine)
    assert figures.a_total == sum(store.customer(c)["tier"] == "A" for c in mine)
    assert [n for _d, n in figures.visits_per_day][-2:] == [1, 0]  # Sunday's pending visit


def test_a_visit_with_an_order_today_moves_visits_revenue_and_the_chart(store):
    store.log_visit(SINOPEC, kind="visit", outcome="Signed", amount=5000.0,
                    at=FROZEN_NOW - timedelta(minutes=5))
    figures = compute_figures(store, ME["id"], FROZEN_NOW)
    assert figures.visits_week == 1
    assert figures.revenue == 125000.0
    assert figures.visits_per_day[-1][1] == 1


async def test_dashboard_screen_shows_goals_and_refreshes_after_a_save(store):
    from screens.messages import StoreChanged

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "DashboardScreen"
        assert "Visits this week" in str(screen.query_one("#dash-goals").render())
        store.log_visit(SINOPEC, kind="call", outcome="Signed", at=FROZEN_NOW)
        app.post_message(StoreChanged("visit", sync_soon=False))
        await pilot.pause()
        assert screen.figures.visits_week == 1


def _a_customer_never_visited(cid: str = "cust-new-a") -> dict:
    from tests.tui.conftest import _customer

    record = _customer(0)  # an A customer of mine: the shape of a real record
    record.update(id=cid, name="新签 A 客户", search_keys=[], last_visit_at=None,
                  claimed_at=(FROZEN_NOW - timedelta(days=1)).isoformat())
    return record


def test_an_a_customer_never_visited_is_not_seen_in_cadence():
    from cache.figures import figures_of
    from sync.protocol.models import Goals, Policy

    figures = figures_of(now=FROZEN_NOW, policy=Policy(), goals=Goals(), visits=[], feedback=[],
                         customers=[_a_customer_never_visited()], rep_id=ME["id"])
    assert (figures.a_covered, figures.a_total) == (0, 1)  # not "100% (1/1)"


async def test_the_dashboard_counts_a_never_visited_a_customer_as_not_seen(store):
    from tests.tui.conftest import CUSTOMER_IDS

    mine_a = [c for c in CUSTOMER_IDS if store.customer(c)["owner_id"] == ME["id"]
              and store.customer(c)["tier"] == "A"]
    seen = [c for c in mine_a
            if FROZEN_NOW - as_datetime(store.customer(c)["last_visit_at"]) <= timedelta(days=14)]
    store.apply_pull_page([{"op": "upsert", "reason": None, "entity": "customer",
                            "id": "cust-new-a", "record": _a_customer_never_visited()}], "cursor-2")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        goals = str(app.screen.query_one("#dash-goals").render())
        total = len(mine_a) + 1
        line = next(row for row in goals.splitlines() if "A customers seen in cadence" in row)
        assert f"{100 * len(seen) / total:.0f}% ({len(seen)}/{total})" in line, line
