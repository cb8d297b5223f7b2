"""A Chinese sync screen uses only full-width brackets: the conflict path reads 联系人（Nina
Tanaka）.电话, in the list and in the detail; English keeps contacts[Nina Tanaka].phone and the
machine values (``difference["item"]``) stay as they are."""

from __future__ import annotations

import pytest

from tests.tui.conftest import make_app
from tests.tui.test_sync_conflicts import SIZE, _sync_screen, add_contact_conflict


@pytest.mark.parametrize("lang,label", [("en", "contacts[Nina Tanaka].phone"),
                                        ("zh", "联系人（Nina Tanaka）.电话")])
async def test_the_conflict_path_uses_the_screens_brackets(store, lang, label):
    add_contact_conflict(store)
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _sync_screen(app, pilot)
        row = [str(cell) for cell in screen.query_one("#sync-conflicts").get_row_at(0)]
        assert row[1].startswith(label)
        if lang == "zh":
            assert not set("[]") & set(row[1])
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        assert str(table.get_row_at(0)[0]) == label
    assert store.conflicts()[0]["differences"][0]["item"] == "Nina Tanaka"
