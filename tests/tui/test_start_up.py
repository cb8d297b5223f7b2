"""What keeps the first frame and each keystroke fast at 50,000 customers, proved on state: the
footer is rebuilt only when its keys change, a new screen costs no stylesheet re-parse (yet a
theme change still reaches it), and the search index is built in the background once the App
is idle, away from the UI thread."""

from __future__ import annotations

import threading

from textual.css.stylesheet import Stylesheet

from tests.tui.conftest import make_app
from ui.widgets.customer_list import CustomerList
from ui.widgets.key_footer import KeyFooter

SIZE = (120, 40)


def _footer_keys(screen) -> dict:
    """The footer's key widgets by action (Textual's FooterKey, found by its CSS type name)."""
    return {key.action: key for key in screen.query_one(KeyFooter).query("FooterKey")}


def _rows(app, store, pool: bool) -> list[int]:
    ids = app.screen.query_one(CustomerList).ids
    return [row for row, cid in enumerate(ids) if (not store.customer(cid)["owner_id"]) == pool]


async def test_moving_the_cursor_does_not_rebuild_the_footer(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        customers = app.screen.query_one(CustomerList)
        owned = _rows(app, store, pool=False)
        customers.cursor = owned[0]
        await pilot.pause()
        before = _footer_keys(app.screen)
        for row in owned[1:4]:  # the same keys apply to each: nothing to redraw
            customers.cursor = row
            await pilot.pause()
        after = _footer_keys(app.screen)
        assert after.keys() == before.keys()
        assert all(after[action] is before[action] for action in before)


async def test_the_footer_dims_claim_on_a_customer_someone_owns_and_lights_it_on_the_pool(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        customers = app.screen.query_one(CustomerList)
        customers.cursor = _rows(app, store, pool=True)[0]
        await pilot.pause()
        assert not _footer_keys(app.screen)["claim"].has_class("-disabled")
        customers.cursor = _rows(app, store, pool=False)[0]
        await pilot.pause()
        assert _footer_keys(app.screen)["claim"].has_class("-disabled")


async def test_the_first_visit_to_a_screen_does_not_reparse_the_stylesheet(store, monkeypatch):
    reparsed: list[int] = []
    reparse = Stylesheet.reparse

    def counted(self) -> None:
        reparsed.append(1)
        reparse(self)

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        monkeypatch.setattr(Stylesheet, "reparse", counted)
        for key in ("2", "3", "4", "1"):
            await pilot.press(key)
            await pilot.pause()
        assert reparsed == []


async def test_a_theme_changed_before_a_screen_is_first_shown_still_styles_it(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        light = app.get_css_variables()["background"]
        background = app.screen.query_one(CustomerList).styles.background
        assert background.hex.lower() == light.lower()
        app.theme = "textual-dark"  # and a change while it is shown reaches it too
        await pilot.pause()
        await pilot.pause()
        dark = app.get_css_variables()["background"]
        assert app.screen.query_one(CustomerList).styles.background.hex.lower() == dark.lower()
        assert dark.lower() != light.lower()


async def test_the_search_index_is_built_in_a_worker_thread_once_the_app_is_idle(store):
    builders: list[str] = []
    built = threading.Event()
    warm_up = store.warm_up

    def recorded() -> None:
        builders.append(threading.current_thread().name)
        warm_up()
        built.set()

    store.warm_up = recorded
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        assert not builders  # the first frame did not wait for the index to be built
        for _ in range(40):
            await pilot.pause(0.05)
            if built.is_set():
                break
        assert built.is_set()
        assert builders and threading.main_thread().name not in builders
