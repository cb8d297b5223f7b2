"""A customer returned to the pool by a real server is announced where the rep syncs.

A real ``serve`` process on loopback (``server.serve.cmd_serve``) runs on a clock this test moves:
a rep claims a customer on three laptops' worth of the same login, then the server's clock jumps
past the claim's protection and its own housekeeping puts the customer back in the pool. Then:
the TUI's sync says so in a toast and a queue entry; ``fieldrep sync`` prints the same line (in
Chinese with ``--lang zh``); ``--json`` carries the news; and a sync after that says nothing again
(the news is told once, by whoever ran the sync that brought it).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from sync.engine import SyncEngine
from tests.sync._harness import ROOT, Laptop, Org, make_customers, server_env
from tests.tui.conftest import Posted, make_app

pytestmark = pytest.mark.timeout(240)
MOVED = timedelta(days=31)  # past any protection (max_protection_days is 30 by default)

SERVE_ON_A_MOVED_CLOCK = """
import argparse, sys
from datetime import timedelta
from pathlib import Path
from server.clock import system_clock
from server.serve import cmd_serve

offset = Path(sys.argv[3])

def clock():
    text = offset.read_text().strip() if offset.exists() else ""
    return system_clock() + timedelta(seconds=float(text or 0))

sys.exit(cmd_serve(argparse.Namespace(database=sys.argv[1], host="127.0.0.1",
                                      port=int(sys.argv[2])), clock))
"""


class MovedClockServer:
    """``serve`` as a real process whose clock is the machine's plus the seconds in a file."""

    def __init__(self, root: Path, database_url: str) -> None:
        from server.process import free_port

        self.port = free_port()
        self.offset = root / "clock-offset"
        self.log_path = root / "server.log"
        env = {**server_env(database_url), "FIELDREP_RECLAIM_INTERVAL": "0.2"}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVE_ON_A_MOVED_CLOCK, database_url, str(self.port),
                 str(self.offset)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_path.read_text()
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError(f"the server did not start:\n{self.log_path.read_text()}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def move_clock(self, by: timedelta) -> None:
        self.offset.write_text(str(by.total_seconds()))

    def wait_for_reclaim(self) -> None:
        deadline = time.monotonic() + 30
        while "returned to the pool" not in self.log_path.read_text():
            assert time.monotonic() < deadline, self.log_path.read_text()
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def reclaimed(tmp_path):
    """(server, the claimed customer's name, laptops tui/cli/zh): all three saw the rep own it,
    then the server's clock moved past the protection and the server returned it to the pool."""
    org = Org.create(tmp_path / "org")
    org.add_territory("East", ["Zhejiang"])
    rep = org.add_rep("Ana", ["East"])
    rows = make_customers(3, "Zhejiang")
    org.import_customers(rows)
    server = MovedClockServer(tmp_path, org.database_url)
    try:
        laptops = {name: Laptop(tmp_path / name, rep, server.url).login()
                   for name in ("tui", "cli", "zh")}
        laptops["tui"].cli("sync")  # its first copy of the territory
        laptops["tui"].cli("claim", rows[0]["id"])
        laptops["tui"].cli("sync")
        for name in ("cli", "zh"):
            laptops[name].cli("sync")
            with laptops[name].open() as store:
                assert store.customer(rows[0]["id"])["owner_name"] == "Ana"
        server.move_clock(MOVED)
        server.wait_for_reclaim()
        yield server, rows[0], laptops
    finally:
        server.stop()


async def test_a_real_servers_reclaim_shows_as_a_toast_and_a_queue_entry_in_the_tui(reclaimed):
    _server, customer, laptops = reclaimed
    with laptops["tui"].open() as store:
        app = make_app(store, engine=SyncEngine(store), clock=lambda: datetime.now(UTC) + MOVED)
        posted = Posted()
        async with app.run_test(size=(120, 40), message_hook=posted) as pilot:
            for _ in range(400):
                if any("pool" in toast for toast in posted.toasts):
                    break
                await pilot.pause(0.05)
            assert (f"1 customer went back to the pool (protection lapsed): {customer['name']}"
                    in posted.toasts), posted.toasts
            entries = [e for e in app.screen.entries if e["reason_code"] == "pool_return"]
            assert [e["customer_id"] for e in entries] == [customer["id"]]


def test_fieldrep_sync_prints_the_pool_news_once_and_json_carries_it(reclaimed):
    _server, customer, laptops = reclaimed
    said = laptops["cli"].cli("sync", "--json")
    news = json.loads(said)["pool_returns"]
    assert [(n["customer_id"], n["name"], n["reason"]) for n in news] == [
        (customer["id"], customer["name"], "protection_lapsed")]
    again = json.loads(laptops["cli"].cli("sync", "--json"))
    assert again["pool_returns"] == []  # told once
    text = laptops["zh"].cli("sync", "--lang", "zh")
    assert f"1 个客户回到了公海（保护期已过）：{customer['name']}" in text, text
    assert "公海" not in laptops["zh"].cli("sync", "--lang", "zh")
