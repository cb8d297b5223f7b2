"""The forms: visit, feedback, follow-up, edit customer; the snooze picker and the confirm dialog.

Every test asserts on the store (the outbox, the drafts), not only on what is drawn.
"""

from __future__ import annotations

from datetime import date, timedelta

from screens.form_base import DRAFT_DELAY_S
from screens.snooze import snooze_until
from tests.tui.conftest import ACME, FROZEN_NOW, SINOPEC, TODAY, Posted, make_app

SIZE = (120, 40)


def _future(days: int = 3) -> date:
    """A day after both the frozen and the real today (the store checks the real one too)."""
    return max(TODAY, date.today()) + timedelta(days=days)


def _ops(store, kind: str) -> list[dict]:
    return [op for op in store.outbox() if op["kind"] == kind]


async def _open_customer(app, pilot, customer_id: str = SINOPEC) -> None:
    from screens.messages import OpenCustomer

    app.post_message(OpenCustomer(customer_id))
    await pilot.pause()
    await pilot.pause()


async def _form(app, pilot, key: str, customer_id: str = SINOPEC):
    await _open_customer(app, pilot, customer_id)
    await pilot.press(key)
    await pilot.pause()
    await pilot.pause()
    return app.screen


def _set(form, field: str, value: str) -> None:
    from textual.widgets import Input, TextArea

    widget = form.query_one(f"#field-{field}")
    if isinstance(widget, TextArea):
        widget.load_text(value)
    elif isinstance(widget, Input):
        widget.value = value
    else:
        widget.value = value


# ---------------------------------------------------------------------------- visit form


async def test_v_opens_the_visit_form_ready_to_type_notes_with_kind_outcome_and_time_preset(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "v")
        assert type(form).__name__ == "VisitForm"
        assert app.focused is form.query_one("#field-notes")
        values = form.values()
        assert values["kind"] == "visit"
        assert values["outcome"] == "Met the customer"
        assert values["at"] == "2026-11-23 10:00"  # the frozen now, Asia/Shanghai
        await pilot.press(*"Talked about the 2027 contract")
        assert form.values()["notes"] == "Talked about the 2027 contract"


async def test_ctrl_s_saves_the_visit_into_the_outbox_with_the_typed_fields_and_toasts(store):
    app = make_app(store)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        form = await _form(app, pilot, "v")
        before = store.pending_count()
        await pilot.press(*"Buyer wants a trial")
        due = _future()
        _set(form, "next_step", "Send trial samples")
        _set(form, "due", due.isoformat())
        _set(form, "amount", "12,500")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen"
        visits = _ops(store, "visit.create")
        fields = visits[-1]["fields"]
        assert fields["customer_id"] == SINOPEC
        assert fields["notes"] == "Buyer wants a trial"
        assert fields["kind"] == "visit" and fields["outcome"] == "Met the customer"
        assert fields["next_step"] == "Send trial samples"
        assert fields["next_step_due"] == due.isoformat()
        assert fields["amount"] == 12500.0
        assert fields["at"].startswith(FROZEN_NOW.isoformat()[:16])
        followups = _ops(store, "followup.create")
        assert followups[-1]["fields"]["title"] == "Send trial samples"
        # the visit, its next step, and the due “Send the quote” marked done (offered, ticked)
        assert store.pending_count() == before + 3
        assert "Saved, and “Send the quote” done — will sync" in posted.toasts
        assert store.load_draft(f"visit:{SINOPEC}") is None
        await pilot.pause()
        assert app.status.pending == store.pending_count()  # StoreChanged reached the App


async def test_a_bad_due_date_keeps_the_form_open_with_the_error_at_the_field_and_writes_nothing(
    store,
):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "v")
        before = store.outbox()
        await pilot.press(*"Notes that must not be lost")
        _set(form, "next_step", "Call back")
        _set(form, "due", "someday")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "someday" in form.errors()["due"]
        assert app.focused is form.query_one("#field-due")
        assert store.outbox() == before
        assert form.values()["notes"] == "Notes that must not be lost"
        _set(form, "due", "")  # typing clears the error
        await pilot.pause()
        assert "due" not in form.errors()


