"""The server's schema and its storage primitives: records, who may see them, and the change feed.

Every record (customer, visit, feedback, follow-up, rep, team, territory, policy) lives in one
``records`` table as JSON, with the few columns the rules query (owner, protection end, customer).
Who may see a record is kept beside it in ``audience`` (rep ids, or ``*`` for everyone), computed
when the record is written. Writing a record appends a change row in commit order, addressed to its
audience; a rep who loses sight of it gets a tombstone. Pull is then one indexed range scan.

Commit order: every writing transaction takes the next sequence numbers from the one-row ``feed``
table with an UPDATE, which holds that row's lock until commit (PostgreSQL), or runs under SQLite's
single writer (``BEGIN IMMEDIATE``). So a change with a lower sequence is never committed after one
with a higher sequence, and a pull can never step over a change that is still in flight.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

EVERYONE = "*"
DEFAULT_DATABASE = "sqlite:///fieldrep.db"

metadata = sa.MetaData()

records = sa.Table(
    "records",
    metadata,
    sa.Column("entity", sa.String(16), primary_key=True),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("field_versions", sa.Text, nullable=False, default="{}"),
    sa.Column("owner_id", sa.String(64), index=True),
    sa.Column("protected_until", sa.String(40), index=True),
    sa.Column("customer_id", sa.String(64), index=True),
    sa.Column("rep_id", sa.String(64), index=True),
    sa.Column("name", sa.String(200)),
)

audience = sa.Table(
    "audience",
    metadata,
    sa.Column("rep_id", sa.String(64), primary_key=True),
    sa.Column("entity", sa.String(16), primary_key=True),
    sa.Column("record_id", sa.String(64), primary_key=True),
)
sa.Index("audience_by_record", audience.c.entity, audience.c.record_id)

changes = sa.Table(
    "changes",
    metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=False),
    sa.Column("entity", sa.String(16), nullable=False),
    sa.Column("record_id", sa.String(64), nullable=False),
    sa.Column("op", sa.String(8), nullable=False),
    sa.Column("record", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("at", sa.String(40), nullable=False),
)

change_audience = sa.Table(
    "change_audience",
    metadata,
    sa.Column("rep_id", sa.String(64), primary_key=True),
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
)

feed = sa.Table(
    "feed",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
    sa.Column("horizon", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
    sa.Column("org_version", sa.Integer, nullable=False, default=0),
    sa.Column("instance", sa.String(40), nullable=False, default=""),
)

ORG_ENTITIES = frozenset({"rep", "team", "territory", "policy"})

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("hash", sa.String(64), primary_key=True),
    sa.Column("rep_id", sa.String(64), nullable=False, index=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("revoked_at", sa.String(40)),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("rep_id", sa.String(64), nullable=False, index=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("last_mid", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", sa.String(40), nullable=False),
)

results = sa.Table(
    "results",
    metadata,
    sa.Column("device_id", sa.String(64), primary_key=True),
    sa.Column("mid", sa.Integer, primary_key=True),
    sa.Column("result", sa.Text, nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(40), nullable=False, index=True),
    sa.Column("actor", sa.String(64), nullable=False, index=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("entity", sa.String(16)),
    sa.Column("record_id", sa.String(64)),
    sa.Column("why", sa.Text, nullable=False),
)


# --------------------------------------------------------------------------- engine


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("FIELDREP_DATABASE_URL") or DEFAULT_DATABASE


def _with_driver(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean PostgreSQL through psycopg 3, the driver we ship."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url``: SQLite in WAL with one writer at a time, or PostgreSQL."""
    url = _with_driver(database_url(url))
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


def create_schema(engine: Engine) -> None:
    """Create every table (idempotent) and the feed's one row."""
    metadata.create_all(engine)
    with writing(engine) as conn:
        if conn.execute(sa.select(feed.c.id)).first() is None:
            conn.execute(feed.insert().values(id=1, seq=0, horizon=0, org_version=0,
                                              instance=secrets.token_hex(8)))


def drop_schema(engine: Engine) -> None:
    metadata.drop_all(engine)


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


