"""``g`` on the Team screen: a rep's goals from the period shown on, as a manager sets them.

The form shows the goals in effect for the period and the rep's goals history (newest first,
who set each and from when); a period typed shows the goals in effect then; ``ctrl+s`` queues
only the goals changed as one ``rep.goals`` operation, the row then marked ⧗; a value the rules
refuse (beyond the model's bounds, not a number, a period out of reach) is said under its field
and nothing is queued; nothing changed queues nothing; the total row has no goals to set. In
Chinese, and snapshots in both languages.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import MANAGER, OTHER_REP, Posted, _records, make_app
from ui.i18n import set_language

SIZE = (120, 40)
HISTORY = [
    {"effective": "2000-01-01", "goals": {"visits_per_week": 10, "a_coverage_pct": 90,
                                          "new_customers_per_month": 4,
                                          "revenue_per_month": 100000.0,
                                          "satisfaction_target": 4.2}},
    {"effective": "2026-12-01", "goals": {"visits_per_week": 12, "a_coverage_pct": 95,
                                          "new_customers_per_month": 5,
                                          "revenue_per_month": 150000.0,
                                          "satisfaction_target": 4.5},
     "by": MANAGER["id"], "by_name": MANAGER["name"], "at": "2026-11-20T02:00:00+00:00"},
]


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")


@pytest.fixture
def boss(store):
    """Zhao Min's laptop; Li Wei's goals already change from December."""
    store.save_session("http://127.0.0.1:9", MANAGER, "device-0009", "test-token")
    changes = _records()
    for change in changes:
        if change["entity"] == "rep" and change["id"] == OTHER_REP["id"]:
            change["record"]["goals_history"] = HISTORY
    store.apply_bootstrap_page(changes, None, "cursor-2", True)
    return store


def _goal_ops(store) -> list[dict]:
    return [op["fields"] for op in store.outbox() if op["kind"] == "rep.goals"]


async def _form(app, pilot, *keys: str):
    await pilot.press("5", *keys)
    await pilot.pause()
    await pilot.press("g")  # Li Wei: the first row, by name
    await pilot.pause()
    form = app.screen
    assert type(form).__name__ == "GoalsForm"
    return form


def _value(form, name: str) -> str:
    return form.query_one(f"#field-{name}").value


async def _type(pilot, form, name: str, text: str) -> None:
    form.query_one(f"#field-{name}").focus()
    await pilot.press("end", *["backspace"] * 20, *text)


async def test_the_form_shows_the_goals_in_effect_and_the_history(boss):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot)
        assert form.subtitle() == "Li Wei"
        assert _value(form, "period") == "2026-W48", "the week shown on the Team screen"
        assert str(form.query_one("#hint-period").render()) == "from 2026-11-23 on"
        assert (_value(form, "visits_per_week"), _value(form, "revenue_per_month")) == (
            "10", "100000")
        history = str(form.query_one("#goals-history").render())
        assert history.splitlines()[0] == "History (newest first)"
        assert "from 2026-12-01: 12 visits a week" in history and "by Zhao Min" in history
        await _type(pilot, form, "period", "2026-12")
        await pilot.pause()
        assert (_value(form, "visits_per_week"), _value(form, "satisfaction_target")) == (
            "12", "4.5"), "the goals in effect in December"


async def test_only_the_goals_changed_are_queued_and_the_row_is_marked(boss):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "p")  # this month: 2026-11
        assert _value(form, "period") == "2026-11"
        await _type(pilot, form, "visits_per_week", "14")
        await _type(pilot, form, "revenue_per_month", "120,000")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "TeamScreen"
        assert _goal_ops(boss) == [{"goals": {"visits_per_week": 14,
                                              "revenue_per_month": 120000.0},
                                    "effective": "2026-11-01"}]
        from ui.widgets.team_table import TeamTable

        first = str(app.screen.query_one(TeamTable).get_row_at(0)[0])
        assert first.startswith("Li Wei ⧗")


@pytest.mark.parametrize("field, text, words", [
    ("visits_per_week", "300", "less than or equal to 200"),
    ("a_coverage_pct", "abc", "abc is not a number"),
    ("satisfaction_target", "", "give a number"),
    ("period", "2030-01", "goals are set for a period from"),
    ("period", "someday", "someday is not a period"),
])
async def test_a_refused_value_is_said_under_its_field(boss, field, text, words):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot)
        await _type(pilot, form, field, text)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form, "the form stays open"
        assert words in form.errors()[field], form.errors()
        assert _goal_ops(boss) == []


async def test_nothing_changed_queues_nothing(boss):
    posted = Posted()
    app = make_app(boss)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _form(app, pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "TeamScreen"
        assert _goal_ops(boss) == [] and "Nothing changed" in posted.toasts


async def test_the_total_row_has_no_goals_to_set(boss):
    posted = Posted()
    app = make_app(boss)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await pilot.press("5")
        await pilot.pause()
        await pilot.press("end", "g")
        await pilot.pause()
        assert type(app.screen).__name__ == "TeamScreen"
        assert any("The total is the whole team" in t for t in posted.toasts)


async def test_a_fast_typist_gets_every_key(boss):
    """Keys posted without waiting between them (a paste): none is lost or reordered."""
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot)
        box = form.query_one("#field-new_customers_per_month")
        box.focus()
        box.value = ""
        for key in "12":
            app.post_message(_key(key))
        await pilot.pause()
        assert box.value == "12"


def _key(character: str):
    from textual import events

    return events.Key(character, character)


async def test_the_form_in_chinese(boss):
    app = make_app(boss, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot)
        labels = [str(label.render()).strip() for label in form.query(".form-label")]
        assert labels[:3] == ["起始", "每周拜访", "A 类覆盖 %"]
        assert "历史（最新的在前）" in str(form.query_one("#goals-history").render())
        await _type(pilot, form, "visits_per_week", "x")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors()["visits_per_week"].endswith("x 不是数字")


@pytest.mark.parametrize("lang", ("en", "zh"))
def test_goals_form_snapshot(snap_compare, boss, lang):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("5")
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_app(boss, lang=lang), terminal_size=SIZE, run_before=run_before)
