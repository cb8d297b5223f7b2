"""What the routers share, as FastAPI dependencies: the engine, the clock, the sign-in
throttle, and the rep signed in by the bearer token.

``create_app`` keeps them in one ``ServerState`` on ``app.state``; a route takes them by
annotation (``rep: CurrentRep``, ``engine: EngineDep``, ``now: NowDep``), so one process can run
several apps (the tests do) each with its own database and clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.engine import Engine

from server import db, tokens
from server.api.edge import AuthThrottle
from server.api.errors import Problem
from server.clock import Clock
from sync.protocol.refusals import Refusal

MIN_CLIENT_SCHEMA = 1
"""The oldest client wire format this server still speaks; older clients get 426."""


@dataclass(frozen=True)
class ServerState:
    """What one app serves with: its database, its clock, its sign-in throttle. (The settings
    are applied where the app is built: no route reads one.)"""

    engine: Engine
    clock: Clock
    throttle: AuthThrottle


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.fieldrep
    return state


StateDep = Annotated[ServerState, Depends(server_state)]


def get_engine(state: StateDep) -> Engine:
    return state.engine


def get_clock(state: StateDep) -> Clock:
    return state.clock


def get_now(clock: Annotated[Clock, Depends(get_clock)]) -> datetime:
    """The server's time for this request (one reading of the clock)."""
    return clock()


EngineDep = Annotated[Engine, Depends(get_engine)]
ClockDep = Annotated[Clock, Depends(get_clock)]
NowDep = Annotated[datetime, Depends(get_now)]


# --------------------------------------------------------------------------- sign-in


def refuse_old_schema(number: int) -> None:
    if number < MIN_CLIENT_SCHEMA:
        raise Problem(426, Refusal("schema.too_old"))


def _check_schema(value: str | None) -> None:
    if value is None:
        return
    number = db.ascii_int(value.strip()) if len(value) <= 6 else None
    if number is None:
        raise Problem(400, Refusal("schema.invalid", {"value": value[:20]}))
    refuse_old_schema(number)


def _signed_in(engine: Engine, authorization: str | None) -> dict:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Problem(401, Refusal("auth.missing"))
    token = authorization[7:].strip()
    if not token or len(token) > 200:
        raise Problem(401, Refusal("auth.invalid"))
    with db.reading(engine) as conn:
        rep = tokens.rep_for_token(conn, token)
    if rep is None:
        raise Problem(401, Refusal("auth.revoked"))
    return rep


def current_rep(
    request: Request,
    state: StateDep,
    authorization: Annotated[str | None, Header()] = None,
    x_fieldrep_schema: Annotated[str | None, Header()] = None,
) -> dict:
    """The rep whose bearer token this is: a wire format this server speaks, an address not
    throttled, then a token not revoked; each failure counts against the address."""
    _check_schema(x_fieldrep_schema)
    address = request.client.host if request.client else "unknown"
    wait = state.throttle.wait(address)
    if wait:
        raise Problem(429, Refusal("auth.throttled", {"seconds": wait}),
                      {"Retry-After": str(wait)})
    try:
        return _signed_in(state.engine, authorization)
    except Problem:
        state.throttle.failed(address)
        raise


CurrentRep = Annotated[dict, Depends(current_rep)]


def need_role(rep: dict, *roles: str) -> None:
    if rep.get("role") not in roles:
        raise Problem(403, Refusal("role.admin_only" if roles == ("admin",)
                                   else "role.manager_only"))


def plain(value: str | None, what: str) -> None:
    """Text no database column may hold is refused the same way on SQLite and PostgreSQL."""
    if value is not None and "\x00" in value:
        raise Problem(422, Refusal("field.nul", {"field": what}))
