"""Refusals reach the rep in the UI's language: a server's rejection is rendered from its code and
parameters (the server's English only for a code this build does not know), and the laptop's
own refusals (claim pre-checks, a refused save) likewise."""

from __future__ import annotations

import pytest

from tests.tui.conftest import OTHERS, POOL, SINOPEC, make_app
from tests.tui.test_sync_screen import _sync_screen

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    from ui.i18n import set_language

    set_language("en")


def _reject_a_claim(store, code: str | None, params: dict, reason: str) -> None:
    store.claim(POOL)
    claim = next(op for op in store.outbox() if op["kind"] == "customer.claim")
    result = {"op_id": claim["op_id"], "mid": claim["mid"], "status": "rejected",
              "entity": "customer", "record_id": POOL, "reason": reason}
    if code is not None:
        result.update(code=code, params=params)
    store.apply_push_results([result])


def _rejection_row(screen) -> list[str]:
    return [str(cell) for cell in screen.query_one("#sync-rejections").get_row_at(0)]


async def test_a_chinese_sync_screen_shows_the_servers_refusal_in_chinese(store):
    _reject_a_claim(store, "claim.owned_by_until", {"who": "Li Wei", "until": "2026-12-03"},
                    "owned by Li Wei, protected until 2026-12-03")
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _sync_screen(app, pilot)
        what, customer, reason = _rejection_row(screen)
        assert reason == "归 Li Wei 所有，保护期至 2026-12-03"
        assert what == "认领" and customer.startswith("宁波港")


async def test_the_same_refusal_reads_as_the_english_template_in_english(store):
    _reject_a_claim(store, "claim.daily_cap", {"cap": 3}, "daily claim limit of 3 reached; "
                    "try again tomorrow")
    app = make_app(store, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _sync_screen(app, pilot)
        assert _rejection_row(screen)[2] == "daily claim limit of 3 reached; try again tomorrow"


async def test_a_code_newer_than_this_build_shows_the_servers_english(store):
    _reject_a_claim(store, "claim.from_a_newer_server", {"x": 1}, "the server's own words")
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _sync_screen(app, pilot)
        assert _rejection_row(screen)[2] == "the server's own words"


async def test_a_chinese_customer_screen_says_why_a_claim_is_refused_in_chinese(store):
    from screens.messages import OpenCustomer

    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(OpenCustomer(OTHERS))
        await pilot.pause()
        await pilot.pause()
        reason = app.screen.unavailable_reason("claim")
        owner = store.customer(OTHERS)
        until = owner["protected_until"][:10]
        assert reason == f"归 {owner['owner_name']} 所有，保护期至 {until}"


async def test_a_coded_refusal_of_a_save_is_shown_under_its_field_in_chinese(store):
    from cache import ValidationFailed
    from sync.protocol.refusals import Refusal

    def refuse(*_args, **_kwargs):
        raise ValidationFailed("outcome", "at most 200 characters",
                               Refusal("field.too_long", {"field": "outcome", "max": 200}))

    store.log_visit = refuse  # what the store's shared rule says of a too-long outcome
    app = make_app(store, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        from screens.visit_form import VisitForm

        app.push_screen(VisitForm(SINOPEC))
        await pilot.pause()
        await pilot.pause()
        app.screen.action_save()
        await pilot.pause()
        assert app.screen.errors().get("outcome") == "最多 200 个字符"

