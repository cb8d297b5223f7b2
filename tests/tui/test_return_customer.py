"""``r`` on the customer screen returns the rep's own customer to the pool with a reason from
the policy's list (en and zh), dimmed with the reason for a customer not theirs; ``d`` resolves
the highlighted complaint, as on the queue."""

from __future__ import annotations

import pytest

from tests.tui.conftest import ACME, OTHERS, POOL, SINOPEC, Posted, make_app

SIZE = (120, 40)


async def _open(app, pilot, customer_id: str) -> None:
    from screens.messages import OpenCustomer

    app.post_message(OpenCustomer(customer_id))
    await pilot.pause()
    await pilot.pause()
    assert type(app.screen).__name__ == "CustomerScreen"


def _returns(store) -> list[tuple[str, dict]]:
    return [(op["record_id"], op["fields"]) for op in store.outbox()
            if op["kind"] == "customer.return"]


@pytest.mark.parametrize("lang, labels, queued", [
    ("en", ["1  not interested", "2  a duplicate of another customer"], "Return of"),
    ("zh", ["1  没有兴趣", "2  与其他客户重复"], "的退回已排队"),
])
async def test_r_then_a_reasons_number_queues_the_return_and_the_header_says_so(
        store, lang, labels, queued):
    posted = Posted()
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _open(app, pilot, SINOPEC)
        await pilot.press("r")
        await pilot.pause()
        picker = app.screen
        assert type(picker).__name__ == "ReturnPicker"
        prompts = [str(picker.query_one("#return-reasons").get_option_at_index(i).prompt)
                   for i in range(len(store.return_reasons()))]
        assert prompts[:2] == labels
        await pilot.press("2")
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen"
        assert _returns(store) == [(SINOPEC, {"reason": "duplicate"})]
        facts = str(app.screen.query_one("#customer-facts").render())
        assert ("return to the pool waiting to sync" if lang == "en" else "退回公海待同步") in facts
        assert any(queued in toast for toast in posted.toasts)
        # a second return is dimmed: one is already waiting
        assert app.screen.check_action("return_customer", ()) is None
        waiting = "already waiting to sync" if lang == "en" else "已在等待同步"
        assert waiting in app.screen.unavailable_reason("return_customer")


async def test_j_and_enter_pick_a_reason_and_esc_returns_nothing(store):
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, SINOPEC)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen" and _returns(store) == []
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("j")
        await pilot.press("j")
        await pilot.press("j")
        await pilot.press("k")
        await pilot.press("enter")
        await pilot.pause()
        assert _returns(store) == [(SINOPEC, {"reason": store.return_reasons()[2]})]


@pytest.mark.parametrize("lang, said", [("en", "is not yours to return"),
                                        ("zh", "不是你的客户，不能退回")])
@pytest.mark.parametrize("customer", [OTHERS, POOL])
async def test_r_is_dimmed_with_the_reason_on_a_customer_not_the_reps(store, customer, lang,
                                                                     said):
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, customer)
        assert app.screen.check_action("return_customer", ()) is None
        assert said in app.screen.unavailable_reason("return_customer")
        await pilot.press("r")
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen" and _returns(store) == []
        await pilot.press("question_mark")
        await pilot.pause()
        rows = {description: reason for _group, rows in app.screen.groups
                for _keys, description, _tip, reason in rows}
        assert said in rows["Return" if lang == "en" else "退回"]


async def test_d_resolves_the_highlighted_complaint_and_r_no_longer_does(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, ACME)
        table = app.screen.query_one("#timeline")
        row = next(i for i, e in enumerate(app.screen.timeline)
                   if (e.get("record") or {}).get("kind") == "complaint")
        table.move_cursor(row=row)
        await pilot.pause()
        await pilot.press("r")  # the return picker, not the resolution
        await pilot.pause()
        assert type(app.screen).__name__ == "ReturnPicker"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert type(app.screen).__name__ == "ResolveComplaint"
        await pilot.press(*"Replaced the housing", "ctrl+s")
        await pilot.pause()
        complaint = next(f for f in store.feedback(ACME) if f.get("kind") == "complaint")
        assert (complaint["status"], complaint["resolution"]) == ("resolved",
                                                                  "Replaced the housing")
        assert _returns(store) == []


@pytest.mark.parametrize("lang, resolve, give_back", [("en", "Resolve", "Return"),
                                                      ("zh", "处理", "退回")])
async def test_the_palette_and_help_name_d_for_resolve_and_r_for_return(store, lang, resolve,
                                                                       give_back):
    from tui.commands import FieldRepCommands
    from ui.i18n import _

    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, ACME)
        titles = [hit.text or "" async for hit in FieldRepCommands(app.screen).discover()]
        entry = "{title}  [{keys}]"
        assert _(entry, title=resolve, keys="d") in titles
        assert _(entry, title=give_back, keys="r") in titles
        assert _(entry, title=resolve, keys="r") not in titles
        await pilot.press("question_mark")
        await pilot.pause()
        keys = {(keys, description) for _group, rows in app.screen.groups
                for keys, description, *_rest in rows}
        assert {("d", resolve), ("r", give_back)} <= keys
