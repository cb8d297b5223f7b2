"""RFM tier and lifecycle suggestions (issue 12): ``sync.protocol.rfm.suggest``, the one function
the laptop and the server run, on examples worked out by hand in the comments; the imported CRM
history counted once beside the visits' orders; quintile ties; the window and stage boundaries;
and properties: every score is 1..5, and a higher value never gets a lower score."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sync.protocol.models import Policy
from sync.protocol.rfm import quintile_scores, suggest, visit_orders

TODAY = date(2026, 11, 23)


def _customer(cid: str, tier: str = "B", stage: str = "active", **fields) -> dict:
    return {"id": cid, "tier": tier, "stage": stage, **fields}


def _ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def test_five_customers_scored_tiered_and_staged_as_worked_by_hand():
    customers = [_customer("c1", tier="A"), _customer("c2", tier="C", stage="prospect"),
                 _customer("c3", tier="B"), _customer("c4", tier="A"),
                 _customer("c5", tier="B", stage="at_risk"),
                 _customer("c6", tier="A", stage="prospect")]  # never ordered
    orders = [("c1", _ago(10), 100.0), ("c1", _ago(40), 200.0), ("c1", _ago(100), 300.0),
              ("c2", _ago(30), 50.0),
              ("c3", _ago(200), 1000.0), ("c3", _ago(250), 1000.0),
              ("c4", _ago(400), 5000.0),
              *[("c5", _ago(d), 1000.0) for d in (5, 6, 7, 8)]]
    got = suggest(customers, orders, TODAY)
    # raw: R (days) 10, 30, 200, 400, 5; F 3, 1, 2, 0, 4; M 600, 50, 2000, 0, 4000
    assert [(got[c].recency_days, got[c].frequency, got[c].monetary)
            for c in ("c1", "c2", "c3", "c4", "c5")] == [
        (10, 3, 600.0), (30, 1, 50.0), (200, 2, 2000.0), (400, 0, 0.0), (5, 4, 4000.0)]
    # five distinct values each: the ranks 1..5 (fewer days is the better R)
    assert [(got[c].r, got[c].f, got[c].m) for c in ("c1", "c2", "c3", "c4", "c5")] == [
        (4, 4, 3), (3, 2, 2), (2, 3, 4), (1, 1, 1), (5, 5, 5)]
    # totals 11 B, 7 C, 9 B, 3 C, 15 A
    assert [got[c].tier for c in ("c1", "c2", "c3", "c4", "c5")] == ["B", "C", "B", "C", "A"]
    # 10 days, active stays; 30 days, a prospect's first order → new; 200 → at risk;
    # 400 → lost; 5 days after being at risk → active again
    assert [got[c].stage for c in ("c1", "c2", "c3", "c4", "c5")] == [
        "active", "new", "at_risk", "lost", "active"]
    assert got["c1"].changes() == {"tier": "B"}
    assert got["c2"].changes() == {"stage": "new"}
    assert got["c3"].changes() == {"stage": "at_risk"}
    assert got["c4"].changes() == {"tier": "C", "stage": "lost"}
    assert got["c5"].changes() == {"tier": "A", "stage": "active"}


def test_a_customer_who_never_ordered_gets_no_suggestion_and_is_not_ranked():
    customers = [_customer("p", tier="A", stage="prospect"), _customer("x")]
    got = suggest(customers, [("x", _ago(3), 10.0), ("p", _ago(1), 0.0)], TODAY)
    assert got["p"].scored is False
    assert (got["p"].tier, got["p"].stage, got["p"].r) == (None, None, None)
    assert not got["p"].disagrees and got["p"].changes() == {}
    # x alone is the whole ranked set: every score the middle (3), total 9 → B
    assert (got["x"].r, got["x"].f, got["x"].m, got["x"].tier) == (3, 3, 3, "B")


def test_ties_share_the_score_of_the_middle_of_their_block():
    # [1, 1, 2, 3]: 1 has 0 below and 2 equal → 1 + (0 + 10) // 8 = 2; 2 → 1 + 25 // 8 = 4;
    # 3 → 1 + 35 // 8 = 5
    assert quintile_scores([1, 1, 2, 3]) == [2, 2, 4, 5]
    assert quintile_scores([7, 7, 7, 7]) == [3, 3, 3, 3]
    # ten distinct values: two per quintile
    assert quintile_scores(list(range(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_imported_history_counts_once_beside_the_later_visit_orders():
    customers = [
        # the CRM knew orders up to 2026-06-01: 10 orders, 50,000 in its last 12 months
        _customer("c", last_order_at="2026-06-01", orders_12m=10, revenue_12m=50_000.0),
        # its last order 418 days ago: out of the window, its totals no longer count
        _customer("d", last_order_at=date(2025, 10, 1), orders_12m=20, revenue_12m=1e6),
        # figures with no date cannot be placed in a window: not used
        _customer("e", stage="prospect", orders_12m=5, revenue_12m=100.0),
        # 364 days ago: still in the window
        _customer("f", last_order_at=_ago(364), orders_12m=2, revenue_12m=10.0),
    ]
    orders = [("c", date(2026, 5, 20), 999.0),  # on or before last_order_at: already counted
              ("c", date(2026, 6, 1), 999.0),
              ("c", date(2026, 9, 1), 2000.0)]
    got = suggest(customers, orders, TODAY)
    assert (got["c"].recency_days, got["c"].frequency, got["c"].monetary) == (83, 11, 52_000.0)
    assert (got["d"].recency_days, got["d"].frequency, got["d"].monetary) == (418, 0, 0.0)
    assert got["d"].stage == "lost"
    assert got["e"].scored is False and got["e"].frequency == 0
    assert (got["f"].recency_days, got["f"].frequency, got["f"].monetary) == (364, 2, 10.0)
    assert got["f"].stage == "at_risk"


def test_window_and_stage_boundaries_and_future_orders():
    customers = [_customer(c) for c in ("d179", "d180", "d364", "d365", "future")]
    orders = [("d179", _ago(179), 1.0), ("d180", _ago(180), 1.0), ("d364", _ago(364), 1.0),
              ("d365", _ago(365), 1.0), ("future", TODAY + timedelta(days=1), 1.0),
              ("elsewhere", _ago(1), 1.0)]  # a customer not in the set: ignored
    got = suggest(customers, orders, TODAY)
    assert [got[c].stage for c in ("d179", "d180", "d364", "d365")] == [
        "active", "at_risk", "at_risk", "lost"]
    assert got["d364"].frequency == 1 and got["d365"].frequency == 0
    assert got["future"].scored is False
    assert "elsewhere" not in got


def test_visit_orders_are_dated_by_the_teams_calendar_day():
    policy = Policy(timezone="Asia/Shanghai")
    visits = [
        {"customer_id": "c", "at": "2026-11-22T17:00:00+00:00", "amount": 10.0},  # 01:00 next day
        {"customer_id": "c", "at": datetime(2026, 11, 22, 15, 0, tzinfo=UTC), "amount": 5},
        {"customer_id": "c", "at": "2026-11-22T10:00:00+00:00", "amount": None},
        {"customer_id": "c", "at": "2026-11-22T10:00:00+00:00", "amount": 0},
        {"customer_id": "c", "at": "not a time", "amount": 3.0},
    ]
    assert visit_orders(visits, policy) == [("c", date(2026, 11, 23), 10.0),
                                            ("c", date(2026, 11, 22), 5.0)]


@given(st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1,
                max_size=60))
def test_scores_are_always_1_to_5_and_never_lower_for_a_higher_value(values):
    scores = quintile_scores(values)
    assert all(1 <= s <= 5 for s in scores)
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            if a < b:
                assert scores[i] <= scores[j]
            if a == b:
                assert scores[i] == scores[j]


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 500),
                          st.floats(min_value=0.01, max_value=1e7, allow_nan=False)),
                min_size=1, max_size=80))
def test_suggest_more_revenue_never_a_lower_m_and_more_recent_never_a_lower_r(rows):
    customers = [_customer(f"c{n % 20}") for n in range(20)]
    orders = [(f"c{cid}", _ago(days), amount) for cid, days, amount in rows]
    got = [s for s in suggest(customers, orders, TODAY).values() if s.scored]
    for a in got:
        assert a.r is not None and a.f is not None and a.m is not None
        assert all(1 <= s <= 5 for s in (a.r, a.f, a.m)) and a.tier in ("A", "B", "C")
        for b in got:
            if a.monetary > b.monetary:
                assert a.m >= b.m  # type: ignore[operator]
            if a.recency_days < b.recency_days:  # type: ignore[operator]
                assert a.r >= b.r  # type: ignore[operator]
            if a.frequency > b.frequency:
                assert a.f >= b.f  # type: ignore[operator]
