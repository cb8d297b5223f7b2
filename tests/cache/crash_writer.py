"""A writer for the SIGKILL crash test: ``python -m tests.cache.crash_writer storage|store PATH``.

It imports everything once, then for each ``go`` line on stdin forks a child that writes in a
loop and prints ``ack <id>`` (unbuffered, after the write returned) for every durable write; the
test SIGKILLs that child at a random moment. The parent then prints ``dead`` and waits for the
next ``go``, so 200 kills cost 200 forks, not 200 interpreter start-ups.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cache import Store
from cache.ids import uuid7
from cache.storage import read_document, write_document


def _say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def storage_loop(path: Path) -> None:
    document = read_document(path, default={"ids": []})
    while True:
        write_id = uuid7()
        document["ids"].append(write_id)
        document["pad"] = write_id * 20  # some bulk so writes are not trivially short
        write_document(path, document)
        _say(f"ack {write_id}")


def store_loop(home: Path) -> None:
    store = Store.open(home)
    customer_id = store.all_customer_ids()[0]
    n = 0
    while True:
        n += 1
        visit = store.log_visit(customer_id, outcome="crash test", notes=f"n{n}")
        _say(f"ack {visit['id']}")


def main() -> int:
    mode, target = sys.argv[1], Path(sys.argv[2])
    loop = storage_loop if mode == "storage" else store_loop
    for line in sys.stdin:
        if line.strip() != "go":
            continue
        pid = os.fork()
        if pid == 0:
            try:
                loop(target)
            finally:
                os._exit(1)
        _say(f"pid {pid}")
        os.waitpid(pid, 0)
        _say("dead")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
