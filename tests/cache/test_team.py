"""The figures of a period and of a manager's team (``cache/figures.py``, ``cache/team.py``).

Periods: a week starts on Monday, a month and a quarter on their first day, stepping crosses the
year; a visit at 23:30 in Shanghai counts for that day there, not for the UTC day. Figures for a
week, a month and a quarter on hand-built records (visits, revenue, new customers, claims,
satisfaction, A coverage as of a past period's end, overdue follow-ups, open complaints by who
works them). Goals scaled to the period in one place; a figure judged met, near or behind. The
team: only the manager's own team's reps (an admin's: all, a rep: refused), each row the very
figures ``figures_of`` gives over every record and the dashboard gives the rep, the total, the
sort.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cache import Store
from cache.errors import Refused
from cache.figures import Period, compute_figures, figures_of, period_of, step_period
from cache.team import (
    BEHIND,
    MET,
    NEAR,
    period_goals,
    sort_rows,
    standing,
    team_figures,
)
from sync.protocol.models import Goals, Policy

SHANGHAI = Policy(timezone="Asia/Shanghai")
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # Wednesday 2026-11-25, 12:00 in Shanghai
TODAY = date(2026, 11, 25)
WEEK = period_of("week", TODAY)
MONTH = period_of("month", TODAY)
QUARTER = period_of("quarter", TODAY)


def local(day: str, clock: str = "10:00") -> str:
    """A moment given in Shanghai time, stored in UTC as the server stores it."""
    moment = datetime.fromisoformat(f"{day}T{clock}+08:00")
    return moment.astimezone(UTC).isoformat()


def visit(vid: str, day: str, *, rep: str = "r1", customer: str = "c1", amount=None,
          clock: str = "10:00") -> dict:
    return {"id": vid, "customer_id": customer, "rep_id": rep, "at": local(day, clock),
            "kind": "visit", "outcome": "Met", "amount": amount}


def client(cid: str, *, owner: str = "r1", tier: str = "B", claimed: str = "2026-06-01",
           last_visit: str | None = None) -> dict:
    return {"id": cid, "name": cid, "owner_id": owner, "tier": tier, "stage": "active",
            "claimed_at": local(claimed), "last_visit_at": local(last_visit) if last_visit
            else None}


def figures(period: Period, **records) -> object:
    return figures_of(now=NOW, policy=SHANGHAI, goals=Goals(), rep_id="r1", period=period,
                      visits=records.get("visits", []), feedback=records.get("feedback", []),
                      customers=records.get("customers", []),
                      followups=records.get("followups", []),
                      ownership=records.get("ownership", []))


# ---------------------------------------------------------------- periods


def test_a_week_runs_monday_to_sunday_and_sunday_is_the_weeks_last_day():
    assert period_of("week", date(2026, 11, 29)) == Period("week", date(2026, 11, 23),
                                                           date(2026, 11, 29))
    assert period_of("week", date(2026, 11, 30)).start == date(2026, 11, 30)  # a Monday
    assert period_of("week", date(2026, 11, 23)).start == date(2026, 11, 23)


def test_months_and_quarters_have_their_calendar_days():
    assert period_of("month", date(2028, 2, 10)) == Period("month", date(2028, 2, 1),
                                                           date(2028, 2, 29))  # leap year
    assert period_of("quarter", date(2026, 11, 25)) == Period("quarter", date(2026, 10, 1),
                                                              date(2026, 12, 31))
    assert period_of("quarter", date(2027, 3, 31)).start == date(2027, 1, 1)
    assert period_of("quarter", date(2027, 4, 1)).start == date(2027, 4, 1)
    with pytest.raises(ValueError):
        period_of("year", TODAY)


@pytest.mark.parametrize(("kind", "start", "later", "earlier"), [
    ("week", date(2026, 12, 28), date(2027, 1, 4), date(2026, 12, 21)),
    ("month", date(2026, 12, 1), date(2027, 1, 1), date(2026, 11, 1)),
    ("quarter", date(2026, 10, 1), date(2027, 1, 1), date(2026, 7, 1)),
])
def test_stepping_a_period_crosses_the_year(kind, start, later, earlier):
    period = period_of(kind, start)
    assert step_period(period, 1).start == later
    assert step_period(period, -1).start == earlier
    assert step_period(step_period(period, -5), 5) == period


def test_the_share_of_a_period_over_counts_the_days_before_today():
    assert WEEK.elapsed_share(date(2026, 11, 23)) == 0.0  # Monday: nothing due yet
    assert WEEK.elapsed_share(TODAY) == pytest.approx(2 / 7)
    assert WEEK.elapsed_share(date(2026, 11, 30)) == 1.0
    assert step_period(WEEK, -1).elapsed_share(TODAY) == 1.0


# ---------------------------------------------------------------- figures of a period


VISITS = [
    visit("v-oct", "2026-10-20", amount=1000.0),
    visit("v-nov-1", "2026-11-02", amount=200.0),
    visit("v-last-sun", "2026-11-22", amount=30.0, clock="23:30"),  # UTC: Sunday 15:30
    visit("v-mon", "2026-11-23", clock="00:30"),  # UTC: still Sunday 16:30
    visit("v-today", "2026-11-25", amount=5.0),
    visit("v-tomorrow", "2026-11-26", amount=99999.0),  # not yet: never counted
    visit("v-other-rep", "2026-11-24", rep="r2", amount=777.0),
]


@pytest.mark.parametrize(("period", "visits", "revenue"), [
    (WEEK, 2, 5.0),  # Monday 00:30 and today; Sunday 23:30 was last week's
    (step_period(WEEK, -1), 1, 30.0),  # the week before: Sunday 23:30 is its last visit
    (MONTH, 4, 235.0),
    (QUARTER, 5, 1235.0),
])
def test_visits_and_revenue_count_in_their_period_by_the_policys_day(period, visits, revenue):
    counted = figures(period, visits=VISITS)
    assert (counted.visits, counted.revenue) == (visits, revenue)


def test_a_visit_at_2330_local_is_that_days_even_across_a_month_end():
    late = [visit("v1", "2026-10-31", clock="23:30"), visit("v2", "2026-11-01", clock="00:15")]
    october = period_of("month", date(2026, 10, 1))
    assert figures(october, visits=late).visits == 1
    assert figures(MONTH, visits=late).visits == 1
    # and the dashboard's default period is the month of today
    default = figures_of(now=NOW, policy=SHANGHAI, goals=Goals(), visits=late, feedback=[],
                         customers=[], rep_id="r1")
    assert default.period == MONTH and default.visits == 1


def test_the_dashboards_week_count_stays_the_week_of_today_whatever_the_period():
    assert figures(QUARTER, visits=VISITS).visits_week == 2
    assert figures(step_period(MONTH, -1), visits=VISITS).visits_week == 2


def test_new_customers_and_claims_are_counted_in_the_period():
    customers = [client("c-week", claimed="2026-11-24"), client("c-month", claimed="2026-11-03"),
                 client("c-aug", claimed="2026-08-15")]
    events = [
        {"id": "e1", "customer_id": "c-week", "kind": "claim", "actor_id": "r1",
         "at": local("2026-11-24")},
        {"id": "e2", "customer_id": "c-gone", "kind": "claim", "actor_id": "r1",
         "at": local("2026-11-10")},  # claimed and since returned: still a claim
        {"id": "e3", "customer_id": "c-month", "kind": "assign", "actor_id": "r1",
         "at": local("2026-11-03")},  # an assignment is no claim
        {"id": "e4", "customer_id": "c-x", "kind": "claim", "actor_id": "r2",
         "at": local("2026-11-24")},
    ]
    week = figures(WEEK, customers=customers, ownership=events)
    month = figures(MONTH, customers=customers, ownership=events)
    quarter = figures(QUARTER, customers=customers, ownership=events)
    assert (week.new_customers, month.new_customers, quarter.new_customers) == (1, 2, 2)
    assert (week.claims, month.claims, quarter.claims) == (1, 2, 2)
    assert week.held == 3


def test_satisfaction_is_the_mean_of_the_reps_scores_in_the_period():
    def score(fid: str, day: str, value: int, rep: str = "r1") -> dict:
        return {"id": fid, "customer_id": "c1", "rep_id": rep, "at": local(day),
                "kind": "satisfaction", "score": value}

    feedback = [score("f1", "2026-11-24", 5), score("f2", "2026-11-10", 3),
                score("f3", "2026-10-02", 1), score("f4", "2026-11-24", 1, rep="r2")]
    assert figures(WEEK, feedback=feedback).satisfaction == 5
    month = figures(MONTH, feedback=feedback)
    assert (month.satisfaction, month.satisfaction_count) == (4, 2)
    assert figures(QUARTER, feedback=feedback).satisfaction == pytest.approx(3)
    assert figures(step_period(WEEK, -4), feedback=feedback).satisfaction is None


def test_a_past_periods_a_coverage_is_as_of_its_last_day():
    customers = [
        # seen on Nov 20 (recorded), and on Oct 25 by a visit this laptop holds: covered at the
        # end of October (cadence 14 days, seen 6 days before), not by the Nov 20 visit
        client("c-a1", tier="A", last_visit="2026-11-20"),
        # last seen Nov 20 only: at the end of October not seen within cadence
        client("c-a2", tier="A", last_visit="2026-11-20"),
        # taken over in November: not the rep's at the end of October
        client("c-a3", tier="A", claimed="2026-11-05", last_visit="2026-11-20"),
    ]
    visits = [visit("v1", "2026-10-25", customer="c-a1", rep="r2")]  # anyone's visit sees it
    october = period_of("month", date(2026, 10, 1))
    past = figures(october, customers=customers, visits=visits)
    assert (past.a_covered, past.a_total) == (1, 2)
    now = figures(MONTH, customers=customers, visits=visits)
    assert (now.a_covered, now.a_total) == (3, 3)  # as of today: every one seen on Nov 20


def test_overdue_follow_ups_are_the_reps_open_ones_due_before_today():
    def followup(fid: str, due: str, status: str = "open", until=None, rep: str = "r1",
                 source: str = "manual") -> dict:
        return {"id": fid, "customer_id": "c1", "rep_id": rep, "due": due, "status": status,
                "snoozed_until": until, "source": source, "title": fid}

    followups = [
        followup("late", "2026-11-24"),
        followup("today", "2026-11-25"),
        followup("snoozed-on", "2026-11-20", "snoozed", "2026-11-27"),
        followup("snoozed-past", "2026-11-20", "snoozed", "2026-11-22"),
        followup("done", "2026-11-01", "done"),
        followup("marker", "2026-11-01", "snoozed", "2026-11-02", source="cadence"),
        followup("theirs", "2026-11-01", rep="r2"),
    ]
    assert figures(WEEK, followups=followups).overdue_followups == 2
    assert figures(step_period(QUARTER, -1), followups=followups).overdue_followups == 2


def test_open_complaints_are_those_the_rep_works():
    def complaint(fid: str, customer: str, assignee=None, status: str = "open",
                  hours: float = 1) -> dict:
        return {"id": fid, "customer_id": customer, "rep_id": "r9", "kind": "complaint",
                "severity": "low", "status": status, "assignee_id": assignee,
                "at": (NOW - timedelta(hours=hours)).isoformat(), "text": "x"}

    feedback = [
        complaint("mine", "c1"),
        complaint("mine-late", "c1", hours=24 * 30),
        complaint("given-away", "c1", assignee="r2"),
        complaint("given-to-me", "c-theirs", assignee="r1"),
        complaint("resolved", "c1", status="resolved"),
        complaint("theirs", "c-theirs"),
    ]
    counted = figures(WEEK, feedback=feedback, customers=[client("c1")])
    assert (counted.open_complaints, counted.late_complaints) == (3, 1)


# ---------------------------------------------------------------- goals and standing


def test_goals_scale_to_the_period_a_month_being_52_12_weeks():
    goals = Goals(visits_per_week=10, new_customers_per_month=4, revenue_per_month=100_000,
                  a_coverage_pct=80, satisfaction_target=4.5)
    week, month, quarter = (period_goals(goals, k) for k in ("week", "month", "quarter"))
    assert (week.visits, month.visits, quarter.visits) == (10, 43, 130)
    assert (week.new_customers, month.new_customers, quarter.new_customers) == (1, 4, 12)
    assert (week.revenue, month.revenue, quarter.revenue) == (23_077, 100_000, 300_000)
    assert {g.a_coverage_pct for g in (week, month, quarter)} == {80}
    assert {g.satisfaction for g in (week, month, quarter)} == {4.5}
    half = period_goals(Goals(visits_per_week=3, new_customers_per_month=13), "week")
    assert half.new_customers == 3  # 13 × 12/52 = 3.0: whole, half up, never banker's


def test_a_figure_stands_met_near_or_behind_pro_rata_in_a_running_period():
    assert standing(10, 10) == MET
    assert standing(9, 10) == NEAR
    assert standing(8, 10) == BEHIND
    assert standing(3, 10, pace=2 / 7) == NEAR  # Wednesday: 2.6 due to be near
    assert standing(2, 10, pace=2 / 7) == BEHIND
    assert standing(0, 10, pace=0.0) == NEAR  # Monday: nothing is behind yet
    assert standing(None, 10) is None and standing(5, 0) is None


# ---------------------------------------------------------------- the team on the laptop

R1 = {"id": "r1", "name": "Wang Fang", "role": "rep", "team_id": "east",
      "goals": {"visits_per_week": 5, "revenue_per_month": 1000, "satisfaction_target": 4}}
R2 = {"id": "r2", "name": "Li Wei", "role": "rep", "team_id": "east"}
R3 = {"id": "r3", "name": "Chen Jie", "role": "rep", "team_id": "west"}
BOSS = {"id": "m1", "name": "Zhao Min", "role": "manager", "team_id": "east"}
WEST_BOSS = {"id": "m2", "name": "Sarah Chen", "role": "manager", "team_id": "west"}
ADMIN = {"id": "a1", "name": "Admin", "role": "admin", "team_id": None}


def _changes() -> list[dict]:
    records = [("policy", "policy", {**SHANGHAI.model_dump(mode="json"), "max_held": 3})]
    records += [("rep", r["id"], r) for r in (R1, R2, R3, BOSS, WEST_BOSS, ADMIN)]
    records.append(("team", "east", {"id": "east", "name": "East",
                                     "member_ids": ["r1", "r2", "m1"]}))
    customers = [client("c1", tier="A", last_visit="2026-11-24", claimed="2026-11-24"),
                 client("c2", claimed="2026-11-02"), client("c3", claimed="2026-09-02"),
                 client("c4", owner="r2", tier="A", last_visit="2026-10-01"),
                 client("c5", tier="A", last_visit="2026-11-24"),
                 client("c9", owner="r3", claimed="2026-11-24")]
    records += [("customer", c["id"], {**c, "version": 1}) for c in customers]
    visits = [visit("v1", "2026-11-24", customer="c1", amount=600.0),
              visit("v2", "2026-11-23", customer="c2", amount=500.0),
              visit("v3", "2026-11-05", customer="c2"),
              visit("v4", "2026-11-24", rep="r2", customer="c1"),  # Li Wei sees Wang's customer
              visit("v5", "2026-10-28", rep="r2", customer="c5"),  # … and in October
              visit("v9", "2026-11-24", rep="r3", customer="c9", amount=9999.0)]
    records += [("visit", v["id"], {**v, "version": 1}) for v in visits]
    records += [("feedback", "f1", {"id": "f1", "customer_id": "c1", "rep_id": "r1",
                                    "at": local("2026-11-24"), "kind": "satisfaction",
                                    "score": 5, "version": 1}),
                ("feedback", "f2", {"id": "f2", "customer_id": "c4", "rep_id": "r2",
                                    "at": local("2026-11-24"), "kind": "satisfaction",
                                    "score": 2, "version": 1}),
                ("feedback", "f3", {"id": "f3", "customer_id": "c4", "rep_id": "r2",
                                    "at": local("2026-11-24"), "kind": "satisfaction",
                                    "score": 4, "version": 1}),
                ("feedback", "f4", {"id": "f4", "customer_id": "c1", "rep_id": "r1",
                                    "at": local("2026-11-25", "11:00"), "kind": "complaint",
                                    "severity": "low", "status": "open", "text": "late",
                                    "assignee_id": "r2", "version": 1})]
    records += [("followup", "fu1", {"id": "fu1", "customer_id": "c2", "rep_id": "r1",
                                     "due": "2026-11-20", "title": "Call", "status": "open",
                                     "source": "manual", "version": 1})]
    records += [("ownership", "e1", {"id": "e1", "customer_id": "c1", "n": 1, "kind": "claim",
                                     "at": local("2026-11-24"), "actor_id": "r1",
                                     "to_rep_id": "r1", "reason": "history.claimed"}),
                ("ownership", "e9", {"id": "e9", "customer_id": "c9", "n": 1, "kind": "claim",
                                     "at": local("2026-11-24"), "actor_id": "r3",
                                     "to_rep_id": "r3", "reason": "history.claimed"})]
    return [{"op": "upsert", "entity": e, "id": i, "record": r} for e, i, r in records]


@pytest.fixture
def laptop(tmp_path):
    """A store with two teams' records; ``laptop(person)`` signs ``person`` in on it."""
    stores = []

    def signed_in(person: dict) -> Store:
        store = Store.open(tmp_path / person["id"])
        store.save_session("http://127.0.0.1:9", person, "device-1", "token")
        store.apply_bootstrap_page(_changes(), None, "cursor-1", True)
        stores.append(store)
        return store

    yield signed_in
    for store in stores:
        store.close()


