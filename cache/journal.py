"""The journal of the rep's unsynced work: ONE way to change it (:meth:`Journal.commit`), the
outbox and the device's mids.

Every change — a rep's write, a push answer, a pulled page settling the local layers — is a
function of the journal document, applied and written durably in one atomic write by
:meth:`Journal.commit`; when anything fails on the way (a full disk, a bug), the journal in
memory goes back to what is on disk and nothing changed. A rep's write is usually a
:class:`Change`: the records it saves, the operations that will send them, the local customer
layers it touches.

An operation (a ``Mutation`` of sync/protocol/models.py) carries the device's next sequence
number ``mid``: 1, 2, 3 … per device, never reused (the server applies each mid once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import orjson

from cache.documents import Documents
from cache.errors import StoreError
from cache.ids import uuid7

T = TypeVar("T")


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


@dataclass(frozen=True)
class Op:
    """An operation to queue: its kind (``visit.create``…), record, fields and base version."""

    kind: str
    record_id: str
    fields: dict
    base_version: int | None = None


def queue_op(journal: dict, op: Op, at: datetime | None = None) -> dict:
    """Append ``op`` to the outbox with the device's next mid; the operation as queued."""
    queued = {
        "op_id": uuid7(),
        "mid": journal["next_mid"],
        "kind": op.kind,
        "record_id": op.record_id,
        "fields": op.fields,
        "base_version": op.base_version,
        "client_time": iso(at or now()),
    }
    journal["next_mid"] += 1
    journal["outbox"].append(queued)
    return queued


@dataclass
class Change:
    """One rep action as the journal keeps it, for :meth:`Journal.commit`: the records it saves
    (``(kind, record)``), the operations that will send them, and the customers' local layers it
    sets keys of (``{}`` only makes sure a layer exists, for an edit or a claim)."""

    records: list[tuple[str, dict]] = field(default_factory=list)
    ops: list[Op] = field(default_factory=list)
    layers: dict[str, dict] = field(default_factory=dict)
    at: datetime | None = None
    """The client time the operations carry (display only; default: now)."""

    @classmethod
    def create(cls, kind: str, record: dict, at: datetime | None = None) -> Change:
        """A new visit, feedback or follow-up, and the operation that sends it whole."""
        return cls([(kind, record)], [Op(f"{kind}.create", record["id"], record)], at=at)

    @classmethod
    def update(cls, kind: str, record: dict, fields: dict, base_version: int | None) -> Change:
        """``record`` as changed by ``fields``, and the operation that sends those fields."""
        return cls([(kind, record)], [Op(f"{kind}.update", record["id"], fields, base_version)])

    def __call__(self, journal: dict) -> list[dict]:
        for kind, record in self.records:
            journal["records"][kind][record["id"]] = record
        for cid, keys in self.layers.items():
            journal["customers"].setdefault(cid, {}).update(keys)
        return [queue_op(journal, op, self.at) for op in self.ops]


def renumber(journal: dict) -> None:
    """Give the pending operations the mids 1, 2, 3 … of a new device, in the same order."""
    for mid, op in enumerate(journal["outbox"], start=1):
        op["mid"] = mid
    journal["next_mid"] = len(journal["outbox"]) + 1


class Journal:
    """The journal document of ``docs`` and every change of it. ``rollback`` is called after a
    failed change put the document back, so what was derived from it (the customers the rep
    sees) is derived again."""

    def __init__(self, docs: Documents, rollback: Callable[[], None]) -> None:
        self._docs = docs
        self._rollback = rollback

    @property
    def doc(self) -> dict:
        return self._docs.journal

    def commit(self, change: Callable[[dict], T]) -> T:
        """Apply ``change`` to the journal and write it durably; on any failure, nothing changed."""
        docs = self._docs
        try:
            result = change(docs.journal)
            docs.write_journal()
        except BaseException as error:
            docs.journal = orjson.loads(docs.journal_bytes)
            self._rollback()
            if isinstance(error, OSError):  # a full disk, a read-only home: say so in one line
                raise StoreError(
                    f"not saved: {error.strerror or error} in {docs.home}; nothing was changed"
                ) from error
            raise
        return result

    def outbox(self) -> list[dict]:
        """Pending operations (Mutation dicts, copies), in mid order."""
        return [dict(op) for op in sorted(self.doc["outbox"], key=lambda op: op["mid"])]

    def pending_op_ids(self) -> set[str]:
        """The op_ids of the operations still to send."""
        return {op["op_id"] for op in self.doc["outbox"]}

    @property
    def last_assigned_mid(self) -> int:
        """The highest mid handed out on this device (0 for none)."""
        return max(0, int(self.doc.get("next_mid") or 1) - 1)
