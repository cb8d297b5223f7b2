"""The HTTP API: sync (push, pull, bootstrap), the organisation, policy, assignment and transfer.

Scope is computed from the bearer token on every endpoint. Bad input is a 4xx with a reason;
nothing a client sends turns into a 5xx.
"""


import base64
import logging
import uuid
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import orjson
import sqlalchemy as sa
from fastapi import Body, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from server import db, domain
from server.org import Org, OrgError, rep_for_token, set_policy
from sync.protocol.models import (
    SCHEMA_VERSION,
    BootstrapPage,
    Change,
    DeviceInfo,
    DeviceRegistration,
    ErrorBody,
    Health,
    Me,
    MidGap,
    MutationResult,
    Policy,
    PullResponse,
    PushRequest,
    PushResponse,
    Rep,
    Team,
    Territory,
)

log = logging.getLogger("fieldrep.server")

MIN_CLIENT_SCHEMA = 1
"""The oldest client wire format this server still speaks; older clients get 426."""

MAX_PAGE = 5000
MAX_CADENCE_DAYS = 3650

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 410, 422, 426)
}


class AssignRequest(BaseModel):
    strategy: str = Field(description="round-robin | region | customer-type | industry")
    team_id: str | None = None


class TransferRequest(BaseModel):
    to_rep_id: str = Field(min_length=1, max_length=64)


