"""Tier and lifecycle suggestions in the TUI (issue 12): the customer screen's "suggested" line
(only when the order history disagrees with the tier or stage; in Chinese too), the manager's
Suggestions screen (``8``) listing every disagreement with its scores, ``y`` accepting the
highlighted one and ``Y`` (after a confirm) all of them as ordinary ``customer.update``
operations in the outbox against the customer's version, never a change by itself; a rep is told
the screen is a manager's. Snapshots at 120×40 in English and Chinese.

The orders (``add_orders``), worked by hand with ``sync/protocol/rfm.py``'s rules, on the frozen
Monday 2026-11-23 (the fixed data set already has Acme's 120,000 order nine days ago):

=================  ====  ==  ==========  =======  ======  =====  =======================
customer           R     F   M           scores   total   tier   stage
=================  ====  ==  ==========  =======  ======  =====  =======================
中国石化 (A)        5     3   150,000     R5 F4 M4  13     A      active (agrees)
Acme (A)           9     1   120,000     R4 F3 M3  10     B      active (tier differs)
浦发银行 (A)        30    12  300,000     R3 F5 M5  13     A      active (imported; agrees)
振华重工 (A)        200   1   1,000       R2 F3 M2  7      C      at_risk (both differ)
南京钢铁 (B)        400   0   0           R1 F1 M1  3      C      lost (both differ)
=================  ====  ==  ==========  =======  ======  =====  =======================
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.tui.conftest import (
    ACME,
    CUSTOMER_IDS,
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
ZHENHUA, NANGANG, SPDB = CUSTOMER_IDS[1], CUSTOMER_IDS[4], CUSTOMER_IDS[12]


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")


def add_orders(store, now: datetime) -> None:
    """The orders of the table above, dated from ``now``, as a pull brings them; Acme's order
    is added too when the store does not have the fixed data set's."""
    def order(vid: str, cid: str, days: int, amount: float) -> dict:
        return {"op": "upsert", "reason": None, "entity": "visit", "id": vid, "record": {
            "id": vid, "customer_id": cid, "rep_id": ME["id"],
            "at": (now - timedelta(days=days)).isoformat(), "kind": "visit", "outcome": "Order",
            "notes": "", "next_step": "", "amount": amount, "version": 1}}

    imported = {**_customer(12), "last_order_at": (now - timedelta(days=30)).date().isoformat(),
                "orders_12m": 12, "revenue_12m": 300_000.0}
    changes = [order("o-1", SINOPEC, 5, 50_000.0), order("o-2", SINOPEC, 20, 50_000.0),
               order("o-3", SINOPEC, 60, 50_000.0), order("o-4", ZHENHUA, 200, 1000.0),
               order("o-5", NANGANG, 400, 1000.0),
               {"op": "upsert", "reason": None, "entity": "customer", "id": SPDB,
                "record": imported}]
    if not any(v.get("amount") for v in store.visits(ACME)):
        changes.append(order("o-6", ACME, 9, 120_000.0))
    store.apply_pull_page(changes, "cursor-orders")


@pytest.fixture
def orders(store):
    add_orders(store, FROZEN_NOW)
    return store


@pytest.fixture
def boss(orders):
    """The same laptop signed in as Zhao Min, the East team's manager."""
    orders.save_session("http://127.0.0.1:9", MANAGER, "device-0009", "test-token")
    return orders


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def _open_customer(pilot, customer_id: str) -> None:
    from screens.messages import OpenCustomer

    await _settle(pilot)
    pilot.app.post_message(OpenCustomer(customer_id))
    await _settle(pilot)


def _suggestion_line(app):
    return app.screen.query_one("#customer-suggestion")


def _rows(app) -> list[list[str]]:
    table = app.screen.query_one("#suggestions")
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


# ---------------------------------------------------------------------- the customer screen


async def test_customer_screen_says_the_suggested_tier_with_its_scores(orders):
    app = make_app(orders)
    async with app.run_test(size=SIZE) as pilot:
        await _open_customer(pilot, ACME)
        line = _suggestion_line(app)
        assert line.display
        assert str(line.render()) == "suggested: B (R4 F3 M3) — now A"