def _by_name(team) -> dict:
    return {row.name: row for row in team.rows}


def test_a_manager_sees_only_their_own_teams_reps(laptop):
    team = team_figures(laptop(BOSS), NOW, WEEK)
    assert [r.name for r in team.rows] == ["Li Wei", "Wang Fang"]  # not Chen Jie of West
    assert team.team == "East" and team.total.figures.visits == 3  # not Chen's 9,999 visit
    west = team_figures(laptop(WEST_BOSS), NOW, WEEK)
    assert [r.name for r in west.rows] == ["Chen Jie"]
    everyone = team_figures(laptop(ADMIN), NOW, WEEK)
    assert [r.name for r in everyone.rows] == ["Chen Jie", "Li Wei", "Wang Fang"]


def test_a_rep_is_refused_the_team(laptop):
    with pytest.raises(Refused) as refused:
        team_figures(laptop(R1), NOW, WEEK)
    assert refused.value.code == "role.manager_only"


def test_each_row_is_figures_of_over_every_record_and_the_reps_own_dashboard(laptop):
    store = laptop(BOSS)
    for period in (WEEK, MONTH, QUARTER, step_period(MONTH, -1)):
        team = team_figures(store, NOW, period)
        for row in team.rows:
            held = [store.customer(c) for c in store.customers_in_group("owner", row.rep_id)]
            events = [e for c in ("c1", "c9") for e in store.ownership_history(c)]
            alone = figures_of(now=NOW, policy=store.policy, goals=row.figures.goals,
                               visits=store.visits(), feedback=store.feedback(),
                               customers=held, rep_id=row.rep_id, period=period,
                               followups=store.followups(), ownership=events)
            assert row.figures == alone, (period, row.name)
            dashboard = compute_figures(store, row.rep_id, NOW, period)
            assert (dashboard.visits, dashboard.revenue, dashboard.new_customers,
                    dashboard.a_covered, dashboard.satisfaction, dashboard.overdue_followups,
                    dashboard.open_complaints) == (
                row.figures.visits, row.figures.revenue, row.figures.new_customers,
                row.figures.a_covered, row.figures.satisfaction,
                row.figures.overdue_followups, row.figures.open_complaints)


