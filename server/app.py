"""The HTTP API as one FastAPI app: the edge middlewares, the error handlers and the routers.

Routes live by area in ``server/api/`` (``sync``: devices, push, pull, bootstrap; ``org``: me,
assignment, transfer; ``rules``: the policy), with what they share in ``server/api/deps.py``.
Scope is computed from the bearer token on every route; bad input is a 4xx with a coded reason.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy.engine import Engine

from server import db, settings
from server.api import errors, org, rules, sync
from server.api.deps import ServerState
from server.api.edge import AuthThrottle, BodyLimit, RequestLog, SafeHeaders
from server.clock import Clock, system_clock
from sync.protocol.models import SCHEMA_VERSION


def create_app(database_url: str | None = None, *, engine: Engine | None = None,
               config: settings.ServerSettings | None = None, clock: Clock = system_clock,
               throttle: AuthThrottle | None = None) -> FastAPI:
    """The API on ``engine`` (else on ``database_url``, else on the configured database), with
    ``config`` (else the environment's settings), reading the time from ``clock``."""
    config = config or settings.load()
    engine = engine or db.make_engine(database_url or config.database_url)
    app = FastAPI(
        title="fieldrep server",
        version=str(SCHEMA_VERSION),
        description="Sync, organisation and sales rules for fieldrep laptops.",
    )
    app.state.fieldrep = ServerState(
        engine=engine, clock=clock,
        throttle=throttle if throttle is not None else AuthThrottle())  # (empty is falsy)
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=1)  # cheap, ~10x smaller
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)  # outside gzip: read first
    app.add_middleware(SafeHeaders)  # on every answer, the 413 included
    app.add_middleware(RequestLog)  # outermost: every request, timed whole
    errors.install(app)
    for area in (sync, org, rules):
        app.include_router(area.router)
    return app
