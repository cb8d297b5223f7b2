"""The HTTP API: sync (push, pull, bootstrap), the organisation, policy, assignment and transfer.

Scope is computed from the bearer token on every endpoint. Bad input is a 4xx with a reason;
nothing a client sends turns into a 5xx.
"""


import base64
import logging
import math
import os
import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
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
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
    MutationResult,
    Policy,
    PullResponse,
    PushRequest,
    PushResponse,
    Rep,
    Team,
    Territory,
)
from sync.protocol.refusals import TEMPLATES, Refusal

log = logging.getLogger("fieldrep.server")

MIN_CLIENT_SCHEMA = 1
"""The oldest client wire format this server still speaks; older clients get 426."""

MAX_PAGE = 5000
MAX_CADENCE_DAYS = 3650

DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
"""The largest request body the server reads (FIELDREP_MAX_BODY_BYTES overrides it)."""

AUTH_FAILURES = 20
AUTH_WINDOW_SECONDS = 60.0
AUTH_ADDRESSES = 10_000
"""Sign-in failures allowed per client address in the window, and how many addresses are kept."""

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 410, 413, 422, 426, 429)
}


def max_body_bytes() -> int:
    """The body limit: FIELDREP_MAX_BODY_BYTES (a whole number of bytes), else 4 MiB."""
    text = os.environ.get("FIELDREP_MAX_BODY_BYTES", "").strip()
    if not text:
        return DEFAULT_MAX_BODY_BYTES
    number = _ascii_int(text)
    if number is None or number < 1:
        raise ValueError(f"FIELDREP_MAX_BODY_BYTES must be a whole number of bytes, at least 1, "
                         f"not {text[:40]!r}")
    return number


_body_limit_setting = max_body_bytes  # create_app's parameter of the same name shadows it


