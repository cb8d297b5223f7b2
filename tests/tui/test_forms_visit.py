"""The visit form: it offers to close the follow-up it was logged from, shows every field's
problem at once, and a restored draft says so and keeps the time that was typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.tui.conftest import CUSTOMER_IDS, FROZEN_NOW, SINOPEC, Posted, make_app
from tests.tui.test_forms import SIZE
from tests.tui.test_forms import _form as _customer_form_by
from tests.tui.test_queue import _move_to

QUARTERLY = CUSTOMER_IDS[12]  # fu-0004 “季度回访”, due in four days


async def _queue_entry(app, pilot, followup_id: str) -> None:
    await _move_to(app, pilot, lambda e: e.get("followup_id") == followup_id)


async def _customer_form(app, pilot, customer_id: str):
    return await _customer_form_by(app, pilot, "v", customer_id)


def _status(store, followup_id: str) -> str:
    return next(f["status"] for f in store.followups(include_closed=True)
                if f["id"] == followup_id)


def _box(form):
    return form.query_one("#field-close_followup")


async def test_v_on_a_follow_up_offers_to_mark_it_done_ticked_and_saving_does(store):
    app = make_app(store)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _queue_entry(app, pilot, "fu-0001")
        await pilot.press("v")
        await pilot.pause()
        form = app.screen
        assert type(form).__name__ == "VisitForm"
        assert _box(form).value is True
        assert str(_box(form).label) == "Also mark “Send the quote” done"
        await pilot.press(*"Sent it on the spot")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "QueueScreen"
        kinds = [(op["kind"], op["record_id"]) for op in store.outbox()][-2:]
        assert kinds[0][0] == "visit.create" and kinds[1] == ("followup.update", "fu-0001")
        assert store.outbox()[-1]["fields"]["status"] == "done"
        assert _status(store, "fu-0001") == "done"
        assert "fu-0001" not in [e.get("followup_id") for e in app.screen.entries]
        assert "Saved, and “Send the quote” done — will sync" in posted.toasts


async def test_unticking_the_box_with_space_logs_the_visit_and_keeps_the_follow_up(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _queue_entry(app, pilot, "fu-0001")
        await pilot.press("v")
        await pilot.pause()
        form = app.screen
        _box(form).focus()
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert _box(form).value is False
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.outbox()[-1]["kind"] == "visit.create"
        assert _status(store, "fu-0001") == "open"


async def test_a_customer_with_a_due_follow_up_is_offered_it_one_with_none_due_is_not(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _customer_form(app, pilot, SINOPEC)  # “Send the quote” is overdue
        assert form.offered["id"] == "fu-0001" and _box(form).value is True
        await pilot.press("escape")
        await pilot.pause()
        form = await _customer_form(app, pilot, QUARTERLY)  # due in four days: not offered
        assert form.offered is None and not form.query("#field-close_followup")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.outbox()[-1]["kind"] == "visit.create"
        assert _status(store, "fu-0004") == "open"


async def test_v_on_an_upcoming_follow_up_of_the_queue_offers_that_one(store):
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await _queue_entry(app, pilot, "fu-0004")
        await pilot.press("v")
        await pilot.pause()
        form = app.screen
        assert form.offered["id"] == "fu-0004"
        assert str(_box(form).label) == "同时将“季度回访”标记为完成"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert _status(store, "fu-0004") == "done"


async def test_every_wrong_field_of_a_visit_is_shown_at_once_and_the_first_focused(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _customer_form(app, pilot, SINOPEC)
        before = store.outbox()
        form.query_one("#field-at").value = "at noon"
        form.query_one("#field-outcome").value = " "
        form.query_one("#field-next_step").value = "Call back"
        form.query_one("#field-due").value = "someday"
        form.query_one("#field-amount").value = "lots"
        form.query_one("#field-amount").focus()
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = form.errors()
        assert set(errors) == {"at", "outcome", "due", "amount"}, errors
        assert "14:30" in errors["at"] and "outcome" in errors["outcome"]
        assert "someday" in errors["due"] and "number" in errors["amount"]
        assert app.focused is form.query_one("#field-at")
        assert app.screen is form and store.outbox() == before


async def test_a_draft_restored_the_next_day_keeps_the_typed_time_and_says_when_it_was(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _customer_form(app, pilot, SINOPEC)
        form.query_one("#field-at").value = "09:30"  # this morning, 23 Nov, in Shanghai
        await pilot.press(*"typed on Monday")
        await pilot.pause()
    next_day = FROZEN_NOW + timedelta(days=1, hours=3)
    again = make_app(store, clock=lambda: next_day)
    posted = Posted()
    async with again.run_test(size=SIZE, message_hook=posted) as pilot:
        form = await _customer_form(again, pilot, SINOPEC)
        assert form.restored_draft
        assert "Draft from 11-23 10:00 restored" in posted.toasts, posted.toasts
        assert form.values()["at"] == "2026-11-23 09:30"
        await pilot.press("ctrl+s")
        await pilot.pause()
        visit = [op for op in store.outbox() if op["kind"] == "visit.create"][-1]["fields"]
        assert visit["notes"] == "typed on Monday"
        assert datetime.fromisoformat(visit["at"]) == datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
