"""kill -9 of the client at random moments of push, pull and page apply loses nothing, doubles
nothing, and never leaves the pull cursor ahead of the data it stands for.

Each round the rep logs visits offline, another rep changes customers the rep can see (so there
is something to pull), and a client process — the real ``fieldrep sync`` or a small driver that
syncs in a loop — is killed with SIGKILL after a random delay. After every kill the store opens
cleanly, every visit logged is still there once, and every change the server made before the
stored cursor is in the cache. Some rounds forget the cursor first, so kills also land in the
middle of a bootstrap. In the end the client syncs to completion: the server holds every visit
exactly once and the cache equals the server's view.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time

import pytest

from tests.sync._harness import (
    PYTHON,
    ROOT,
    HarnessError,
    Laptop,
    Org,
    assert_converged,
    assert_exactly_once,
    engine_for,
    sync_until_settled,
)

CUSTOMERS = 3000
ROUNDS = 14
CALIBRATION_ROUNDS = 3

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(420),
    pytest.mark.org(reps=["Victim", "Writer"], customers=CUSTOMERS),
]


def _client_command(laptop: Laptop, round_no: int) -> list[str]:
    if round_no % 2:
        return [PYTHON, "-m", "tui.cli", "sync"]
    return [PYTHON, "-m", "tests.sync._harness", "sync", str(laptop.home), "--loops", "3"]


def _timed_full_run(laptop: Laptop, command: list[str]) -> float:
    started = time.monotonic()
    subprocess.run(command, env=laptop.env(), cwd=ROOT, capture_output=True, timeout=300)
    return time.monotonic() - started


def cursor_problems(store, org: Org, token: str) -> list[str]:
    """Changes the server made before the store's cursor that the cache lacks.

    Every customer whose server version differs from the cached one (or that the cache lacks)
    must have a change after the stored cursor; otherwise the cursor is ahead of the data.
    """
    state = store.bootstrap_state
    cursor = store.pull_cursor
    if cursor is None or (state and not state.get("done", True)):
        return []  # mid-bootstrap: resumption is checked by the final convergence
    # The server may still be applying the killed client's last push: read its view first and
    # the changes after the cursor second, so a change that commits meanwhile shows in both.
    server = org.scope(token).get("customer", {})
    changed_after: set[str] = set()
    with org.http(token) as client:
        next_cursor = cursor
        while True:
            response = client.get("/v1/sync/pull", params={"cursor": next_cursor, "limit": 1000})
            if response.status_code == 410:
                return []
            response.raise_for_status()
            page = response.json()
            changed_after.update(c["id"] for c in page["changes"] if c["entity"] == "customer")
            next_cursor = page["next_cursor"]
            if not page["has_more"]:
                break
    problems = []
    for customer_id, record in server.items():
        cached = store.customer(customer_id)
        if cached is not None and cached.get("version") == record.get("version"):
            continue
        if customer_id not in changed_after:
            have = None if cached is None else cached.get("version")
            problems.append(f"{customer_id}: cache v{have}, server v{record.get('version')}")
    return problems


def test_sigkill_at_random_points_of_sync_loses_nothing_and_keeps_the_cursor_behind_the_data(
    org, tmp_path
):
    rng = random.Random(4)
    victim = Laptop(tmp_path / "victim", org.reps["Victim"], org.url).login()
    writer = Laptop(tmp_path / "writer", org.reps["Writer"], org.url).login()
    writer_store = writer.open()
    writer_engine = engine_for(writer_store)
    sync_until_settled(writer_engine, writer_store)
    customers = sorted(org.customers)

    # how long an uninterrupted run takes, and its start-up part: kills land in between
    startup = _timed_full_run(victim, [PYTHON, "-c", "import cache, sync.engine, tui.cli"])
    full = {0: 0.0, 1: 0.0}
    written: dict[str, str] = {}
    killed = finished = 0
    last_mid = 0
    victim.cli("sync")  # the victim needs its territory to log visits to
    for round_no in range(ROUNDS):
        with victim.open() as store:
            if round_no in (0, 4, 9):
                store.reset_sync_state()  # the next run re-bootstraps: kill it in the middle
            for n in range(rng.randint(20, 180)):
                tag = f"victim-r{round_no}-{n}"
                visit = store.log_visit(rng.choice(customers), outcome="met", notes=tag)
                written[visit["id"]] = tag
            last_mid = max([last_mid, *(m["mid"] for m in store.outbox())])
        for n in range(rng.randint(10, 200)):
            writer_store.update_customer(
                rng.choice(customers), {"address": f"writer r{round_no} n{n}"}
            )
        sync_until_settled(writer_engine, writer_store)

        command = _client_command(victim, round_no)
        kind = round_no % 2
        if round_no < CALIBRATION_ROUNDS:  # 0: bootstrap, 1 and 2: incremental, not killed
            full[kind] = _timed_full_run(victim, command)
            continue
        process = subprocess.Popen(
            command,
            env=victim.env(),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(startup * 0.8 + rng.uniform(0.0, 1.0) * max(full[kind] - startup * 0.8, 0.2))
        process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate(timeout=60)
        if process.returncode == -signal.SIGKILL:
            killed += 1
        elif process.returncode == 0:
            finished += 1
        else:
            raise HarnessError(f"the client failed by itself: {stderr.decode()[-800:]}")

        with victim.open() as store:  # opens cleanly: the lock died with the process
            visits = store.visits()
            ids = [v["id"] for v in visits]
            assert len(ids) == len(set(ids)), "a visit is held twice on the laptop"
            lost = set(written) - set(ids)
            assert not lost, f"round {round_no}: {len(lost)} visits gone from the laptop"
            problems = cursor_problems(store, org, victim.rep.token)
            assert not problems, f"round {round_no}: cursor ahead of the data: {problems[:5]}"

    print(f"killed {killed} runs mid-flight, {finished} finished first")
    assert killed >= (ROUNDS - CALIBRATION_ROUNDS) // 2, (
        f"only {killed} runs were killed mid-flight ({finished} finished)"
    )

    with victim.open() as store:
        engine = engine_for(store)
        sync_until_settled(engine, store)
        sync_until_settled(engine, store)
        assert_exactly_once(org.export("visits"), written)
        assert org.last_mid(victim.rep.token, store.session["device_id"]) == last_mid
        assert_converged(store, org, victim.rep.token, who="the killed laptop")
    writer_store.close()
