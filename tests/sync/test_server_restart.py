"""A server killed in the middle of a large push or of a bootstrap, and restarted on the same
database and port, loses nothing: the sync completes and every visit is stored exactly once."""

from __future__ import annotations

import random
import threading
import time

import pytest

from tests.sync._harness import (
    Laptop,
    Org,
    assert_converged,
    assert_exactly_once,
    engine_for,
    log_visits,
    sync_until_settled,
)

CUSTOMERS = 3000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(300),
    pytest.mark.org(reps=["Pusher", "Newcomer"], customers=CUSTOMERS),
]


def _sync_in_background(engine, store, results: list) -> threading.Thread:
    def run():
        try:
            results.append(sync_until_settled(engine, store, attempts=400, pause=0.05))
        except BaseException as error:
            results.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _kill_and_restart_when(org: Org, condition, delay: float) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "the sync never started"
        time.sleep(0.005)
    time.sleep(delay)
    org.server.kill()
    time.sleep(0.3)  # the client meets a dead port for a moment
    org.server.restart()


def test_server_killed_during_a_large_push_and_restarted_on_the_same_port_stores_each_visit_once(
    org, tmp_path
):
    rng = random.Random(11)
    laptop = Laptop(tmp_path / "pusher", org.reps["Pusher"], org.url).login()
    port = org.server.port
    with laptop.open() as store:
        engine = engine_for(store)
        sync_until_settled(engine, store)
        written = log_visits(store, 800, "push")
        last_mid = max(m["mid"] for m in store.outbox())
        total = store.pending_count()

        results: list = []
        thread = _sync_in_background(engine, store, results)
        # kill once a few batches are in: the server dies between or inside batches
        _kill_and_restart_when(
            org, lambda: store.pending_count() < total - 150, rng.uniform(0, 0.2)
        )
        assert org.server.port == port
        thread.join(timeout=240)
        assert not thread.is_alive(), "the sync never finished after the restart"
        assert not isinstance(results[0], BaseException), results[0]

        assert store.pending_count() == 0
        assert_exactly_once(org.export("visits"), written)
        assert org.last_mid(laptop.rep.token, store.session["device_id"]) == last_mid
        sync_until_settled(engine, store)
        assert_converged(store, org, laptop.rep.token, who="the pusher")


def test_server_killed_during_a_bootstrap_and_restarted_lets_the_bootstrap_finish(org, tmp_path):
    laptop = Laptop(tmp_path / "newcomer", org.reps["Newcomer"], org.url).login()
    with laptop.open() as store:
        engine = engine_for(store)
        results: list = []
        thread = _sync_in_background(engine, store, results)
        _kill_and_restart_when(org, lambda: store.customer_count() > 0, 0.05)
        thread.join(timeout=240)
        assert not thread.is_alive(), "the bootstrap never finished after the restart"
        assert not isinstance(results[0], BaseException), results[0]
        assert store.customer_count() == CUSTOMERS
        assert_converged(store, org, laptop.rep.token, who="the newcomer")
