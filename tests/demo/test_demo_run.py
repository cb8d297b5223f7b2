"""`fieldrep demo` from nothing: seeds a server, logs a rep and a manager in, syncs, stops cleanly.

The TUI part is covered by the tmux test below; `--no-tui` runs every other step for real
(a server subprocess, the seed, two logins, two first syncs) and then stops.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cache import Store

pytestmark = pytest.mark.slow

PYTHON = sys.executable


def _run_demo(keep: Path, *extra: str) -> dict:
    env = {**os.environ, "FIELDREP_LANG": "en"}
    env.pop("FIELDREP_HOME", None)
    done = subprocess.run(
        [PYTHON, "-m", "tui.cli", "demo", "--no-tui", "--customers", "80", "--keep", str(keep),
         *extra],
        capture_output=True, text=True, timeout=240, env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _port_closed(url: str) -> bool:
    host, port = url.rsplit("//", 1)[1].rstrip("/").split(":")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, int(port)), timeout=0.5).close()
        except OSError:
            return True
        time.sleep(0.1)
    return False


def test_demo_seeds_logs_in_syncs_and_leaves_nothing_running(tmp_path):
    keep = tmp_path / "demo"
    summary = _run_demo(keep)

    assert _port_closed(summary["server"]), "the demo's server is still listening after it quit"
    with Store.open(keep / "rep") as rep:
        assert rep.session and rep.session["role"] == "rep"
        assert rep.customer_count() > 0, "the rep's first sync brought no customers"
        assert rep.pending_count() == 0
        assert rep.queue(), "a seeded rep has an empty follow-up queue"
        assert rep.visits(), "the seeded history has no visits for the rep"
    with Store.open(keep / "manager") as manager:
        assert manager.session and manager.session["role"] == "manager"
        assert manager.customer_count() >= rep_count(keep)


def rep_count(keep: Path) -> int:
    with Store.open(keep / "rep") as rep:
        return rep.customer_count()


def test_demo_keep_reuses_the_organisation_it_seeded(tmp_path):
    keep = tmp_path / "demo"
    first = _run_demo(keep)
    people = (keep / "people.json").read_text()
    second = _run_demo(keep)
    assert (keep / "people.json").read_text() == people, "a kept demo was seeded again"
    assert second["rep"] == first["rep"]


def test_demo_refuses_a_bad_flag_in_one_line():
    done = subprocess.run([PYTHON, "-m", "tui.cli", "demo", "--customers", "3"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "--customers" in done.stderr
    assert "Traceback" not in done.stderr
