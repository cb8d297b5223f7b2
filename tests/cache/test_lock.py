"""One process owns a store: a second one gets a clear error; the lock dies with its holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cache import Store, StoreLocked

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
from cache import Store
store = Store.open(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


def _hold(home: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(home)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def test_a_second_open_in_another_process_says_who_holds_the_store(fieldrep_home):
    holder = _hold(fieldrep_home)
    try:
        with pytest.raises(StoreLocked) as caught:
            Store.open(fieldrep_home)
        message = str(caught.value)
        assert message.startswith("fieldrep is already open (pid ")
        assert f"pid {holder.pid}" in message
        assert "close it first" in message
        assert "since " in message
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_is_released_when_its_holder_is_killed(fieldrep_home):
    holder = _hold(fieldrep_home)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    deadline = time.monotonic() + 5
    while True:
        try:
            store = Store.open(fieldrep_home)
            break
        except StoreLocked:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    store.close()


def test_close_releases_the_lock_for_the_next_open(fieldrep_home):
    Store.open(fieldrep_home).close()
    with Store.open(fieldrep_home) as store:
        assert store.customer_count() == 0


def test_a_second_open_in_the_same_process_is_refused_too(fieldrep_home):
    with Store.open(fieldrep_home), pytest.raises(StoreLocked, match="already open"):
        Store.open(fieldrep_home)
