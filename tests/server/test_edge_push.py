"""Push at the server's edge: a reused sequence number, small stored answers, trimmed results.

On SQLite and PostgreSQL (the ``world`` fixture runs on both).
"""

from __future__ import annotations

import uuid

import orjson
import sqlalchemy as sa

from server import db, schema
from sync.protocol.refusals import TEMPLATES
from tests.server._world import op, visit


def _visits(world) -> int:
    with db.reading(world.engine) as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.records).where(
            schema.records.c.entity == "visit")).scalar_one()


def _stored(world, device: str) -> dict[int, str]:
    with db.reading(world.engine) as conn:
        rows = conn.execute(sa.select(schema.results.c.mid, schema.results.c.result)
                            .where(schema.results.c.device_id == device)).all()
    return {row.mid: row.result for row in rows}


def test_a_reused_mid_with_another_op_id_is_a_coded_409_and_nothing_is_stored(world):
    w = world
    device = w.device(w.ana_token)
    first = [visit(1, w.ana_own["id"]), visit(2, w.ana_own["id"])]
    assert w.push(w.ana_token, device, first).status_code == 200
    # a laptop restored from a backup numbers its next visit 2 again, with a new op_id
    restored = w.push(w.ana_token, device, [visit(2, w.ana_own["id"], notes="after restore")])
    assert restored.status_code == 409, restored.text
    body = restored.json()
    assert set(body) == {"detail", "code", "params", "expected_mid"}
    assert body["code"] == "push.mid_reused" and body["code"] in TEMPLATES
    assert body["params"] == {"mid": 2} and body["expected_mid"] == 3
    assert body["detail"]
    assert _visits(w) == 2, "the restored laptop's visit was not silently dropped as applied"


def test_a_true_resend_gets_the_stored_answer(world):
    w = world
    device = w.device(w.ana_token)
    first = [visit(1, w.ana_own["id"]), visit(2, w.ana_own["id"])]
    answer = w.push(w.ana_token, device, first).json()
    again = w.push(w.ana_token, device, first)
    assert again.status_code == 200
    assert again.json() == answer
    assert _visits(w) == 2


def test_a_mid_below_the_high_water_mark_with_no_stored_answer_is_a_reused_mid(world):
    w = world
    device = w.device(w.ana_token)
    assert w.push(w.ana_token, device, [visit(1, w.ana_own["id"]),
                                        visit(2, w.ana_own["id"])]).status_code == 200
    assert w.push(w.ana_token, device, [visit(3, w.ana_own["id"])]).status_code == 200
    # the laptop moved on to mid 3, so the answers below it are gone; mid 1 again is a copy
    again = w.push(w.ana_token, device, [visit(1, w.ana_own["id"])])
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "push.mid_reused"
    assert again.json()["params"] == {"mid": 1} and again.json()["expected_mid"] == 4


def test_a_gap_is_a_coded_409(world):
    w = world
    device = w.device(w.ana_token)
    gap = w.push(w.ana_token, device, [visit(5, w.ana_own["id"])])
    assert gap.status_code == 409
    body = gap.json()
    assert body["code"] == "push.mid_gap"
    assert body["params"] == {"expected": 1, "mid": 5} and body["expected_mid"] == 1


def test_both_409s_are_documented_on_the_push_endpoint(world):
    schema = world.client.get("/openapi.json").json()
    described = schema["paths"]["/v1/sync/push"]["post"]["responses"]["409"]["description"]
    assert "push.mid_reused" in described and "push.mid_gap" in described


def test_results_below_the_acknowledged_mid_are_trimmed(world):
    w = world
    device = w.device(w.ana_token)
    w.push(w.ana_token, device, [visit(m, w.ana_own["id"]) for m in (1, 2, 3)])
    assert set(_stored(w, device)) == {1, 2, 3}
    w.push(w.ana_token, device, [visit(4, w.ana_own["id"])])
    assert set(_stored(w, device)) == {4}, "the laptop stored the answers below 4 before it sent 4"


def test_twenty_claims_on_a_bloated_customer_give_a_small_answer_and_small_rows(world):
    w = world
    bloated = w.customer("巨大客户", "Zhejiang",
                         product_lines=[f"line {i} " + "x" * 90 for i in range(2000)])
    size = len(orjson.dumps(bloated))
    assert size > 200_000
    device = w.device(w.ana_token)
    claims = [op(m, "customer.claim", bloated["id"]) for m in range(1, 21)]
    answer = w.push(w.ana_token, device, claims)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert len(results) == 20 and {r["status"] for r in results} == {"applied"}
    assert len(answer.content) < 2 * size, "the record travels once, not once per claim"
    assert results[-1]["record"]["owner_id"] == w.ana["id"], "the last answer carries it"
    rows = _stored(w, device)
    assert len(rows) == 20 and max(len(text) for text in rows.values()) < 1000
    # a resend of the whole batch is just as small, and still carries the record once
    again = w.push(w.ana_token, device, claims)
    assert again.status_code == 200 and len(again.content) < 2 * size
    assert again.json()["results"][-1]["record"]["id"] == bloated["id"]


def test_a_resend_carries_the_record_only_while_the_rep_may_see_it(world):
    w = world
    device = w.device(w.ana_token)
    claim = op(1, "customer.claim", w.pool_zj["id"])
    first = w.push(w.ana_token, device, [claim]).json()["results"][0]
    assert first["status"] == "applied" and first["record"]["owner_id"] == w.ana["id"]
    again = w.push(w.ana_token, device, [claim]).json()["results"][0]
    assert again["record"] == first["record"]
    moved = w.client.post(f"/v1/customers/{w.pool_zj['id']}/transfer",
                          headers=w.headers(w.root_token), json={"to_rep_id": w.bo["id"]})
    assert moved.status_code == 200, moved.text
    late = w.push(w.ana_token, device, [claim])
    assert late.status_code == 200
    result = late.json()["results"][0]
    assert result["status"] == "applied" and result["op_id"] == claim["op_id"]
    assert result["record"] is None, "the customer is Bo's now: its fields are not Ana's to read"


def test_a_stored_result_never_holds_the_record(world):
    w = world
    device = w.device(w.ana_token)
    vid = str(uuid.uuid4())
    w.push(w.ana_token, device, [{**visit(1, w.ana_own["id"], notes="secret notes"),
                                  "record_id": vid}])
    stored = orjson.loads(_stored(w, device)[1])
    assert "record" not in stored and "secret notes" not in orjson.dumps(stored).decode()
    assert stored["op_id"] and stored["status"] == "applied" and stored["record_id"] == vid
