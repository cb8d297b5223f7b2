"""What every `fieldrep-server` command shares: its error type, opening the database, and how a
list of customers is shown."""

from __future__ import annotations

import argparse

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from server import db, feed, schema, settings
from server.org import ensure_policy


class CliError(Exception):
    pass


def split_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def customer_list(customers: list[dict], limit: int = 20) -> str:
    """``甲公司 (Zhejiang, 杭州), 乙公司 (…)``: the first ``limit``, then how many more."""

    def one(customer: dict) -> str:
        where = ", ".join(p for p in (customer.get("province"), customer.get("city")) if p)
        return f"{customer['name']} ({where or '-'})"

    more = len(customers) - limit
    return ", ".join(map(one, customers[:limit])) + (f", … and {more} more" if more > 0 else "")


def database_url(args: argparse.Namespace) -> str:
    """``--database``, else FIELDREP_DATABASE_URL, else ``fieldrep.db`` in the working folder."""
    return args.database or settings.load().database_url


def open_engine(args: argparse.Namespace, *, create: bool = False) -> Engine:
    url = database_url(args)
    try:
        engine = db.make_engine(url)
        if create:
            schema.create_schema(engine)
            with db.writing(engine) as conn:
                ensure_policy(conn)
        else:
            with db.reading(engine) as conn:
                feed.position(conn)
    except SQLAlchemyError as error:
        hint = "" if create else " (run `fieldrep-server init` first?)"
        reason = str(getattr(error, "orig", error)).splitlines()[0]
        raise CliError(f"cannot use the database {safe_url(url)}: {reason}{hint}") from None
    return engine


def safe_url(url: str) -> str:
    """``url`` fit for a log or an error line: no password, no query (which may hold one)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return "(a database URL that cannot be read)"
    return parsed.set(query={}).render_as_string(hide_password=True)