def _ascii_int(text: str | bytes) -> int | None:
    """``text`` as a number if it is ASCII digits only (``"²".isdigit()`` is true, int() fails)."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    return int(text)


class AssignRequest(BaseModel):
    strategy: str = Field(description="round-robin | region | customer-type | industry")
    team_id: str | None = None


class TransferRequest(BaseModel):
    to_rep_id: str = Field(min_length=1, max_length=64)


class PushRefused(ErrorBody):
    """Body of a 409 to a push: ``push.mid_gap`` (a sequence number was skipped) or
    ``push.mid_reused`` (a number the server holds came with another change: this laptop's data
    was restored or copied; it must register a fresh device and resend). ``expected_mid`` is the
    number the server expects next from this device."""

    expected_mid: int


class Problem(Exception):
    """A refusal the API answers with ``status`` and an ErrorBody (detail, code, params)."""

    def __init__(self, status: int, reason: Refusal | str,
                 headers: dict[str, str] | None = None) -> None:
        self.refusal = reason if isinstance(reason, Refusal) else None
        self.detail = str(reason)
        super().__init__(self.detail)
        self.status = status
        self.headers = headers

    def body(self) -> dict[str, Any]:
        return _error_body(self.refusal or self.detail)


def _error_body(reason: Refusal | str, **extra: Any) -> dict[str, Any]:
    if isinstance(reason, Refusal):
        return {"detail": reason.text, **reason.wire(), **extra}
    return {"detail": reason, "code": None, "params": {}, **extra}


def _refusal_of(error: Exception, fallback: str = "request.refused") -> Refusal:
    """The refusal an error from the rules carries: its Refusal, else the template its English
    words were made from, else ``fallback`` with the words as ``reason``."""
    first = error.args[0] if error.args else ""
    if isinstance(first, Refusal):
        return first
    text = str(first).strip("'\"")
    for code, pattern in _TEMPLATE_PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return Refusal(code, found.groupdict())
    return Refusal(fallback, {"reason": text})


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                    for i, part in enumerate(parts))
    return re.compile(regex, re.DOTALL)


_TEMPLATE_PATTERNS = sorted(
    ((code, _pattern(template)) for code, template in TEMPLATES.items()
     if len(set(re.findall(r"\{(\w+)\}", template))) == len(re.findall(r"\{(\w+)\}", template))),
    key=lambda item: -len(re.sub(r"\{\w+\}", "", TEMPLATES[item[0]])),
)
"""Every template as a regular expression, the most specific (longest fixed text) first."""


def _plain(value: str | None, what: str) -> None:
    """Text no database column may hold is refused the same way on SQLite and PostgreSQL."""
    if value is not None and "\x00" in value:
        raise Problem(422, Refusal("field.nul", {"field": what}))


def _cursor(seq: int) -> str:
    return f"s{seq}"


def _parse_cursor(text: str) -> int:
    seq = _ascii_int(text[1:]) if text.startswith("s") and len(text) <= 20 else None
    if seq is None:
        raise Problem(422, Refusal("cursor.invalid", {"cursor": text[:40]}))
    return seq


def _token(pin: int, entity: str, record_id: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([pin, entity, record_id])).decode()


def _parse_token(text: str) -> tuple[int, str, str]:
    try:
        pin, entity, record_id = orjson.loads(base64.urlsafe_b64decode(text.encode()))
        if type(pin) is not int or not isinstance(entity, str) or not isinstance(record_id, str):
            raise ValueError  # a bool is an int to isinstance: only a true integer will do
        if "\x00" in entity + record_id:
            raise ValueError
        return pin, entity, record_id
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise Problem(422, Refusal("bootstrap.invalid_token")) from None


# --------------------------------------------------------------------------- the edge (ASGI)


async def _send_refusal(send: Send, status: int, refusal: Refusal) -> None:
    body = orjson.dumps(_error_body(refusal))
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuse a request body over ``max_bytes`` with 413, before the app (and so before any
    authentication) sees it: at once by its Content-Length, and for a chunked body by counting
    the chunks as they are read, so no more than the limit is ever held in memory.

    A pure ASGI middleware (BaseHTTPMiddleware would buffer and wrap the body itself)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = Refusal("request.too_large", {"max": self.max_bytes})
        for name, value in scope.get("headers") or ():
            if name.lower() == b"content-length":
                declared = _ascii_int(value.strip())
                if declared is None:
                    await _send_refusal(send, 400, Refusal("request.bad_length"))
                    return
                if declared > self.max_bytes:
                    await _send_refusal(send, 413, too_large)
                    return
        received, over, started = 0, False, False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    over = True
                    raise _BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over and not started:
                return  # the app's own answer to the cut-off body is replaced by the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except _BodyTooLarge:
            if started:
                raise
        if over and not started:
            await _send_refusal(send, 413, too_large)


SAFE_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store"))


class SafeHeaders:
    """Every answer says ``nosniff`` and ``no-store``: a data answer is never sniffed as another
    type nor kept by a cache or a proxy on the way."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers") or ()
                           if k.lower() not in {name for name, _ in SAFE_HEADERS}]
                message = {**message, "headers": [*headers, *SAFE_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)


class AuthThrottle:
    """Failed sign-ins per client address in a sliding window, in bounded memory.

    After ``failures`` failures within ``window`` seconds an address is refused (429) until the
    oldest of them is ``window`` seconds old, before any token is looked up, even a good one:
    an address that guesses tokens waits, whatever it sends meanwhile. At most ``capacity``
    addresses are remembered; the one that failed longest ago is forgotten first.
    """

    def __init__(self, failures: int = AUTH_FAILURES, window: float = AUTH_WINDOW_SECONDS,
                 capacity: int = AUTH_ADDRESSES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures, self.window, self.capacity, self.clock = failures, window, capacity, clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def _recent(self, address: str, now: float) -> deque[float] | None:
        times = self._seen.get(address)
        while times and times[0] <= now - self.window:
            times.popleft()
        if times is not None and not times:
            del self._seen[address]
            return None
        return times

    def wait(self, address: str) -> int:
        """Seconds ``address`` must wait before signing in again (0: it may now)."""
        with self._lock:
            now = self.clock()
            times = self._recent(address, now)
            if times is None or len(times) < self.failures:
                return 0
            return max(1, math.ceil(times[0] + self.window - now))

    def failed(self, address: str) -> None:
        with self._lock:
            now = self.clock()
            times = self._recent(address, now)
            if times is None:
                times = deque(maxlen=self.failures)
            else:
                self._seen.move_to_end(address)
            times.append(now)
            self._seen[address] = times
            while len(self._seen) > self.capacity:
                self._seen.popitem(last=False)


# --------------------------------------------------------------------------- the app


def create_app(database_url: str | None = None, *, engine: sa.Engine | None = None,
               max_body_bytes: int | None = None,
               throttle: AuthThrottle | None = None) -> FastAPI:
    limit = max_body_bytes if max_body_bytes is not None else _body_limit_setting()
    engine = engine or db.make_engine(database_url)
    throttle = throttle if throttle is not None else AuthThrottle()  # (empty is falsy)
    app = FastAPI(
        title="fieldrep server",
        version=str(SCHEMA_VERSION),
        description="Sync, organisation and sales rules for fieldrep laptops.",
    )
    app.state.engine = engine
    app.state.throttle = throttle
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=1)  # cheap, ~10x smaller
    app.add_middleware(BodyLimit, max_bytes=limit)  # outside gzip: nothing is read before it
    app.add_middleware(SafeHeaders)  # outermost: on every answer, the 413 included

    @app.exception_handler(Problem)
    async def _problem(_request: Request, problem: Problem) -> JSONResponse:
        return JSONResponse(problem.body(), status_code=problem.status, headers=problem.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = (error.errors() or [{}])[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
        refusal = Refusal("field.invalid", {"field": where,
                                            "problem": first.get("msg", "invalid")})
        return JSONResponse(_error_body(refusal), status_code=422)

    @app.exception_handler(ValidationError)
    async def _invalid_model(_request: Request, error: ValidationError) -> JSONResponse:
        first = (error.errors() or [{}])[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "record"
        refusal = Refusal("field.invalid", {"field": where,
                                            "problem": first.get("msg", "invalid")})
        return JSONResponse(_error_body(refusal), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        refusal = (Refusal("request.not_found") if error.status_code == 404
                   else Refusal("request.refused", {"reason": str(error.detail)}))
        return JSONResponse(_error_body(refusal), status_code=error.status_code,
                            headers=getattr(error, "headers", None))

    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, error: DataError) -> JSONResponse:
        log.info("refused a value the database cannot store: %s", error.orig)
        return JSONResponse(_error_body(Refusal("request.unstorable")), status_code=422)

    @app.exception_handler(OperationalError)
    async def _busy(_request: Request, error: OperationalError) -> JSONResponse:
        log.warning("database busy: %s", error)
        return JSONResponse(_error_body(Refusal("server.busy")), status_code=503,
                            headers={"Retry-After": "2"})

    # ----------------------------------------------------------------- auth

    def current_rep(
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        x_fieldrep_schema: Annotated[str | None, Header()] = None,
    ) -> dict:
        _check_schema(x_fieldrep_schema)
        address = request.client.host if request.client else "unknown"
        wait = throttle.wait(address)
        if wait:
            raise Problem(429, Refusal("auth.throttled", {"seconds": wait}),
                          {"Retry-After": str(wait)})
        try:
            return _signed_in(authorization)
        except Problem:
            throttle.failed(address)
            raise

    def _signed_in(authorization: str | None) -> dict:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise Problem(401, Refusal("auth.missing"))
        token = authorization[7:].strip()
        if not token or len(token) > 200:
            raise Problem(401, Refusal("auth.invalid"))
        with db.reading(engine) as conn:
            rep = rep_for_token(conn, token)
        if rep is None:
            raise Problem(401, Refusal("auth.revoked"))
        return rep

    Current = Annotated[dict, Depends(current_rep)]

    def _check_schema(value: str | None) -> None:
        if value is None:
            return
        number = _ascii_int(value.strip()) if len(value) <= 6 else None
        if number is None:
            raise Problem(400, Refusal("schema.invalid", {"value": value[:20]}))
        if number < MIN_CLIENT_SCHEMA:
            raise Problem(426, Refusal("schema.too_old"))

    def _need(rep: dict, *roles: str) -> None:
        if rep.get("role") not in roles:
            raise Problem(403, Refusal("role.admin_only" if roles == ("admin",)
                                       else "role.manager_only"))

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
            cap = Org.cached(conn).policy.max_devices
            count = conn.execute(sa.select(sa.func.count()).select_from(db.devices).where(
                db.devices.c.rep_id == rep["id"])).scalar_one()
            if count >= cap:
                raise Problem(403, Refusal("device.limit", {"count": count, "max": cap}))
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

    push_conflict = {"model": PushRefused, "description": (
        "code `push.mid_gap` (params expected, mid): a sequence number was skipped; send from "
        "`expected_mid`. Code `push.mid_reused` (params mid): this device's number `mid` was "
        "already used for another change (or its answer is gone): the laptop's data was "
        "restored or copied; register a fresh device and resend every pending change.")}

    @app.post("/v1/sync/push", response_model=PushResponse,
              responses={**ERRORS, 409: push_conflict})
    def push(body: PushRequest, rep: Current) -> Any:
        if body.schema_version < MIN_CLIENT_SCHEMA:
            raise Problem(426, Refusal("schema.too_old"))
        _plain(body.device_id, "device_id")
        with db.reading(engine) as conn:
            device = conn.execute(
                sa.select(db.devices.c.rep_id, db.devices.c.last_mid)
                .where(db.devices.c.id == body.device_id)
            ).first()
            org = Org.cached(conn)
        if device is None or device.rep_id != rep["id"]:
            raise Problem(403, Refusal("device.not_yours"))
        answered: list[MutationResult] = []
        last_mid = device.last_mid
        for index, mutation in enumerate(body.mutations):
            # The laptop sends mid N only after it stored the answers below N: forget those.
            trim_below = mutation.mid if index == 0 else None
            for attempt in range(3):
                try:
                    outcome = _push_one(org, rep, body.device_id, mutation, trim_below)
                    break
                except IntegrityError:
                    if attempt == 2:
                        raise Problem(503, Refusal("server.collision"),
                                      {"Retry-After": "1"}) from None
            if isinstance(outcome, PushRefused):
                return JSONResponse(outcome.model_dump(), status_code=409)
            answered.append(outcome)
            last_mid = max(last_mid, mutation.mid)
        if not body.mutations:
            with db.reading(engine) as conn:
                last_mid = conn.execute(sa.select(db.devices.c.last_mid).where(
                    db.devices.c.id == body.device_id)).scalar_one()
        return PushResponse(results=_each_record_once(answered), last_mid=last_mid)

    def _push_one(org: Org, rep: dict, device_id: str, mutation: Any,
                  trim_below: int | None) -> MutationResult | PushRefused:
        with db.writing(engine) as conn:
            last = conn.execute(
                sa.select(db.devices.c.last_mid).where(db.devices.c.id == device_id)
                .with_for_update()
            ).scalar_one()
            if mutation.mid <= last:
                stored = conn.execute(sa.select(db.results.c.result).where(
                    db.results.c.device_id == device_id, db.results.c.mid == mutation.mid
                )).scalar_one_or_none()
                kept = db.loads(stored) if stored is not None else None
                if kept is None or kept.get("op_id") != mutation.op_id:
                    return _refused_push("push.mid_reused", {"mid": mutation.mid}, last + 1)
                result = _resent(conn, rep, kept)
            elif mutation.mid > last + 1:
                return _refused_push("push.mid_gap", {"expected": last + 1, "mid": mutation.mid},
                                     last + 1)
            else:
                result = domain.apply_mutation(conn, org, rep, mutation, db.now_utc())
                conn.execute(db.results.insert().values(
                    device_id=device_id, mid=mutation.mid, result=db.dumps(_small(result))))
                conn.execute(db.devices.update().where(db.devices.c.id == device_id)
                             .values(last_mid=mutation.mid))
            if trim_below is not None:
                conn.execute(db.results.delete().where(db.results.c.device_id == device_id,
                                                       db.results.c.mid < trim_below))
            return result

    def _refused_push(code: str, params: dict, expected: int) -> PushRefused:
        refusal = Refusal(code, params)
        return PushRefused(detail=refusal.text, **refusal.wire(), expected_mid=expected)

    def _small(result: MutationResult) -> dict:
        """What is kept to answer a resend: the outcome, never the record (it is re-read)."""
        kept = result.model_dump(mode="json", exclude={"record"})
        kept["with_record"] = result.record is not None
        return kept

    def _resent(conn: sa.Connection, rep: dict, kept: dict) -> MutationResult:
        """The stored answer again, with the record as it is now, if the rep may still see it."""
        with_record = kept.pop("with_record", None)
        if with_record is None:  # stored by an older server, with the whole record in it
            with_record = kept.get("record") is not None
        kept.pop("record", None)
        result = MutationResult.model_validate(kept)
        if with_record:
            who = db.record_audience(conn, result.entity, result.record_id)
            if rep["id"] in who or db.EVERYONE in who:
                result.record = db.get_record(conn, result.entity, result.record_id)
        return result

    def _each_record_once(results: list[MutationResult]) -> list[MutationResult]:
        """A record answered several times in one push travels once, with its last answer
        (20 claims of one customer are one copy of it, not twenty)."""
        seen: set[tuple[str, str]] = set()
        for result in reversed(results):
            key = (result.entity, result.record_id)
            if key in seen:
                result.record = None
            elif result.record is not None:
                seen.add(key)
        return results

    def _audience_ids(rep: dict) -> list[str]:
        return [rep["id"], db.EVERYONE]

    @app.get("/v1/sync/pull", response_model=PullResponse, responses=ERRORS)
    def pull(rep: Current, cursor: Annotated[str, Query(max_length=40)],
             limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500) -> PullResponse:
        after = _parse_cursor(cursor)
        with db.reading(engine) as conn:
            top, horizon = db.feed_position(conn)
            if after < horizon:
                raise Problem(410, Refusal("cursor.expired"))
            if after > top:
                raise Problem(410, Refusal("cursor.foreign"))
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
                raise Problem(410, Refusal("bootstrap.expired"))
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
            raise Problem(422, Refusal("policy.timezone",
                                       {"timezone": policy.timezone[:60]})) from None
        for tier, days in policy.cadence_days.items():
            if not 1 <= days <= MAX_CADENCE_DAYS:
                raise Problem(422, Refusal("policy.cadence_days", {
                    "tier": tier.value, "max": MAX_CADENCE_DAYS, "days": days}))
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
            raise Problem(403, _refusal_of(error)) from None
        except OrgError as error:
            raise Problem(422, _refusal_of(error)) from None

    @app.post("/v1/customers/{customer_id}/transfer", responses=ERRORS)
    def transfer(customer_id: Annotated[str, Field(max_length=64)], body: TransferRequest,
                 rep: Current) -> dict:
        _need(rep, "manager", "admin")
        _plain(customer_id, "customer id")
        _plain(body.to_rep_id, "to_rep_id")
        try:
            with db.writing(engine) as conn:
                return domain.transfer(conn, rep, customer_id, body.to_rep_id)
        except domain.Denied as denied:
            raise Problem(denied.status, denied.refusal) from None
        except LookupError as error:
            raise Problem(404, _refusal_of(error)) from None
        except PermissionError as error:
            raise Problem(403, _refusal_of(error)) from None

    return app
