"""``python -m bench.server --reps N [--json FILE]``: the server under N concurrent reps.

A real server (``fieldrep-server serve`` in a subprocess on loopback) is seeded with N reps. N
simulated reps, each with its own device and token, repeat "push 5 visits, then pull" as fast as
the server answers, for ``--duration`` seconds. The same N clients then hit a trivial endpoint of
the same server (``GET /v1/health``) for as long: the ceiling of this server process and this
client on this machine. Runs on SQLite, and on PostgreSQL when ``--postgres URL`` or
FIELDREP_TEST_POSTGRES_URL is given. Prints a table; ``--json FILE`` writes the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench._common import percentile, write_json
from server.process import ServerProcess


def _seed(database_url: str, reps: int, customers: int) -> list[dict]:
    env = {**os.environ, "FIELDREP_DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "seed-demo", "--reps", str(reps),
         "--customers", str(customers), "--seed", "11", "--json"],
        capture_output=True, text=True, env=env, timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench.server: seeding failed: {done.stderr.strip()}")
    return [p for p in json.loads(done.stdout) if p["role"] == "rep"]


class Rep:
    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}", "X-Fieldrep-Schema": "1"}
        self.device = ""
        self.customer = ""
        self.cursor = ""
        self.mid = 0

    async def prepare(self) -> None:
        r = await self.client.post("/v1/devices", headers=self.headers, json={"name": "bench"})
        self.device = r.json()["device_id"]
        page = (await self.client.get("/v1/sync/bootstrap", headers=self.headers,
                                      params={"limit": 50})).json()
        self.cursor = page["cursor"]
        customers = [c["id"] for c in page["changes"] if c["entity"] == "customer"]
        if not customers:
            raise SystemExit("bench.server: a seeded rep has no customer in scope")
        self.customer = customers[0]

    def _visits(self) -> list[dict]:
        batch = []
        for _ in range(5):
            self.mid += 1
            batch.append({"op_id": str(uuid.uuid4()), "mid": self.mid, "kind": "visit.create",
                          "record_id": str(uuid.uuid4()),
                          "fields": {"customer_id": self.customer, "outcome": "bench",
                                     "at": datetime.now(UTC).isoformat()}})
        return batch

    async def cycle(self, latencies: list[float], errors: list[int]) -> None:
        started = time.perf_counter()
        try:
            r = await self.client.post("/v1/sync/push", headers=self.headers, json={
                "device_id": self.device, "schema_version": 1, "mutations": self._visits()})
            latencies.append(time.perf_counter() - started)
            if r.status_code != 200:
                errors.append(r.status_code)
                self.mid -= 5 if r.status_code != 409 else 0
                return
        except httpx.HTTPError:
            latencies.append(time.perf_counter() - started)
            errors.append(0)
            self.mid -= 5
            return
        started = time.perf_counter()
        try:
            r = await self.client.get("/v1/sync/pull", headers=self.headers,
                                      params={"cursor": self.cursor, "limit": 500})
            latencies.append(time.perf_counter() - started)
            if r.status_code == 200:
                self.cursor = r.json()["next_cursor"]
            else:
                errors.append(r.status_code)
        except httpx.HTTPError:
            latencies.append(time.perf_counter() - started)
            errors.append(0)


async def _drive(url: str, tokens: list[str], duration: float, trivial: bool) -> dict:
    # One client (one connection) per simulated rep, as on the reps' laptops: a single
    # httpx.AsyncClient shared by hundreds of tasks spends its time in its own connection pool
    # (~100 requests/s at 500 tasks against ~1,000 with a client each), which would measure
    # httpx rather than the server.
    timeout = httpx.Timeout(120.0)
    clients = [httpx.AsyncClient(base_url=url, timeout=timeout,
                                 limits=httpx.Limits(max_connections=1))
               for _ in tokens]
    try:
        reps = [Rep(client, token) for client, token in zip(clients, tokens, strict=True)]
        if not trivial:
            for start in range(0, len(reps), 50):
                await asyncio.gather(*(rep.prepare() for rep in reps[start:start + 50]))
        latencies: list[float] = []
        errors: list[int] = []
        deadline = time.perf_counter() + duration

        async def health(rep: Rep) -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    r = await rep.client.get("/v1/health")
                    if r.status_code != 200:
                        errors.append(r.status_code)
                except httpx.HTTPError:
                    errors.append(0)
                latencies.append(time.perf_counter() - started)

        async def sync(rep: Rep) -> None:
            while time.perf_counter() < deadline:
                await rep.cycle(latencies, errors)

        started = time.perf_counter()
        await asyncio.gather(*((health if trivial else sync)(rep) for rep in reps))
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "errors": len(errors),
        "requests": len(latencies),
        "error_kinds": ", ".join(f"{n}× {'no answer' if code == 0 else code}"
                                 for code, n in sorted(Counter(errors).items())),
    }


def run_on(database_url: str, reps: int, customers: int, duration: float) -> dict:
    started = time.perf_counter()
    people = _seed(database_url, reps, customers)
    seeded = time.perf_counter() - started
    tokens = [p["token"] for p in people][:reps]
    with ServerProcess.start(database_url) as server:
        ours = asyncio.run(_drive(server.url, tokens, duration, trivial=False))
        ceiling = asyncio.run(_drive(server.url, tokens, duration, trivial=True))
    return {**ours, "ceiling_rps": ceiling["rps"], "ceiling_p95_ms": ceiling["p95_ms"],
            "ceiling_errors": ceiling["errors"],
            "seed_s": seeded}


def _table(label: str, figures: dict) -> str:
    rows = [
        ("requests/s", f"{figures['rps']:.0f}", f"{figures['ceiling_rps']:.0f}"),
        ("p50 latency", f"{figures['p50_ms']:.1f} ms", "—"),
        ("p95 latency", f"{figures['p95_ms']:.1f} ms", f"{figures['ceiling_p95_ms']:.1f} ms"),
        ("p99 latency", f"{figures['p99_ms']:.1f} ms", "—"),
        ("errors", f"{figures['errors']}", f"{figures['ceiling_errors']}"),
    ]
    ratio = figures["rps"] / figures["ceiling_rps"] if figures["ceiling_rps"] else float("nan")
    lines = [label, f"{'figure':<12}  {'push 5 + pull':>14}  {'GET /v1/health':>14}",
             f"{'-' * 12}  {'-' * 14}  {'-' * 14}"]
    lines += [f"{a:<12}  {b:>14}  {c:>14}" for a, b, c in rows]
    lines.append(f"sync requests run at {ratio:.0%} of the trivial endpoint's rate "
                 f"({figures['requests']} requests; seeding took {figures['seed_s']:.1f} s)")
    if figures["error_kinds"]:
        lines.append(f"errors by status: {figures['error_kinds']}")
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.server", description=__doc__)
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per phase")
    parser.add_argument("--postgres", metavar="URL",
                        default=os.environ.get("FIELDREP_TEST_POSTGRES_URL"))
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    if not 1 <= args.reps <= 2000:
        parser.error("--reps must be between 1 and 2000")
    if args.duration <= 0:
        parser.error("--duration must be positive")

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'server.db'}"
        sqlite = run_on(url, args.reps, args.customers, args.duration)
    _table(f"bench.server: {args.reps} reps on SQLite, {args.duration:.0f} s per phase", sqlite)
    figures.update({k: sqlite[k] for k in ("rps", "p50_ms", "p95_ms", "p99_ms", "errors",
                                            "ceiling_rps")})
    if args.postgres:
        from server import db, schema

        engine = db.make_engine(args.postgres)
        schema.drop_schema(engine)
        engine.dispose()
        pg = run_on(args.postgres, args.reps, args.customers, args.duration)
        _table(f"bench.server: {args.reps} reps on PostgreSQL", pg)
        figures.update({f"pg_{k}": pg[k] for k in ("rps", "p50_ms", "p95_ms", "p99_ms",
                                                    "errors", "ceiling_rps")})
    write_json(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
