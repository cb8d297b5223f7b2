"""Many writers at once and a reader pulling all along: the feed never loses a committed change."""

from __future__ import annotations

import threading

from tests.server._world import visit


def test_a_manager_pulling_during_concurrent_pushes_receives_every_visit(world):
    writers = {"Ana": world.ana_token, "Bo": world.bo_token, "Mei": world.mei_token}
    devices = {name: world.device(token) for name, token in writers.items()}
    _, cursor = world.scope(world.mei_token)
    written: dict[str, list[str]] = {name: [] for name in writers}
    failures: list[str] = []
    done = threading.Event()

    def write(name: str) -> None:
        mid = 0
        for _ in range(12):
            batch = []
            for _ in range(2):
                mid += 1
                batch.append(visit(mid, world.ana_own["id"], notes=f"{name} {mid}"))
            response = world.push(writers[name], devices[name], batch)
            if response.status_code != 200:
                failures.append(f"{name}: {response.status_code} {response.text[:200]}")
                return
            written[name] += [r["record_id"] for r in response.json()["results"]
                              if r["status"] == "applied"]

    pulled: list[str] = []

    def read() -> None:
        nonlocal cursor
        while True:
            finished = done.is_set()
            response = world.client.get("/v1/sync/pull", headers=world.headers(world.mei_token),
                                        params={"cursor": cursor, "limit": 5})
            if response.status_code != 200:
                failures.append(f"pull: {response.status_code} {response.text[:200]}")
                return
            page = response.json()
            pulled.extend(c["id"] for c in page["changes"] if c["entity"] == "visit")
            cursor = page["next_cursor"]
            if finished and not page["has_more"]:
                return

    threads = [threading.Thread(target=write, args=(name,)) for name in writers]
    reader = threading.Thread(target=read)
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    done.set()
    reader.join(120)
    assert not failures, failures
    every = {vid for ids in written.values() for vid in ids}
    assert len(every) == 3 * 24
    missing = every - set(pulled)
    assert not missing, f"{len(missing)} committed visits were never pulled"
    for name, ids in written.items():
        seen = [vid for vid in pulled if vid in set(ids)]
        assert list(dict.fromkeys(seen)) == ids, f"{name}'s visits arrived out of commit order"
