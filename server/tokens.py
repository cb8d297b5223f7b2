"""Sign-in tokens: made at random, stored only as hashes, revoked, replaced, looked up.

A token is shown once, when it is issued; the server keeps its SHA-256 alone. Functions here take
a rep record already found (``Org.find_rep`` resolves a name or id) so they sit below the
organisation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server import db
from server.clock import system_clock
from server.schema import tokens
from sync.protocol.words import counted


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "fr_" + secrets.token_urlsafe(32)


def issue_token(conn: Connection, rep_id: str, *, at: datetime | None = None) -> str:
    """A fresh token for ``rep_id``, stored as its hash; the token itself is returned only now."""
    token = new_token()
    conn.execute(tokens.insert().values(hash=hash_token(token), rep_id=rep_id,
                                        created_at=db.iso(at or system_clock())))
    return token


def _revoke_all(conn: Connection, rep_id: str, at: datetime) -> int:
    return conn.execute(
        tokens.update()
        .where(tokens.c.rep_id == rep_id, tokens.c.revoked_at.is_(None))
        .values(revoked_at=db.iso(at))
    ).rowcount


def revoke_tokens(conn: Connection, rep: dict, *, at: datetime | None = None) -> int:
    """Every active token of ``rep`` stops working; returns how many there were."""
    at = at or system_clock()
    revoked = _revoke_all(conn, rep["id"], at)
    db.record_audit(conn, "admin", "revoke-token", f"revoked {counted(revoked, 'token')} of {rep['name']}",
                    entity="rep", record_id=rep["id"], at=at)
    return revoked


def replace_token(conn: Connection, rep: dict, *, at: datetime | None = None) -> tuple[str, int]:
    """A fresh token for ``rep``, active or revoked; every older token of theirs stops working.

    Returns (the new token, how many old tokens were revoked). The token is shown only now.
    """
    at = at or system_clock()
    revoked = _revoke_all(conn, rep["id"], at)
    token = issue_token(conn, rep["id"], at=at)
    db.record_audit(conn, "admin", "new-token",
                    f"new token for {rep['name']}; revoked {counted(revoked, 'older token')}",
                    entity="rep", record_id=rep["id"], at=at)
    return token, revoked


def rep_for_token(conn: Connection, token: str) -> dict | None:
    """The rep whose active token this is, or None."""
    row = conn.execute(
        sa.select(tokens.c.rep_id).where(
            tokens.c.hash == hash_token(token), tokens.c.revoked_at.is_(None)
        )
    ).first()
    return db.get_record(conn, "rep", row[0]) if row else None
