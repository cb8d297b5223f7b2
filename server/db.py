"""The server's storage primitives: the engine, transactions, records and who may see them.

A record is written with its audience (rep ids, or ``EVERYONE``), computed by the caller when the
record is written; writing it appends a change row addressed to that audience, and a rep who
loses sight of it gets a tombstone. The tables are in ``server.schema``; reading the feed back
(pull, bootstrap, compaction) is ``server.feed``.

Commit order: every writing transaction takes the next sequence numbers from the one-row ``feed``
table with an UPDATE, which holds that row's lock until commit (PostgreSQL), or runs under SQLite's
single writer (``BEGIN IMMEDIATE``). So a change with a lower sequence is never committed after one
with a higher sequence, and a pull can never step over a change that is still in flight.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from server.clock import system_clock
from server.schema import audience, audit, change_audience, changes, feed, records
from sync.protocol.rules import as_datetime

EVERYONE = "*"
"""The audience of a record every rep sees (the organisation, the policy)."""

ORG_ENTITIES = frozenset({"rep", "team", "territory", "policy"})


# --------------------------------------------------------------------------- engine


def _with_driver(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean PostgreSQL through psycopg 3, the driver we ship."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite in WAL with one writer at a time, or PostgreSQL."""
    url = _with_driver(url)
    if url.startswith("sqlite"):
        _create_private(sa.engine.make_url(url).database)
        engine = sa.create_engine(
            url, connect_args={"timeout": 60, "check_same_thread": False},
            pool_size=8, max_overflow=32,
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            reading = conn.get_execution_options().get("fieldrep_read", False)
            conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, pool_size=20, max_overflow=40, pool_pre_ping=True)


def _create_private(path: str | None) -> None:
    """Create a new SQLite database file readable by the server's user alone (0600); SQLite
    gives its -wal and -shm files the database file's permissions. An existing file is kept
    as it is."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # e.g. a missing folder: SQLite's own error says it better at first connect
    os.close(fd)


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One writing transaction, never running beside another writer.

    SQLite: ``BEGIN IMMEDIATE`` makes it the single writer. PostgreSQL: it first locks the feed's
    one row, which every write needs for its sequence numbers anyway; taking it first gives all
    writers one lock order (feed, then records), so a claim, a visit and a reclaim sweep never
    deadlock, and every check reads what the previous writer committed.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(feed.c.id).where(feed.c.id == 1).with_for_update())
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction, so a page is consistent with itself."""
    with engine.connect().execution_options(fieldrep_read=True) as conn, conn.begin():
        yield conn


