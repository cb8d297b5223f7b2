"""No acknowledged write is lost to kill -9: SIGKILL a writer at random moments, ≥ 200 times."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cache import Store
from cache.storage import read_document
from tests.cache.conftest import open_filled

ROOT = Path(__file__).resolve().parents[2]
KILLS = 200


class Writer:
    """Drives tests/cache/crash_writer.py: start a child, kill it, collect its acks."""

    def __init__(self, mode: str, target: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "tests.cache.crash_writer", mode, str(target)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
        )

    def _line(self) -> str:
        line = self.proc.stdout.readline().decode().strip()
        if not line:
            raise AssertionError(f"the writer died (exit {self.proc.poll()})")
        return line

    def kill_after(self, delay: float) -> list[str]:
        """Start a writing child, SIGKILL it after ``delay`` seconds; the ids it acknowledged."""
        self.proc.stdin.write(b"go\n")
        first = self._line()
        assert first.startswith("pid "), first
        time.sleep(delay)
        os.kill(int(first.split()[1]), signal.SIGKILL)
        acks = []
        while (line := self._line()) != "dead":
            acks.append(line.split()[1])
        return acks

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.mark.slow
def test_sigkill_during_atomic_writes_never_loses_an_acknowledged_write(tmp_path):
    path = tmp_path / "doc.json"
    rng = random.Random(20261123)
    writer = Writer("storage", path)
    acknowledged: list[str] = []
    try:
        for _ in range(KILLS):
            acknowledged += writer.kill_after(rng.uniform(0.0, 0.03))
            document = read_document(path, default={"ids": []})  # never torn
            on_disk = set(document["ids"])
            missing = [i for i in acknowledged if i not in on_disk]
            assert not missing, f"{len(missing)} acknowledged writes lost"
    finally:
        writer.close()
    assert len(acknowledged) > KILLS  # the writer really wrote between kills


@pytest.mark.slow
def test_sigkill_while_saving_visits_keeps_every_saved_visit_and_its_operation(fieldrep_home):
    open_filled(fieldrep_home).close()
    rng = random.Random(7)
    writer = Writer("store", fieldrep_home)
    acknowledged: list[str] = []
    try:
        for _ in range(KILLS):
            acknowledged += writer.kill_after(rng.uniform(0.005, 0.06))
            with Store.open(fieldrep_home) as store:  # the lock died with the writer
                assert store.notices == []
                visits = {v["id"] for v in store.visits()}
                ops = store.outbox()
                assert not [i for i in acknowledged if i not in visits]
                op_ids = {op["record_id"] for op in ops if op["kind"] == "visit.create"}
                assert visits <= op_ids
                mids = [op["mid"] for op in ops]
                assert mids == list(range(1, len(mids) + 1))
    finally:
        writer.close()
    assert len(acknowledged) > KILLS
