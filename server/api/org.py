"""The organisation's routes: who am I (rep, team, territories, policy), and the manager's
actions on the team's customers (assigning the pool, transferring a customer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from server import db
from server.api.deps import CurrentRep, EngineDep, NowDep, need_role, plain
from server.api.errors import ERRORS, Problem
from server.domain import ownership
from server.org import Denied, Org
from sync.protocol.models import Me, Rep, Team, Territory

router = APIRouter()


class AssignRequest(BaseModel):
    strategy: str = Field(description="round-robin | region | customer-type | industry")
    team_id: str | None = None


class TransferRequest(BaseModel):
    to_rep_id: str = Field(min_length=1, max_length=64)


@router.get("/v1/me", response_model=Me, responses=ERRORS)
def me(rep: CurrentRep, engine: EngineDep, now: NowDep) -> Me:
    with db.reading(engine) as conn:
        org = Org.cached(conn)
    team = org.teams.get(rep.get("team_id") or "")
    return Me(
        rep=Rep.model_validate(rep),
        team=Team.model_validate(team) if team else None,
        territories=[Territory.model_validate(t) for t in org.rep_territories(rep["id"])],
        policy=org.policy,
        server_time=now,
    )


@router.post("/v1/assign", responses=ERRORS)
def assign(body: AssignRequest, rep: CurrentRep, engine: EngineDep, now: NowDep) -> dict:
    need_role(rep, "manager", "admin")
    plain(body.team_id, "team_id")
    try:
        with db.writing(engine) as conn:
            return ownership.assign(conn, rep, body.strategy, body.team_id, now=now)
    except Denied as denied:
        raise Problem(denied.status, denied.refusal) from None


@router.post("/v1/customers/{customer_id}/transfer", responses=ERRORS)
def transfer(customer_id: Annotated[str, Field(max_length=64)], body: TransferRequest,
             rep: CurrentRep, engine: EngineDep, now: NowDep) -> dict:
    need_role(rep, "manager", "admin")
    plain(customer_id, "customer id")
    plain(body.to_rep_id, "to_rep_id")
    try:
        with db.writing(engine) as conn:
            return ownership.transfer(conn, rep, customer_id, body.to_rep_id, now=now)
    except Denied as denied:
        raise Problem(denied.status, denied.refusal) from None
