"""The territory: the fast customer list, live filter (pinyin too), sort, grouping, claim."""

from __future__ import annotations

from tests.tui.conftest import OTHERS, POOL, SINOPEC, Posted, make_app
from ui.widgets.customer_list import CustomerList

SIZE = (120, 40)


def _kinds(store) -> list[str]:
    return [op["kind"] for op in store.outbox()]


async def _territory(app, pilot) -> CustomerList:
    await pilot.press("2")
    await pilot.pause()
    return app.screen.query_one(CustomerList)


async def _highlight(pilot, customers: CustomerList, customer_id: str) -> None:
    customers.cursor = customers.ids.index(customer_id)
    await pilot.pause()


async def test_list_shows_every_customer_sorted_by_name(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        customers = await _territory(app, pilot)
        assert customers.ids == store.all_customer_ids(sort="name")
        assert customers.row_count == store.customer_count()


async def test_slash_focuses_the_filter_and_pinyin_initials_find_sinopec(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        customers = await _territory(app, pilot)
        await pilot.press("slash")
        assert app.focused.id == "filter"
        await pilot.press(*"zgsh")
        await pilot.pause()
        assert customers.ids[0] == SINOPEC
        assert customers.ids == [c["id"] for c in store.search("zgsh", limit=500)]


async def test_typing_a_substring_filters_live_and_enter_opens_the_first_match(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        customers = await _territory(app, pilot)
        await pilot.press("slash", *"acme")
        await pilot.pause()
        assert customers.ids and store.customer(customers.ids[0])["name"] == "Acme Robotics"
        first = customers.ids[0]
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen"
        assert app.screen.customer_id == first


async def test_down_moves_into_the_list_and_enter_opens_the_moved_to_match(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        customers = await _territory(app, pilot)
        await pilot.press("slash", *"shanghai")
        await pilot.pause()
        assert customers.row_count >= 2
        await pilot.press("down")
        assert app.focused is customers
        await pilot.press("j")
        second = customers.ids[1]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.customer_id == second


async def test_escape_in_the_filter_clears_it_and_shows_everyone_again(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        customers = await _territory(app, pilot)
        await pilot.press("slash", *"acme")
        await pilot.pause()
        assert customers.row_count < store.customer_count()
        await pilot.press("escape")
        await pilot.pause()
        assert customers.row_count == store.customer_count()
        await pilot.press("escape")
        assert app.focused is customers


async def test_letters_typed_in_the_filter_are_text_not_jump_keys(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _territory(app, pilot)
        await pilot.press("slash", *"Great 1")
        await pilot.pause()
        assert app.current_mode == "territory"
        assert app.screen.query_one("#filter").value == "Great 1"
        assert app.screen.grouping == "region"


async def test_o_cycles_the_sort_through_name_last_visit_next_due_tier(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        customers = await _territory(app, pilot)
        for sort in ("last_visit", "next_due", "tier", "name"):
            await pilot.press("o")
            await pilot.pause()
            assert app.screen.sort == sort
            assert customers.ids == store.all_customer_ids(sort=sort)


async def test_r_cycles_the_grouping_and_a_group_narrows_the_list(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        customers = await _territory(app, pilot)
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.grouping == "tier"
        tree = app.screen.query_one("#groups")
        labels = [str(node.label) for node in tree.root.children]
        assert any(label.startswith("A (") for label in labels)
        await pilot.press("t")
        assert app.focused is tree
        await pilot.press("down")
        await pilot.pause()
        group = tree.cursor_node.data
        assert group == ("tier", store.groups("tier")[0][0])
        assert sorted(customers.ids) == sorted(store.customers_in_group(*group))


async def test_owner_grouping_shows_the_pool(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _territory(app, pilot)
        while app.screen.grouping != "owner":
            await pilot.press("r")
        labels = [str(node.label) for node in app.screen.query_one("#groups").root.children]
        assert any(label.startswith("pool (") for label in labels)


async def test_region_groups_expand_into_cities(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _territory(app, pilot)
        tree = app.screen.query_one("#groups")
        jiangsu = next(n for n in tree.root.children if n.data == ("region", "江苏"))
        jiangsu.expand()
        await pilot.pause()
        cities = {child.data for child in jiangsu.children}
        assert ("city", "苏州") in cities and ("city", "南京") in cities


async def test_j_k_g_G_move_through_the_list(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        customers = await _territory(app, pilot)
        await pilot.press("j", "j")
        assert customers.cursor == 2
        await pilot.press("k")
        assert customers.cursor == 1
        await pilot.press("end")
        assert customers.cursor == customers.row_count - 1
        await pilot.press("g")
        assert customers.cursor == 0


async def test_c_claims_a_pool_customer_into_the_outbox(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        customers = await _territory(app, pilot)
        await _highlight(pilot, customers, POOL)
        await pilot.press("c")
        await pilot.pause()
        claims = [op for op in store.outbox() if op["kind"] == "customer.claim"]
        assert [op["record_id"] for op in claims] == [POOL]
        assert store.customer(POOL).get("claim_pending")


async def test_c_on_a_customer_protected_for_someone_else_shows_the_reason(store):
    app = make_app(store)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        customers = await _territory(app, pilot)
        await _highlight(pilot, customers, OTHERS)
        before = _kinds(store)
        await pilot.press("c")
        await pilot.pause()
        assert _kinds(store) == before
        assert any("Li Wei" in note for note in posted.toasts)


async def test_enter_in_the_list_opens_the_customer(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        customers = await _territory(app, pilot)
        await _highlight(pilot, customers, SINOPEC)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.customer_id == SINOPEC


async def test_customer_list_draws_only_visible_rows_of_fifty_thousand():
    """The line API: scrolling 50,000 rows looks up only what is on screen."""
    from textual.app import App

    looked_up: list[str] = []

    def lookup(cid: str) -> dict:
        looked_up.append(cid)
        return {"id": cid, "name": f"客户 {cid}", "owner_id": "r", "tier": "B"}

    class ListApp(App):
        def compose(self):
            yield CustomerList()

    ids = [f"c{i}" for i in range(50_000)]
    app = ListApp()
    async with app.run_test(size=(120, 40)) as pilot:
        customers = app.query_one(CustomerList)
        customers.set_rows(ids, lookup)
        customers.focus()
        await pilot.pause()
        await pilot.press("G")
        await pilot.pause()
        assert customers.cursor == 49_999
        assert customers.highlighted_id == "c49999"
        assert len(set(looked_up)) < 200
        assert customers.virtual_size.height == 50_001


async def test_a_claim_inside_a_group_keeps_the_group_and_the_cursor(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        customers = await _territory(app, pilot)
        tree = app.screen.query_one("#groups")
        zhejiang = next(n for n in tree.root.children if n.data == ("region", "浙江"))
        tree.move_cursor(zhejiang)
        await pilot.pause()
        assert POOL in customers.ids  # 宁波港集团 is in 浙江
        customers.focus()
        await _highlight(pilot, customers, POOL)
        await pilot.press("c")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.group == ("region", "浙江")
        assert sorted(customers.ids) == sorted(store.customers_in_group("region", "浙江"))
        assert customers.highlighted_id == POOL


def _add_traders(store, count: int) -> None:
    """``count`` more customers whose name holds "Trading": more than the list shows at once."""
    from tests.tui.conftest import _customer

    changes = []
    for index in range(count):
        record = _customer(22)  # a pool customer's shape
        record.update(id=f"cust-trade-{index:04d}", name=f"Harbour Trading {index:04d}",
                      search_keys=[])
        changes.append({"op": "upsert", "reason": None, "entity": "customer",
                        "id": record["id"], "record": record})
    store.apply_pull_page(changes, "cursor-traders")


async def _filter_info(app, pilot, text: str) -> str:
    from screens.territory import COUNT_AFTER_IDLE_S

    await pilot.press("slash", *text)
    await pilot.pause(COUNT_AFTER_IDLE_S + 0.3)
    return str(app.screen.query_one("#territory-info").render())


async def test_a_filter_with_more_matches_than_shown_says_the_true_count(store):
    _add_traders(store, 700)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        customers = await _territory(app, pilot)
        info = await _filter_info(app, pilot, "trading")
        assert "700 match “trading”; showing the first 500" in info, info
        assert customers.row_count == 500
        assert "500 customers" not in info


async def test_the_true_match_count_in_chinese(store):
    _add_traders(store, 1_200)
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await _territory(app, pilot)
        info = await _filter_info(app, pilot, "trading")
        assert "1,200 个匹配“trading”，显示前 500 个" in info, info


async def test_a_filter_within_the_cap_says_how_many_match(store):
    _add_traders(store, 12)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _territory(app, pilot)
        info = await _filter_info(app, pilot, "trading")
        assert info.startswith("12 customers · matching “trading”"), info
