"""A rep's laptops: registering one, and the exactly-once push of its numbered changes.

Every change a laptop sends carries the device's next sequence number (``mid``). The server
applies mid N once, after N-1, each in its own transaction, and keeps its answer, so a resend of
N gets the same answer (with the record as it is now, if the rep may still see it). A skipped
number (``push.mid_gap``) or a number the server holds from another change (``push.mid_reused``:
the laptop's data was restored or copied) stops the push with the number expected next.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from server import db
from server.clock import Clock
from server.domain.mutations import apply_mutation
from server.org import Org
from server.schema import devices, results
from sync.protocol.models import Mutation, MutationResult
from sync.protocol.refusals import Refusal

ATTEMPTS = 3
"""How often one change is tried when a concurrent writer took the same key (a create race)."""


@dataclass(frozen=True)
class MidRefused:
    """Why a push stopped (``push.mid_gap`` or ``push.mid_reused``) and the mid expected next."""

    refusal: Refusal
    expected_mid: int


class Collision(Exception):
    """A change kept colliding with concurrent writers; the laptop should retry shortly."""


# --------------------------------------------------------------------------- registration


def count(conn: Connection, rep_id: str) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(devices)
                        .where(devices.c.rep_id == rep_id)).scalar_one()


def add(conn: Connection, rep_id: str, name: str, *, at: datetime) -> str:
    """Register a new device of ``rep_id``; returns its id. Its first change will be mid 1."""
    device_id = str(uuid.uuid4())
    conn.execute(devices.insert().values(id=device_id, rep_id=rep_id, name=name, last_mid=0,
                                         created_at=db.iso(at)))
    return device_id


def owner_and_last_mid(conn: Connection, device_id: str) -> tuple[str, int] | None:
    row = conn.execute(sa.select(devices.c.rep_id, devices.c.last_mid)
                       .where(devices.c.id == device_id)).first()
    return None if row is None else (row.rep_id, row.last_mid)


def last_mid(conn: Connection, device_id: str) -> int:
    return conn.execute(sa.select(devices.c.last_mid)
                        .where(devices.c.id == device_id)).scalar_one()


# --------------------------------------------------------------------------- push


def push(engine: Engine, org: Org, rep: dict, device_id: str, mutations: list[Mutation],
         clock: Clock, last: int) -> tuple[list[MutationResult], int] | MidRefused:
    """Apply ``mutations`` of ``device_id`` in order, each once; returns the answers (a record
    answered several times travels once) and the device's last mid, or why it stopped.
    ``last`` is the device's last mid as read before the push."""
    answered: list[MutationResult] = []
    for index, mutation in enumerate(mutations):
        # The laptop sends mid N only after it stored the answers below N: forget those.
        trim_below = mutation.mid if index == 0 else None
        outcome = _push_with_retries(engine, org, rep, device_id, mutation, trim_below, clock)
        if isinstance(outcome, MidRefused):
            return outcome
        answered.append(outcome)
        last = max(last, mutation.mid)
    if not mutations:
        with db.reading(engine) as conn:
            last = last_mid(conn, device_id)
    return _each_record_once(answered), last


def _push_with_retries(engine: Engine, org: Org, rep: dict, device_id: str, mutation: Mutation,
                       trim_below: int | None, clock: Clock) -> MutationResult | MidRefused:
    for _ in range(ATTEMPTS - 1):
        try:
            return _push_one(engine, org, rep, device_id, mutation, trim_below, clock)
        except IntegrityError:
            continue
    try:
        return _push_one(engine, org, rep, device_id, mutation, trim_below, clock)
    except IntegrityError:
        raise Collision from None


def _push_one(engine: Engine, org: Org, rep: dict, device_id: str, mutation: Mutation,
              trim_below: int | None, clock: Clock) -> MutationResult | MidRefused:
    with db.writing(engine) as conn:
        last = conn.execute(
            sa.select(devices.c.last_mid).where(devices.c.id == device_id).with_for_update()
        ).scalar_one()
        result: MutationResult | MidRefused
        if mutation.mid <= last:
            stored = conn.execute(sa.select(results.c.result).where(
                results.c.device_id == device_id, results.c.mid == mutation.mid
            )).scalar_one_or_none()
            kept = db.loads(stored) if stored is not None else None
            if kept is None or kept.get("op_id") != mutation.op_id:
                return MidRefused(Refusal("push.mid_reused", {"mid": mutation.mid}), last + 1)
            result = _resent(conn, rep, kept)
        elif mutation.mid > last + 1:
            return MidRefused(Refusal("push.mid_gap", {"expected": last + 1, "mid": mutation.mid}),
                              last + 1)
        else:
            result = apply_mutation(conn, org, rep, mutation, clock())
            conn.execute(results.insert().values(
                device_id=device_id, mid=mutation.mid, result=db.dumps(_small(result))))
            conn.execute(devices.update().where(devices.c.id == device_id)
                         .values(last_mid=mutation.mid))
        if trim_below is not None:
            conn.execute(results.delete().where(results.c.device_id == device_id,
                                                results.c.mid < trim_below))
        return result


def _small(result: MutationResult) -> dict:
    """What is kept to answer a resend: the outcome, never the record (it is re-read)."""
    kept = result.model_dump(mode="json", exclude={"record"})
    kept["with_record"] = result.record is not None
    return kept


def _resent(conn: Connection, rep: dict, kept: dict) -> MutationResult:
    """The stored answer again, with the record as it is now, if the rep may still see it."""
    with_record = kept.pop("with_record", None)
    if with_record is None:  # stored by an older server, with the whole record in it
        with_record = kept.get("record") is not None
    kept.pop("record", None)
    result = MutationResult.model_validate(kept)
    if with_record:
        who = db.record_audience(conn, result.entity, result.record_id)
        if rep["id"] in who or db.EVERYONE in who:
            result.record = db.get_record(conn, result.entity, result.record_id)
    return result


def _each_record_once(answers: list[MutationResult]) -> list[MutationResult]:
    """A record answered several times in one push travels once, with its last answer
    (20 claims of one customer are one copy of it, not twenty)."""
    seen: set[tuple[str, str]] = set()
    for result in reversed(answers):
        key = (result.entity, result.record_id)
        if key in seen:
            result.record = None
        elif result.record is not None:
            seen.add(key)
    return answers
