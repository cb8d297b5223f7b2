"""The sync routes a laptop uses: health, registering a device, push, pull and bootstrap."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Header, Query
from fastapi.responses import JSONResponse

from server import db, devices, feed
from server.api.deps import ClockDep, CurrentRep, EngineDep, NowDep, plain, refuse_old_schema
from server.api.edge import PUSH_LIMITS
from server.api.errors import ERRORS, Problem
from server.org import Org
from sync.protocol.models import (
    BootstrapPage,
    DeviceInfo,
    DeviceRegistration,
    ErrorBody,
    Health,
    PullResponse,
    PushRequest,
    PushResponse,
)
from sync.protocol.refusals import Refusal

MAX_PAGE = 5000

OWNERSHIP_SCHEMA = 2
"""The first wire format whose laptops know ownership events (``entity: "ownership"``). An older
laptop would refuse a page that carries one, so it is sent its pages without them; it learns the
history once it is updated and bootstraps."""

SchemaHeader = Annotated[str | None, Header(alias="X-Fieldrep-Schema", include_in_schema=False)]


Page = TypeVar("Page", PullResponse, BootstrapPage)


def _for_client(page: Page, schema: str | None) -> Page:
    """``page`` as the laptop's wire format can read it (the header was checked by CurrentRep)."""
    number = db.ascii_int(schema.strip()) if schema else None
    if number is not None and number < OWNERSHIP_SCHEMA:
        page.changes = [change for change in page.changes if change.entity != "ownership"]
    return page

router = APIRouter()


class PushRefused(ErrorBody):
    """Body of a 409 to a push: ``push.mid_gap`` (a sequence number was skipped) or
    ``push.mid_reused`` (a number the server holds came with another change: this laptop's data
    was restored or copied; it must register a fresh device and resend). ``expected_mid`` is the
    number the server expects next from this device."""

    expected_mid: int


PUSH_CONFLICT = {"model": PushRefused, "description": (
    "code `push.mid_gap` (params expected, mid): a sequence number was skipped; send from "
    "`expected_mid`. Code `push.mid_reused` (params mid): this device's number `mid` was "
    "already used for another change (or its answer is gone): the laptop's data was "
    "restored or copied; register a fresh device and resend every pending change.")}


def _feed_problem(refused: feed.CursorRefused) -> Problem:
    return Problem(410 if refused.gone else 422, refused.refusal)


@router.get("/v1/health", response_model=Health)
def health(now: NowDep) -> Health:
    return Health(server_time=now)


@router.post("/v1/devices", response_model=DeviceInfo, responses=ERRORS)
def register_device(rep: CurrentRep, engine: EngineDep, now: NowDep,
                    body: Annotated[DeviceRegistration | None, Body()] = None) -> DeviceInfo:
    body = body or DeviceRegistration()
    plain(body.name, "name")
    with db.writing(engine) as conn:
        cap = Org.cached(conn).policy.max_devices
        count = devices.count(conn, rep["id"])
        if count >= cap:
            raise Problem(403, Refusal("device.limit", {"count": count, "max": cap}))
        device_id = devices.add(conn, rep["id"], body.name, at=now)
    return DeviceInfo(device_id=device_id, rep_id=rep["id"], last_mid=0)


@router.post("/v1/sync/push", response_model=PushResponse,
             responses={**ERRORS, **PUSH_LIMITS, 409: PUSH_CONFLICT})
def push(body: PushRequest, rep: CurrentRep, engine: EngineDep, clock: ClockDep) -> Any:
    refuse_old_schema(body.schema_version)
    plain(body.device_id, "device_id")
    with db.reading(engine) as conn:
        device = devices.owner_and_last_mid(conn, body.device_id)
        org = Org.cached(conn)
    if device is None or device[0] != rep["id"]:
        raise Problem(403, Refusal("device.not_yours"))
    try:
        outcome = devices.push(engine, org, rep, body.device_id, body.mutations, clock, device[1])
    except devices.Collision:
        raise Problem(503, Refusal("server.collision"), {"Retry-After": "1"}) from None
    if isinstance(outcome, devices.MidRefused):
        refusal = outcome.refusal
        refused = PushRefused(detail=refusal.text, **refusal.wire(),
                              expected_mid=outcome.expected_mid)
        return JSONResponse(refused.model_dump(), status_code=409)
    results, last_mid = outcome
    return PushResponse(results=results, last_mid=last_mid)


@router.get("/v1/sync/pull", response_model=PullResponse, responses=ERRORS)
def pull(rep: CurrentRep, engine: EngineDep, cursor: Annotated[str, Query(max_length=40)],
         limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500,
         schema: SchemaHeader = None) -> PullResponse:
    try:
        with db.reading(engine) as conn:
            return _for_client(feed.pull(conn, rep["id"], cursor, limit), schema)
    except feed.CursorRefused as refused:
        raise _feed_problem(refused) from None


@router.get("/v1/sync/bootstrap", response_model=BootstrapPage, responses=ERRORS)
def bootstrap(rep: CurrentRep, engine: EngineDep,
              limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1000,
              token: Annotated[str | None, Query(max_length=600)] = None,
              schema: SchemaHeader = None) -> BootstrapPage:
    try:
        with db.reading(engine) as conn:
            return _for_client(feed.bootstrap(conn, rep["id"], token, limit), schema)
    except feed.CursorRefused as refused:
        raise _feed_problem(refused) from None
