"""One process owns a store at a time: ``fcntl.flock`` on ``LOCK``, which dies with its process.

The holder writes who it is (pid, host, command, since: a UTC moment) into the lock file, so a second
``fieldrep`` can say exactly what to close. A crash never leaves a stale lock: the kernel drops
an flock when the process that held it ends, whatever the file still says.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson

from cache.errors import StoreLocked
from sync.protocol import rules


def _command() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return " ".join([name, *sys.argv[1:3]]).strip() or "python"


def opened_at(holder: dict) -> datetime | None:
    """When ``holder`` opened the store (aware), None when its lock file does not say."""
    with contextlib.suppress(ValueError, TypeError):
        return rules.as_datetime(holder.get("since") or "")
    return None


def describe(holder: dict) -> str:
    """'fieldrep is already open (pid 1234, `fieldrep`, since 02:02 UTC); close it first'.

    The store knows no zone a person reads in (that is the policy's, ``ui/times.py``), so this
    plain message names UTC; the command line words it again with the policy's zone."""
    pid = holder.get("pid", "?")
    command = holder.get("command") or "fieldrep"
    moment = opened_at(holder)
    since = f"{moment.astimezone(UTC):%H:%M} UTC" if moment else holder.get("since") or "?"
    host = holder.get("host")
    where = f" on {host}" if host and host != socket.gethostname() else ""
    return (
        f"fieldrep is already open (pid {pid}{where}, `{command}`, since {since}); close it first"
    )


class StoreHeld(StoreLocked):
    """The store is held by another process: ``holder`` says which (pid, host, command, since),
    for a caller that words the refusal itself (the CLI's writing commands)."""

    def __init__(self, holder: dict) -> None:
        super().__init__(describe(holder))
        self.holder = holder

    @property
    def opened_at(self) -> datetime | None:
        """When the holder opened the store, None when unknown."""
        return opened_at(self.holder)


class StoreLock:
    """An exclusive, non-blocking flock on ``path``; :meth:`acquire` raises StoreHeld (a
    StoreLocked). Readers beside a running holder take no lock at all: see ``Store.open``'s
    ``read_only``."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = self._read_holder(fd)
            os.close(fd)
            raise StoreHeld(holder) from None
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": _command(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, orjson.dumps(holder), 0)
        self._fd = fd

    @staticmethod
    def _read_holder(fd: int) -> dict:
        try:
            raw = os.pread(fd, 4096, 0)
            holder = orjson.loads(raw) if raw else {}
            return holder if isinstance(holder, dict) else {}
        except (OSError, orjson.JSONDecodeError):
            return {}

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        with contextlib.suppress(OSError):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None
