"""The queue (home screen): order, reasons, and every key acting on the store."""

from __future__ import annotations

from datetime import date, timedelta

from tests.tui.conftest import ACME, FROZEN_NOW, SINOPEC, TODAY, Posted, make_app
from ui.widgets.queue_list import QueueList

SIZE = (120, 40)


def _snooze_day() -> date:
    """Three days after the later of the frozen and the real today (the store checks both)."""
    return max(TODAY, date.today()) + timedelta(days=3)


def _kinds(store) -> list[str]:
    return [op["kind"] for op in store.outbox()]


async def _move_to(app, pilot, predicate) -> dict:
    """Put the queue's cursor on the first entry matching ``predicate``."""
    screen = app.screen
    for row, entry in enumerate(screen.entries):
        if predicate(entry):
            screen.query_one(QueueList).cursor = row
            await pilot.pause()
            return entry
    raise AssertionError("no such queue entry")


async def test_queue_lists_the_store_queue_overdue_first_with_reasons(store):
    app = make_app(store)
    async with app.run_test(size=SIZE):
        screen = app.screen
        expected = store.queue(FROZEN_NOW)
        assert [e["key"] for e in screen.entries] == [e["key"] for e in expected]
        assert screen.entries[0]["reason_code"] == "overdue"
        codes = {e["reason_code"] for e in screen.entries}
        assert {"overdue", "due_today", "protection_expiring", "complaint"} <= codes
        assert screen.query_one(QueueList).row_count == len(expected)


