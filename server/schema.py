"""The server's tables, and creating or dropping them.

Every record (customer, visit, feedback, follow-up, rep, team, territory, policy) lives in one
``records`` table as JSON, with the few columns the rules query (owner, protection end, customer).
Who may see a record is kept beside it in ``audience`` (rep ids, or ``*`` for everyone). Writing a
record appends rows to ``changes`` in commit order, addressed to its audience in
``change_audience``; the one-row ``feed`` table holds the last sequence number, the compaction
horizon and the organisation's version. ``tokens`` holds sign-in tokens as hashes only,
``devices`` and ``results`` a laptop's sequence numbers and stored answers, ``audit`` who did what.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Engine

metadata = sa.MetaData()

_SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")

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
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=False),
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
    sa.Column("seq", _SEQ, primary_key=True),
)

feed = sa.Table(
    "feed",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("seq", _SEQ, nullable=False),
    sa.Column("horizon", _SEQ, nullable=False),
    sa.Column("org_version", sa.Integer, nullable=False, default=0),
    sa.Column("instance", sa.String(40), nullable=False, default=""),
)

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


def create_schema(engine: Engine) -> None:
    """Create every table (idempotent) and the feed's one row."""
    metadata.create_all(engine)
    with engine.begin() as conn:
        if conn.execute(sa.select(feed.c.id)).first() is None:
            conn.execute(feed.insert().values(id=1, seq=0, horizon=0, org_version=0,
                                              instance=secrets.token_hex(8)))


def drop_schema(engine: Engine) -> None:
    metadata.drop_all(engine)
