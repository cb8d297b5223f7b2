"""Help (?): every binding of the current screen, grouped, with reasons for dimmed ones."""

from __future__ import annotations

from screens.help import HelpScreen, collect
from tests.tui.conftest import make_app

SIZE = (120, 40)


def _rows(help_screen: HelpScreen) -> dict[str, list[tuple]]:
    return {group: rows for group, rows in help_screen.groups}


async def test_question_mark_shows_every_queue_binding_grouped(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        queue = app.screen
        expected = collect(queue)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        groups = _rows(app.screen)
        assert app.screen.groups == expected
        screen_rows = {row[1] for row in groups["This screen"]}
        assert {"Done", "Snooze", "Dismiss", "Visit", "Feedback", "Follow-up", "Claim",
                "Edit"} <= screen_rows
        everywhere = {row[1] for row in groups["Everywhere"]}
        assert {"Queue", "Territory", "Dashboard", "Sync", "Help", "Sync now", "Quit"} <= everywhere


async def test_help_explains_why_a_dimmed_key_is_unavailable(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        everywhere = {row[1]: row for row in _rows(app.screen)["Everywhere"]}
        assert "fieldrep login" in everywhere["Sync now"][3]


async def test_help_on_the_territory_lists_its_own_keys(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "question_mark")
        await pilot.pause()
        groups = _rows(app.screen)
        assert {"Filter", "Grouping", "Sort", "Claim"} <= {row[1] for row in groups["This screen"]}
        assert "Open" in {row[1] for row in groups["List"]}


async def test_escape_and_question_mark_close_help(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape")
        assert type(app.screen).__name__ == "QueueScreen"
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "QueueScreen"


async def test_help_in_chinese(store):
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        groups = _rows(app.screen)
        assert "拜访" in {row[1] for row in groups["本屏"]}