async def test_enter_opens_the_customer_of_the_highlighted_entry(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        first = app.screen.entries[0]
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen"
        assert app.screen.customer_id == first["customer_id"]


async def test_j_k_g_G_move_the_cursor(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(QueueList)
        await pilot.press("j")
        assert table.cursor == 1
        await pilot.press("k")
        assert table.cursor == 0
        await pilot.press("G")
        assert table.cursor == table.row_count - 1
        await pilot.press("g")
        assert table.cursor == 0


async def test_d_completes_the_follow_up_and_queues_the_update(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        entry = await _move_to(app, pilot, lambda e: e.get("followup_id"))
        before = len(store.outbox())
        await pilot.press("d")
        await pilot.pause()
        assert len(store.outbox()) == before + 1
        assert store.outbox()[-1]["kind"] == "followup.update"
        open_ids = {f["id"] for f in store.followups()}
        assert entry["followup_id"] not in open_ids
        assert entry["key"] not in [e["key"] for e in app.screen.entries]


async def test_d_on_a_protection_entry_is_dimmed_and_explains_why(store):
    app = make_app(store)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _move_to(app, pilot, lambda e: e["reason_code"] == "protection_expiring")
        before = _kinds(store)
        assert app.screen.check_action("done", ()) is None
        assert app.screen.check_action("dismiss_followup", ()) is True  # x drops the reminder
        await pilot.press("d")
        await pilot.pause()
        assert _kinds(store) == before
        assert any("logging a visit" in note for note in posted.toasts)


async def test_d_on_a_complaint_asks_for_the_resolution_and_closes_it(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        entry = await _move_to(app, pilot, lambda e: e["reason_code"] == "complaint")
        await pilot.press("d")
        await pilot.pause()
        assert type(app.screen).__name__ == "ResolveComplaint"
        await pilot.press("enter")  # empty: refused, stays open
        assert type(app.screen).__name__ == "ResolveComplaint"
        await pilot.press(*"Replaced the housing", "enter")
        await pilot.pause()
        assert store.outbox()[-1]["kind"] == "feedback.update"
        complaint = next(f for f in store.feedback(ACME) if f["id"] == entry["feedback_id"])
        assert complaint["status"] == "resolved"
        assert entry["key"] not in [e["key"] for e in app.screen.entries]


async def test_s_snoozes_the_follow_up_to_the_picked_date(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        entry = await _move_to(app, pilot, lambda e: e.get("followup_id"))
        await pilot.press("s")
        await pilot.pause()
        assert type(app.screen).__name__ == "SnoozePicker"
        until = _snooze_day()
        app.screen.dismiss(until)
        await pilot.pause()
        assert store.outbox()[-1]["kind"] == "followup.update"
        assert entry["key"] not in [e["key"] for e in app.screen.entries]


async def test_s_puts_off_a_generated_protection_reminder(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        entry = await _move_to(app, pilot, lambda e: e["reason_code"] == "protection_expiring")
        await pilot.press("s")
        await pilot.pause()
        assert type(app.screen).__name__ == "SnoozePicker"
        app.screen.dismiss(_snooze_day())
        await pilot.pause()
        assert entry["key"] not in [e["key"] for e in app.screen.entries]


async def test_s_then_cancel_changes_nothing(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _move_to(app, pilot, lambda e: e.get("followup_id"))
        before = _kinds(store)
        await pilot.press("s")
        await pilot.pause()
        app.screen.dismiss(None)
        await pilot.pause()
        assert _kinds(store) == before


async def test_x_dismisses_a_follow_up_only_after_confirming(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        entry = await _move_to(app, pilot, lambda e: e.get("followup_id"))
        before = _kinds(store)
        await pilot.press("x")
        await pilot.pause()
        assert type(app.screen).__name__ == "Confirm"
        app.screen.dismiss(False)
        await pilot.pause()
        assert _kinds(store) == before
        await pilot.press("x")
        await pilot.pause()
        app.screen.dismiss(True)
        await pilot.pause()
        assert _kinds(store) == [*before, "followup.update"]
        assert entry["key"] not in [e["key"] for e in app.screen.entries]


async def test_v_opens_the_visit_form_for_the_entry_customer(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        entry = await _move_to(app, pilot, lambda e: e["customer_id"] == ACME)
        await pilot.press("v")
        await pilot.pause()
        assert type(app.screen).__name__ == "VisitForm"
        assert entry["customer_id"] == ACME


async def test_n_opens_the_follow_up_form(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _move_to(app, pilot, lambda e: e["customer_id"] == SINOPEC)
        await pilot.press("n")
        await pilot.pause()
        assert type(app.screen).__name__ == "FollowUpForm"


async def test_claim_is_dimmed_for_a_customer_already_yours(store):
    app = make_app(store)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _move_to(app, pilot, lambda e: e["customer_id"] == SINOPEC)
        before = _kinds(store)
        assert app.screen.check_action("claim", ()) is None
        await pilot.press("c")
        await pilot.pause()
        assert _kinds(store) == before
        assert any("already yours" in note for note in posted.toasts)


async def test_x_on_a_protection_reminder_asks_then_drops_it_from_the_queue(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        entry = await _move_to(app, pilot, lambda e: e["reason_code"] == "protection_expiring")
        await pilot.press("x")
        await pilot.pause()
        assert type(app.screen).__name__ == "Confirm"
        await pilot.press("n")
        await pilot.pause()
        assert entry["key"] in [e["key"] for e in app.screen.entries]
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert type(app.screen).__name__ == "QueueScreen"
        assert entry["key"] not in [e["key"] for e in app.screen.entries]
        assert entry["key"] not in [e["key"] for e in store.queue(FROZEN_NOW)]


async def test_after_d_the_cursor_stays_on_its_row_which_is_now_the_next_entry(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        entry = await _move_to(app, pilot, lambda e: e.get("followup_id"))
        row = app.screen.entries.index(entry)
        following = app.screen.entries[row + 1]
        await pilot.press("d")
        await pilot.pause()
        assert app.screen.query_one(QueueList).cursor == row
        assert app.screen.current_entry()["key"] == following["key"]


async def test_overdue_rows_are_drawn_in_the_late_style_and_others_not(store):
    app = make_app(store)
    async with app.run_test(size=SIZE):
        queue = app.screen.query_one(QueueList)
        late = queue.get_component_rich_style("queue-list--late")
        codes = [e["reason_code"] for e in app.screen.entries]
        overdue, other = codes.index("overdue"), codes.index("complaint")
        assert queue.row_text(overdue, 120)[1] == late
        assert queue.row_text(other, 120)[1] is None


async def test_due_today_is_counted_in_the_policy_timezone_not_utc(store):
    # 20:00 UTC on the 22nd is 04:00 on the 23rd in Shanghai (the policy's zone): what is due on
    # the 23rd is due today there, and the queue must say "today", not show a date
    evening_utc = FROZEN_NOW - timedelta(hours=6)
    assert evening_utc.date() != TODAY
    app = make_app(store, clock=lambda: evening_utc)
    async with app.run_test(size=SIZE):
        queue = app.screen.query_one(QueueList)
        due_today = [row for row, e in enumerate(app.screen.entries)
                     if e["reason_code"] == "due_today"]
        assert due_today
        assert all(queue.rows[row].due == "today" for row in due_today)


async def test_the_claim_reason_is_said_in_chinese_in_the_chinese_ui(store):
    app = make_app(store, lang="zh")
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _move_to(app, pilot, lambda e: e["customer_id"] == SINOPEC)
        await pilot.press("c")
        await pilot.pause()
        assert any("已经是你的客户" in note for note in posted.toasts), posted.toasts
