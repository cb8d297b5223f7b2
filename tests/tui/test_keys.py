"""The list keys everywhere (j/k, g/G: top and bottom), grouping on its own key, the choice keys.

DESIGN.md's keyboard contract says that in every list `j`/`k` and the arrows move and `g`/`G` go
to the top and the bottom; the territory's grouping used to take `G` and is on `r` now. A choice
(the feedback kind, a severity, a stage) gives every option its own key and shows it, in both
languages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from screens.help import HelpScreen
from tests.tui.conftest import ACME, SINOPEC, make_app
from tests.tui.test_customer import _open as _open_customer
from tests.tui.test_sync_conflicts import add_contact_conflict
from tui.commands import FieldRepCommands
from ui.i18n import _
from ui.widgets.choice import Choice, option_keys
from ui.widgets.customer_list import CustomerList

SIZE = (120, 40)


async def _walk(pilot, position: Callable[[], float], last: float) -> None:
    """Press j, k, G, g as a person would and check where each one leaves ``position``."""
    for key, expected in (("j", 1), ("k", 0), ("G", last), ("g", 0)):
        await pilot.press(key)
        await pilot.pause()
        assert position() == expected, key


# ---------------------------------------------------------------------------- the territory


async def test_G_in_the_territory_goes_to_the_last_row_and_leaves_the_grouping(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        customers = app.screen.query_one(CustomerList)
        assert customers.row_count > 2 and customers.cursor == 0
        await pilot.press("G")
        await pilot.pause()
        assert customers.cursor == customers.row_count - 1
        assert app.screen.grouping == "region"
        await pilot.press("g")
        assert customers.cursor == 0


async def test_r_regroups_the_territory_and_keeps_the_cursor_keys(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.grouping == "tier"
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.grouping == "stage"


@pytest.mark.parametrize("lang, grouping, last", [("en", "Grouping", "Last"),
                                                   ("zh", "分组", "最后一条")])
async def test_help_and_the_palette_name_r_for_grouping_and_G_for_the_last_row(
        store, lang, grouping, last):
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        titles = [hit.text or "" for hit in
                  [hit async for hit in FieldRepCommands(app.screen).discover()]]
        entry = "{title}  [{keys}]"  # the palette's entry, as its language writes it
        assert _(entry, title=grouping, keys="r") in titles
        assert _(entry, title=last, keys="G") in titles
        assert _(entry, title=grouping, keys="G") not in titles
        await pilot.press("question_mark")
        await pilot.pause()
        rows = [row for _group, rows in app.screen.groups for row in rows]
        assert ("r", grouping) in {(keys, description) for keys, description, *_ in rows}
        assert any(description == last and "G" in keys.split(" / ")
                   for keys, description, *_ in rows)


async def test_j_k_g_G_move_in_the_group_tree(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("t")
        tree = app.screen.query_one("#groups")
        assert app.focused is tree and tree.last_line >= 2
        await _walk(pilot, lambda: tree.cursor_line, tree.last_line)


# ---------------------------------------------------------------------------- the timeline


async def test_j_k_g_G_move_in_the_customer_timeline(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open_customer(app, pilot, ACME)
        table = app.screen.query_one("#timeline")
        assert app.focused is table and table.row_count >= 3
        await _walk(pilot, lambda: table.cursor_row, table.row_count - 1)


async def test_moving_with_j_in_the_timeline_reaches_the_complaint_for_r(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open_customer(app, pilot, ACME)
        row = next(i for i, e in enumerate(app.screen.timeline)
                   if (e.get("record") or {}).get("kind") == "complaint")
        assert row > 0 and app.screen.check_action("resolve", ()) is None
        for _step in range(row):
            await pilot.press("j")
        await pilot.pause()
        assert app.screen.check_action("resolve", ()) is True


async def test_j_k_g_G_move_in_a_conflicts_differences(store):
    add_contact_conflict(store)  # two differences: Nina's phone and her email
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one("#conflict-differences")
        assert app.focused is table and table.row_count == 2
        await _walk(pilot, lambda: table.cursor_row, 1)


# ---------------------------------------------------------------------------- help scrolls


async def test_G_and_g_scroll_a_long_help_to_its_end_and_back(store):
    app = make_app(store)
    async with app.run_test(size=(100, 16)) as pilot:
        await pilot.press("2", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#help-body")
        assert body.max_scroll_y > 0
        await _walk(pilot, lambda: body.scroll_y, body.max_scroll_y)


# ---------------------------------------------------------------------------- choice keys


def test_every_option_gets_its_own_key_from_its_value():
    assert option_keys(["satisfaction", "complaint", "suggestion"]) == ["s", "c", "u"]
    assert option_keys(["prospect", "new", "active", "at_risk", "lost"]) == [
        "p", "n", "a", "t", "l"]
    assert option_keys(["B2B", "B2C"]) == ["b", "c"]
    assert option_keys(["1", "2", "3"]) == ["1", "2", "3"]


async def _feedback_form(app, pilot):
    await _open_customer(app, pilot, SINOPEC)
    await pilot.press("f")
    await pilot.pause()
    form = app.screen
    assert type(form).__name__ == "FeedbackForm"
    assert app.focused is form.query_one("#field-kind", Choice)
    return form


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_each_feedback_kind_key_picks_its_kind_and_is_shown(store, lang):
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        form = await _feedback_form(app, pilot)
        shown = str(form.query_one("#field-kind", Choice).render())
        labels = {"en": ("satisfaction", "complaint", "suggestion"),
                  "zh": ("满意度", "投诉", "建议")}[lang]
        for key, label in zip("scu", labels, strict=True):
            assert f"{key} {label}" in shown
        for key, kind in (("u", "suggestion"), ("c", "complaint"), ("s", "satisfaction"),
                          ("u", "suggestion")):
            await pilot.press(key)
            await pilot.pause()
            assert form.values()["kind"] == kind


async def test_the_suggestion_key_saves_a_suggestion(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _feedback_form(app, pilot)
        await pilot.press("u", "tab")  # score and severity are dimmed for a suggestion
        await pilot.pause()
        assert app.focused is form.query_one("#field-text")
        await pilot.press(*"Offer an app")
        assert form.values()["kind"] == "suggestion"
        await pilot.press("ctrl+s")
        await pilot.pause()
        created = [op["fields"] for op in store.outbox() if op["kind"] == "feedback.create"]
        assert (created[-1]["kind"], created[-1]["text"]) == ("suggestion", "Offer an app")


async def test_j_k_g_G_move_in_the_sync_screens_lists(store, frozen_now):
    for hours in (3, 2, 1):
        store.log_visit(ACME, kind="visit", outcome="Call", notes="",
                        at=frozen_now - timedelta(hours=hours))
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause()
        table = app.screen.query_one("#sync-pending")
        table.focus()
        await pilot.pause()
        assert table.row_count >= 3
        await _walk(pilot, lambda: table.cursor_row, table.row_count - 1)