def now_utc() -> datetime:
    override = os.environ.get("FIELDREP_SERVER_NOW")  # tests move the server's clock
    if override:
        return datetime.fromisoformat(override).astimezone(UTC)
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def loads(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "fr_" + secrets.token_urlsafe(32)


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


def feed_position(conn: Connection) -> tuple[int, int]:
    """(the last committed sequence, the horizon below which changes were compacted)."""
    row = conn.execute(sa.select(feed.c.seq, feed.c.horizon).where(feed.c.id == 1)).one()
    return int(row[0]), int(row[1])


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
    """Write ``record`` (its ``version`` already set) for audience ``who``, with its change rows.

    Reps that saw the record before and no longer do get a tombstone.
    """
    record_id = record["id"]
    before = (
        previous_audience
        if previous_audience is not None
        else record_audience(conn, entity, record_id)
    )
    values = {
        "version": int(record.get("version") or 1),
        "record": dumps(record),
        "owner_id": record.get("owner_id") if entity == "customer" else None,
        "protected_until": (
            iso(_as_dt(record.get("protected_until"))) if entity == "customer" else None
        ),
        "customer_id": record.get("customer_id"),
        "rep_id": record.get("rep_id"),
        "name": (record.get("name") or "")[:200] or None,
    }
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
    stamp = iso(at or now_utc())
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
             *, reason: str | None = None) -> None:
    """Insert many NEW records at once (seeding, import): one change row each."""
    if not items:
        return
    seqs = next_seqs(conn, len(items))
    stamp = iso(now_utc())
    rec_rows, aud_rows, change_rows, fan_rows = [], [], [], []
    for (record, who), seq in zip(items, seqs, strict=True):
        text = dumps(record)
        rec_rows.append({
            "entity": entity, "id": record["id"], "version": int(record.get("version") or 1),
            "record": text, "field_versions": "{}",
            "owner_id": record.get("owner_id") if entity == "customer" else None,
            "protected_until": (
                iso(_as_dt(record.get("protected_until"))) if entity == "customer" else None
            ),
            "customer_id": record.get("customer_id"), "rep_id": record.get("rep_id"),
            "name": (record.get("name") or "")[:200] or None,
        })
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
    conn.execute(audit.insert().values(at=iso(at or now_utc()), actor=actor, action=action,
                                       entity=entity, record_id=record_id, why=why))


def all_records(conn: Connection, entity: str) -> list[dict]:
    rows = conn.execute(
        sa.select(records.c.record).where(records.c.entity == entity).order_by(records.c.id)
    )
    return [loads(row[0]) for row in rows]


def compact_feed(conn: Connection, through_seq: int) -> int:
    """Forget change rows up to ``through_seq``; cursors older than that get 410 (re-bootstrap)."""
    _, horizon = feed_position(conn)
    if through_seq <= horizon:
        return 0
    conn.execute(change_audience.delete().where(change_audience.c.seq <= through_seq))
    deleted = conn.execute(changes.delete().where(changes.c.seq <= through_seq)).rowcount
    conn.execute(sa.update(feed).where(feed.c.id == 1).values(horizon=through_seq))
    return deleted


DEFAULT_RETENTION_DAYS = 30.0
"""How long the change feed keeps its rows; an older cursor gets 410 and re-bootstraps."""


def retention_days() -> float:
    """The feed's retention: FIELDREP_FEED_RETENTION_DAYS, else 30 days."""
    text = os.environ.get("FIELDREP_FEED_RETENTION_DAYS")
    if not text:
        return DEFAULT_RETENTION_DAYS
    try:
        days = float(text)
    except ValueError:
        raise ValueError(
            f"FIELDREP_FEED_RETENTION_DAYS must be a number of days, not {text!r}"
        ) from None
    if days < 0 or days != days:
        raise ValueError(f"FIELDREP_FEED_RETENTION_DAYS must be 0 or more, not {text!r}")
    return days


def compact_older_than(conn: Connection, days: float, now: datetime | None = None) -> int:
    """Forget change rows written more than ``days`` ago: the tombstone horizon moves up to them."""
    cutoff = iso((now or now_utc()) - timedelta(days=days))
    through = conn.execute(
        sa.select(sa.func.max(changes.c.seq)).where(changes.c.at < cutoff)
    ).scalar_one()
    return 0 if through is None else compact_feed(conn, int(through))


def _as_dt(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
