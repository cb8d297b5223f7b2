"""The Pool screen (``6``) as a manager uses it: every pool customer of the scope with why it is
there (returned by whom and why, reclaimed by the rules), its previous owner, when it is
claimable and the cool-off; ``/`` filters (pinyin, previous owner), ``f`` shows a kind;
``space`` chooses, ``a`` gives the chosen ones to a rep (a picker with each rep's load), ``A``
shares them out by a strategy with a preview first, and what the preview shows is exactly what
is queued; ``esc`` on the preview queues nothing. A rep who presses ``6`` is told why nothing
opens. In Chinese, and snapshots in both languages.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import (
    CUSTOMER_IDS,
    MANAGER,
    ME,
    OTHER_REP,
    POOL,
    Posted,
    _records,
    make_app,
)
from ui.i18n import set_language

SIZE = (120, 40)
RECLAIMED = CUSTOMER_IDS[6]  # 无锡小天鹅电器: reclaimed, claimable only from tomorrow
BOSTON = CUSTOMER_IDS[22]  # Charles River Foods: a pool customer only Wang Fang's covers


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")


def _event(eid: str, customer_id: str, name: str, kind: str, reason: str, params: dict,
           frm: dict) -> dict:
    record = {"id": eid, "customer_id": customer_id, "customer_name": name, "n": 2,
              "kind": kind, "at": "2026-11-20T03:00:00+00:00",
              "actor_id": frm["id"] if kind == "return" else "server",
              "actor_name": frm["name"] if kind == "return" else None,
              "from_rep_id": frm["id"], "from_rep_name": frm["name"], "to_rep_id": None,
              "to_rep_name": None, "reason": reason, "params": params, "version": 1}
    return {"entity": "ownership", "id": eid, "op": "upsert", "reason": None, "record": record}


def _page() -> list[dict]:
    """The fixed data set, with a returned and a reclaimed pool customer and their history."""
    changes = _records()
    for change in changes:
        record = change["record"]
        if change["entity"] != "customer":
            continue
        if record["id"] == POOL:
            record.update(previous_owner_id=OTHER_REP["id"],
                          cooloff_until="2026-12-04T02:00:00+00:00", pool_reason="return")
        if record["id"] == RECLAIMED:
            record.update(previous_owner_id=ME["id"], claimable_at="2026-11-24T02:00:00+00:00",
                          cooloff_until="2026-12-07T02:00:00+00:00")
    changes.append(_event("own-p1", POOL, "宁波港集团", "return", "history.returned",
                          {"who": OTHER_REP["name"], "reason": "not_interested"}, OTHER_REP))
    changes.append(_event("own-p2", RECLAIMED, "无锡小天鹅电器", "reclaim",
                          "history.reclaimed.no_visit_days",
                          {"who": ME["name"], "days": 30, "last": "2026-10-20"}, ME))
    return changes


@pytest.fixture
def boss(store):
    """Zhao Min's laptop (the East team's manager) with the pool's history."""
    store.save_session("http://127.0.0.1:9", MANAGER, "device-0009", "test-token")
    store.apply_bootstrap_page(_page(), None, "cursor-2", True)
    return store


def _texts(app) -> list[str]:
    from ui.widgets.pool_list import PoolList

    pool = app.screen.query_one(PoolList)
    return [pool.row_text(i, 200)[0] for i in range(pool.row_count)]


def _summary(app) -> str:
    return str(app.screen.query_one("#pool-summary").render())


def _assigns(store) -> list[tuple[str, str, str | None]]:
    return [(op["record_id"], op["fields"]["rep_id"], op["fields"].get("strategy"))
            for op in store.outbox() if op["kind"] == "customer.assign"]


async def _open_pool(app, pilot) -> None:
    await pilot.press("6")
    await pilot.pause()
    assert type(app.screen).__name__ == "PoolScreen"


async def test_a_rep_is_told_the_pool_screen_is_a_managers(store):
    posted = Posted()
    app = make_app(store)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await pilot.press("6")
        await pilot.pause()
        assert type(app.screen).__name__ == "QueueScreen"
        assert any("Only a manager or an admin has this screen" in t for t in posted.toasts)
        tabs = [label.id for label in app.screen.query(".tab") if label.display]
        assert "tab-pool" not in tabs, "a rep's status bar has no manager's tabs"


async def test_every_pool_customer_with_why_it_is_there(boss):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await _open_pool(app, pilot)
        assert _summary(app) == "11 pool customers in your scope · 10 claimable now"
        rows = {line.split()[1]: line for line in _texts(app)}
        returned = rows["宁波港集团"]
        assert "Li Wei" in returned and "Li Wei returned it to the pool: not interested" in returned
        assert "12-04 10:00" in returned, "the cool-off in the policy's zone"
        reclaimed = rows["无锡小天鹅电器"]
        assert "11-24 10:00" in reclaimed, "claimable only after the claim delay"
        assert "had not visited it for 30 days" in reclaimed and "Wang Fang" in reclaimed
        assert " now " in rows["常州天合光能"]
        tabs = [label.id for label in app.screen.query(".tab") if label.display]
        assert tabs[-3:] == ["tab-team", "tab-pool", "tab-complaints"]


