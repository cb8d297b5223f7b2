"""Type-ahead: keys typed fast after a key that opens a screen (or moves the focus) reach the new
screen, in order, as a paste or a fast typist sends them: every key is posted at once, without
waiting between them (Pilot's ``press`` waits; these do not)."""

from __future__ import annotations

import pytest
from textual import events

from tests.tui.conftest import SINOPEC, make_app

SIZE = (120, 40)


async def _burst(app, pilot, keys: list[str]) -> None:
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))
    for _ in range(10):
        await pilot.pause(0.05)


async def test_2_slash_and_a_pinyin_query_in_one_burst_filter_the_territory(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _burst(app, pilot, ["2", "slash", "z", "g", "s", "h"])
        screen = app.screen
        assert type(screen).__name__ == "TerritoryScreen"
        assert screen.query_one("#filter").value == "zgsh"
        assert screen.query_text == "zgsh"


async def test_v_and_the_notes_in_one_burst_land_in_the_visit_form(store):
    from screens.messages import OpenCustomer

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(OpenCustomer(SINOPEC))
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen"
        await _burst(app, pilot, ["v", *"hello"])
        form = app.screen
        assert type(form).__name__ == "VisitForm"
        assert app.focused is form.query_one("#field-notes")
        assert form.query_one("#field-notes").text == "hello"


async def test_a_dimmed_key_does_not_swallow_the_keys_behind_it(store):
    """A rep's 5 (a manager's screen: dimmed, said why) holds the keys behind it only a moment:
    2 then opens the territory."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _burst(app, pilot, ["5", "2"])
        assert type(app.screen).__name__ == "TerritoryScreen"


@pytest.mark.parametrize("keys, expected", [(["3", "1"], "QueueScreen"),
                                            (["2", "3", "4"], "SyncScreen")])
async def test_jumps_in_one_burst_end_on_the_last(store, keys, expected):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _burst(app, pilot, keys)
        assert type(app.screen).__name__ == expected
