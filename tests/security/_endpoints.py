"""Every endpoint of the API, called by the rep of East and the manager of the other team with
foreign ids: another rep's device, another team's customers and team, pool customers outside
the caller's reach, ids that do not exist. One row of ``ENDPOINTS`` per attack.

Placeholders in a row: ``{ana_own}`` is that customer's (or record's, or person's) id,
``{device:bo}`` Bo's registered laptop, ``{team:East}`` a team's id, ``{new}`` a fresh id,
``{token:bo_visit_bo_own}`` a bootstrap token that resumes just after that record.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from tests.security._checks import (
    Key,
    Permit,
    Snapshot,
    assert_changed_only,
    assert_coded,
    assert_no_leak,
)
from tests.security._matrix import OWNERSHIP
from tests.security._world import ATTACK, AttackWorld, audience, secret

OK, DENIED, EITHER = "ok", "denied", "either"


@dataclass(frozen=True)
class Attack:
    name: str
    caller: str | None  # None: no token at all
    method: str
    route: str  # as the OpenAPI schema writes it
    path: dict[str, str] = field(default_factory=dict)
    json: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    expect: str = OK
    may_change: Callable[[AttackWorld], dict[Key, Permit]] | None = None


def _visit(customer: str) -> dict:
    return {"op_id": "{new}", "mid": 1, "kind": "visit.create", "record_id": "{new}",
            "fields": {"customer_id": "{" + customer + "}", "at": datetime.now(UTC).isoformat(),
                       "outcome": secret(ATTACK, "outcome")}}


def _push(device: str, customer: str, schema_version: int = 1) -> dict:
    return {"device_id": device, "schema_version": schema_version,
            "mutations": [_visit(customer)]}


def _token(pin: int, entity: str, after: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([pin, entity, after])).decode()


def owned_by(*moves: tuple[str, str]) -> Callable[[AttackWorld], dict[Key, Permit]]:
    """Each (customer, rep) of ``moves``: the customer may go to that rep, and only to them."""
    def permits(world: AttackWorld) -> dict[Key, Permit]:
        allowed: dict[str, set[str]] = {}
        for customer, rep in moves:
            allowed.setdefault(world.id(customer), set()).add(rep)
        return {("customer", cid): Permit(
                    fields=OWNERSHIP, why="a hand-over to " + " or ".join(sorted(reps)),
                    check=lambda r, reps=reps: r.get("owner_id") in {world.id(k) for k in reps})
                for cid, reps in allowed.items()}
    return permits


POLICY = {"cadence_days": {"A": 1, "B": 1, "C": 1}, "protection_days": 365,
          "visit_extension_days": 90, "max_protection_days": 730, "warning_days": 0,
          "daily_claim_cap": 1000, "max_held": 100000, "cooloff_days": 0,
          "working_days_only": False, "timezone": "UTC"}
TEAM_POOL = owned_by(("pool_sc", "cy"), ("pool_gd", "dan"))
"""What Oz may share out of his team's pool: each customer to a rep of his whose territory
covers it (Sichuan to Cy, Guangdong to Dan)."""
TRANSFER = "/v1/customers/{customer_id}/transfer"

ENDPOINTS = [
    # --- reads: nothing outside the caller's audience, on every page
    Attack("health", None, "GET", "/v1/health"),
    Attack("me-rep", "ana", "GET", "/v1/me"),
    Attack("me-manager", "oz", "GET", "/v1/me"),
    Attack("policy-read", "ana", "GET", "/v1/policy"),
    Attack("pull-everything-rep", "ana", "GET", "/v1/sync/pull",
           params={"cursor": "s0", "limit": 5000}),
    Attack("pull-everything-manager", "oz", "GET", "/v1/sync/pull",
           params={"cursor": "s0", "limit": 5000}),
    Attack("bootstrap-rep", "ana", "GET", "/v1/sync/bootstrap", params={"limit": 5000}),
    Attack("bootstrap-manager", "oz", "GET", "/v1/sync/bootstrap", params={"limit": 5000}),
    Attack("bootstrap-forged-token", "ana", "GET", "/v1/sync/bootstrap",
           params={"limit": 5000, "token": _token(0, "", "")}, expect=EITHER),
    Attack("bootstrap-token-at-another-reps-visit", "ana", "GET", "/v1/sync/bootstrap",
           params={"token": "{token:bo_visit_bo_own}"}, expect=EITHER),
    # --- devices: a laptop is the caller's, whatever the body says
    Attack("device-register", "ana", "POST", "/v1/devices", json={"name": "spare laptop"}),
    Attack("device-register-for-another-rep", "ana", "POST", "/v1/devices",
           json={"name": "Bo's", "rep_id": "{bo}"}, expect=EITHER),
    # --- push through a laptop that is not the caller's (Bo's holds his stored results)
    Attack("push-through-another-reps-device", "ana", "POST", "/v1/sync/push",
           json=_push("{device:bo}", "ana_own"), expect=DENIED),
    Attack("push-through-another-teams-device", "oz", "POST", "/v1/sync/push",
           json=_push("{device:ana}", "cy_own"), expect=DENIED),
    Attack("push-through-a-device-that-does-not-exist", "ana", "POST", "/v1/sync/push",
           json=_push("{new}", "ana_own"), expect=DENIED),
    Attack("push-with-an-old-schema", "ana", "POST", "/v1/sync/push",
           json=_push("{device:ana}", "ana_own", schema_version=0), expect=DENIED),
    # --- the policy is the admin's
    Attack("policy-change-rep", "ana", "PUT", "/v1/policy", json=POLICY, expect=DENIED),
    Attack("policy-change-manager", "oz", "PUT", "/v1/policy", json=POLICY, expect=DENIED),
    # --- assignment: a manager shares out only his own team's pool
    Attack("assign-rep", "ana", "POST", "/v1/assign", json={"strategy": "region"},
           expect=DENIED),
    Attack("assign-another-team-by-id", "oz", "POST", "/v1/assign",
           json={"strategy": "region", "team_id": "{team:East}"}, expect=DENIED),
    Attack("assign-another-team-by-name", "oz", "POST", "/v1/assign",
           json={"strategy": "round-robin", "team_id": "East"}, expect=DENIED),
    Attack("assign-a-team-that-does-not-exist", "oz", "POST", "/v1/assign",
           json={"strategy": "region", "team_id": "{new}"}, expect=DENIED),
    Attack("assign-an-unknown-strategy", "oz", "POST", "/v1/assign",
           json={"strategy": "grab-everything"}, expect=DENIED),
    Attack("assign-own-team-by-region", "oz", "POST", "/v1/assign",
           json={"strategy": "region", "team_id": "{team:Other}"}, may_change=TEAM_POOL),
    Attack("assign-own-team-round-robin", "oz", "POST", "/v1/assign",
           json={"strategy": "round-robin"}, may_change=TEAM_POOL),
    # --- transfer: a manager moves his own team's customers to reps who cover them (finding 7)
    Attack("transfer-rep", "ana", "POST", TRANSFER, {"customer_id": "{bo_own}"},
           json={"to_rep_id": "{ana}"}, expect=DENIED),
    Attack("transfer-another-teams-customer", "oz", "POST", TRANSFER,
           {"customer_id": "{ana_own}"}, json={"to_rep_id": "{cy}"}, expect=DENIED),
    Attack("transfer-another-teams-moved-customer", "oz", "POST", TRANSFER,
           {"customer_id": "{moved}"}, json={"to_rep_id": "{cy}"}, expect=DENIED),
    Attack("transfer-another-teams-pool-customer", "oz", "POST", TRANSFER,
           {"customer_id": "{pool_zj}"}, json={"to_rep_id": "{cy}"}, expect=DENIED),
    Attack("transfer-own-customer-to-another-team", "oz", "POST", TRANSFER,
           {"customer_id": "{cy_own}"}, json={"to_rep_id": "{ana}"}, expect=DENIED),
    Attack("transfer-to-a-rep-not-covering-it", "oz", "POST", TRANSFER,
           {"customer_id": "{cy_own}"}, json={"to_rep_id": "{dan}"}, expect=DENIED),
    Attack("transfer-pool-to-a-rep-not-covering-it", "oz", "POST", TRANSFER,
           {"customer_id": "{pool_gd}"}, json={"to_rep_id": "{cy}"}, expect=DENIED),
    Attack("transfer-to-the-admin", "oz", "POST", TRANSFER,
           {"customer_id": "{cy_own}"}, json={"to_rep_id": "{root}"}, expect=DENIED),
    Attack("transfer-a-customer-that-does-not-exist", "oz", "POST", TRANSFER,
           {"customer_id": "{new}"}, json={"to_rep_id": "{cy}"}, expect=DENIED),
    Attack("transfer-to-a-rep-that-does-not-exist", "oz", "POST", TRANSFER,
           {"customer_id": "{cy_own}"}, json={"to_rep_id": "{new}"}, expect=DENIED),
    Attack("transfer-own-pool-to-a-covering-rep", "oz", "POST", TRANSFER,
           {"customer_id": "{pool_gd}"}, json={"to_rep_id": "{dan}"},
           may_change=owned_by(("pool_gd", "dan"))),
    Attack("transfer-shared-pool-to-a-covering-rep", "oz", "POST", TRANSFER,
           {"customer_id": "{pool_sc}"}, json={"to_rep_id": "{cy}"}, expect=EITHER,
           may_change=owned_by(("pool_sc", "cy"))),
]

PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::([A-Za-z_]+))?\}")


def resolve(world: AttackWorld, value: Any) -> Any:
    """``value`` with its placeholders replaced by the world's ids."""
    if isinstance(value, dict):
        return {k: resolve(world, v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(world, v) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match) -> str:
        name, arg = match.groups()
        if name == "new":
            return str(uuid.uuid4())
        if name == "device":
            return world.devices[arg]
        if name == "team":
            return world.team_ids[arg]
        if name == "token":  # a bootstrap token that resumes just after another's record
            return _token(0, arg.split("_")[1], world.id(arg))
        return world.id(name)

    return PLACEHOLDER.sub(one, value)


def routes_without_an_attack(openapi: dict) -> list[str]:
    covered = {(a.method, a.route) for a in ENDPOINTS}
    return sorted(f"{method.upper()} {route}" for route, methods in openapi["paths"].items()
                  for method in methods if (method.upper(), route) not in covered)


def run_endpoint(world: AttackWorld, attack: Attack, client=None) -> None:
    client = client or world.client
    url = attack.route
    for name, value in attack.path.items():
        url = url.replace("{" + name + "}", resolve(world, value))
    headers = world.headers(attack.caller) if attack.caller else {}
    before = Snapshot.take(world.engine)
    response = client.request(attack.method, url, headers=headers,
                              json=resolve(world, attack.json),
                              params=resolve(world, attack.params) or None)
    allowed = audience(attack.caller) if attack.caller else {ATTACK}
    assert_no_leak(response, allowed, f"{attack.method} {url} by {attack.caller}")
    assert_coded(response, attack.name)
    ok = response.status_code < 300
    if attack.expect == OK:
        assert ok, f"{attack.name}: a legal call was refused: {response.text[:500]}"
    elif attack.expect == DENIED:
        assert 400 <= response.status_code < 500, (
            f"{attack.name} must be refused, not {response.status_code}: {response.text[:500]}")
    if ok and attack.route in ("/v1/sync/pull", "/v1/sync/bootstrap"):
        ids_in_scope(world, attack.caller, response.json()["changes"],
                     including_past=attack.route == "/v1/sync/pull")
    if ok and attack.route == "/v1/devices":
        assert response.json()["rep_id"] == world.id(attack.caller)
    permits = attack.may_change(world) if ok and attack.may_change else {}
    caller_id = world.id(attack.caller) if attack.caller else ""
    assert_changed_only(world.engine, before, caller_id, permits)


def ids_in_scope(world: AttackWorld, caller: str, changes: list[dict], *,
                 including_past: bool) -> None:
    """A page names only records of the caller's audience (the organisation is public)."""
    allowed = world.audience_ids(caller, including_past=including_past)
    foreign = [(c["entity"], c["id"]) for c in changes
               if c["entity"] in ("customer", "visit", "feedback", "followup")
               and c["id"] not in allowed]
    assert not foreign, f"{caller} was sent records outside their audience: {foreign}"

