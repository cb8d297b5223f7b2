"""The sales rules' routes: the policy every laptop reads at sync, and an admin changes."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter

from server import db
from server.api.deps import CurrentRep, EngineDep, need_role
from server.api.errors import ERRORS, Problem
from server.org import Org, set_policy
from sync.protocol.models import Policy
from sync.protocol.refusals import Refusal

MAX_CADENCE_DAYS = 3650

router = APIRouter()


@router.get("/v1/policy", response_model=Policy, responses=ERRORS)
def get_policy(rep: CurrentRep, engine: EngineDep) -> Policy:
    with db.reading(engine) as conn:
        return Org.cached(conn).policy


@router.put("/v1/policy", response_model=Policy, responses=ERRORS)
def put_policy(policy: Policy, rep: CurrentRep, engine: EngineDep) -> Policy:
    need_role(rep, "admin")
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
