"""The customer screen's ownership history (newest first, in the policy's zone, who and why,
en and zh, moved through with j/k) once a bootstrap page brings ownership events, and the days
of ownership left on the territory's rows (at 120 and 80 columns) and in the header alike."""

from __future__ import annotations

import re

import pytest

from sync.protocol import rules
from tests.tui.conftest import FROZEN_NOW, ME, OTHER_REP, SINOPEC, _records, make_app
from ui.widgets.customer_list import CustomerList


def _event(eid: str, n: int, kind: str, at: str, reason: str, params: dict, **fields) -> dict:
    record = {"id": eid, "customer_id": SINOPEC, "customer_name": "中国石化上海分公司", "n": n,
              "kind": kind, "at": at, "actor_id": ME["id"], "actor_name": ME["name"],
              "from_rep_id": None, "to_rep_id": ME["id"], "to_rep_name": ME["name"],
              "reason": reason, "params": params, "version": 1, **fields}
    return {"entity": "ownership", "id": eid, "op": "upsert", "reason": None, "record": record}


EVENTS = [
    _event("own-1", 1, "claim", "2026-10-01T01:30:00+00:00", "history.claimed",
           {"who": OTHER_REP["name"], "until": "2026-10-11"}, actor_id=OTHER_REP["id"],
           actor_name=OTHER_REP["name"], to_rep_id=OTHER_REP["id"],
           to_rep_name=OTHER_REP["name"]),
    _event("own-2", 2, "reclaim", "2026-10-12T16:05:00+00:00", "history.reclaimed.lapsed",
           {"who": OTHER_REP["name"], "last": "2026-10-02", "until": "2026-10-11"},
           actor_id="server", actor_name=None, to_rep_id=None, to_rep_name=None),
    _event("own-3", 3, "claim", "2026-11-03T02:00:00+00:00", "history.claimed",
           {"who": ME["name"], "until": "2026-12-05"}),
]


def _with_history(store) -> None:
    """A bootstrap page that carries the ownership events of SINOPEC."""
    store.apply_bootstrap_page([*_records(), *EVENTS], None, "cursor-2", True)


async def _open(app, pilot, customer_id: str) -> None:
    from screens.messages import OpenCustomer

    app.post_message(OpenCustomer(customer_id))
    await pilot.pause()
    await pilot.pause()
    assert type(app.screen).__name__ == "CustomerScreen"


def _rows(table) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.parametrize("lang, title, claimed, reclaimed, server, why", [
    ("en", "Ownership", "claimed", "reclaimed", "the server",
     "back to the pool: Li Wei last visited it on 2026-10-02"),
    ("zh", "归属记录", "认领", "收回", "服务器", "Li Wei"),
])
async def test_the_ownership_history_lists_the_events_newest_first(store, lang, title, claimed,
                                                                   reclaimed, server, why):
    _with_history(store)
    app = make_app(store, lang=lang)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot, SINOPEC)
        titles = [str(s.render()) for s in app.screen.query(".section-title")]
        assert title in titles
        rows = _rows(app.screen.query_one("#ownership"))
        # newest first, each time in Shanghai's zone (UTC+8): 16:05 UTC is the next day's 00:05
        assert [row[0] for row in rows] == ["2026-11-03 10:00", "2026-10-13 00:05",
                                            "2026-10-01 09:30"]
        assert [row[1] for row in rows] == [claimed, reclaimed, claimed]
        assert [row[2] for row in rows] == [ME["name"], server, OTHER_REP["name"]]
        assert why in rows[1][3]


async def test_j_k_move_in_the_ownership_history(store):
    _with_history(store)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot, SINOPEC)
        trail = app.screen.query_one("#ownership")
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is trail and trail.cursor_row == 0
        await pilot.press("j")
        await pilot.press("j")
        await pilot.pause()
        assert trail.cursor_row == 2
        # the highlighted event's reason in full under the table (its cell may be cut)
        assert "Li Wei claimed it from the pool; protected until 2026-10-11" in str(
            app.screen.query_one("#ownership-why").render())
        await pilot.press("k")
        await pilot.pause()
        assert trail.cursor_row == 1


@pytest.mark.parametrize("lang, empty", [
    ("en", "No ownership history on this laptop yet"), ("zh", "本机还没有归属记录")])
async def test_a_customer_without_history_says_it_comes_with_the_next_sync(store, lang, empty):
    app = make_app(store, lang=lang)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot, SINOPEC)
        [row] = _rows(app.screen.query_one("#ownership"))
        assert empty in row[3]


# ---------------------------------------------------------------------------- days left


def _drawn(customers: CustomerList) -> list[str]:
    return [customers.render_line(y).text for y in range(customers.size.height)]


@pytest.mark.parametrize("lang, header, mark", [("en", "Left", "{n}d"), ("zh", "剩余", "{n}天")])
@pytest.mark.parametrize("width", [120, 80])
async def test_every_owned_row_shows_its_days_of_ownership_left_as_the_header_counts(
        store, width, lang, header, mark):
    app = make_app(store, lang=lang)
    async with app.run_test(size=(width, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        customers = app.screen.query_one(CustomerList)
        lines = _drawn(customers)
        assert header in lines[0]
        shown = 0
        for cid, line in zip(customers.ids, lines[1:], strict=False):
            customer = store.customer(cid)
            if customer.get("owner_id"):
                left = rules.days_left(rules.as_datetime(customer["protected_until"]), FROZEN_NOW)
                assert f" {mark.format(n=left)} " in line, line
                shown += 1
            else:  # a pool customer has no days left
                assert not re.search(r" -?\d+(d|天) ", line), line
        assert shown >= 10
        # the customer screen's header says the same number of days
        sinopec = store.customer(SINOPEC)
        left = rules.days_left(rules.as_datetime(sinopec["protected_until"]), FROZEN_NOW)
        from screens.messages import OpenCustomer

        app.post_message(OpenCustomer(SINOPEC))
        await pilot.pause()
        await pilot.pause()
        said = str(app.screen.query_one("#customer-protection").render())
        assert str(left) in said
