"""``t`` on a customer (issue 10): a manager gives the customer to another rep of the team from a
picker (the owner marked ✓), queued as ``customer.transfer``; picking the owner is refused in
words where it was pressed; a rep sees ``t`` dimmed with the reason and nothing is queued; in
Chinese the picker and the toast are Chinese.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import MANAGER, SINOPEC, Posted, make_app
from ui.i18n import set_language

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")


def _moves(store) -> list[dict]:
    return [op for op in store.outbox() if op["kind"] == "customer.transfer"]


async def _customer(app, pilot, customer_id: str) -> None:
    from screens.customer import CustomerScreen

    await pilot.pause()
    app.push_screen(CustomerScreen(customer_id))
    await pilot.pause()
    await pilot.pause()


def _labels(picker) -> list[str]:
    options = picker.query_one("#pick-list")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


@pytest.mark.parametrize(("lang", "toast"), [("en", "goes to Li Wei"), ("zh", "转给 Li Wei")])
async def test_a_manager_gives_a_customer_to_another_rep_of_the_team(store, lang, toast):
    store.save_session("http://127.0.0.1:9", MANAGER, "device-0009", "test-token")
    posted = Posted()
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _customer(app, pilot, SINOPEC)
        await pilot.press("t")
        await pilot.pause()
        picker = app.screen
        assert type(picker).__name__ == "ChoicePicker"
        labels = _labels(picker)
        assert any("Wang Fang" in label and "✓" in label for label in labels), labels
        assert not any("Zhao Min" in label for label in labels)  # the manager is not a rep
        li = next(i for i, label in enumerate(labels) if "Li Wei" in label)
        await pilot.press(str(li + 1))
        await pilot.pause()
        await pilot.pause()
        [move] = _moves(store)
        assert move["record_id"] == SINOPEC and move["fields"]["to_rep_id"] == "rep-0002"
        assert any(toast in t for t in posted.toasts), posted.toasts
        assert type(app.screen).__name__ == "CustomerScreen"
        await pilot.press("t")  # a move is waiting: said, not queued twice
        await pilot.pause()
        await pilot.pause()
        if type(app.screen).__name__ == "ChoicePicker":
            await pilot.press("1")
            await pilot.pause()
        assert len(_moves(store)) == 1


async def test_picking_the_owner_is_refused_in_words(store):
    store.save_session("http://127.0.0.1:9", MANAGER, "device-0009", "test-token")
    posted = Posted()
    app = make_app(store)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _customer(app, pilot, SINOPEC)
        await pilot.press("t")
        await pilot.pause()
        labels = _labels(app.screen)
        owner = next(i for i, label in enumerate(labels) if "✓" in label)
        await pilot.press(str(owner + 1))
        await pilot.pause()
        await pilot.pause()
        assert _moves(store) == []
        assert any("already Wang Fang's" in t for t in posted.toasts), posted.toasts


async def test_a_rep_sees_t_dimmed_with_the_reason(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _customer(app, pilot, SINOPEC)
        screen = app.screen
        assert screen.unavailable_reason("transfer") == (
            "Only a manager or an admin moves a customer to another rep")
        await pilot.press("t")
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen"
        assert _moves(store) == []
