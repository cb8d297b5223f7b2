"""The Team screen (``5``) as a manager uses it: their home screen, one row per rep of their team
(not another team's) and a total, each figure marked against its goal and coloured; ``p`` cycles
week → month → quarter, ``[`` ``]`` step (never past the current period), ``o`` cycles the sort
column and ``O`` turns it round; ``enter`` opens the rep's book read-only and a customer from
it; in Chinese; a rep who presses ``5`` is told why nothing opens. Snapshots in both languages.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import (
    FROZEN_NOW,
    MANAGER,
    ME,
    SINOPEC,
    Posted,
    _customer,
    make_app,
)
from ui.i18n import set_language

SIZE = (120, 40)
WEST_REP = {"id": "rep-0031", "name": "Chen Jie", "role": "rep", "team_id": "team-west",
            "territory_ids": ["terr-east"], "version": 1}


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")


@pytest.fixture
def boss(store):
    """The fixed data set on the laptop of Zhao Min, the East team's manager, with a rep of
    another team (West) and one of his customers on it too."""
    store.save_session("http://127.0.0.1:9", MANAGER, "device-0009", "test-token")
    theirs = {**_customer(5), "id": "cust-west", "name": "西区客户", "owner_id": WEST_REP["id"],
              "owner_name": WEST_REP["name"], "claimed_at": FROZEN_NOW.isoformat()}
    store.apply_pull_page([
        {"op": "upsert", "reason": None, "entity": "rep", "id": WEST_REP["id"],
         "record": WEST_REP},
        {"op": "upsert", "reason": None, "entity": "customer", "id": "cust-west",
         "record": theirs}], "cursor-2")
    return store


def _table(app):
    from ui.widgets.team_table import TeamTable

    return app.screen.query_one("#team", TeamTable)


def _rows(app) -> list[list[str]]:
    table = _table(app)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def _summary(app) -> str:
    return str(app.screen.query_one("#team-summary").render())


async def _open_team(pilot) -> None:
    await pilot.pause()
    await pilot.press("5")
    await pilot.pause()


async def test_a_rep_is_told_the_team_is_a_managers(store):
    posted = Posted()
    app = make_app(store)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        assert type(app.screen).__name__ == "QueueScreen"  # a rep's home stays the queue
        await pilot.press("5")
        await pilot.pause()
        assert type(app.screen).__name__ == "QueueScreen"
        assert any("Only a manager or an admin has this screen" in t for t in posted.toasts)


async def test_a_manager_starts_on_the_team_and_sees_only_their_teams_reps(boss):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "TeamScreen"  # the manager's home
        rows = _rows(app)
        assert WEST_REP["id"] in boss.reps  # on the laptop, but of another team
        assert [r[0] for r in rows] == ["Li Wei", "Wang Fang", "Team total"]  # not Chen Jie
        assert _summary(app) == ("East · week 2026-11-23 – 11-29 (this week) · 2 reps · sorted "
                                 "by name, A to Z")
        wang = rows[1]
        assert wang[1].strip() == "0/10 ~"  # Monday morning: nothing behind yet
        assert wang[6].strip() == "1 !"  # the quote overdue since Friday
        assert wang[7].strip() == "1 !"  # Acme's complaint, past its SLA
        assert wang[8].strip() == "26/200" and wang[10].strip() == "—"
        assert rows[2][8].strip() == "29/400"


async def test_each_figure_is_coloured_and_marked_by_how_it_stands(boss):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")  # the month
        await pilot.pause()
        table = _table(app)
        wang = table.get_row_at(1)
        revenue, overdue, visits = wang[4], wang[6], wang[1]
        assert str(revenue).strip() == "120k/100k ✓"
        assert str(visits).strip().endswith("!")  # 2 of 43 with 22 of 30 days over
        met, behind = table.standing_style("met"), table.standing_style("behind")
        assert met != behind and met.color is not None and behind.color is not None
        assert revenue.style == met and overdue.style == behind


async def test_p_cycles_the_period_and_the_brackets_step_but_not_past_today(boss):
    posted = Posted()
    app = make_app(boss)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert _summary(app).startswith("East · 2026-11 (this month) · ")
        assert _rows(app)[1][1].strip() == "2/43 !"
        await pilot.press("p")
        await pilot.pause()
        assert _summary(app).startswith("East · 2026 Q4 (this quarter) · ")
        assert _rows(app)[1][1].strip() == "3/130 !"
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert _summary(app).startswith("East · 2026 Q3 · ")
        assert _rows(app)[1][1].strip() == "0/130 !"
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert _summary(app).startswith("East · 2026 Q4 (this quarter) · ")
        assert any("This is the current period" in t for t in posted.toasts)
        await pilot.press("p", "left_square_bracket")
        await pilot.pause()
        assert _summary(app).startswith("East · week 2026-11-16 – 11-22 · ")
        assert _rows(app)[1][1].strip() == "1/10 !"  # Sunday's visit, last week's


async def test_o_cycles_the_sort_column_and_O_turns_it_round(boss):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")  # the month: Wang Fang has revenue, Li Wei none
        await pilot.press(*"oooo")
        await pilot.pause()
        assert _summary(app).endswith("sorted by revenue, highest first")
        assert [r[0] for r in _rows(app)] == ["Wang Fang", "Li Wei", "Team total"]
        assert "Revenue ▼" in str(_table(app).ordered_columns[4].label)
        await pilot.press("O")
        await pilot.pause()
        assert _summary(app).endswith("sorted by revenue, lowest first")
        assert [r[0] for r in _rows(app)] == ["Li Wei", "Wang Fang", "Team total"]
        await pilot.press(*"oooooo")  # claims, then round to the name
        await pilot.pause()
        assert _summary(app).endswith("sorted by name, A to Z")


async def test_enter_opens_the_reps_book_and_a_customer_from_it(boss):
    posted = Posted()
    app = make_app(boss)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await pilot.pause()
        await pilot.press("j", "enter")
        await pilot.pause()
        book = app.screen
        assert type(book).__name__ == "RepBook" and book.rep_id == ME["id"]
        mine = boss.customers_in_group("owner", ME["id"])
        assert len(book.customers) == len(mine) == 26
        assert [f["id"] for f in book.followups] == ["fu-0001", "fu-0002", "fu-0003", "fu-0004"]
        summary = str(book.query_one("#rep-summary").render())
        assert summary == ("Wang Fang · 26 customers · 4 open follow-ups, 1 overdue · "
                           "read-only")
        followups = book.query_one("#rep-followups")
        assert str(followups.get_row_at(0)[2]).startswith("Send the quote !")
        await pilot.press("enter")  # the overdue quote's customer
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen"
        assert app.screen.customer_id == SINOPEC
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "TeamScreen"
        await pilot.press("G", "enter")  # the total row has no book of its own
        await pilot.pause()
        assert type(app.screen).__name__ == "TeamScreen"
        assert any("The total is the whole team" in t for t in posted.toasts)
        assert boss.outbox() == [op for op in boss.outbox() if op["kind"] == "visit.create"]


async def test_the_team_in_chinese(boss):
    app = make_app(boss, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert _summary(app) == "East · 2026-11-23 – 11-29 周（本周） · 2 位销售 · 按名称排序，A 到 Z"
        assert [r[0] for r in _rows(app)][-1] == "团队合计"
        await pilot.press("p")
        await pilot.pause()
        assert _summary(app).startswith("East · 2026 年 11 月（本月）")
        assert _rows(app)[1][4].strip() == "12万/10万 ✓"


async def test_a_narrow_terminal_drops_whole_columns_not_the_figures(boss):
    app = make_app(boss)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        titles = [str(c.label).strip() for c in _table(app).ordered_columns]
        assert titles[:6] == ["Rep ▲", "Visits", "A seen", "New", "Revenue", "Satisf."]
        assert "Last sync" not in titles and "Claims" not in titles
        assert "Complaints" in titles
        await pilot.resize_terminal(92, 30)
        await pilot.pause()
        titles = [str(c.label).strip() for c in _table(app).ordered_columns]
        assert "Overdue" in titles and "Held/cap" not in titles  # follow-ups outlast holdings


@pytest.mark.parametrize("lang", ("en", "zh"))
def test_team_screen_snapshot(snap_compare, boss, lang):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()

    assert snap_compare(make_app(boss, lang=lang), terminal_size=SIZE, run_before=run_before)