def test_the_rows_judge_each_figure_against_the_reps_goals_for_the_period(laptop):
    rows = _by_name(team_figures(laptop(BOSS), NOW, WEEK))
    wang, li = rows["Wang Fang"].measures, rows["Li Wei"].measures
    assert (wang["visits"].actual, wang["visits"].goal) == (2, 5)  # his own goal, a week's
    assert wang["visits"].standing == NEAR  # 2 of 5 on Wednesday: on pace (0.9 × 5 × 2/7)
    assert (wang["revenue"].actual, wang["revenue"].goal) == (1100, 231)  # 1,000 × 12/52
    assert wang["revenue"].standing == MET
    assert (wang["claims"].actual, wang["new_customers"].actual) == (1, 1)
    assert (wang["overdue"].actual, wang["overdue"].standing) == (1, BEHIND)
    assert (wang["complaints"].actual, li["complaints"].actual) == (0, 1)  # given to Li Wei
    assert li["complaints"].standing == NEAR  # open, within its SLA
    assert (wang["held"].actual, wang["held"].goal, wang["held"].standing) == (4, 3, BEHIND)
    assert (li["held"].actual, li["held"].standing) == (1, None)
    assert li["a_coverage"].actual == 0 and li["a_coverage"].standing == BEHIND
    assert wang["satisfaction"].actual == 5 and wang["satisfaction"].standing == MET
    assert li["satisfaction"].actual == 3 and li["satisfaction"].standing == BEHIND
    assert li["visits"].goal == 10  # no goals of his own: the protocol's defaults