# --------------------------------------------------------------------------- values


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def loads(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def ascii_int(text: str | bytes) -> int | None:
    """``text`` as a number if it is ASCII digits only (``"²".isdigit()`` is true, int() fails)."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    return int(text)


# --------------------------------------------------------------------------- records


def get_record(conn: Connection, entity: str, record_id: str, *, lock: bool = False) -> dict | None:
    query = sa.select(records.c.record).where(records.c.entity == entity, records.c.id == record_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return loads(row[0]) if row else None


def get_field_versions(conn: Connection, entity: str, record_id: str) -> dict[str, int]:
    row = conn.execute(
        sa.select(records.c.field_versions).where(
            records.c.entity == entity, records.c.id == record_id
        )
    ).first()
    return loads(row[0]) if row else {}


def record_audience(conn: Connection, entity: str, record_id: str) -> set[str]:
    rows = conn.execute(
        sa.select(audience.c.rep_id).where(
            audience.c.entity == entity, audience.c.record_id == record_id
        )
    )
    return {row[0] for row in rows}


def all_records(conn: Connection, entity: str) -> list[dict]:
    rows = conn.execute(
        sa.select(records.c.record).where(records.c.entity == entity).order_by(records.c.id)
    )
    return [loads(row[0]) for row in rows]


def next_seqs(conn: Connection, count: int) -> list[int]:
    """Take ``count`` sequence numbers; the feed row stays locked until this transaction ends."""
    top = conn.execute(
        sa.update(feed).where(feed.c.id == 1).values(seq=feed.c.seq + count).returning(feed.c.seq)
    ).scalar_one()
    return list(range(top - count + 1, top + 1))


def org_version(conn: Connection) -> tuple[str, int]:
    """(this database's identity, a counter bumped by every change to reps, teams, territories
    or the policy): what a cache of the organisation is keyed by."""
    row = conn.execute(sa.select(feed.c.instance, feed.c.org_version).where(feed.c.id == 1)).one()
    return row[0], int(row[1])


def _columns(entity: str, record: dict) -> dict[str, Any]:
    """The queried columns of ``record``'s row besides its JSON (owner, protection, links)."""
    customer = entity == "customer"
    return {
        "version": int(record.get("version") or 1),
        "owner_id": record.get("owner_id") if customer else None,
        "protected_until": iso(as_datetime(record.get("protected_until"))) if customer else None,
        "customer_id": record.get("customer_id"),
        "rep_id": record.get("rep_id"),
        "name": (record.get("name") or "")[:200] or None,
    }


def put_record(
    conn: Connection,
    entity: str,
    record: dict,
    who: set[str],
    *,
    reason: str | None = None,
    field_versions: dict[str, int] | None = None,
    previous_audience: set[str] | None = None,
    at: datetime | None = None,
) -> dict:
    """Write ``record`` (its ``version`` already set) for audience ``who``, with its change rows
    stamped ``at`` (the caller's clock; the system clock if not given).

    Reps that saw the record before and no longer do get a tombstone.
    """
    record_id = record["id"]
    before = (
        previous_audience
        if previous_audience is not None
        else record_audience(conn, entity, record_id)
    )
    values = {**_columns(entity, record), "record": dumps(record)}
    if field_versions is not None:
        values["field_versions"] = dumps(field_versions)
    exists = conn.execute(
        sa.select(records.c.id).where(records.c.entity == entity, records.c.id == record_id)
    ).first()
    if exists:
        conn.execute(
            records.update()
            .where(records.c.entity == entity, records.c.id == record_id)
            .values(**values)
        )
    else:
        values.setdefault("field_versions", "{}")
        conn.execute(records.insert().values(entity=entity, id=record_id, **values))

    if entity in ORG_ENTITIES:
        conn.execute(sa.update(feed).where(feed.c.id == 1)
                     .values(org_version=feed.c.org_version + 1))
    gone, new = before - who, who - before
    if gone:
        conn.execute(
            audience.delete().where(
                audience.c.entity == entity,
                audience.c.record_id == record_id,
                audience.c.rep_id.in_(gone),
            )
        )
    if new:
        conn.execute(
            audience.insert(),
            [{"rep_id": r, "entity": entity, "record_id": record_id} for r in sorted(new)],
        )
    stamp = iso(at or system_clock())
    count = 1 + (1 if gone else 0)
    seqs = next_seqs(conn, count)
    rows = [dict(seq=seqs[0], entity=entity, record_id=record_id, op="upsert",
                 record=dumps(record), reason=reason, at=stamp)]
    fan = [{"rep_id": r, "seq": seqs[0]} for r in who]
    if gone:
        rows.append(dict(seq=seqs[1], entity=entity, record_id=record_id, op="delete",
                         record=None, reason=reason or "no longer in your scope", at=stamp))
        fan.extend({"rep_id": r, "seq": seqs[1]} for r in gone)
    conn.execute(changes.insert(), rows)
    if fan:
        conn.execute(change_audience.insert(), fan)
    return record


def put_many(conn: Connection, entity: str, items: list[tuple[dict, set[str]]],
             *, reason: str | None = None, at: datetime | None = None) -> None:
    """Insert many NEW records at once (seeding, import): one change row each, stamped ``at``."""
    if not items:
        return
    seqs = next_seqs(conn, len(items))
    stamp = iso(at or system_clock())
    rec_rows: list[dict[str, Any]] = []
    aud_rows: list[dict[str, Any]] = []
    change_rows: list[dict[str, Any]] = []
    fan_rows: list[dict[str, Any]] = []
    for (record, who), seq in zip(items, seqs, strict=True):
        text = dumps(record)
        rec_rows.append({"entity": entity, "id": record["id"], **_columns(entity, record),
                         "record": text, "field_versions": "{}"})
        aud_rows.extend({"rep_id": r, "entity": entity, "record_id": record["id"]} for r in who)
        change_rows.append({"seq": seq, "entity": entity, "record_id": record["id"],
                            "op": "upsert", "record": text, "reason": reason, "at": stamp})
        fan_rows.extend({"rep_id": r, "seq": seq} for r in who)
    conn.execute(records.insert(), rec_rows)
    if aud_rows:
        conn.execute(audience.insert(), aud_rows)
    conn.execute(changes.insert(), change_rows)
    if fan_rows:
        conn.execute(change_audience.insert(), fan_rows)


def record_audit(conn: Connection, actor: str, action: str, why: str, *,
                 entity: str | None = None, record_id: str | None = None,
                 at: datetime | None = None) -> None:
    """Who did what, when (``at``: the caller's clock; the system clock if not given), and why."""
    conn.execute(audit.insert().values(at=iso(at or system_clock()), actor=actor, action=action,
                                       entity=entity, record_id=record_id, why=why))
