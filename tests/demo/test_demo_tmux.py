"""`fieldrep demo` in a real terminal: cut the network, log a visit, restore, see it arrive, quit.

This is what a person trying the demo does; at the end the demo's server must hold the visit and
nothing the demo started may still be running.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid

import pytest

from tests.tui.test_e2e_tmux import Tmux

pytestmark = pytest.mark.slow

NOTES = "logged offline in the demo"


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_the_demo_cuts_the_network_logs_offline_syncs_later_and_quits_cleanly(
    tmux_available, tmp_path
):
    keep = tmp_path / "demo"
    env = dict(os.environ, FIELDREP_LANG="en")
    env.pop("FIELDREP_HOME", None)
    tmux = Tmux(f"fieldrep-demo-{uuid.uuid4().hex[:8]}")
    command = f"{sys.executable} -m tui.cli demo --customers 150 --keep {keep}; echo EXIT $?"
    try:
        tmux.start(command, env)
        tmux.wait_for("1 Queue", timeout=120)
        tmux.wait_for("online", timeout=30)

        tmux.keys("N")  # the demo's network switch
        tmux.wait_for("offline", timeout=20)
        tmux.keys("v")
        tmux.wait_for("Log a visit", timeout=20)
        time.sleep(0.5)
        tmux.keys(NOTES, literal=True)
        tmux.keys("C-s")  # the visit, and the follow-up it was logged from marked done
        tmux.wait_for("2 pending", timeout=20)
        tmux.keys("S")  # a sync while offline fails quietly and keeps the visit
        time.sleep(2.0)
        assert "2 pending" in tmux.screen()

        tmux.keys("N")  # restored: the demo syncs by itself
        tmux.wait_for("0 pending", timeout=40)

        tmux.keys("C-q")
        screen = tmux.wait_for("EXIT 0", timeout=30)
    finally:
        tmux.kill()

    database = f"sqlite:///{keep / 'server.db'}"
    visits = subprocess.run(
        [sys.executable, "-m", "server.cli", "--database", database, "export", "visits",
         "--format", "json"], capture_output=True, text=True, timeout=60,
    )
    assert visits.returncode == 0, visits.stderr
    assert [v for v in json.loads(visits.stdout) if v.get("notes") == NOTES]
    ports = [int(p) for p in re.findall(r"127\.0\.0\.1:(\d+)", screen)]
    assert ports, screen
    deadline = time.monotonic() + 10
    while any(_listening(p) for p in ports) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_listening(p) for p in ports), "the demo left its server or link running"