def test_a_past_months_coverage_counts_another_reps_visit_to_the_reps_customer(laptop):
    october = _by_name(team_figures(laptop(BOSS), NOW, period_of("month", date(2026, 10, 1))))
    wang = october["Wang Fang"].figures
    # c5 seen by Li Wei on Oct 28 (its last_visit_at is Nov 24); c1 was not Wang's yet
    assert (wang.a_covered, wang.a_total) == (1, 1)


def test_the_team_total_sums_counts_and_weighs_levels(laptop):
    team = team_figures(laptop(BOSS), NOW, WEEK)
    total = team.total.measures
    assert (total["visits"].actual, total["visits"].goal) == (3, 15)
    assert total["revenue"].actual == 1100 and total["revenue"].goal == 231 + 23_077
    assert (total["held"].actual, total["held"].goal) == (5, 6)  # the cap once per rep
    assert total["satisfaction"].actual == pytest.approx((5 + 2 + 4) / 3)  # every score
    assert total["satisfaction"].goal == pytest.approx((4 * 1 + 4.2 * 2) / 3)  # by scores
    assert (team.total.figures.a_covered, team.total.figures.a_total) == (2, 3)
    assert total["overdue"].actual == 1 and total["complaints"].actual == 1
    assert team.total.rep_id is None


