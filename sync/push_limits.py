"""How a push stays under the server's limits: at most MAX_PUSH_BATCH changes and a body under
the server's size limit (FIELDREP_MAX_BODY_BYTES, which a 413 names), measured as the client
sends it; and what the rep reads when one change alone is over it.
"""

from __future__ import annotations

import json
from typing import Any

from sync.client import SyncError
from sync.protocol.models import SCHEMA_VERSION
from sync.store_protocol import MutationJSON

PUSH_BYTES = 1024 * 1024
"""The size a push's body stays under until a server says its own limit (its 413 names it;
the server's default is 4 MiB): a push holds at most MAX_PUSH_BATCH changes and this many bytes."""

TOO_LARGE = ("one change is larger than the server accepts ({max} bytes), so it and the "
             "changes after it wait: ask your admin to raise FIELDREP_MAX_BODY_BYTES")
"""What a rep reads when one pending change alone is over the server's body limit (the TUI and
the CLI translate it from the catalogue, with ``max`` the report's ``too_large``)."""


class ChangeTooLarge(SyncError):
    """One pending change is over the server's body limit ``max_bytes``: it cannot be sent."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(TOO_LARGE.format(max=max_bytes))
        self.max_bytes = max_bytes


def wire(op: MutationJSON) -> MutationJSON:
    """An outbox entry as a push carries it."""
    keys = ("op_id", "mid", "kind", "record_id", "fields", "base_version", "client_time")
    return {k: op.get(k) for k in keys if k in op}


def _json_size(value: Any) -> int:
    """Bytes of ``value`` as the client sends it (compact UTF-8 JSON, as httpx encodes it)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def push_size(mutations: list[MutationJSON], device_id: str) -> int:
    return _json_size({"device_id": device_id, "schema_version": SCHEMA_VERSION,
                       "mutations": mutations})


def fitting(ops: list[MutationJSON], device_id: str, budget: int) -> list[MutationJSON]:
    """The longest prefix of ``ops`` whose push body stays within ``budget`` bytes (always the
    first op: alone, the server decides)."""
    size = push_size([], device_id)
    for count, op in enumerate(ops):
        size += _json_size(wire(op)) + (1 if count else 0)
        if count and size > budget:
            return ops[:count]
    return ops
