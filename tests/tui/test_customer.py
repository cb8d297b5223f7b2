"""The customer screen: header, protection countdown, contacts, timeline, and its keys."""

from __future__ import annotations

import pytest

from sync.protocol import rules
from tests.tui.conftest import (
    ACME,
    CUSTOMER_IDS,
    EXPIRING,
    FROZEN_NOW,
    POOL,
    SINOPEC,
    make_app,
)

SIZE = (120, 40)


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def _open(app, pilot, customer_id: str) -> None:
    from screens.messages import OpenCustomer

    app.post_message(OpenCustomer(customer_id))
    await pilot.pause()
    await pilot.pause()
    assert type(app.screen).__name__ == "CustomerScreen"


async def test_header_shows_tier_stage_owner_and_protection_countdown(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, EXPIRING)
        customer = store.customer(EXPIRING)
        assert customer["name"] in _text(app, "#customer-title")
        facts = _text(app, "#customer-facts")
        assert f"Tier {customer['tier']}" in facts
        assert "owner: Wang Fang" in facts
        left = rules.days_left(rules.as_datetime(customer["protected_until"]), FROZEN_NOW)
        assert f"Protected for {left} more days" in _text(app, "#customer-protection")


async def test_pool_customer_header_invites_a_claim(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, POOL)
        assert "shared pool" in _text(app, "#customer-protection")


async def test_contacts_are_listed(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, SINOPEC)
        contact = store.customer(SINOPEC)["contacts"][0]
        text = _text(app, "#customer-contacts")
        assert contact["name"] in text and contact["phone"] in text


async def test_timeline_lists_history_and_marks_pending_records_not_yet_synced(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, CUSTOMER_IDS[1])  # has the fixture's unsynced visit
        table = app.screen.query_one("#timeline")
        timeline = store.timeline(CUSTOMER_IDS[1])
        assert table.row_count == len(timeline)
        flags = [str(table.get_row_at(i)[3]) for i in range(table.row_count)]
        pending = [not e["synced"] for e in timeline]
        assert [flag == "not yet synced" for flag in flags] == pending
        assert any(pending)


async def test_c_claims_from_the_customer_screen_and_the_header_says_pending(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, POOL)
        await pilot.press("c")
        await pilot.pause()
        assert [op["record_id"] for op in store.outbox() if op["kind"] == "customer.claim"] == [
            POOL
        ]
        assert "claim waiting to sync" in _text(app, "#customer-facts")
        assert app.screen.check_action("claim", ()) is None


async def test_v_f_n_e_open_the_forms_for_this_customer(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, SINOPEC)
        for key, form in (("v", "VisitForm"), ("f", "FeedbackForm"), ("n", "FollowUpForm"),
                          ("e", "EditCustomerForm")):
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen).__name__ == form, key
            app.screen.dismiss(None)
            await pilot.pause()
            assert type(app.screen).__name__ == "CustomerScreen"


async def test_a_write_elsewhere_refreshes_the_timeline(store):
    from screens.messages import StoreChanged

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, SINOPEC)
        table = app.screen.query_one("#timeline")
        before = table.row_count
        store.log_visit(SINOPEC, kind="call", outcome="Confirmed the quote", at=FROZEN_NOW)
        app.screen.post_message(StoreChanged("visit", sync_soon=False))
        await pilot.pause()
        assert table.row_count == before + 1


async def test_d_resolves_the_highlighted_complaint_and_is_dimmed_elsewhere(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, ACME)
        table = app.screen.query_one("#timeline")
        rows = app.screen.timeline
        complaint_row = next(i for i, e in enumerate(rows)
                             if (e.get("record") or {}).get("kind") == "complaint")
        other_row = next(i for i in range(len(rows)) if i != complaint_row)
        table.move_cursor(row=other_row)
        await pilot.pause()
        assert app.screen.check_action("resolve", ()) is None
        table.move_cursor(row=complaint_row)
        await pilot.pause()
        assert app.screen.check_action("resolve", ()) is True
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"Sent a new housing", "ctrl+s")
        await pilot.pause()
        complaint = next(f for f in store.feedback(ACME) if f.get("kind") == "complaint")
        assert complaint["status"] == "resolved"
        assert complaint["resolution"] == "Sent a new housing"


# ---------------------------------------------------------------------------- timeline words


def _drawn_rows(table) -> list[str]:
    """The timeline's rows as drawn on screen (a cut cell shows cut here)."""
    return [table.render_line(y).text for y in range(1, table.row_count + 1)]


@pytest.mark.parametrize("lang, kind, severity, state", [
    ("en", "complaint", "high severity", "open"),
    ("zh", "投诉", "严重程度：高", "未处理"),
])
async def test_the_timeline_names_a_complaint_with_its_severity_and_whether_it_is_open(
        store, lang, kind, severity, state):
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, ACME)
        drawn = next(row for row in _drawn_rows(app.screen.query_one("#timeline"))
                     if "Second robot" in row)
        assert kind in drawn and severity in drawn and state in drawn
        assert "[" not in drawn  # not the old "[high/open]" shorthand


@pytest.mark.parametrize("lang, kind", [("en", "satisfaction"), ("zh", "满意度")])
async def test_the_timeline_shows_the_feedback_kind_in_full(store, lang, kind):
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, SINOPEC)  # the fixture's satisfaction feedback
        drawn = _drawn_rows(app.screen.query_one("#timeline"))
        assert any(kind in row and "服务及时" in row for row in drawn), drawn


@pytest.mark.parametrize("lang, resolved", [("en", "resolved: Sent a new housing"),
                                            ("zh", "已解决：Sent a new housing")])
async def test_a_resolved_complaint_reads_resolved_with_how_in_the_timeline(
        store, lang, resolved):
    store.resolve_complaint("fb-0001", "Sent a new housing")
    app = make_app(store, lang=lang)
    async with app.run_test(size=(160, 40)) as pilot:
        await _open(app, pilot, ACME)
        drawn = next(row for row in _drawn_rows(app.screen.query_one("#timeline"))
                     if "Second robot" in row)
        assert resolved in drawn
        assert ("open" if lang == "en" else "未处理") not in drawn
