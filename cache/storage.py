"""Durable JSON files: orjson, atomic replace, fsync — a TinyDB ``Storage`` and the same for us.

Every write goes to a temporary file in the same directory, is fsynced, renamed over the old file
with ``os.replace`` and then the directory is fsynced, so a crash (kill -9, power loss) at any
instant leaves either the old file or the new one, never a torn one; once :func:`atomic_write`
returns, the new content survives a crash.

Why the Store does not go through TinyDB's ``Table`` layer
---------------------------------------------------------
:class:`AtomicJSONStorage` is a complete TinyDB storage (``TinyDB(path, storage=AtomicJSONStorage)``
works, and the crash test and the benchmark's comparisons use it that way). The Store itself keeps
the same files with the same storage but writes whole documents directly, for two reasons:

* ``Table.insert`` reads the whole database, rebuilds every table's dict with integer document
  ids and writes it back, once per table touched. Saving a visit must write the visit *and* its
  outbox operation (and the new mid counter) in ONE durable write; two ``Table`` calls are two
  writes, and a crash between them would leave a visit without its operation.
* At 50,000 customers the snapshot is ~25 MB; TinyDB's ``Query`` layer scans it per query, while
  the Store reads it once at open into in-memory indexes (see ``cache/index.py``).

So the snapshot (customers, policy, people, cursor) and the journal (the rep's unsynced work) are
separate files: saving a visit rewrites only the small journal, whatever the territory's size.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from cache.errors import DamagedFile


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` durably: temp file, fsync, rename, fsync the directory."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def dumps(document: Any) -> bytes:
    """orjson, with the options every store file uses."""
    return orjson.dumps(document, option=orjson.OPT_NON_STR_KEYS)


def write_document(path: Path, document: Any) -> None:
    """Serialise ``document`` with orjson and write it atomically and durably."""
    atomic_write(path, dumps(document))


def read_document(path: Path, default: Any = None) -> Any:
    """The document stored at ``path``; ``default`` when the file does not exist.

    Raises DamagedFile when the file exists but is not valid JSON (truncated, garbage, empty).
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return default
    return parse_document(raw, Path(path).name)


def parse_document(raw: bytes, name: str) -> Any:
    """The document in ``raw`` (the bytes of the file ``name``); DamagedFile if not JSON."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise DamagedFile(f"{name} is not valid JSON ({error})") from None


class AtomicJSONStorage(Storage):
    """A TinyDB storage: orjson on disk, every ``write`` atomic and fsynced.

    ``read`` returns None for a missing or empty file, as TinyDB expects, and raises DamagedFile
    for a file that is not JSON rather than silently starting empty.
    """

    def __init__(self, path: str | os.PathLike, create_dirs: bool = True, **_: Any):
        self.path = Path(path)
        if create_dirs:
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def read(self) -> dict[str, Any] | None:
        try:
            if self.path.stat().st_size == 0:
                return None
        except FileNotFoundError:
            return None
        document = read_document(self.path)
        if document is not None and not isinstance(document, dict):
            raise DamagedFile(f"{self.path.name} does not hold a TinyDB database")
        return document

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        write_document(self.path, data)

    def close(self) -> None:
        pass
