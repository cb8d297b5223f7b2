"""The Chinese screen says everything in Chinese and reads as Chinese does (issue 16): the
palette's own entries, the organisation's names for its data values, 关闭 for dismiss, one
bracket width, groups by pinyin and tiers A, B, C."""

from __future__ import annotations

from textual.command import CommandInput, CommandList, CommandPalette
from textual.widgets import Tree

from tests.tui.conftest import ACME, make_app
from ui.widgets.key_footer import KeyFooter

SIZE = (120, 40)
LABELS = {"industry": {"Manufacturing": "制造业", "Healthcare": "医疗保健"},
          "product_line": {"Software": "软件"}}


def _with_labels(store) -> None:
    """The server's policy now names some values in Chinese (a pull carries it)."""
    policy = store.policy.model_dump(mode="json")
    store.apply_pull_page([{"entity": "policy", "id": "policy", "op": "upsert", "reason": None,
                            "record": {**policy, "value_labels": LABELS,
                                       "version": policy["version"] + 1}}], "cursor-2")


def _tree_labels(app) -> list[str]:
    tree = app.screen.query_one("#groups", Tree)
    return [str(node.label) for node in tree.root.children[1:]]  # after "all customers"


async def _territory_grouped_by(app, pilot, grouping: str) -> list[str]:
    await pilot.press("2")
    await pilot.pause()
    screen = app.screen
    while screen.grouping != grouping:
        screen.action_cycle_grouping()
        await pilot.pause()
    return _tree_labels(app)


async def test_the_palette_lists_textuals_own_commands_in_chinese(store):
    """Was: "Theme", "Keys", "Quit", "Screenshot" and "Search for commands…" in English."""
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        assert palette.query_one(CommandInput).placeholder == "搜索命令…"
        await pilot.press(*"截图")
        await pilot.pause(0.5)
        shown = [str(option.prompt) for option in palette.query_one(CommandList).options]
        assert any("截图" in text for text in shown), shown
        await pilot.press(*["backspace"] * 2)
        await pilot.pause(0.5)
        every = " ".join(str(o.prompt) for o in palette.query_one(CommandList).options)
        assert "主题" in every and "截图" in every
        for english in ("Theme", "Keys", "Quit", "Screenshot", "Maximize", "[j]"):
            assert english not in every, english
        assert "下移（j）" in every  # a key in the palette is bracketed full-width too


async def test_industries_and_product_lines_show_the_names_the_organisation_gives(store):
    _with_labels(store)
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        industries = await _territory_grouped_by(app, pilot, "industry")
        assert any(label.startswith("制造业（") for label in industries), industries
        assert not any(label.startswith("Manufacturing") for label in industries)
        assert any(label.startswith("Food（") for label in industries)  # no name given: as stored
        lines = await _territory_grouped_by(app, pilot, "product_line")
        assert any(label.startswith("软件（") for label in lines), lines
        from screens.messages import OpenCustomer

        app.post_message(OpenCustomer(ACME))
        await pilot.pause()
        await pilot.pause()
        facts = str(app.screen.query_one("#customer-facts").render())
        assert "制造业" in facts and "Manufacturing" not in facts


async def test_an_english_screen_keeps_the_stored_values(store):
    _with_labels(store)
    app = make_app(store, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        industries = await _territory_grouped_by(app, pilot, "industry")
        assert any(label.startswith("Manufacturing (") for label in industries), industries


async def test_dismiss_is_guanbi_as_on_the_sync_screen(store):
    """Was "x 撤销" (撤销 is undo, and a revoked token); the sync screen says x 关闭."""
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        keys = {key.key: key.description for key in app.screen.query_one(KeyFooter).query(
            "FooterKey")}
        assert keys["x"] == "关闭"
        await pilot.press("x")
        await pilot.pause()
        message = str(app.screen.query_one("#confirm-message").render())
        assert message.startswith("关闭") and "撤销" not in message


async def test_a_complaints_severity_is_bracketed_full_width_like_the_names(store):
    """Was "[高] Second robot…" beside names such as 苏州新锐涂料有限公司（苏州4号）."""
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        complaint = next(e for e in screen.entries if e.get("reason_code") == "complaint")
        assert screen.what(complaint).startswith("【高】Second robot")


async def test_groups_read_in_pinyin_order_and_tiers_a_b_c(store):
    """Was by count: 上海 (the most customers) first; C before A."""
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        regions = await _territory_grouped_by(app, pilot, "region")
        assert [label.split("（")[0] for label in regions] == ["IL", "江苏", "MA", "上海", "浙江"]
        tiers = await _territory_grouped_by(app, pilot, "tier")
        assert [label.split("（")[0] for label in tiers] == ["A", "B", "C"]
        stages = await _territory_grouped_by(app, pilot, "stage")
        assert [label.split("（")[0] for label in stages] == [
            "潜在", "新客户", "活跃", "有风险", "已流失"]
        owners = await _territory_grouped_by(app, pilot, "owner")
        assert owners[-1].startswith("公海")


async def test_a_province_opens_on_its_cities_in_pinyin_order(store):
    """Was by count: 杭州 (3) before 嘉兴, 金华, 宁波…"""
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await _territory_grouped_by(app, pilot, "region")
        tree = app.screen.query_one("#groups", Tree)
        zhejiang = next(n for n in tree.root.children if str(n.label).startswith("浙江"))
        zhejiang.expand()
        await pilot.pause()
        cities = [str(n.label).split("（")[0] for n in zhejiang.children]
        assert cities == ["杭州", "嘉兴", "金华", "宁波", "绍兴", "台州", "温州"]



async def test_a_palette_search_that_finds_nothing_says_so_in_chinese(store):
    """Was: Textual's own "No matches found" in English on the Chinese screen."""
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        palette = app.screen
        await pilot.press(*"qqqzzzxxx")
        await pilot.pause(1.2)  # Textual waits half a second before it says nothing matched
        shown = [str(option.prompt) for option in palette.query_one(CommandList).options]
        assert any("没有匹配的命令" in text for text in shown), shown
        assert not any("No matches" in text for text in shown), shown
