"""The pool's claim delay and recycle news on the laptop (J, issue 10): a claim before the
server's ``claimable_at`` is refused while the rep types, with the server's code and the moment
in the policy's zone, and nothing is queued; once the moment has passed the claim is queued. A
customer the recycle conditions took back is news in the queue with its reason, in both
languages; the customer header and the dimmed ``c`` say when it is claimable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from cache import Store, ValidationFailed
from screens.customer_actions import claim_refusal_for
from screens.pool_news import pool_header
from sync.protocol import rules
from tests.cache.conftest import ME, POOL, SINOPEC, base_changes, default_customers, iso
from ui import i18n
from ui.queue_text import reason_text


@contextmanager
def _chinese() -> Iterator[None]:
    before = i18n.language()
    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language(before)


def _with(fieldrep_home, policy: dict, **pool) -> Store:
    customers = [dict(c, **pool) if c["id"] == POOL else c for c in default_customers()]
    changes = base_changes(customers)
    changes[0]["record"] = {**changes[0]["record"], **policy}
    store = Store.open(fieldrep_home)
    store.save_session("http://127.0.0.1:9", ME, "device-1", "secret-token")
    store.apply_bootstrap_page(changes, None, "cur-1", True)
    return store


def test_an_early_claim_is_refused_on_the_laptop_with_the_servers_code(fieldrep_home):
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    store = _with(fieldrep_home, {"pool_claim_delay_hours": 24, "timezone": "Asia/Shanghai"},
                  claimable_at=at.isoformat())
    try:
        journal = (fieldrep_home / "journal.json").read_bytes()
        with pytest.raises(ValidationFailed) as caught:
            store.claim(POOL)
        assert caught.value.code == "claim.not_yet_claimable"
        shanghai = (at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
        assert caught.value.params == {"name": "宁波港集团", "at": shanghai}
        assert (fieldrep_home / "journal.json").read_bytes() == journal, "nothing queued"
        assert store.outbox() == []
        customer = store.customer(POOL)
        now = datetime.now(UTC)
        assert pool_header(customer, ME["id"], now, store.policy) == (
            f"In the shared pool: claimable from {shanghai}")
        assert claim_refusal_for(store, customer, now) == (
            f"宁波港集团 has just gone back to the pool; it may be claimed from {shanghai}")
        with _chinese():
            assert claim_refusal_for(store, customer, now) == (
                f"宁波港集团 刚回到公海，{shanghai} 起才能认领")
            assert pool_header(customer, ME["id"], now, store.policy) == (
                f"在公海中：{shanghai} 起可认领")
    finally:
        store.close()


def test_once_the_moment_has_passed_the_claim_is_queued(fieldrep_home):
    store = _with(fieldrep_home, {"pool_claim_delay_hours": 24}, claimable_at=iso(-0.01))
    try:
        assert rules.claimable_refusal(store.customer(POOL), datetime.now(UTC),
                                       store.policy) is None
        claimed = store.claim(POOL)
        assert claimed["claim_pending"] is True
    finally:
        store.close()


@pytest.mark.parametrize(("code", "kind", "english", "chinese"), [
    ("history.reclaimed.no_visit_days", "no_visit", "went back to the pool (no visit in 7 days)",
     "已退回公海（7 天未拜访）"),
    ("history.reclaimed.no_deal_days", "no_deal", "went back to the pool (no deal in 7 days)",
     "已退回公海（7 天未成交）"),
])
def test_a_recycled_customer_is_news_with_its_reason(store, code, kind, english, chinese):
    record = {k: v for k, v in store.customer(SINOPEC).items() if k != "synced"}
    record.update(owner_id=None, owner_name=None, claimed_at=None, protected_until=None,
                  previous_owner_id=ME["id"], cooloff_until=iso(14), pool_reason=code,
                  version=record["version"] + 1)
    store.apply_pull_page([
        {"entity": "policy", "id": "policy", "op": "upsert",
         "record": {**store.policy.model_dump(mode="json"), f"recycle_{kind}_days": 7}},
        {"entity": "customer", "id": SINOPEC, "op": "upsert", "record": record}], "cur-2")
    [entry] = [e for e in store.queue() if e["reason_code"] == "pool_return"]
    assert entry["reason"] == english
    assert entry["params"] == {"lapsed": False, "recycled": kind, "days": 7}
    today = datetime.now(UTC).date()
    assert reason_text(entry, today) == english
    with _chinese():
        assert reason_text(entry, today) == chinese
