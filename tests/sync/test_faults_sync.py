"""Thousands of offline operations from several laptops reach the server exactly once through a
network that drops, delays, duplicates and cuts answers after the server committed.

Three reps share a territory. Each writes 900 operations (visits, feedback, customer edits) in
rounds while offline, then syncs through the fault proxy until its outbox is empty; the three do
so at the same time, in threads. The link also goes down for a while in the middle. In the end
the server holds each visit once, each device's last sequence number is the last one it wrote,
and every laptop's cache equals the server's view of that rep's scope.
"""

from __future__ import annotations

import random
import threading
import time

import pytest

from tests.support.faultproxy import FaultPolicy, FaultProxy
from tests.sync._harness import (
    Laptop,
    assert_converged,
    assert_exactly_once,
    engine_for,
    sync_until_settled,
)

CLIENTS = 3
ROUNDS = 30
OPS_PER_ROUND = 30
CUSTOMERS = 60

FAULTS = {"pass": 4, "drop": 1, "delay": 1, "cut": 1.5, "duplicate": 1.5}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(420),
    pytest.mark.org(reps=[f"Rep {i}" for i in range(CLIENTS)], customers=CUSTOMERS),
]


def _write_round(store, rng: random.Random, who: int, round_no: int, customers, written, mine):
    """OPS_PER_ROUND offline operations; visits are tagged so a duplicate is visible by its notes."""
    for op in range(OPS_PER_ROUND):
        customer_id = rng.choice(customers)
        roll = rng.random()
        if roll < 0.8:
            tag = f"c{who}-r{round_no}-op{op}"
            visit = store.log_visit(
                customer_id, kind=rng.choice(["visit", "call", "email"]), outcome="met", notes=tag
            )
            written[visit["id"]] = tag
        elif roll < 0.9:
            store.add_feedback(
                customer_id, kind="satisfaction", text=f"fb c{who} r{round_no} {op}", score=4
            )
        else:
            # each rep edits only its own third of the customers: no conflicts, only versions
            target = rng.choice(mine)
            store.update_customer(target, {"address": f"{op} Road, edited by rep {who}"})


def test_thousands_of_operations_through_a_faulty_network_arrive_exactly_once(org, tmp_path):
    proxy = FaultProxy(org.server.port, FaultPolicy.passing())
    proxy.start()
    customers = sorted(org.customers)
    laptops = [  # logging in is a one-off step a rep retries by hand: on a quiet link
        Laptop(tmp_path / f"laptop{i}", org.reps[f"Rep {i}"], proxy.url).login()
        for i in range(CLIENTS)
    ]
    proxy.set_policy(FaultPolicy(FAULTS, seed=20261122, delay=(0.01, 0.3)))
    # the first sync (bootstrap) also goes through the faults
    stores = [laptop.open() for laptop in laptops]
    engines = [engine_for(store) for store in stores]
    written: list[dict[str, str]] = [{} for _ in range(CLIENTS)]
    last_mid = [0] * CLIENTS
    errors: list[BaseException] = []

    def client(i: int) -> None:
        try:
            rng = random.Random(1000 + i)
            store, engine = stores[i], engines[i]
            sync_until_settled(engine, store)
            mine = customers[i::CLIENTS]
            for round_no in range(ROUNDS):
                _write_round(store, rng, i, round_no, customers, written[i], mine)
                last_mid[i] = max([last_mid[i], *(m["mid"] for m in store.outbox())])
                sync_until_settled(engine, store)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    proxy.go_down()  # the link dies for a while in the middle of it all
    time.sleep(1.5)
    proxy.come_up()
    for thread in threads:
        thread.join(timeout=360)
    assert not errors, f"a client failed: {errors[0]!r}"
    assert not any(t.is_alive() for t in threads), "a client never settled"

    # the faults really happened, on the pushes themselves
    pushes = proxy.faults_on("/v1/sync/push")
    print(f"faults on pushes: {dict(pushes)}")
    assert pushes["cut"] >= 5 and pushes["duplicate"] >= 5 and pushes["drop"] >= 5, pushes

    # quiet network: everyone syncs twice more to pull the others' changes
    proxy.set_policy(FaultPolicy.passing())
    for _ in range(2):
        for engine, store in zip(engines, stores, strict=True):
            sync_until_settled(engine, store, attempts=5)

    visits = org.export("visits")
    for i in range(CLIENTS):
        assert len(written[i]) > 0.7 * ROUNDS * OPS_PER_ROUND * 0.8
        assert_exactly_once(visits, written[i])
        rep_visits = [v for v in visits if v["rep_id"] == stores[i].session["rep_id"]]
        assert len(rep_visits) == len(written[i]), "the server holds visits nobody wrote"
        device = stores[i].session["device_id"]
        assert org.last_mid(laptops[i].rep.token, device) == last_mid[i]
        assert stores[i].pending_count() == 0
        assert_converged(stores[i], org, laptops[i].rep.token, who=f"laptop {i}")
    for store in stores:
        store.close()
    proxy.stop()
