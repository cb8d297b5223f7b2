"""The sync screen's state line breaks only between its parts: no line wider than the line's
room (which would wrap inside a part, "2026-11-23 / 09:40"), each part whole on one line, at 80
and 120 columns, in English and Chinese."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tests.tui.conftest import make_app


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [80, 120])
async def test_the_state_line_breaks_between_parts(store, lang, width):
    app = make_app(store, lang=lang)
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        await pilot.pause()
        state = app.screen.query_one("#sync-state")
        room = state.content_size.width
        lines = str(state.render()).split("\n")
        assert all(cell_len(line.rstrip()) <= room for line in lines), (room, lines)
