"""A customer the rep owned that a pull or a fresh copy brings back in the pool (the server
reclaimed it) is kept as news: a queue entry until dismissed or claimed, and told once."""

from __future__ import annotations

import pytest

from cache import NotFound, Store
from tests.cache.conftest import (
    ACME,
    ME,
    OTHER,
    POOL,
    SINOPEC,
    base_changes,
    default_customers,
    iso,
)


def reclaimed(store: Store, cid: str, *, cooloff: bool = True) -> dict:
    """``cid`` as the server's reclaim sends it: no owner, the previous one kept, a cool-off."""
    record = {k: v for k, v in store.customer(cid).items() if k not in ("synced",)}
    record.update(owner_id=None, owner_name=None, claimed_at=None, protected_until=None,
                  previous_owner_id=ME["id"], cooloff_until=iso(14) if cooloff else None,
                  version=record["version"] + 1)
    return {"entity": "customer", "id": cid, "op": "upsert", "record": record}


def test_a_pulled_reclaim_of_my_customers_is_kept_and_told_once(store):
    store.apply_pull_page([reclaimed(store, SINOPEC), reclaimed(store, ACME)], "cur-2")

    returns = store.pool_returns()
    assert [(r["customer_id"], r["name"], r["reason"]) for r in returns] == [
        (ACME, "Acme Robotics", "protection_lapsed"),
        (SINOPEC, "中国石化上海分公司", "protection_lapsed")]
    news = store.take_pool_news()
    assert sorted(n["name"] for n in news) == ["Acme Robotics", "中国石化上海分公司"]
    assert store.take_pool_news() == []  # told once
    entries = [e for e in store.queue() if e["reason_code"] == "pool_return"]
    assert sorted(e["customer_id"] for e in entries) == sorted([SINOPEC, ACME])
    assert all(e["key"].startswith(f"pool:{e['customer_id']}:") for e in entries)


def test_the_news_survives_a_restart_but_the_toast_is_not_repeated(fieldrep_home, store):
    store.apply_pull_page([reclaimed(store, SINOPEC)], "cur-2")
    store.close()
    again = Store.open(fieldrep_home)
    try:
        assert [r["customer_id"] for r in again.pool_returns()] == [SINOPEC]
        assert again.take_pool_news() == []
        assert any(e["reason_code"] == "pool_return" for e in again.queue())
    finally:
        again.close()


def test_dismissing_the_entry_forgets_it(store):
    store.apply_pull_page([reclaimed(store, SINOPEC)], "cur-2")
    store.dismiss_pool_return(SINOPEC)
    assert store.pool_returns() == []
    assert not any(e["reason_code"] == "pool_return" for e in store.queue())
    with pytest.raises(NotFound):
        store.dismiss_pool_return(SINOPEC)


def test_claiming_it_again_or_another_rep_taking_it_ends_the_entry(store):
    store.apply_pull_page([reclaimed(store, SINOPEC, cooloff=False), reclaimed(store, ACME)],
                          "cur-2")
    store.claim(SINOPEC)  # a pending claim hides the entry at once …
    assert [e["customer_id"] for e in store.queue() if e["reason_code"] == "pool_return"] == [
        ACME]
    taken = {**reclaimed(store, ACME)["record"], "owner_id": OTHER["id"],
             "owner_name": OTHER["name"], "protected_until": iso(10)}
    mine = {**reclaimed(store, SINOPEC)["record"], "owner_id": ME["id"],
            "owner_name": ME["name"], "protected_until": iso(10)}
    # … and an owner in the server's record (theirs or mine) ends it for good
    store.apply_pull_page([{"entity": "customer", "id": ACME, "op": "upsert", "record": taken},
                           {"entity": "customer", "id": SINOPEC, "op": "upsert",
                            "record": mine}], "cur-3")
    assert store.pool_returns() == []


def test_a_customer_someone_else_owned_or_a_pool_edit_is_no_news(store):
    other = {**store.customer("c-theirs"), "owner_id": None, "owner_name": None}
    other.pop("synced", None)
    pool = {**store.customer(POOL), "address": "新地址"}
    pool.pop("synced", None)
    store.apply_pull_page([{"entity": "customer", "id": "c-theirs", "op": "upsert",
                            "record": other},
                           {"entity": "customer", "id": POOL, "op": "upsert", "record": pool}],
                          "cur-2")
    assert store.pool_returns() == [] and store.take_pool_news() == []


def test_a_fresh_copy_that_finds_my_customer_in_the_pool_says_so(store):
    customers = default_customers()
    for record in customers:
        if record["id"] == SINOPEC:
            record.update(owner_id=None, owner_name=None, protected_until=None,
                          previous_owner_id=ME["id"], cooloff_until=iso(14))
    store.reset_sync_state()
    store.apply_bootstrap_page(base_changes(customers), None, "cur-9", True)
    assert [n["customer_id"] for n in store.take_pool_news()] == [SINOPEC]
    assert [r["customer_id"] for r in store.pool_returns()] == [SINOPEC]


def test_the_news_is_of_the_rep_it_happened_to_and_dated_by_the_server(store):
    news = reclaimed(store, SINOPEC)
    news["record"]["updated_at"] = "2026-11-02T08:00:00Z"  # the server's reclaim, not this sync
    store.apply_pull_page([news], "cur-2")
    (entry,) = [e for e in store.queue() if e["reason_code"] == "pool_return"]
    assert entry["key"].endswith(":2026-11-02")
    assert [n["customer_id"] for n in store.take_pool_news()] == [SINOPEC]
    # another rep signs in on this folder: the queue entry was never theirs
    store.save_session(store.session["server"], {**ME, "id": "rep-other", "name": "Other"},
                       store.device_id, "other-token")
    assert not [e for e in store.queue() if e["reason_code"] == "pool_return"]


def test_a_reclaim_claimed_again_later_in_the_same_sync_is_not_told(store):
    store.apply_pull_page([reclaimed(store, SINOPEC)], "cur-2")
    again = reclaimed(store, SINOPEC)
    again["record"].update(owner_id=OTHER["id"], owner_name=OTHER["name"], cooloff_until=None)
    store.apply_pull_page([again], "cur-3")
    assert store.take_pool_news() == []
