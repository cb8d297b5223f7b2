"""`fieldrep-server serve`: uvicorn with the server's housekeeping beside it, and its log.

The log is the admin's: "listening on …" once the socket is bound, one line per request (method,
path without the query, status, milliseconds; written by ``server.api.edge.RequestLog``, so no
token, query or body ever reaches it), errors with their tracebacks, the housekeeping rounds that
did something, and "shutting down" … "stopped". ``FIELDREP_LOG_LEVEL`` (default info) sets how
much: ``warning`` keeps only problems. uvicorn's own start-up chatter is kept below warning unless
the level is debug or trace.
"""

from __future__ import annotations

import argparse
import logging
import threading
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from server import db, feed, settings
from server.clikit import CliError, database_url, open_engine, safe_url
from server.clock import Clock, system_clock
from server.domain import ownership

log = logging.getLogger("fieldrep.server")
LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"


def _maintain_once(engine: Engine, retention_days: float, now: datetime) -> tuple[int, int]:
    """One round of the server's housekeeping at ``now``: lapsed claims back to the pool, old
    feed rows forgotten. Returns (customers returned, change rows forgotten)."""
    with db.writing(engine) as conn:
        returned = len(ownership.reclaim(conn, now))
    with db.writing(engine) as conn:
        compacted = feed.compact_older_than(conn, retention_days, now=now)
    return returned, compacted


def _maintainer(engine: Engine, config: settings.ServerSettings, stop: threading.Event,
                clock: Clock) -> None:
    retention = config.feed_retention_days
    while not stop.wait(config.reclaim_interval):
        try:
            returned, compacted = _maintain_once(engine, retention, clock())
            if returned:
                log.info("reclaim: customers returned to the pool: %d", returned)
            if compacted:
                log.info("feed: changes forgotten (older than %g days): %d", retention, compacted)
        except Exception:  # keep serving; the next round tries again
            log.exception("maintenance failed")


def _configure_logging(level_name: str) -> str:
    """The process's log format and levels for ``level_name``; returns uvicorn's own level."""
    from uvicorn.config import LOG_LEVELS

    level = LOG_LEVELS[level_name]
    logging.basicConfig(level=level, format=LOG_FORMAT, force=True)
    return level_name if level < logging.INFO else "warning"


def cmd_serve(args: argparse.Namespace, clock: Clock = system_clock) -> int:
    """Serve until stopped. ``clock`` is the one time the routes and the housekeeping read (a
    test's server process moves it; ``fieldrep-server serve`` runs on the machine's)."""
    import uvicorn

    from server.app import create_app

    if not 0 < args.port < 65536:
        raise CliError(f"--port must be between 1 and 65535, not {args.port}")
    config = settings.load()
    engine = open_engine(args, create=True)
    app = create_app(engine=engine, config=config, clock=clock)
    uvicorn_level = _configure_logging(config.log_level)
    address = f"http://{args.host}:{args.port}"
    where = safe_url(database_url(args))

    class Server(uvicorn.Server):
        """uvicorn's server, saying in our words when it listens and when it stops."""

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                log.info("listening on %s (database %s)", address, where)

        async def shutdown(self, sockets: Any = None) -> None:
            log.info("shutting down")
            await super().shutdown(sockets=sockets)
            log.info("stopped")

    stop = threading.Event()
    threading.Thread(target=_maintainer, args=(engine, config, stop, clock), name="reclaim",
                     daemon=True).start()
    server = Server(uvicorn.Config(app, host=args.host, port=args.port, log_config=None,
                                   log_level=uvicorn_level, access_log=False))
    try:
        server.run()
    finally:
        stop.set()
    return 0