class Problem(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers


def _plain(value: str | None, what: str) -> None:
    """Text no database column may hold is refused the same way on SQLite and PostgreSQL."""
    if value is not None and "\x00" in value:
        raise Problem(422, f"{what}: contains a NUL character")


def _cursor(seq: int) -> str:
    return f"s{seq}"


def _parse_cursor(text: str) -> int:
    if not text.startswith("s") or not text[1:].isdigit() or len(text) > 20:
        raise Problem(422, f"not a cursor this server made: {text[:40]!r}")
    return int(text[1:])


def _token(pin: int, entity: str, record_id: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([pin, entity, record_id])).decode()


def _parse_token(text: str) -> tuple[int, str, str]:
    try:
        pin, entity, record_id = orjson.loads(base64.urlsafe_b64decode(text.encode()))
        if not isinstance(pin, int) or not isinstance(entity, str) or not isinstance(record_id, str):
            raise ValueError
        if "\x00" in entity + record_id:
            raise ValueError
        return pin, entity, record_id
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise Problem(422, "not a bootstrap token this server made") from None


def create_app(database_url: str | None = None, *, engine: sa.Engine | None = None) -> FastAPI:
    engine = engine or db.make_engine(database_url)
    app = FastAPI(
        title="fieldrep server",
        version=str(SCHEMA_VERSION),
        description="Sync, organisation and sales rules for fieldrep laptops.",
    )
    app.state.engine = engine
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=1)  # cheap, ~10x smaller

    @app.exception_handler(Problem)
    async def _problem(_request: Request, problem: Problem) -> JSONResponse:
        return JSONResponse({"detail": problem.detail}, status_code=problem.status,
                            headers=problem.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = (error.errors() or [{}])[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
        return JSONResponse({"detail": f"{where}: {first.get('msg', 'invalid')}"},
                            status_code=422)

    @app.exception_handler(ValidationError)
    async def _invalid_model(_request: Request, error: ValidationError) -> JSONResponse:
        return JSONResponse({"detail": domain._problem(error)}, status_code=422)

    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, error: DataError) -> JSONResponse:
        log.info("refused a value the database cannot store: %s", error.orig)
        return JSONResponse({"detail": "a value in this request cannot be stored "
                                       "(a NUL character, or a number out of range)"},
                            status_code=422)

    @app.exception_handler(OperationalError)
    async def _busy(_request: Request, error: OperationalError) -> JSONResponse:
        log.warning("database busy: %s", error)
        return JSONResponse({"detail": "the server is busy; try again shortly"},
                            status_code=503, headers={"Retry-After": "2"})

    # ----------------------------------------------------------------- auth

    def current_rep(
        authorization: Annotated[str | None, Header()] = None,
        x_fieldrep_schema: Annotated[str | None, Header()] = None,
    ) -> dict:
        _check_schema(x_fieldrep_schema)
        if not authorization or not authorization.lower().startswith("bearer "):
            raise Problem(401, "missing bearer token: log in with fieldrep login")
        token = authorization[7:].strip()
        if not token or len(token) > 200:
            raise Problem(401, "not a valid token: log in again")
        with db.reading(engine) as conn:
            rep = rep_for_token(conn, token)
        if rep is None:
            raise Problem(401, "this token is unknown or was revoked: log in again")
        return rep

    Current = Annotated[dict, Depends(current_rep)]

    def _check_schema(value: str | None) -> None:
        if value is None:
            return
        if not value.strip().isdigit() or len(value) > 6:
            raise Problem(400, f"X-Fieldrep-Schema must be a number, not {value[:20]!r}")
        if int(value) < MIN_CLIENT_SCHEMA:
            raise Problem(426, "this fieldrep is too old for the server: update fieldrep")

    def _need(rep: dict, *roles: str) -> None:
        if rep.get("role") not in roles:
            raise Problem(403, f"only a {' or '.join(roles)} may do this")

    # ----------------------------------------------------------------- endpoints

    @app.get("/v1/health", response_model=Health)
    def health() -> Health:
        return Health(server_time=db.now_utc())

    @app.post("/v1/devices", response_model=DeviceInfo, responses=ERRORS)
    def register_device(rep: Current,
                        body: Annotated[DeviceRegistration | None, Body()] = None) -> DeviceInfo:
        body = body or DeviceRegistration()
        _plain(body.name, "name")
        device_id = str(uuid.uuid4())
        with db.writing(engine) as conn:
            conn.execute(db.devices.insert().values(
                id=device_id, rep_id=rep["id"], name=body.name, last_mid=0,
                created_at=db.iso(db.now_utc())))
        return DeviceInfo(device_id=device_id, rep_id=rep["id"], last_mid=0)

    @app.get("/v1/me", response_model=Me, responses=ERRORS)
    def me(rep: Current) -> Me:
        with db.reading(engine) as conn:
            org = Org.cached(conn)
        team = org.teams.get(rep.get("team_id") or "")
        return Me(
            rep=Rep.model_validate(rep),
            team=Team.model_validate(team) if team else None,
            territories=[Territory.model_validate(t) for t in org.rep_territories(rep["id"])],
            policy=org.policy,
            server_time=db.now_utc(),
        )

    @app.post("/v1/sync/push", response_model=PushResponse,
              responses={**ERRORS, 409: {"model": MidGap}})
    def push(body: PushRequest, rep: Current) -> Any:
        if body.schema_version < MIN_CLIENT_SCHEMA:
            raise Problem(426, "this fieldrep is too old for the server: update fieldrep")
        _plain(body.device_id, "device_id")
        with db.reading(engine) as conn:
            device = conn.execute(
                sa.select(db.devices.c.rep_id, db.devices.c.last_mid)
                .where(db.devices.c.id == body.device_id)
            ).first()
            org = Org.cached(conn)
        if device is None or device.rep_id != rep["id"]:
            raise Problem(403, "this device is not registered to you: log in again")
        answered: list[MutationResult] = []
        last_mid = device.last_mid
        for mutation in body.mutations:
            for attempt in range(3):
                try:
                    outcome = _push_one(org, rep, body.device_id, mutation)
                    break
                except IntegrityError:
                    if attempt == 2:
                        raise Problem(503, "a concurrent write collided; send again",
                                      {"Retry-After": "1"}) from None
            if isinstance(outcome, MidGap):
                return JSONResponse(outcome.model_dump(), status_code=409)
            answered.append(outcome)
            last_mid = max(last_mid, mutation.mid)
        if not body.mutations:
            with db.reading(engine) as conn:
                last_mid = conn.execute(sa.select(db.devices.c.last_mid).where(
                    db.devices.c.id == body.device_id)).scalar_one()
        return PushResponse(results=answered, last_mid=last_mid)

    def _push_one(org: Org, rep: dict, device_id: str, mutation: Any) -> MutationResult | MidGap:
        with db.writing(engine) as conn:
            last = conn.execute(
                sa.select(db.devices.c.last_mid).where(db.devices.c.id == device_id)
                .with_for_update()
            ).scalar_one()
            if mutation.mid <= last:
                stored = conn.execute(sa.select(db.results.c.result).where(
                    db.results.c.device_id == device_id, db.results.c.mid == mutation.mid
                )).scalar_one_or_none()
                if stored is None:
                    return MidGap(detail=f"mutation {mutation.mid} was never received",
                                  expected_mid=last + 1)
                return MutationResult.model_validate(db.loads(stored))
            if mutation.mid > last + 1:
                return MidGap(detail=f"expected mutation {last + 1}, got {mutation.mid}",
                              expected_mid=last + 1)
            result = domain.apply_mutation(conn, org, rep, mutation, db.now_utc())
            conn.execute(db.results.insert().values(
                device_id=device_id, mid=mutation.mid,
                result=db.dumps(result.model_dump(mode="json"))))
            conn.execute(db.devices.update().where(db.devices.c.id == device_id)
                         .values(last_mid=mutation.mid))
            return result

    def _audience_ids(rep: dict) -> list[str]:
        return [rep["id"], db.EVERYONE]

    @app.get("/v1/sync/pull", response_model=PullResponse, responses=ERRORS)
    def pull(rep: Current, cursor: Annotated[str, Query(max_length=40)],
             limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500) -> PullResponse:
        after = _parse_cursor(cursor)
        with db.reading(engine) as conn:
            top, horizon = db.feed_position(conn)
            if after < horizon:
                raise Problem(410, "this cursor is older than the server keeps changes: "
                                   "start again from a fresh copy")
            if after > top:
                raise Problem(410, "this cursor is from another server or a restored database: "
                                   "start again from a fresh copy")
            rows = conn.execute(
                sa.select(db.changes.c.seq, db.changes.c.entity, db.changes.c.record_id,
                          db.changes.c.op, db.changes.c.record, db.changes.c.reason)
                .join(db.change_audience, db.change_audience.c.seq == db.changes.c.seq)
                .where(db.change_audience.c.rep_id.in_(_audience_ids(rep)),
                       db.change_audience.c.seq > after)
                .order_by(db.change_audience.c.seq)
                .limit(limit + 1)
            ).all()
        has_more = len(rows) > limit
        rows = rows[:limit]
        next_seq = rows[-1].seq if has_more else top
        return PullResponse(
            changes=[Change(entity=r.entity, id=r.record_id, op=r.op,
                            record=db.loads(r.record), reason=r.reason) for r in rows],
            next_cursor=_cursor(next_seq), has_more=has_more,
        )

    @app.get("/v1/sync/bootstrap", response_model=BootstrapPage, responses=ERRORS)
    def bootstrap(rep: Current, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1000,
                  token: Annotated[str | None, Query(max_length=600)] = None) -> BootstrapPage:
        with db.reading(engine) as conn:
            top, horizon = db.feed_position(conn)
            pin, entity, after_id = _parse_token(token) if token else (top, "", "")
            if pin < horizon or pin > top:
                raise Problem(410, "this copy was started too long ago: start it again")
            a, r = db.audience, db.records
            rows = conn.execute(
                sa.select(a.c.entity, a.c.record_id, r.c.record)
                .join(r, sa.and_(r.c.entity == a.c.entity, r.c.id == a.c.record_id))
                .where(a.c.rep_id.in_(_audience_ids(rep)),
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
            cursor=_cursor(pin),
            next_token=_token(pin, rows[-1].entity, rows[-1].record_id) if has_more else None,
            has_more=has_more,
        )

    @app.get("/v1/policy", response_model=Policy, responses=ERRORS)
    def get_policy(rep: Current) -> Policy:
        with db.reading(engine) as conn:
            return Org.cached(conn).policy

    @app.put("/v1/policy", response_model=Policy, responses=ERRORS)
    def put_policy(policy: Policy, rep: Current) -> Policy:
        _need(rep, "admin")
        try:
            ZoneInfo(policy.timezone)
        except (ValueError, KeyError, OSError):
            raise Problem(422, f"timezone: unknown time zone {policy.timezone!r}") from None
        for tier, days in policy.cadence_days.items():
            if not 1 <= days <= MAX_CADENCE_DAYS:
                raise Problem(422, f"cadence_days.{tier.value}: must be 1 to {MAX_CADENCE_DAYS} "
                                   f"days, not {days}")
        with db.writing(engine) as conn:
            record = set_policy(conn, policy, rep["id"])
        return Policy.model_validate(record)

    @app.post("/v1/assign", responses=ERRORS)
    def assign(body: AssignRequest, rep: Current) -> dict:
        _need(rep, "manager", "admin")
        _plain(body.team_id, "team_id")
        try:
            with db.writing(engine) as conn:
                return domain.assign(conn, rep, body.strategy, body.team_id)
        except PermissionError as error:
            raise Problem(403, str(error)) from None
        except OrgError as error:
            raise Problem(422, str(error)) from None

    @app.post("/v1/customers/{customer_id}/transfer", responses=ERRORS)
    def transfer(customer_id: Annotated[str, Field(max_length=64)], body: TransferRequest,
                 rep: Current) -> dict:
        _need(rep, "manager", "admin")
        _plain(customer_id, "customer id")
        _plain(body.to_rep_id, "to_rep_id")
        try:
            with db.writing(engine) as conn:
                return domain.transfer(conn, rep, customer_id, body.to_rep_id)
        except LookupError as error:
            raise Problem(404, str(error).strip("'\"")) from None
        except PermissionError as error:
            raise Problem(403, str(error)) from None

    return app