async def test_customer_screen_says_it_in_chinese(orders):
    app = make_app(orders, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await _open_customer(pilot, ACME)
        assert str(_suggestion_line(app).render()) == "建议：B（R4 F3 M3）— 现为 A"


async def test_customer_screen_says_the_stage_too_when_both_differ(orders):
    app = make_app(orders)
    async with app.run_test(size=SIZE) as pilot:
        await _open_customer(pilot, ZHENHUA)
        assert str(_suggestion_line(app).render()) == (
            "suggested: C (R2 F3 M2) — now A  ·  suggested stage: at risk (last order 200 days "
            "ago) — now active")


@pytest.mark.parametrize("customer_id", [SINOPEC, SPDB, CUSTOMER_IDS[5]])
async def test_no_line_when_the_history_agrees_or_there_is_no_order(orders, customer_id):
    # 中国石化 and 浦发银行 are A and active as suggested; 宁波港 (a pool prospect) never ordered
    app = make_app(orders)
    async with app.run_test(size=SIZE) as pilot:
        await _open_customer(pilot, customer_id)
        line = _suggestion_line(app)
        assert not line.display and str(line.render()) == ""


# ---------------------------------------------------------------------- the manager's list


async def test_a_rep_is_told_the_suggestions_are_a_managers(orders):
    posted = Posted()
    app = make_app(orders)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _settle(pilot)
        await pilot.press("8")
        await _settle(pilot)
        assert type(app.screen).__name__ == "QueueScreen"
        assert any("Only a manager or an admin has this screen" in t for t in posted.toasts)


async def test_the_list_shows_every_disagreement_with_its_change_and_scores(boss):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("8")
        await _settle(pilot)
        assert type(app.screen).__name__ == "SuggestionsScreen"
        assert _rows(app) == [
            ["Acme Robotics", "Wang Fang", "A → B", "active", "R4 F3 M3", "9 days ago", "1",
             "120,000"],
            ["上海振华重工", "Wang Fang", "A → C", "active → at risk", "R2 F3 M2",
             "200 days ago", "1", "1,000"],
            ["南京钢铁股份", "Wang Fang", "B → C", "active → lost", "R1 F1 M1", "400 days ago",
             "0", "0"],
        ]
        assert "3 customers' tier or stage differ" in str(
            app.screen.query_one("#suggestions-summary").render())
        assert boss.pending_count() == 1  # nothing queued by looking: only the fixture's visit


async def test_y_accepts_the_highlighted_one_as_a_customer_update_in_the_outbox(boss):
    before = boss.customer(ZHENHUA)["version"]
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("8")
        await _settle(pilot)
        await pilot.press("j", "y")  # the second row: 上海振华重工
        await _settle(pilot)
        updates = [op for op in boss.outbox() if op["kind"] == "customer.update"]
        assert [(op["record_id"], op["fields"], op["base_version"]) for op in updates] == [
            (ZHENHUA, {"tier": "C", "stage": "at_risk"}, before)]
        assert (boss.customer(ZHENHUA)["tier"], boss.customer(ZHENHUA)["stage"]) == (
            "C", "at_risk")
        assert [row[0] for row in _rows(app)] == ["Acme Robotics", "南京钢铁股份"]


async def test_capital_y_asks_then_accepts_every_one(boss):
    posted = Posted()
    app = make_app(boss)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _settle(pilot)
        await pilot.press("8")
        await _settle(pilot)
        await pilot.press("Y")
        await _settle(pilot)
        assert type(app.screen).__name__ == "Confirm"
        await pilot.press("n")  # no: nothing queued
        await _settle(pilot)
        assert not [op for op in boss.outbox() if op["kind"] == "customer.update"]
        await pilot.press("Y")
        await _settle(pilot)
        await pilot.press("y")
        await _settle(pilot)
        updates = {op["record_id"]: op["fields"] for op in boss.outbox()
                   if op["kind"] == "customer.update"}
        assert updates == {ACME: {"tier": "B"}, ZHENHUA: {"tier": "C", "stage": "at_risk"},
                           NANGANG: {"tier": "C", "stage": "lost"}}
        assert _rows(app) == []
        assert "Every customer with orders has the tier and stage" in str(
            app.screen.query_one("#suggestions-summary").render())
        assert any("3 suggestions accepted — will sync" in t for t in posted.toasts)
        await pilot.press("y")  # nothing left: dimmed, and says why
        await _settle(pilot)
        assert any("Highlight a customer first" in t for t in posted.toasts)


async def test_enter_opens_the_customer_and_its_line(boss):
    app = make_app(boss, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("8")
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)
        assert type(app.screen).__name__ == "CustomerScreen"
        assert app.screen.customer_id == ACME
        assert str(_suggestion_line(app).render()) == "建议：B（R4 F3 M3）— 现为 A"


# ---------------------------------------------------------------------- snapshots


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_suggestions_snapshot(snap_compare, boss, lang):
    async def run_before(pilot) -> None:
        await _settle(pilot)
        await pilot.press("8")
        await _settle(pilot)

    assert snap_compare(make_app(boss, lang=lang), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_customer_suggestion_snapshot(snap_compare, orders, lang):
    async def run_before(pilot) -> None:
        await _open_customer(pilot, ZHENHUA)

    assert snap_compare(make_app(orders, lang=lang), terminal_size=SIZE, run_before=run_before)
