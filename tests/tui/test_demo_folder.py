"""``fieldrep demo`` in a real terminal: it keeps its folder when work in it is unsynced.

tmux runs the demo with its temporary folder under this test's own TMPDIR. The rep cuts the
network (``N``) and logs a visit, which cannot reach the server. Quitting (ctrl+q) must keep the
folder and say where; a closed terminal (tmux kill-session: SIGHUP) must keep it too, and the
next demo names it at its start, and ``fieldrep demo --keep DIR`` sends the kept work. A demo with
nothing unsynced leaves nothing behind, even when its terminal is closed.
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

from tests.tui.test_e2e_tmux import Tmux

pytestmark = pytest.mark.slow

NOTES = "kept by the demo"


class DemoTerminal(Tmux):
    """tmux running ``fieldrep demo`` with TMPDIR set, its pid written to ``pid_file``."""

    def __init__(self, tmp: Path) -> None:
        super().__init__(f"fieldrep-demo-{uuid.uuid4().hex[:8]}")
        self.tmp = tmp
        self.pid_file = tmp.parent / "demo.pid"

    def start_demo(self) -> None:
        env = {k: v for k, v in os.environ.items()
               if k in ("PATH", "HOME", "VIRTUAL_ENV", "PYTHONPATH")}
        env.update(TMPDIR=str(self.tmp), FIELDREP_LANG="en", TERM="xterm-256color")
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        demo = (f"echo $$ > {shlex.quote(str(self.pid_file))}; exec {shlex.quote(sys.executable)}"
                f" -m tui.cli demo --customers 10")
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", "120", "-y", "40",
             f"env -u COLUMNS -u LINES {exports} sh -c {shlex.quote(demo)}; sleep 600"],
            check=True, cwd=Path(__file__).resolve().parents[2],
        )
        self.wait_for("1 Queue", timeout=120)
        self.wait_for("online", timeout=60)

    def log_a_visit_offline(self) -> None:
        self.keys("N")
        self.wait_for("offline", timeout=10)
        self.keys("2")
        self.wait_for("Territory")
        time.sleep(0.5)
        self.keys("Down")
        self.keys("Enter")
        self.wait_for("Timeline")
        self.keys("v")
        self.wait_for("Log a visit")
        time.sleep(0.5)
        self.keys(NOTES, literal=True)
        self.keys("C-s")
        self.wait_for("1 pending")

    def demo_pid(self) -> int:
        return int(self.pid_file.read_text().strip())


def _gone(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if _zombie(pid):  # it exited; an init that does not reap (a container) keeps its entry
            return True
        time.sleep(0.2)
    return False


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def _folders(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("fieldrep-demo-*"))


def _demo(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TMPDIR=str(tmp), FIELDREP_LANG="en")
    return subprocess.run([sys.executable, "-m", "tui.cli", "demo", "--customers", "10", *args],
                          capture_output=True, text=True, env=env, timeout=300, check=False)


@pytest.fixture
def tmp(tmp_path):
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def test_quitting_a_demo_with_unsynced_work_keeps_its_folder_and_says_where(tmux_available, tmp):
    term = DemoTerminal(tmp)
    try:
        term.start_demo()
        term.log_a_visit_offline()
        term.keys("C-q")
        screen = term.wait_for("did not reach the server", timeout=30)
        [folder] = _folders(tmp)
        assert str(folder) in screen.replace("\n", "")
        assert f"fieldrep demo --keep {folder}" in screen.replace("\n", "")
        assert json.loads((folder / "unsynced.json").read_text())["pending"]["rep"] == 1
        assert _gone(term.demo_pid())
    finally:
        term.kill()


def test_a_closed_terminal_keeps_the_unsynced_work_and_the_next_demo_says_where(
    tmux_available, tmp,
):
    term = DemoTerminal(tmp)
    try:
        term.start_demo()
        term.log_a_visit_offline()
        pid = term.demo_pid()
        term.kill()  # the terminal closes: SIGHUP
        assert _gone(pid), "the demo outlived its terminal"
    finally:
        term.kill()
    [folder] = _folders(tmp)
    assert json.loads((folder / "unsynced.json").read_text())["pending"]["rep"] == 1

    told = _demo(tmp, "--no-tui")  # the next demo, elsewhere: it names the kept folder
    assert told.returncode == 0, told.stderr
    assert f"1 change did not reach the server: its folder stays at {folder}" in told.stderr
    assert f"fieldrep demo --keep {folder}" in told.stderr

    resumed = _demo(tmp, "--no-tui", "--keep", str(folder))  # … and that command syncs it
    assert resumed.returncode == 0, resumed.stderr
    assert "did not reach the server" not in resumed.stderr
    assert not (folder / "unsynced.json").exists()
    status = subprocess.run([sys.executable, "-m", "tui.cli", "status", "--json"],
                            capture_output=True, text=True, check=False, timeout=60,
                            env=dict(os.environ, FIELDREP_HOME=str(folder / "rep")))
    assert json.loads(status.stdout)["pending"] == 0, status.stdout + status.stderr


def test_a_closed_terminal_with_nothing_unsynced_leaves_no_folder_behind(tmux_available, tmp):
    term = DemoTerminal(tmp)
    try:
        term.start_demo()
        assert _folders(tmp)
        pid = term.demo_pid()
        term.kill()
        assert _gone(pid), "the demo outlived its terminal"
    finally:
        term.kill()
    assert _folders(tmp) == []
