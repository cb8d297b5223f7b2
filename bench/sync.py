"""``python -m bench.sync --customers N [--json FILE]``: what sync costs, beside what the wire allows.

Seeds a real server (a subprocess on loopback, SQLite) with N customers in one rep's territory,
then measures with a real client Store + SyncEngine:

- ``bootstrap_s``: the first sync of all N customers, and ``bootstrap_bytes`` on the wire
  (counted by a pass-through proxy on a second laptop, so the timed laptop talks to the server
  directly);
- ``empty_sync_ms``: the median of 20 incremental syncs with nothing to do (and its p95);
- ``push_100_ms``: a sync that pushes 100 visits logged offline (median of 3);
- the ceiling: the same bytes over the same loopback, raw — a plain socket server sending a
  blob of that size (``ceiling_bootstrap_s``), and one raw round trip of an empty sync's and a
  push's bytes.

Also ``bootstrap_client_cpu_s`` (CPU this process spent during the bootstrap: the client's share;
the rest of the wall time is the server and the wire), the server's seeding time, and the
laptop's RSS. Prints a table; ``--json FILE`` writes one flat object of numbers.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

BUDGET_BOOTSTRAP_50K_S = 5.0
BUDGET_EMPTY_SYNC_MS = 50.0


def _raw_blob_seconds(size: int) -> float:
    """Seconds to move ``size`` bytes over one loopback TCP connection, raw (best of 3)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    blob = b"x" * size

    def serve():
        for _ in range(3):
            conn, _ = listener.accept()
            with conn:
                conn.recv(64)
                conn.sendall(blob)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET")
            got = 0
            while got < size:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    break
                got += len(chunk)
        best = min(best, time.perf_counter() - started)
    thread.join(timeout=10)
    listener.close()
    return best


def _raw_round_trip_ms(up: int, down: int, rounds: int = 20) -> float:
    """Median ms of one raw exchange: ``up`` bytes to a loopback peer, ``down`` bytes back."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    up, down = max(up, 1), max(down, 1)
    reply = b"y" * down

    def serve():
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn:
            for _ in range(rounds):
                got = 0
                while got < up:
                    chunk = conn.recv(1 << 20)
                    if not chunk:
                        return
                    got += len(chunk)
                conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    samples = []
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        payload = b"x" * up
        for _ in range(rounds):
            started = time.perf_counter()
            sock.sendall(payload)
            got = 0
            while got < down:
                got += len(sock.recv(1 << 20))
            samples.append((time.perf_counter() - started) * 1000)
    thread.join(timeout=10)
    listener.close()
    return statistics.median(samples)


def _current_rss_mb() -> float:
    """This process's resident memory now (not the peak), in MB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _say(message: str) -> None:
    print(f"bench.sync: {message}", file=sys.stderr, flush=True)


def run(customers: int, root: Path) -> dict[str, float]:
    from tests.support.faultproxy import FaultProxy
    from tests.sync._harness import Laptop, Org, engine_for, make_customers

    figures: dict[str, float] = {"customers": customers}
    started = time.perf_counter()
    org = Org.create(root / "server")
    org.add_territory("Bench", ["Zhejiang"])
    rep = org.add_rep("Bench Rep", ["Bench"])
    org.import_customers(make_customers(customers, "Zhejiang"))
    org.customers.clear()  # the harness's copy of the CSV rows is not the laptop's memory
    gc.collect()
    figures["seed_s"] = time.perf_counter() - started
    _say(f"seeded {customers:,} customers in {figures['seed_s']:.1f} s")

    org.start()
    proxy = FaultProxy(org.server.port).start()
    try:
        direct = Laptop(root / "direct", rep, org.url).login()
        counted = Laptop(root / "counted", rep, proxy.url).login()

        # bootstrap: timed directly; bytes counted through the proxy on a second laptop
        with direct.open() as store:
            engine = engine_for(store)
            cpu = time.process_time()
            started = time.perf_counter()
            report = engine.sync()
            figures["bootstrap_s"] = time.perf_counter() - started
            figures["bootstrap_client_cpu_s"] = time.process_time() - cpu
            if not report.ok or store.customer_count() != customers:
                raise SystemExit(
                    f"bench.sync: the bootstrap failed ({report.error}); "
                    f"{store.customer_count()} of {customers} customers arrived"
                )
            figures["rss_mb"] = _current_rss_mb()
            figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            _say(f"bootstrap {figures['bootstrap_s']:.2f} s")

            samples = []
            for _ in range(20):
                started = time.perf_counter()
                engine.sync()
                samples.append((time.perf_counter() - started) * 1000)
            figures["empty_sync_ms"] = statistics.median(samples)
            figures["empty_sync_p95_ms"] = _p95(samples)

            ids = store.all_customer_ids()[:500]
            pushes = []
            for round_no in range(3):
                for n in range(100):
                    store.log_visit(ids[(round_no * 100 + n) % len(ids)], outcome="bench visit")
                started = time.perf_counter()
                report = engine.sync()
                pushes.append((time.perf_counter() - started) * 1000)
                if not report.ok or store.pending_count():
                    raise SystemExit(f"bench.sync: the push failed ({report.error})")
            figures["push_100_ms"] = statistics.median(pushes)

        with counted.open() as store:
            engine = engine_for(store)
            proxy.reset_counters()
            started = time.perf_counter()
            engine.sync()
            figures["bootstrap_via_proxy_s"] = time.perf_counter() - started
            figures["bootstrap_bytes"] = proxy.bytes_to_client + proxy.bytes_to_server
            figures["bootstrap_requests"] = sum(proxy.counts.values())
            engine.sync()
            proxy.reset_counters()
            engine.sync()
            empty_up, empty_down = proxy.bytes_to_server, proxy.bytes_to_client
            figures["empty_sync_bytes"] = empty_up + empty_down
            figures["empty_sync_requests"] = sum(proxy.counts.values())
            ids = store.all_customer_ids()[:100]
            for customer_id in ids:
                store.log_visit(customer_id, outcome="bench visit")
            proxy.reset_counters()
            engine.sync()
            push_up, push_down = proxy.bytes_to_server, proxy.bytes_to_client
            figures["push_100_bytes"] = push_up + push_down
    finally:
        proxy.stop()
        org.stop()

    figures["ceiling_bootstrap_s"] = _raw_blob_seconds(int(figures["bootstrap_bytes"]))
    figures["ceiling_empty_sync_ms"] = _raw_round_trip_ms(empty_up, empty_down)
    figures["ceiling_push_100_ms"] = _raw_round_trip_ms(push_up, push_down)
    return figures


