"""The ownership history in the laptop's cache (kept in the archive, through restarts, a fresh
copy and tombstones; an older archive without it opens) and the rep's return to the pool (checked
by the server's rule, queued once, answered like a claim)."""

from __future__ import annotations

import json

import orjson
import pytest

from cache import NotFound, Store, ValidationFailed
from cache.locations import ARCHIVE
from tests.cache.conftest import ME, OTHER, POOL, SINOPEC, THEIRS, base_changes, default_customers


def event(eid: str, cid: str, n: int, kind: str = "claim", **fields) -> dict:
    record = {"id": eid, "customer_id": cid, "customer_name": "中国石化上海分公司", "n": n,
              "kind": kind, "at": f"2026-12-0{n}T02:00:00+00:00", "actor_id": ME["id"],
              "actor_name": ME["name"], "from_rep_id": None, "to_rep_id": ME["id"],
              "to_rep_name": ME["name"], "reason": "history.claimed",
              "params": {"who": ME["name"], "until": "2026-12-20"}, "version": 1, **fields}
    return {"entity": "ownership", "id": eid, "op": "upsert", "record": record}


def test_pulled_events_are_kept_in_order_and_survive_a_restart(fieldrep_home, store):
    store.apply_pull_page([event("e2", SINOPEC, 2, kind="transfer"), event("e1", SINOPEC, 1)],
                          "cur-2")
    assert [e["id"] for e in store.ownership_history(SINOPEC)] == ["e1", "e2"]
    assert store.ownership_history(POOL) == []
    store.close()
    with Store.open(fieldrep_home) as again:
        assert [e["kind"] for e in again.ownership_history(SINOPEC)] == ["claim", "transfer"]
        assert again.pull_cursor == "cur-2"
    with Store.open(fieldrep_home, read_only=True) as reader:
        assert len(reader.ownership_history(SINOPEC)) == 2


def test_a_tombstone_takes_an_event_away_and_a_fresh_copy_replaces_them_all(store):
    store.apply_pull_page([event("e1", SINOPEC, 1), event("e2", SINOPEC, 2)], "cur-2")
    store.apply_pull_page([{"entity": "ownership", "id": "e1", "op": "delete"}], "cur-3")
    assert [e["id"] for e in store.ownership_history(SINOPEC)] == ["e2"]
    store.apply_bootstrap_page([*base_changes(default_customers()), event("e9", THEIRS, 1)],
                               None, "cur-9", True)
    assert store.ownership_history(SINOPEC) == []
    assert [e["id"] for e in store.ownership_history(THEIRS)] == ["e9"]


def test_a_customer_that_left_the_laptop_is_found_by_its_history(store):
    store.apply_pull_page([event("e1", "c-gone", 1, customer_name="远方客户")], "cur-2")
    assert store.ownership_customer("c-gone") == "c-gone"
    assert store.ownership_customer("远方客户") == "c-gone"
    assert store.ownership_customer("nobody") is None


def test_an_archive_of_an_older_build_opens_and_a_bad_event_is_set_aside(fieldrep_home, store):
    store.apply_pull_page([event("e1", SINOPEC, 1)], "cur-2")
    store.close()
    path = fieldrep_home / ARCHIVE
    archive = orjson.loads(path.read_bytes())
    del archive["ownership"]
    path.write_text(json.dumps(archive))
    with Store.open(fieldrep_home) as older:
        assert older.ownership_history(SINOPEC) == []
        assert not older.notices
    archive["ownership"] = {"e1": event("e1", SINOPEC, 1)["record"], "bad": [1, 2]}
    path.write_text(json.dumps(archive))
    with Store.open(fieldrep_home) as damaged:
        assert [e["id"] for e in damaged.ownership_history(SINOPEC)] == ["e1"]
        assert any("ownership event" in notice for notice in damaged.notices)


def test_a_return_is_queued_once_with_its_reason_and_marks_the_customer(store):
    returned = store.return_customer(SINOPEC, "duplicate")
    assert returned["return_pending"] is True and returned["owner_id"] == ME["id"]
    [op] = store.outbox()
    assert (op["kind"], op["record_id"], op["fields"]) == ("customer.return", SINOPEC,
                                                           {"reason": "duplicate"})
    with pytest.raises(ValidationFailed) as again:
        store.return_customer(SINOPEC, "duplicate")
    assert again.value.refusal.code == "return.pending"
    assert store.pending_count() == 1


@pytest.mark.parametrize(("cid", "reason", "code"), [
    (SINOPEC, "", "return.reason_required"),
    (SINOPEC, "bored", "return.unknown_reason"),
    (SINOPEC, "x" * 1000, "return.unknown_reason"),
    (THEIRS, "duplicate", "return.not_owner"),
    (POOL, "duplicate", "return.not_owner"),
])
def test_a_return_the_server_would_refuse_is_refused_now_and_queues_nothing(store, cid, reason,
                                                                           code):
    with pytest.raises(ValidationFailed) as refused:
        store.return_customer(cid, reason)
    assert refused.value.refusal.code == code
    assert len(str(refused.value)) < 300
    assert store.outbox() == []


def test_the_policys_reasons_are_the_choices(store):
    assert store.return_reasons() == ["not_interested", "duplicate", "out_of_territory",
                                      "closed_business", "other"]
    with pytest.raises(NotFound):
        store.return_customer("c-unknown", "other")


def test_the_servers_answer_settles_a_return_like_a_claim(store):
    store.return_customer(SINOPEC, "other")
    [op] = store.outbox()
    pooled = {**store.customer(SINOPEC), "owner_id": None, "owner_name": None,
              "previous_owner_id": ME["id"], "version": 2}
    pooled.pop("return_pending")
    store.apply_push_results([{"op_id": op["op_id"], "mid": op["mid"], "status": "applied",
                               "entity": "customer", "record_id": SINOPEC, "version": 2,
                               "record": pooled}])
    after = store.customer(SINOPEC)
    assert after["owner_id"] is None and not after.get("return_pending")
    # the pull that follows brings her own return: it is not news of the pool to her
    store.apply_pull_page([
        event("e1", SINOPEC, 1, kind="return", from_rep_id=ME["id"], to_rep_id=None,
              reason="history.returned", params={"who": ME["name"], "reason": "other"}),
        {"entity": "customer", "id": SINOPEC, "op": "upsert", "record": pooled}], "cur-2")
    assert store.pool_returns() == [] and store.take_pool_news() == []


def test_a_refused_return_is_kept_with_its_code(store):
    store.return_customer(SINOPEC, "other")
    [op] = store.outbox()
    store.apply_push_results([{"op_id": op["op_id"], "mid": op["mid"], "status": "rejected",
                               "entity": "customer", "record_id": SINOPEC,
                               "reason": "中国石化上海分公司 is not yours to return",
                               "code": "return.not_owner",
                               "params": {"name": "中国石化上海分公司"}}])
    [rejection] = store.rejections()
    assert rejection["code"] == "return.not_owner" and rejection["kind"] == "customer.return"
    assert not store.customer(SINOPEC).get("return_pending")
    assert OTHER["id"] not in str(rejection)
