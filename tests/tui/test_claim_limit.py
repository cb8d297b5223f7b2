"""The claim limit counts what the owner group shows: a rep holding exactly ``max_held``
customers (one of them claimed today) is told they hold that many, not one more, and in the
UI's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.tui.conftest import ME, POOL, make_app

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    from ui.i18n import set_language

    set_language("en")


def _at_the_cap(store) -> int:
    """Set the policy's ``max_held`` to what the rep holds, one of them claimed today."""
    owned = [c for c in map(store.customer, store.all_customer_ids())
             if c and c.get("owner_id") == ME["id"]]
    policy = {**store.policy.model_dump(mode="json"), "max_held": len(owned),
              "daily_claim_cap": 50}
    today = {**owned[0], "claimed_at": datetime.now(UTC).isoformat()}
    today.pop("claim_pending", None)
    store.apply_pull_page([
        {"op": "upsert", "entity": "policy", "id": "policy", "record": policy},
        {"op": "upsert", "entity": "customer", "id": today["id"], "record": today},
    ], "cursor-2")
    return len(owned)


@pytest.mark.parametrize(("lang", "says"), [
    ("en", "you already hold {held} customers, the limit is {held}"),
    ("zh", "你已持有 {held} 个客户，上限是 {held} 个"),
])
async def test_c_at_the_held_limit_says_the_count_the_owner_group_shows(store, lang, says):
    from screens.messages import OpenCustomer
    from tests.tui.conftest import Posted

    held = _at_the_cap(store)
    assert dict(store.groups("owner")).get(ME["name"], held) == held
    posted = Posted()
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        app.post_message(OpenCustomer(POOL))
        await pilot.pause()
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert says.format(held=held) in posted.toasts
        assert [op for op in store.outbox() if op["kind"] == "customer.claim"] == []
