"""The complaints board (``7``) as a manager uses it: the team's open complaints oldest first with
the SLA, the late ones marked; ``a`` gives one to a rep (a picker, queued as ``feedback.assign``),
``r`` responds, ``d`` resolves, ``A`` shows the resolved too, ``enter`` opens the customer; in
Chinese; and a rep who presses ``7`` is told why nothing opens. Snapshots in both languages.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import ACME, FROZEN_NOW, MANAGER, Posted, make_app
from ui.i18n import set_language

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")


@pytest.fixture
def boss(store):
    """The fixed data set on the laptop of Zhao Min, the East team's manager."""
    store.save_session("http://127.0.0.1:9", MANAGER, "device-0009", "test-token")
    return store


def _cells(app, row: int = 0) -> list[str]:
    from ui.widgets.list_table import ListTable

    table = app.screen.query_one(ListTable)
    return [str(c) for c in table.get_row_at(row)]


def _ops(store, kind: str) -> list[dict]:
    return [op for op in store.outbox() if op["kind"] == kind]


async def test_a_rep_is_told_the_board_is_a_managers(store):
    posted = Posted()
    app = make_app(store)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await pilot.press("7")
        await pilot.pause()
        assert type(app.screen).__name__ == "QueueScreen"
        assert any("Only a manager or an admin has this screen" in t for t in posted.toasts)


async def test_the_board_lists_the_teams_open_complaints_with_the_late_ones_marked(boss):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "ComplaintsBoard"
        summary = str(screen.query_one("#complaints-summary").render())
        assert summary == "1 open complaint · 1 past its SLA · oldest first"
        cells = _cells(app)
        assert cells[0] == "high" and cells[1] == "5 d 0 h" and cells[4] == "resolution late"
        assert cells[5] == "Acme Robotics" and cells[6] == "Wang Fang" and cells[7] == ""
        assert cells[8].startswith("Second robot")
        from ui.widgets.list_table import ListTable

        first = screen.query_one(ListTable).get_row_at(0)[0]
        assert "red" in str(first.style), "a complaint past its SLA is marked"


async def test_assign_respond_and_resolve_go_to_the_outbox(boss):
    posted = Posted()
    app = make_app(boss)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await pilot.press("7")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        picker = app.screen
        assert type(picker).__name__ == "ChoicePicker"
        labels = [str(picker.query_one("#pick-list").get_option_at_index(i).prompt)
                  for i in range(2)]
        assert labels == ["1  Li Wei", "2  Wang Fang"], "the team's reps, not the manager"
        await pilot.press("1")
        await pilot.pause()
        [op] = _ops(boss, "feedback.assign")
        assert (op["record_id"], op["fields"]) == ("fb-0001", {"assignee_id": "rep-0002"})
        assert _cells(app)[7] == "Li Wei"
        assert any("goes to Li Wei" in t for t in posted.toasts)

        await pilot.press("r")
        await pilot.pause()
        assert type(app.screen).__name__ == "RespondComplaint"
        await pilot.press("enter")  # empty: refused where it was typed, nothing queued
        await pilot.pause()
        assert type(app.screen).__name__ == "RespondComplaint"
        await pilot.press(*"Called the buyer", "enter")
        await pilot.pause()
        [update] = _ops(boss, "feedback.update")
        assert update["fields"]["response"]["text"] == "Called the buyer"
        assert _cells(app)[4] == "resolution late"

        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"New housing fitted", "ctrl+s")
        await pilot.pause()
        assert _ops(boss, "feedback.update")[-1]["fields"] == {
            "status": "resolved", "resolution": "New housing fitted"}
        summary = str(app.screen.query_one("#complaints-summary").render())
        assert summary == "No open complaints in the team"
        await pilot.press("A")
        await pilot.pause()
        cells = _cells(app)
        assert cells[5] == "Acme Robotics"
        await pilot.press("a")  # a resolved one is given to nobody: dimmed, with why
        await pilot.pause()
        assert type(app.screen).__name__ == "ComplaintsBoard"
        assert any("This complaint is resolved" in t for t in posted.toasts)


async def test_enter_opens_the_customer(boss):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen"
        assert app.screen.customer_id == ACME


async def test_the_board_in_chinese(boss):
    app = make_app(boss, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        await pilot.pause()
        summary = str(app.screen.query_one("#complaints-summary").render())
        assert summary == "1 条未结投诉 · 1 条已超时效 · 最早的在前"
        cells = _cells(app)
        assert cells[0] == "高" and cells[4] == "解决超时"


@pytest.mark.parametrize("lang", ("en", "zh"))
def test_complaints_board_snapshot(snap_compare, boss, lang):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("7")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_app(boss, lang=lang), terminal_size=SIZE, run_before=run_before)


async def test_a_complaint_past_its_sla_is_on_the_managers_queue(boss):
    """Wang Fang's complaint of Acme is past its resolution SLA: Zhao Min's queue shows it
    (marked late, with the owner), the rep's own queue shows it as their open complaint."""
    entries = [e for e in boss.queue(FROZEN_NOW) if e["reason_code"] == "complaint_late"]
    assert [(e["customer_id"], e["params"]["missed"], e["params"]["owner"]) for e in entries] == [
        (ACME, "resolve", "Wang Fang")]
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        summary = str(app.screen.query_one("#queue-summary").render())
        assert "1 complaint of the team past its SLA" in summary
        from ui.widgets.queue_list import QueueList

        rows = app.screen.query_one(QueueList)
        index = next(i for i, e in enumerate(app.screen.entries)
                     if e["reason_code"] == "complaint_late")
        rows.cursor = index
        await pilot.pause()
        detail = str(app.screen.query_one("#queue-detail").render())
        assert "not resolved within the SLA · Wang Fang · open 5 days" in detail
        await pilot.press("s")
        await pilot.pause()
        assert type(app.screen).__name__ == "QueueScreen", "not snoozed: chased on the board"
    app = make_app(boss, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        assert "团队有 1 条投诉已超时效" in str(app.screen.query_one("#queue-summary").render())


def test_a_rep_has_no_late_entries_of_the_team(store):
    assert not [e for e in store.queue(FROZEN_NOW) if e["reason_code"] == "complaint_late"]