def test_rows_sort_by_any_column_either_way_with_no_figure_last(laptop):
    store = laptop(BOSS)
    team = team_figures(store, NOW, step_period(WEEK, -3))
    assert [r.name for r in sort_rows(team.rows, "name")] == ["Li Wei", "Wang Fang"]
    assert [r.name for r in sort_rows(team.rows, "name", True)] == ["Wang Fang", "Li Wei"]
    week = team_figures(store, NOW, WEEK)
    assert [r.name for r in sort_rows(week.rows, "revenue")] == ["Wang Fang", "Li Wei"]
    assert [r.name for r in sort_rows(week.rows, "revenue", True)] == ["Li Wei", "Wang Fang"]
    assert [r.name for r in sort_rows(week.rows, "complaints")] == ["Li Wei", "Wang Fang"]
    past = team_figures(store, NOW, step_period(MONTH, -3))  # August: nobody scored
    for reverse in (False, True):
        assert [r.name for r in sort_rows(past.rows, "satisfaction", reverse)] == [
            "Li Wei", "Wang Fang"]  # no figure: last, by name, whichever way round


def test_the_json_names_the_period_and_every_figure(laptop):
    data = team_figures(laptop(BOSS), NOW, MONTH).as_json()
    assert data["period"] == {"kind": "month", "start": "2026-11-01", "end": "2026-11-30",
                              "current": True, "elapsed_share": round(24 / 30, 4)}
    wang = next(r for r in data["reps"] if r["name"] == "Wang Fang")
    assert wang["visits"] == {"actual": 3, "goal": 22, "standing": BEHIND}  # 5 × 52/12
    assert wang["last_sync"] is None and data["cap"] == 3
