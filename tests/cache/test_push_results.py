"""Push answers are taken only for the operation they answer, and refusals keep their code."""

from __future__ import annotations

from tests.cache.conftest import ACME, POOL


def test_an_answer_with_another_op_id_for_a_pending_mid_is_never_taken(store):
    visit = store.log_visit(ACME, outcome="typed after a restore")
    (op,) = store.outbox()
    stored_elsewhere = {"op_id": "someone-elses-op", "mid": op["mid"], "status": "applied",
                        "entity": "visit", "record_id": "another-visit", "version": 1,
                        "record": {"id": "another-visit", "customer_id": ACME, "outcome": "old"}}
    store.apply_push_results([stored_elsewhere])
    assert store.pending_count() == 1, "the visit was dropped for another op's answer"
    assert [v["id"] for v in store.visits()] == [visit["id"]]
    assert store.visits()[0]["synced"] is False


def test_a_rejection_keeps_the_servers_code_and_params_beside_the_reason(store):
    store.claim(POOL)
    (op,) = store.outbox()
    store.apply_push_results([{
        "op_id": op["op_id"], "mid": op["mid"], "status": "rejected", "entity": "customer",
        "record_id": POOL, "reason": "owned by Li Wei, protected until 2026-12-09",
        "code": "claim.owned_by_until", "params": {"who": "Li Wei", "until": "2026-12-09"},
    }])
    (rejection,) = store.rejections()
    assert rejection["reason"] == "owned by Li Wei, protected until 2026-12-09"
    assert rejection["code"] == "claim.owned_by_until"
    assert rejection["params"] == {"who": "Li Wei", "until": "2026-12-09"}


def test_a_rejection_from_an_old_server_keeps_its_reason_alone(store):
    store.claim(POOL)
    (op,) = store.outbox()
    store.apply_push_results([{"op_id": op["op_id"], "mid": op["mid"], "status": "rejected",
                               "entity": "customer", "record_id": POOL, "reason": "no"}])
    (rejection,) = store.rejections()
    assert rejection["reason"] == "no"
    assert rejection.get("code") is None and rejection.get("params") in (None, {})