async def test_filter_by_pinyin_and_previous_owner_and_show_a_kind(boss):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await _open_pool(app, pilot)
        await pilot.press("slash", *"nbg")
        await pilot.pause()
        assert [t.split()[1] for t in _texts(app)] == ["宁波港集团"]
        await pilot.press("escape")
        await pilot.press(*"li wei")
        await pilot.pause()
        assert [t.split()[1] for t in _texts(app)] == ["宁波港集团"], "by the previous owner"
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert len(_texts(app)) == 11
        shown = []
        for _ in range(4):
            await pilot.press("f")
            await pilot.pause()
            shown.append(len(_texts(app)))
        assert shown == [10, 1, 1, 1], "claimable now, not yet, returned, reclaimed"
        assert "无锡小天鹅电器" in _texts(app)[0]


async def test_choose_two_and_give_them_to_a_rep(boss):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await _open_pool(app, pilot)
        await pilot.press("space", "space")  # Charles River Foods, Lakeshore Logistics
        await pilot.pause()
        assert "2 chosen" in _summary(app)
        await pilot.press("a")
        await pilot.pause()
        picker = app.screen
        assert type(picker).__name__ == "ChoicePicker"
        assert [label for _id, label in picker.choices] == [
            "Li Wei · holds 3 of 200", "Wang Fang · holds 26 of 200"]
        assert picker.title_text == "Who gets the 2 chosen customers?"
        await pilot.press("2")
        await pilot.pause()
        assert _assigns(boss) == [(BOSTON, ME["id"], None), (CUSTOMER_IDS[24], ME["id"], None)]
        texts = _texts(app)
        assert texts[0].startswith("⧗") and "→ Wang Fang, waiting to sync" in texts[0]
        assert "2 assignments waiting to sync" in _summary(app)
        await pilot.press("g", "space")  # a row waiting to sync is not chosen again
        await pilot.pause()
        assert "chosen" not in _summary(app)


async def test_a_refused_assignment_says_why_and_queues_nothing(boss):
    posted = Posted()
    app = make_app(boss)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _open_pool(app, pilot)
        await pilot.press("a", "1")  # Charles River Foods (Boston) to Li Wei (East only)
        await pilot.pause()
        assert _assigns(boss) == []
        assert any("Li Wei" in t and "Charles River Foods" in t for t in posted.toasts), (
            posted.toasts)


@pytest.mark.parametrize("strategy_key, strategy", [("1", "round-robin"), ("2", "region")])
async def test_the_preview_is_what_is_queued(boss, strategy_key, strategy):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await _open_pool(app, pilot)
        await pilot.press("A")
        await pilot.pause()
        assert app.screen.title_text == "Share 11 pool customers out: how?"
        await pilot.press(strategy_key)
        await pilot.pause()
        preview = app.screen
        assert type(preview).__name__ == "AssignPreview"
        plan = preview.plan
        assert plan["strategy"] == strategy
        assert len(plan["moves"]) + len(plan["stay"]) == 11
        us = {c for c in (BOSTON, CUSTOMER_IDS[24])}
        for move in plan["moves"]:
            if move["customer_id"] in us:
                assert move["to_rep_id"] == ME["id"], "only Wang Fang's territory covers it"
        load = {row["rep_id"]: row for row in plan["load"]}
        assert sum(r["after"] - r["before"] for r in load.values()) == len(plan["moves"])
        from ui.widgets.list_table import ListTable

        moves = preview.query_one("#preview-moves", ListTable)
        assert moves.row_count == 11
        await pilot.press("y")
        await pilot.pause()
        assert type(app.screen).__name__ == "PoolScreen"
        assert _assigns(boss) == [(m["customer_id"], m["to_rep_id"], strategy)
                                  for m in plan["moves"]]


async def test_esc_on_the_preview_queues_nothing(boss):
    app = make_app(boss)
    async with app.run_test(size=SIZE) as pilot:
        await _open_pool(app, pilot)
        await pilot.press("space", "A", "1")
        await pilot.pause()
        assert len(app.screen.plan["moves"]) == 1, "only the one chosen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "PoolScreen"
        assert _assigns(boss) == []
        assert "1 chosen" in _summary(app), "the choice is kept"


async def test_the_pool_screen_in_chinese(boss):
    app = make_app(boss, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await _open_pool(app, pilot)
        assert _summary(app) == "你的范围内有 11 个公海客户 · 10 个现在可领取"
        rows = {line.split()[1]: line for line in _texts(app)}
        assert "现在" in rows["常州天合光能"]
        assert "退回公海" in rows["宁波港集团"], rows["宁波港集团"]


@pytest.mark.parametrize("lang", ("en", "zh"))
def test_pool_screen_snapshot(snap_compare, boss, lang):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("6")
        await pilot.pause()
        await pilot.press("space", "space")
        await pilot.pause()

    assert snap_compare(make_app(boss, lang=lang), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("lang", ("en", "zh"))
def test_assign_preview_snapshot(snap_compare, boss, lang):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("6")
        await pilot.pause()
        await pilot.press("A", "2")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_app(boss, lang=lang), terminal_size=SIZE, run_before=run_before)
