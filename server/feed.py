"""The change feed read back: pull after a cursor, bootstrap pages pinned to one moment, and
forgetting old changes (the horizon).

A cursor ``s<seq>`` is a position in the feed. A bootstrap token pins the feed's position when
the bootstrap began and the last record key sent, so pages resume by key and every change made
meanwhile arrives by the pull from the pinned cursor. Changes older than the retention are
forgotten; a cursor or token behind the horizon is refused as gone (the laptop starts again).
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server import db, schema
from sync.protocol.models import BootstrapPage, Change, PullResponse
from sync.protocol.refusals import Refusal


class CursorRefused(Exception):
    """A cursor or bootstrap token the feed cannot serve: malformed, or ``gone`` (behind the
    horizon or from another server: the laptop starts again)."""

    def __init__(self, refusal: Refusal, *, gone: bool) -> None:
        super().__init__(refusal.text)
        self.refusal, self.gone = refusal, gone


def position(conn: Connection) -> tuple[int, int]:
    """(the last committed sequence, the horizon below which changes were compacted)."""
    row = conn.execute(sa.select(schema.feed.c.seq, schema.feed.c.horizon)
                       .where(schema.feed.c.id == 1)).one()
    return int(row[0]), int(row[1])


def _audience_of(rep_id: str) -> list[str]:
    return [rep_id, db.EVERYONE]


# --------------------------------------------------------------------------- cursors and tokens


def cursor(seq: int) -> str:
    return f"s{seq}"


def parse_cursor(text: str) -> int:
    seq = db.ascii_int(text[1:]) if text.startswith("s") and len(text) <= 20 else None
    if seq is None:
        raise CursorRefused(Refusal("cursor.invalid", {"cursor": text[:40]}), gone=False)
    return seq


def page_token(pin: int, entity: str, record_id: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([pin, entity, record_id])).decode()


def parse_page_token(text: str) -> tuple[int, str, str]:
    try:
        pin, entity, record_id = orjson.loads(base64.urlsafe_b64decode(text.encode()))
        if type(pin) is not int or not isinstance(entity, str) or not isinstance(record_id, str):
            raise ValueError  # a bool is an int to isinstance: only a true integer will do
        if "\x00" in entity + record_id:
            raise ValueError
        return pin, entity, record_id
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise CursorRefused(Refusal("bootstrap.invalid_token"), gone=False) from None


# --------------------------------------------------------------------------- reading


def pull(conn: Connection, rep_id: str, after_cursor: str, limit: int) -> PullResponse:
    """The changes addressed to ``rep_id`` after ``after_cursor``, at most ``limit``, in commit
    order."""
    after = parse_cursor(after_cursor)
    top, horizon = position(conn)
    if after < horizon:
        raise CursorRefused(Refusal("cursor.expired"), gone=True)
    if after > top:
        raise CursorRefused(Refusal("cursor.foreign"), gone=True)
    c, fan = schema.changes, schema.change_audience
    rows = conn.execute(
        sa.select(c.c.seq, c.c.entity, c.c.record_id, c.c.op, c.c.record, c.c.reason)
        .join(fan, fan.c.seq == c.c.seq)
        .where(fan.c.rep_id.in_(_audience_of(rep_id)), fan.c.seq > after)
        .order_by(fan.c.seq)
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_seq = rows[-1].seq if has_more else top
    return PullResponse(
        changes=[Change(entity=r.entity, id=r.record_id, op=r.op,
                        record=db.loads(r.record), reason=r.reason) for r in rows],
        next_cursor=cursor(next_seq), has_more=has_more,
    )


def bootstrap(conn: Connection, rep_id: str, token: str | None, limit: int) -> BootstrapPage:
    """One page of every record ``rep_id`` may see, by key, pinned to the feed's position when
    the bootstrap began (``token`` resumes it; none starts one now)."""
    top, horizon = position(conn)
    pin, entity, after_id = parse_page_token(token) if token else (top, "", "")
    if pin < horizon or pin > top:
        raise CursorRefused(Refusal("bootstrap.expired"), gone=True)
    a, r = schema.audience, schema.records
    rows = conn.execute(
        sa.select(a.c.entity, a.c.record_id, r.c.record)
        .join(r, sa.and_(r.c.entity == a.c.entity, r.c.id == a.c.record_id))
        .where(a.c.rep_id.in_(_audience_of(rep_id)),
               sa.or_(a.c.entity > entity,
                      sa.and_(a.c.entity == entity, a.c.record_id > after_id)))
        .order_by(a.c.entity, a.c.record_id)
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    return BootstrapPage(
        changes=[Change(entity=row.entity, id=row.record_id, record=db.loads(row.record))
                 for row in rows],
        cursor=cursor(pin),
        next_token=page_token(pin, rows[-1].entity, rows[-1].record_id) if has_more else None,
        has_more=has_more,
    )


# --------------------------------------------------------------------------- the horizon


def compact(conn: Connection, through_seq: int) -> int:
    """Forget change rows up to ``through_seq``; cursors older than that get 410 (re-bootstrap)."""
    _, horizon = position(conn)
    if through_seq <= horizon:
        return 0
    conn.execute(schema.change_audience.delete().where(schema.change_audience.c.seq <= through_seq))
    deleted = conn.execute(schema.changes.delete().where(schema.changes.c.seq <= through_seq)).rowcount
    conn.execute(sa.update(schema.feed).where(schema.feed.c.id == 1).values(horizon=through_seq))
    return deleted


def compact_older_than(conn: Connection, days: float, *, now: datetime) -> int:
    """Forget change rows written more than ``days`` before ``now``: the horizon moves up."""
    cutoff = db.iso(now - timedelta(days=days))
    through = conn.execute(
        sa.select(sa.func.max(schema.changes.c.seq)).where(schema.changes.c.at < cutoff)
    ).scalar_one()
    return 0 if through is None else compact(conn, int(through))
