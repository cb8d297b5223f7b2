"""Layout at 80×24, 120×40 and 160×48, asserted on the cells the terminal would show: the queue's
and the territory's columns flex (What readable at 80, a long name whole at 160, owner and next
due kept at 80), the footer fits in English and Chinese (its last key and the palette's whole,
"? More" when keys were left out), the sync screen's details, reasons and sub-field labels read
whole, and empty-state lines are wrapped, never cut."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tests.tui.conftest import CUSTOMER_IDS, SINOPEC, make_app
from tests.tui.test_shell import FakeDemo
from tests.tui.test_sync_conflicts import add_contact_conflict
from tests.tui.test_sync_screen import add_sync_history
from ui.widgets.columns import Column, share
from ui.widgets.key_footer import KeyFooter

SMALL, MEDIUM, LARGE = (80, 24), (120, 40), (160, 48)
LONG_NAME = "Shanghai Zhenhua Heavy Industries Port Machinery Co."  # 52 cells


def screen_lines(app) -> list[str]:
    """The screen as the terminal shows it, one string per row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app) -> str:
    return "\n".join(screen_lines(app))


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


async def _open(app, pilot, key: str | None) -> None:
    await _settle(pilot)
    if key:
        await pilot.press(key)
        await _settle(pilot)


# ---------------------------------------------------------------------- the allocator


def test_columns_give_up_cells_by_keep_then_widest_and_drop_whole_when_too_narrow():
    columns = (Column(18, least=8), Column(30, least=10, keep=1), Column(5),
               Column(40, least=10, keep=1, fill=True))
    assert share(columns, 200) == (18, 30, 5, 147)  # room left: the fill column takes it
    assert share(columns, 73) == (8, 30, 5, 30)  # the low keep first, then the widest
    assert share(columns, 53) == (8, 20, 5, 20)  # two equally useful columns share
    droppable = (Column(20, least=10), Column(10, drop=1), Column(10))
    assert share(droppable, 25) == (15, 0, 10)  # left out whole, not cut to a letter


# ---------------------------------------------------------------------- the queue


async def test_the_queue_at_80_columns_shows_what_to_do_in_words(store):
    app = make_app(store)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, None)
        lines = screen_lines(app)
        header = next(line for line in lines if "Why" in line and "Customer" in line)
        assert "What" in header  # it was "W…"
        start = cell_len(header[: header.index("What")])
        assert 80 - start >= 15  # the What column keeps room to read
        assert any("Send the quote" in line for line in lines)
        assert any("Call about the renewal" in line for line in lines)


async def test_the_queue_at_160_columns_shows_a_long_name_whole(store):
    store.update_customer(SINOPEC, {"name": LONG_NAME})
    app = make_app(store)
    async with app.run_test(size=LARGE) as pilot:
        await _open(app, pilot, None)
        rows = screen_lines(app)[3:-3]  # the list's rows, not the detail line under them
        assert any(LONG_NAME in row for row in rows)  # it was cut at 28 cells


# ---------------------------------------------------------------------- the territory


@pytest.mark.parametrize("lang,owner,due,day", [("en", "Owner", "Next due", "Fri 11-27"),
                                                ("zh", "负责人", "下次应访", "周五 11-27")])
async def test_the_territory_at_80_columns_keeps_owner_and_next_due(store, lang, owner, due, day):
    app = make_app(store, lang=lang)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, "2")
        lines = screen_lines(app)
        header = next(line for line in lines if owner in line)
        assert due in header  # both went off the edge
        assert any("Wang Fang" in line and day in line for line in lines)


async def test_the_territory_at_160_columns_shows_every_column_and_a_long_name(store):
    # a guard: this already held before the columns flexed (the name capped at 40 cells)
    store.update_customer(CUSTOMER_IDS[20], {"name": "Acme Robotics International Holdings"})
    app = make_app(store)
    async with app.run_test(size=LARGE) as pilot:
        await _open(app, pilot, "2")
        text = screen_text(app)
        assert "Acme Robotics International Holdings" in text
        for title in ("Tier", "Stage", "City", "Owner", "Last visit", "Next due"):
            assert title in text


