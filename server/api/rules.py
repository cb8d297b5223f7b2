"""The sales rules' routes: the policy every laptop reads at sync, and an admin changes."""

from __future__ import annotations

from fastapi import APIRouter

from server import db
from server.api.deps import CurrentRep, EngineDep, need_role
from server.api.errors import ERRORS, Problem
from server.org import Denied, Org, set_policy
from server.policy import PolicyIn, check_handoffs, check_policy
from sync.protocol.models import Policy

router = APIRouter()


@router.get("/v1/policy", response_model=Policy, responses=ERRORS)
def get_policy(rep: CurrentRep, engine: EngineDep) -> Policy:
    with db.reading(engine) as conn:
        return Org.cached(conn).policy


@router.put("/v1/policy", response_model=Policy, responses=ERRORS)
def put_policy(policy: PolicyIn, rep: CurrentRep, engine: EngineDep) -> Policy:
    """Replace the policy (a key left out takes its default); an unknown key is a coded 422."""
    need_role(rep, "admin")
    try:
        checked = check_policy(policy)
    except Denied as denied:
        raise Problem(denied.status, denied.refusal) from None
    with db.writing(engine) as conn:
        try:
            check_handoffs(checked, Org.load(conn).teams)
        except Denied as denied:
            raise Problem(denied.status, denied.refusal) from None
        record = set_policy(conn, checked, rep["id"])
    return Policy.model_validate(record)
