"""A conflict can be judged: its row names the differing sub-field (a contact's phone), ``enter``
opens every difference side by side, and ``m``/``t`` settle the highlighted conflict from
wherever the focus is on the sync screen, or from the detail."""

from __future__ import annotations

import pytest

from tests.tui.conftest import SINOPEC, make_app

SIZE = (120, 40)
NINA = {"name": "Nina Tanaka", "title": "Buyer", "phone": "138 0013 8000",
        "email": "nina@example.com"}
THEIRS_NINA = {**NINA, "phone": "139 0013 9000", "email": "n.tanaka@example.com"}


def add_contact_conflict(store) -> None:
    """Nina's phone and email changed here and on the server: a conflict on ``contacts``."""
    store.update_customer(SINOPEC, {"contacts": [NINA]})
    op = next(op for op in store.outbox() if op["kind"] == "customer.update")
    theirs = {**store.customer(SINOPEC), "contacts": [THEIRS_NINA], "version": 4}
    theirs.pop("synced", None)
    store.apply_push_results([
        {"op_id": op["op_id"], "mid": op["mid"], "status": "conflict", "entity": "customer",
         "record_id": SINOPEC, "version": 4, "record": theirs,
         "conflicts": [{"field": "contacts", "mine": [NINA], "theirs": [THEIRS_NINA]}]},
    ])


async def _sync_screen(app, pilot):
    await pilot.press("4")
    await pilot.pause()
    await pilot.pause()
    return app.screen


def test_the_store_names_each_differing_sub_field(store):
    add_contact_conflict(store)
    (conflict,) = store.conflicts()
    assert [(d["item"], d["sub"], d["mine"], d["theirs"]) for d in conflict["differences"]] == [
        ("Nina Tanaka", "phone", "138 0013 8000", "139 0013 9000"),
        ("Nina Tanaka", "email", "nina@example.com", "n.tanaka@example.com")]


@pytest.mark.parametrize("lang,label", [("en", "contacts[Nina Tanaka].phone +1"),
                                        ("zh", "联系人（Nina Tanaka）.电话 +1")])
async def test_the_conflict_row_shows_the_differing_sub_field(store, lang, label):
    add_contact_conflict(store)
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _sync_screen(app, pilot)
        row = [str(cell) for cell in screen.query_one("#sync-conflicts").get_row_at(0)]
        assert row[1] == label
        assert row[2].startswith("138") and row[3].startswith("139")


async def test_enter_opens_the_detail_and_m_there_keeps_mine(store):
    add_contact_conflict(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _sync_screen(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert type(detail).__name__ == "ConflictDetail"
        table = detail.query_one("#conflict-differences")
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [["contacts[Nina Tanaka].phone", "138 0013 8000", "139 0013 9000"],
                        ["contacts[Nina Tanaka].email", "nina@example.com",
                         "n.tanaka@example.com"]]
        await pilot.press("m")
        await pilot.pause()
        assert type(app.screen).__name__ == "SyncScreen"
        assert store.conflicts() == []
        resent = [op for op in store.outbox() if op["kind"] == "customer.update"]
        assert resent[-1]["fields"] == {"contacts": [NINA]}


async def test_escape_leaves_the_detail_with_the_conflict_still_open(store):
    add_contact_conflict(store)
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await _sync_screen(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert "冲突" in str(app.screen.query_one("#conflict-title").render())
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "SyncScreen"
        assert len(store.conflicts()) == 1


async def test_t_settles_the_highlighted_conflict_from_another_list(store):
    add_contact_conflict(store)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _sync_screen(app, pilot)
        screen.query_one("#sync-pending").focus()
        await pilot.pause()
        assert screen.check_action("keep", ("theirs",)) is True
        before = store.outbox()
        await pilot.press("t")
        await pilot.pause()
        assert store.conflicts() == [] and store.outbox() == before
        assert store.customer(SINOPEC)["contacts"][0]["phone"] == "139 0013 9000"