async def test_a_territory_filter_matching_nothing_says_so_whole_at_80_columns(store):
    query = "no such customer anywhere in this territory"
    app = make_app(store)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, "2")
        await pilot.press("slash", *query)
        await pilot.pause(0.4)
        await _settle(pilot)
        words = " ".join(line.split("▕", 1)[-1] for line in screen_lines(app)[3:10])
        assert f"No customer matches “{query}”" in " ".join(words.split())


# ---------------------------------------------------------------------- the footer


@pytest.mark.parametrize("size", [SMALL, MEDIUM, LARGE])
@pytest.mark.parametrize("lang,palette,more", [("en", "^p Commands", ("? More", "? Help")),
                                               ("zh", "^p 命令", ("? 更多", "? 帮助"))])
@pytest.mark.parametrize("screen", [None, "2", "4"])
async def test_the_footer_fits_with_its_last_key_and_the_palette_whole(
        store, size, lang, palette, more, screen):
    app = make_app(store, lang=lang, demo=FakeDemo(None))  # with the demo's N and M, as `make demo`
    async with app.run_test(size=size) as pilot:
        await _open(app, pilot, screen)
        footer = screen_lines(app)[-1]
        assert footer.rstrip().endswith(palette)  # "^p 命" at 120 in Chinese
        assert any(hint in footer for hint in more)
        keys = list(app.screen.query_one(KeyFooter).query("FooterKey"))
        palette_key = next(key for key in keys if key.has_class("-command-palette"))
        for key in keys:
            if key is not palette_key:  # every key whole, left of the palette's
                assert key.region.right <= palette_key.region.x, key.description
        if more[0] in footer:
            assert keys[-2].description == more[0].split()[1]  # "More" comes last


# ---------------------------------------------------------------------- the sync screen


@pytest.mark.parametrize("size", [SMALL, MEDIUM])
async def test_the_sync_screen_reads_a_visit_and_a_reason_whole(store, size):
    add_sync_history(store)
    app = make_app(store)
    async with app.run_test(size=size) as pilot:
        await _open(app, pilot, "4")
        text = screen_text(app)
        assert "Demo of the new crane" in text  # was "11-22 14:00 D…"
        assert "owned by Li Wei, protected until 2026-12-03" in text  # was "owned by Li Wei, p…"


@pytest.mark.parametrize("size", [SMALL, MEDIUM, LARGE])
async def test_the_sync_screen_shows_a_sub_field_label_whole(store, size):
    add_contact_conflict(store)
    app = make_app(store)
    async with app.run_test(size=size) as pilot:
        await _open(app, pilot, "4")
        text = screen_text(app)
        assert "contacts[Nina Tanaka].phone +1" in text
        assert "138 0013 8000" in text and "139 0013 9000" in text


@pytest.mark.parametrize("lang,lines", [
    ("en", ("Nothing waiting: all your work is on the server", "No conflicts",
            "Nothing was rejected", "No sync yet")),
    ("zh", ("没有待同步的操作：你的工作都已在服务器上", "没有冲突", "没有被拒的操作", "尚未同步")),
])
async def test_the_sync_screens_empty_lines_are_whole_at_80_columns(store, lang, lines):
    for op in store.outbox():  # nothing pending
        store.apply_push_results([{"op_id": op["op_id"], "mid": op["mid"], "status": "applied",
                                   "entity": "visit", "record_id": op["record_id"],
                                   "version": 1}])
    app = make_app(store, lang=lang)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, "4")
        text = screen_text(app)
        for line in lines:
            assert line in text


# ---------------------------------------------------------------------- the status bar


@pytest.mark.parametrize("lang, state", [("en", "● not logged in"), ("zh", "● 未登录")])
@pytest.mark.parametrize("size", [SMALL, MEDIUM], ids=["80", "120"])
async def test_the_status_bar_fits_one_line_keeping_the_sync_state_and_every_tab_key(
        store, lang, state, size):
    app = make_app(store, lang=lang)
    async with app.run_test(size=size) as pilot:
        await _open(app, pilot, "4")
        top = screen_lines(app)[0]
        assert top.rstrip().endswith(state), top
        for key in "1234":
            assert f" {key} " in top, top
        assert cell_len(top.rstrip()) <= size[0]
        if size == MEDIUM:  # room for the tabs' names
            assert ("Territory" if lang == "en" else "辖区") in top, top
