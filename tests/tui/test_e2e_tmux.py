"""End to end in a real terminal: a rep logs a visit offline in the TUI, then syncs it.

tmux runs ``fieldrep`` against a real server subprocess. The server is stopped while the rep
finds the customer (pinyin filter), opens the visit form and saves; the status bar must say the
visit is pending. Then the server comes back, the rep presses S, and the server's own export must
contain the visit.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

NOTES = "offline visit from the tmux test"


def _server_cli(database_url: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "--database", database_url, *args],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _client(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


class Tmux:
    def __init__(self, name: str) -> None:
        self.name = name

    def start(self, command: str, env: dict) -> None:
        # pytest leaves COLUMNS=80 LINES=24 in the environment; Textual would obey them
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()
                           if k in ("FIELDREP_HOME", "FIELDREP_LANG", "PATH", "HOME",
                                    "VIRTUAL_ENV", "PYTHONPATH"))
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", "120", "-y", "40",
             f"env -u COLUMNS -u LINES {exports} TERM=xterm-256color {command}; sleep 600"],
            check=True,
        )

    def keys(self, *keys: str, literal: bool = False) -> None:
        args = ["tmux", "send-keys", "-t", self.name]
        if literal:
            args.append("-l")
        subprocess.run([*args, *keys], check=True)
        time.sleep(0.3)

    def screen(self) -> str:
        done = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name],
                              capture_output=True, text=True, check=False)
        return done.stdout

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], check=False,
                       capture_output=True)


def test_rep_logs_a_visit_offline_in_the_tui_and_sync_delivers_it(tmux_available, tmp_path):
    from server.process import ServerProcess

    database_url = f"sqlite:///{tmp_path / 'server.db'}"
    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ, FIELDREP_HOME=str(home), FIELDREP_LANG="en")

    server = ServerProcess.start(database_url)
    tmux = Tmux(f"fieldrep-e2e-{uuid.uuid4().hex[:8]}")
    try:
        _server_cli(database_url, "add-team", "East", "--grouping", "region")
        _server_cli(database_url, "add-territory", "Shanghai", "--provinces", "上海",
                    "--cities", "上海")
        token = _server_cli(database_url, "add-rep", "Wang Fang", "--team", "East",
                            "--territories", "Shanghai").strip().splitlines()[-1]
        csv = tmp_path / "customers.csv"
        csv.write_text(
            "name,industry,customer_type,province,city,address,tier,stage,owner\n"
            "中国石化上海分公司,能源,B2B,上海,上海,浦东,A,active,Wang Fang\n"
            "上海振华重工,制造,B2B,上海,上海,浦东,B,active,Wang Fang\n",
            encoding="utf-8",
        )
        _server_cli(database_url, "import-customers", str(csv))
        _client(env, "login", "--server", server.url, "--token", token)
        _client(env, "sync")

        server.stop()  # the rep is on a train now

        fieldrep = Path(sys.executable).with_name("fieldrep")
        command = str(fieldrep) if fieldrep.exists() else f"{sys.executable} -m tui.cli"
        tmux.start(command, env)
        tmux.wait_for("1 Queue")
        tmux.keys("2")
        tmux.wait_for("中国石化上海分公司")
        tmux.keys("/")
        tmux.keys("zgsh", literal=True)
        tmux.keys("Enter")
        tmux.wait_for("Timeline")
        tmux.keys("v")
        tmux.wait_for("Log a visit", timeout=20)
        time.sleep(0.5)
        tmux.keys(NOTES, literal=True)
        tmux.keys("C-s")
        tmux.wait_for("1 pending")

        server.restart()
        tmux.keys("S")
        tmux.wait_for("0 pending", timeout=30)
        tmux.wait_for("online", timeout=10)

        visits = json.loads(_server_cli(database_url, "export", "visits", "--format", "json"))
        assert any(v.get("notes") == NOTES for v in visits), visits
        tmux.keys("C-q")
    finally:
        tmux.kill()
        server.stop()