async def test_a_due_date_without_a_next_step_or_a_bad_amount_is_refused_at_its_field(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "v")
        before = store.outbox()
        _set(form, "due", "tomorrow")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "next step" in form.errors()["next_step"]
        _set(form, "due", "")
        _set(form, "amount", "lots")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "number" in form.errors()["amount"]
        _set(form, "amount", "")
        _set(form, "outcome", "  ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "outcome" in form.errors()
        assert store.outbox() == before and app.screen is form


async def test_the_due_field_says_which_day_it_means_as_the_rep_types(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "v")
        _set(form, "due", "fri")
        await pilot.pause()
        hint = str(form.query_one("#hint-due").render())
        assert "2026-11-27" in hint and "Fri" in hint


async def test_changing_the_kind_changes_the_preset_outcome_but_not_a_typed_one(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "v")
        form.query_one("#field-kind").focus()
        await pilot.press("right")
        await pilot.pause()
        assert form.values()["kind"] == "call"
        assert form.values()["outcome"] == "Spoke on the phone"
        _set(form, "outcome", "Agreed on price")
        await pilot.press("m")  # first letter: meeting
        await pilot.pause()
        assert form.values()["kind"] == "meeting"
        assert form.values()["outcome"] == "Agreed on price"


async def test_tab_moves_from_field_to_field(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "v")
        form.query_one("#field-at").focus()
        await pilot.pause()
        order = []
        for _ in range(7):
            order.append(app.focused.id)
            await pilot.press("tab")
        assert order == ["field-at", "field-kind", "field-outcome", "field-notes",
                         "field-next_step", "field-due", "field-amount"]


async def test_esc_on_an_untouched_form_closes_at_once(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _form(app, pilot, "v")
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen"


async def test_esc_on_a_changed_form_asks_no_keeps_the_text_yes_discards_it_and_the_draft(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "v")
        await pilot.press(*"half a thought")
        await pilot.pause(DRAFT_DELAY_S + 0.2)
        assert store.load_draft(f"visit:{SINOPEC}") is not None
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "Confirm"
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is form and form.values()["notes"] == "half a thought"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen"
        assert store.load_draft(f"visit:{SINOPEC}") is None
        assert _ops(store, "visit.create") == [op for op in store.outbox()
                                               if op["kind"] == "visit.create"]
        assert not any(op["fields"].get("notes") == "half a thought"
                       for op in _ops(store, "visit.create"))


async def test_a_draft_survives_quitting_the_app_and_reopening_the_form_restores_it(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "v")
        await pilot.press(*"typed before the quit")
        _set(form, "next_step", "Call the CFO")
        await pilot.pause()
    # the App is gone (quit with the form open); a new one on the same store
    draft = store.load_draft(f"visit:{SINOPEC}")
    assert draft is not None and draft["values"]["notes"] == "typed before the quit"
    again = make_app(store)
    posted = Posted()
    async with again.run_test(size=SIZE, message_hook=posted) as pilot:
        form = await _form(again, pilot, "v")
        assert form.restored_draft
        assert form.values()["notes"] == "typed before the quit"
        assert form.values()["next_step"] == "Call the CFO"
        assert "Draft from 10:00 restored" in posted.toasts  # typed at 10:00 Shanghai
        # drafts are per customer: another customer's form starts empty
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()


async def test_a_draft_is_on_disk_while_typing_so_a_crash_loses_nothing(store, fieldrep_home):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _form(app, pilot, "v", ACME)
        await pilot.press(*"crash-proof words")
        await pilot.pause(DRAFT_DELAY_S + 0.3)
        # what a fresh process would read from the same home (a reader copy of the drafts file)
        from cache import locations
        from cache.storage import read_document

        on_disk = read_document(fieldrep_home / locations.DRAFTS)
        assert on_disk[f"visit:{ACME}"]["values"]["notes"] == "crash-proof words"


async def test_the_visit_form_in_chinese_accepts_chinese_dates(store):
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "v")
        assert form.values()["outcome"] == "已见客户"
        _set(form, "due", "周五")
        await pilot.pause()
        assert "周五" in str(form.query_one("#hint-due").render())


# ---------------------------------------------------------------------------- feedback form


async def test_feedback_satisfaction_score_is_saved_to_the_outbox(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "f")
        assert type(form).__name__ == "FeedbackForm"
        form.query_one("#field-score").focus()
        await pilot.press("5")
        _set(form, "text", "Very happy with delivery")
        await pilot.press("ctrl+s")
        await pilot.pause()
        fields = _ops(store, "feedback.create")[-1]["fields"]
        assert (fields["kind"], fields["score"], fields["text"]) == (
            "satisfaction", 5, "Very happy with delivery")
        assert fields["severity"] is None


async def test_a_complaint_with_severity_becomes_a_queue_entry_until_resolved(store):
    app = make_app(store)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        form = await _form(app, pilot, "f")
        await pilot.press("c")  # kind is focused: c is complaint
        await pilot.pause()
        assert form.values()["kind"] == "complaint"
        assert form.query_one("#field-score").disabled
        assert not form.query_one("#field-severity").disabled
        form.query_one("#field-severity").focus()
        await pilot.press("h")
        _set(form, "text", "Invoice was wrong twice")
        await pilot.press("ctrl+s")
        await pilot.pause()
        fields = _ops(store, "feedback.create")[-1]["fields"]
        assert (fields["kind"], fields["severity"], fields["status"]) == (
            "complaint", "high", "open")
        assert fields["score"] is None
        entries = [e for e in store.queue(FROZEN_NOW) if e.get("feedback_id") == fields["id"]]
        assert entries and entries[0]["reason_code"] == "complaint"
        assert any("until resolved" in note for note in posted.toasts)


async def test_feedback_without_text_is_refused_at_the_text_field(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "f")
        before = store.outbox()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "text" in form.errors() and store.outbox() == before


# ---------------------------------------------------------------------------- follow-up form


async def test_follow_up_form_saves_title_and_due_and_refuses_an_unreadable_date(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "n")
        assert type(form).__name__ == "FollowUpForm"
        assert app.focused is form.query_one("#field-title")
        assert form.values()["due"] == "tomorrow"
        await pilot.press(*"Send the revised quote")
        _set(form, "due", "the day after")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "due" in form.errors() and not _ops(store, "followup.create")
        due = _future(5)
        _set(form, "due", due.isoformat())
        await pilot.press("ctrl+s")
        await pilot.pause()
        fields = _ops(store, "followup.create")[-1]["fields"]
        assert (fields["title"], fields["due"], fields["customer_id"]) == (
            "Send the revised quote", due.isoformat(), SINOPEC)
        assert type(app.screen).__name__ == "CustomerScreen"


# ---------------------------------------------------------------------------- edit customer


async def test_edit_customer_sends_only_the_changed_fields(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "e")
        assert type(form).__name__ == "EditCustomerForm"
        assert form.values()["name"] == store.customer(SINOPEC)["name"]
        _set(form, "address", "浦东新区世纪大道 100 号")
        _set(form, "contact_phone", "+86 21 6666 0000")
        form.query_one("#field-stage").focus()
        await pilot.press("right")  # active -> at_risk
        await pilot.press("ctrl+s")
        await pilot.pause()
        ops = _ops(store, "customer.update")
        assert len(ops) == 1
        fields = ops[0]["fields"]
        assert fields["address"] == "浦东新区世纪大道 100 号"
        assert fields["stage"] == "at_risk"
        assert fields["contacts"][0]["phone"] == "+86 21 6666 0000"
        assert "name" not in fields and "tier" not in fields
        assert store.customer(SINOPEC)["address"] == "浦东新区世纪大道 100 号"


async def test_edit_customer_with_nothing_changed_writes_nothing(store):
    app = make_app(store)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _form(app, pilot, "e")
        before = store.outbox()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.outbox() == before
        assert type(app.screen).__name__ == "CustomerScreen"
        assert "Nothing changed" in posted.toasts


async def test_edit_customer_refuses_an_empty_name_and_a_bad_latitude(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "e")
        before = store.outbox()
        _set(form, "name", " ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "name" in form.errors()
        _set(form, "name", "中国石化")
        _set(form, "lat", "123")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "lat" in form.errors() and store.outbox() == before


# ---------------------------------------------------------------------------- snooze and confirm


def test_snooze_choices_count_from_today_and_next_week_is_next_monday():
    monday = date(2026, 11, 23)
    assert snooze_until("1d", monday) == date(2026, 11, 24)
    assert snooze_until("3d", monday) == date(2026, 11, 26)
    assert snooze_until("week", monday) == date(2026, 11, 30)
    assert snooze_until("week", date(2026, 11, 29)) == date(2026, 11, 30)  # a Sunday


async def _pick(store, *keys: str):
    from screens.snooze import SnoozePicker

    app = make_app(store)
    picked: list = []
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SnoozePicker(), callback=picked.append)
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        screen_after = type(app.screen).__name__
    return picked, screen_after


async def test_snooze_picker_keys_pick_one_day_three_days_and_next_week(store):
    assert (await _pick(store, "1"))[0] == [TODAY + timedelta(days=1)]
    assert (await _pick(store, "2"))[0] == [TODAY + timedelta(days=3)]
    assert (await _pick(store, "3"))[0] == [date(2026, 11, 30)]
    assert (await _pick(store, "down", "enter"))[0] == [TODAY + timedelta(days=3)]
    assert (await _pick(store, "escape"))[0] == [None]


async def test_snooze_picker_a_typed_date_is_parsed_and_a_past_one_refused(store):
    picked, screen = await _pick(store, "4", *"+2w", "enter")
    assert picked == [TODAY + timedelta(days=14)]
    picked, screen = await _pick(store, "4", *"2026-11-01", "enter")
    assert picked == [] and screen == "SnoozePicker"


async def test_snoozing_from_the_queue_writes_the_picked_date_to_the_follow_up(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        row = next(i for i, e in enumerate(screen.entries) if e.get("followup_id"))
        followup_id = screen.entries[row]["followup_id"]
        screen.query_one("QueueList").cursor = row
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        until = _future(4)
        await pilot.press("4", *until.isoformat(), "enter")
        await pilot.pause()
        ops = [op for op in _ops(store, "followup.update") if op["record_id"] == followup_id]
        assert ops[-1]["fields"]["snoozed_until"] == until.isoformat()


async def test_confirm_answers_yes_with_y_and_no_with_n_or_escape(store):
    from screens.confirm import Confirm

    for keys, expected in ((("y",), True), (("n",), False), (("escape",), False),
                           (("enter",), False), (("left", "enter"), True)):
        app = make_app(store)
        answers: list = []
        async with app.run_test(size=SIZE) as pilot:
            app.push_screen(Confirm("Really?"), callback=answers.append)
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
        assert answers == [expected], keys



# ---------------------------------------------------------------------------- the forms' own checks
#
# The store checks a due date too (against the real clock), so a test that only looks at the
# outbox would pass with the forms' checks removed. These watch the store's write command: the
# form must refuse a past or empty due date itself, at its field, without calling the store.


def _watch(store, monkeypatch, command: str) -> list[dict]:
    """Record every call of ``store.<command>`` (the call still goes through)."""
    calls: list[dict] = []
    real = getattr(store, command)

    def watched(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, command, watched)
    return calls


async def test_the_visit_form_itself_refuses_a_past_due_date_at_its_field(store, monkeypatch):
    calls = _watch(store, monkeypatch, "log_visit")
    yesterday = TODAY - timedelta(days=1)  # the App's (frozen) yesterday
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "v")
        _set(form, "next_step", "Call back")
        _set(form, "due", yesterday.isoformat())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors()["due"] == f"{yesterday.isoformat()} is in the past"
        assert app.screen is form and calls == []


async def test_the_follow_up_form_itself_refuses_a_past_or_missing_due_date(store, monkeypatch):
    calls = _watch(store, monkeypatch, "add_followup")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "n")
        await pilot.press(*"Send the quote")
        _set(form, "due", "2026-11-20")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors()["due"] == "2026-11-20 is in the past"
        _set(form, "due", "  ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "when is it due" in form.errors()["due"]
        assert app.screen is form and calls == []


async def test_a_past_due_date_is_refused_in_chinese_from_the_refusal_catalogue(store, monkeypatch):
    calls = _watch(store, monkeypatch, "add_followup")
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "n")
        await pilot.press(*"报价")
        _set(form, "due", "2026-11-20")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors()["due"] == "2026-11-20 已经过去"
        assert calls == []


# ---------------------------------------------------------------------------- messages


async def test_saving_a_visit_posts_store_changed_asking_for_a_sync(store):
    from screens.messages import StoreChanged

    app = make_app(store)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        form = await _form(app, pilot, "v")
        await pilot.press(*"Quick visit")
        assert posted.of(StoreChanged) == []  # typing (and the draft it keeps) is no change
        await pilot.press("ctrl+s")
        await pilot.pause()
        changes = posted.of(StoreChanged)
        assert [(m.what, m.sync_soon) for m in changes] == [("visit", True)]
        assert app.screen is not form