def table(f: dict[str, float]) -> str:
    n = int(f["customers"])
    budget_boot = BUDGET_BOOTSTRAP_50K_S * max(n, 1) / 50_000
    rows = [
        ("figure", "fieldrep", "raw loopback", "ratio", "budget"),
        (
            f"bootstrap {n:,} customers",
            f"{f['bootstrap_s']:.2f} s",
            f"{f['ceiling_bootstrap_s']:.3f} s",
            f"{f['bootstrap_s'] / max(f['ceiling_bootstrap_s'], 1e-9):.0f}x",
            f"≤ {budget_boot:.1f} s" + (" ok" if f["bootstrap_s"] <= budget_boot else " MISSED"),
        ),
        (
            "bootstrap bytes on the wire",
            f"{f['bootstrap_bytes'] / 1e6:.1f} MB",
            "same bytes",
            "",
            f"{f['bootstrap_bytes'] / max(n, 1):.0f} B/customer",
        ),
        (
            "empty incremental sync (median)",
            f"{f['empty_sync_ms']:.1f} ms",
            f"{f['ceiling_empty_sync_ms']:.2f} ms",
            f"{f['empty_sync_ms'] / max(f['ceiling_empty_sync_ms'], 1e-9):.0f}x",
            f"≤ {BUDGET_EMPTY_SYNC_MS:.0f} ms"
            + (" ok" if f["empty_sync_ms"] <= BUDGET_EMPTY_SYNC_MS else " MISSED"),
        ),
        ("empty incremental sync (p95)", f"{f['empty_sync_p95_ms']:.1f} ms", "", "", ""),
        (
            "push 100 visits",
            f"{f['push_100_ms']:.1f} ms",
            f"{f['ceiling_push_100_ms']:.2f} ms",
            f"{f['push_100_ms'] / max(f['ceiling_push_100_ms'], 1e-9):.0f}x",
            "",
        ),
        (
            "bootstrap: client CPU",
            f"{f['bootstrap_client_cpu_s']:.2f} s",
            "",
            "",
            "rest is server + wire",
        ),
        ("client RSS after bootstrap", f"{f['rss_mb']:.0f} MB", "", "",
         "≤ 250 MB" + (" ok" if f["rss_mb"] <= 250 else " MISSED")),
        ("peak RSS of this process (seeding too)", f"{f['peak_rss_mb']:.0f} MB", "", "", ""),
    ]
    widths = [max(len(str(row[i])) for row in rows) for i in range(5)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sync", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--customers", type=int, default=50_000, metavar="N")
    parser.add_argument("--json", metavar="FILE", help="write the figures as one flat JSON object")
    parser.add_argument("--keep", metavar="DIR", help="keep the server and laptops in DIR")
    args = parser.parse_args(argv)
    if not 1 <= args.customers <= 1_000_000:
        parser.error("--customers must be between 1 and 1000000")
    if args.keep:
        root = Path(args.keep).expanduser().resolve()
        root.mkdir(parents=True, exist_ok=True)
        figures = run(args.customers, root)
    else:
        with tempfile.TemporaryDirectory(prefix="fieldrep-bench-sync-") as tmp:
            figures = run(args.customers, Path(tmp))
    print(table(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
