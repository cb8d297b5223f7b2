"""Form errors are said where they were typed, every one at once, in the UI's language: the
snooze picker's date box, two wrong fields of a form, and the edit form's email and phone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.tui.conftest import make_app

SIZE = (120, 40)
DEMO_NOW = datetime(2026, 12, 3, 7, 11, tzinfo=UTC)  # Thursday 15:11 in Shanghai, as in the demo


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    from ui.i18n import set_language

    set_language("en")


def _line(screen, selector: str) -> str:
    """The text of an error line as drawn: empty when the line is not shown at all."""
    widget = screen.query_one(selector)
    return str(widget.render()).strip() if widget.region.height else ""


# ---------------------------------------------------------------------------- snooze


UNREADABLE = "cannot read {text} as a date; use 2026-12-01, today, tomorrow, fri, +3d or +2w"


@pytest.mark.parametrize(("typed", "says"), [
    ("garbage", UNREADABLE.format(text="garbage")),
    ("yesterday", UNREADABLE.format(text="yesterday")),
    ("2026-12-01", "2026-12-01 is in the past"),
    ("today", "2026-12-03 is not after today; pick tomorrow or later"),
])
async def test_a_bad_snooze_date_is_said_under_the_date_box_and_nothing_is_picked(
        store, typed, says):
    from screens.snooze import SnoozePicker

    app = make_app(store, clock=lambda: DEMO_NOW)
    picked: list = []
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SnoozePicker(), callback=picked.append)
        await pilot.pause()
        await pilot.press("4", *typed, "enter")
        await pilot.pause()
        picker = app.screen
        assert type(picker).__name__ == "SnoozePicker" and picked == []
        assert _line(picker, "#snooze-error") == says
        assert picker.query_one("#snooze-date").has_class("-invalid")
        assert app.focused is picker.query_one("#snooze-date")
        await pilot.press("backspace")  # typing clears the error, as in the other forms
        await pilot.pause()
        assert _line(picker, "#snooze-error") == ""


async def test_a_bad_snooze_date_is_said_in_chinese_on_a_chinese_screen(store):
    from screens.snooze import SnoozePicker

    app = make_app(store, lang="zh", clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SnoozePicker())
        await pilot.pause()
        await pilot.press("4", *"2026-12-01", "enter")
        await pilot.pause()
        assert _line(app.screen, "#snooze-error") == "2026-12-01 已经过去"


# ---------------------------------------------------------------------------- every error at once


async def _form(app, pilot, key: str, customer_id: str):
    from screens.messages import OpenCustomer

    app.post_message(OpenCustomer(customer_id))
    await pilot.pause()
    await pilot.pause()
    await pilot.press(key)
    await pilot.pause()
    await pilot.pause()
    return app.screen


def _set(form, field: str, value: str) -> None:
    form.query_one(f"#field-{field}").value = value


async def test_two_wrong_fields_of_a_follow_up_show_both_errors_and_focus_the_first(store):
    from tests.tui.conftest import SINOPEC

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "n", SINOPEC)
        before = store.outbox()
        _set(form, "title", "  ")
        _set(form, "due", "someday")
        form.query_one("#field-due").focus()
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = form.errors()
        assert set(errors) == {"title", "due"}, errors
        assert errors["title"] == "say what to follow up (the title is empty)"
        assert errors["due"] == UNREADABLE.format(text="someday")
        assert _line(form, "#error-title") and _line(form, "#error-due")
        assert app.focused is form.query_one("#field-title")
        assert app.screen is form and store.outbox() == before


async def test_the_edit_form_refuses_a_bad_email_and_phone_at_their_fields_at_once(store):
    from tests.tui.conftest import SINOPEC

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "e", SINOPEC)
        before = store.outbox()
        _set(form, "contact_phone", "13900000REP")
        _set(form, "contact_email", "not-an-email")
        _set(form, "lat", "123")
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = form.errors()
        assert errors == {
            "contact_phone": "a phone number holds only digits, spaces, +, - and parentheses",
            "contact_email": "not-an-email is not an email address (like name@example.com)",
            "lat": "must be between -90 and 90",
        }
        assert app.focused is form.query_one("#field-contact_phone")
        assert app.screen is form and store.outbox() == before
        _set(form, "contact_phone", "139 0000 000")
        _set(form, "contact_email", "buyer@example.com")
        _set(form, "lat", "")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors() == {"contact_phone": "a Chinese mobile number has 11 digits, not 10"}
        _set(form, "contact_phone", "139 0000 0000")
        await pilot.press("ctrl+s")
        await pilot.pause()
        contact = store.customer(SINOPEC)["contacts"][0]
        assert (contact["phone"], contact["email"]) == ("139 0000 0000", "buyer@example.com")


async def test_the_edit_form_says_a_bad_phone_in_chinese_on_a_chinese_screen(store):
    from tests.tui.conftest import SINOPEC

    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "e", SINOPEC)
        _set(form, "contact_phone", "13900000REP")
        _set(form, "contact_email", "not-an-email")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors() == {
            "contact_phone": "电话号码只能包含数字、空格、+、- 和括号",
            "contact_email": "“not-an-email”不是邮箱地址（例如 name@example.com）",
        }


async def test_a_customer_stored_with_a_bad_phone_stays_editable_in_the_form(store):
    from tests.tui.conftest import SINOPEC

    old = {**store.customer(SINOPEC)}
    for key in ("claim_pending", "conflicts"):
        old.pop(key, None)
    old["contacts"] = [{"name": "Front desk", "title": "", "phone": "ask reception",
                        "email": "none"}]
    store.apply_pull_page([{"op": "upsert", "entity": "customer", "id": SINOPEC,
                            "record": old}], "cursor-2")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        form = await _form(app, pilot, "e", SINOPEC)
        _set(form, "address", "浦东新区世纪大道 100 号")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.errors() == {}
        assert store.customer(SINOPEC)["address"] == "浦东新区世纪大道 100 号"
