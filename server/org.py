"""The organisation (teams, territories, reps, policy) and who may see what.

Scope, in DESIGN.md's words: a rep sees their own customers, the unowned pool of their
territories, and their own records; a manager sees their team. Here that becomes an *audience*
(a set of rep ids) computed for every record when it is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Connection

from server import db
from server.schema import audience
from server.tokens import issue_token
from sync.protocol import goals as protocol_goals
from sync.protocol import rules, validation
from sync.protocol.models import HISTORY, Goals, Policy, Rep, Role, Team, Territory
from sync.protocol.ownership import ENTITY as OWNERSHIP
from sync.protocol.refusals import Refusal


class Denied(ValueError):
    """A request the organisation's rules turn down (an admin's, a manager's): a coded refusal,
    and the HTTP status to answer with: 422 a bad request (the default), 403 one the actor may not
    make, 404 one about something that does not exist. ``str()`` is the English."""

    def __init__(self, refusal: Refusal, status: int = 422) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal
        self.status = status


def new_id() -> str:
    return str(uuid.uuid4())


_CACHE: dict[str, tuple[tuple[str, int], Org]] = {}


@dataclass
class Org:
    reps: dict[str, dict] = field(default_factory=dict)
    teams: dict[str, dict] = field(default_factory=dict)
    territories: dict[str, dict] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)

    @classmethod
    def cached(cls, conn: Connection) -> Org:
        """The organisation, re-read only when it changed since the last call (per database)."""
        version = db.org_version(conn)
        key = str(conn.engine.url)
        hit = _CACHE.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        org = cls.load(conn)
        _CACHE[key] = (version, org)
        return org

    @classmethod
    def load(cls, conn: Connection) -> Org:
        org = cls(
            reps={r["id"]: r for r in db.all_records(conn, "rep")},
            teams={t["id"]: t for t in db.all_records(conn, "team")},
            territories={t["id"]: t for t in db.all_records(conn, "territory")},
        )
        policy = db.get_record(conn, "policy", "policy")
        if policy:
            org.policy = Policy.model_validate(policy)
        return org

    # --- people
    def rep(self, rep_id: str | None) -> dict | None:
        return self.reps.get(rep_id) if rep_id else None

    def managers_of(self, team_id: str | None) -> set[str]:
        if not team_id:
            return set()
        return {r["id"] for r in self.reps.values()
                if r.get("role") == Role.manager and r.get("team_id") == team_id}

    def team_members(self, team_id: str | None) -> list[dict]:
        return sorted((r for r in self.reps.values() if r.get("team_id") == team_id),
                      key=lambda r: (r["name"], r["id"]))

    def find_rep(self, name_or_id: str) -> dict:
        if name_or_id in self.reps:
            return self.reps[name_or_id]
        found = [r for r in self.reps.values() if r["name"] == name_or_id]
        if not found:
            raise Denied(Refusal("org.unknown_rep", {"name": name_or_id}))
        if len(found) > 1:
            raise Denied(Refusal("org.ambiguous_rep", {"name": name_or_id}))
        return found[0]

    def find_team(self, name_or_id: str) -> dict:
        for team in self.teams.values():
            if name_or_id in (team["id"], team["name"]):
                return team
        raise Denied(Refusal("org.unknown_team", {"name": name_or_id}))

    def find_territory(self, name_or_id: str) -> dict:
        for territory in self.territories.values():
            if name_or_id in (territory["id"], territory["name"]):
                return territory
        raise Denied(Refusal("org.unknown_territory", {"name": name_or_id}))

    # --- coverage
    def rep_territories(self, rep_id: str) -> list[dict]:
        rep = self.reps.get(rep_id) or {}
        return [self.territories[t] for t in rep.get("territory_ids") or [] if t in self.territories]

    def in_territory(self, rep_id: str, customer: dict) -> bool:
        return any(rules.territory_covers(t, customer) for t in self.rep_territories(rep_id))

    def covering_reps(self, customer: dict) -> set[str]:
        covering = {t_id for t_id, t in self.territories.items()
                    if rules.territory_covers(t, customer)}
        if not covering:
            return set()
        return {r["id"] for r in self.reps.values()
                if r.get("role") != Role.admin and covering.intersection(r.get("territory_ids") or ())}

    def uncovered(self, customers: Sequence[dict]) -> list[dict]:
        """Those of ``customers`` no territory covers (no rep sees them, nobody is assigned
        them), as ``{id, name, province, city}`` sorted by name."""
        return sorted(({k: c.get(k) or "" for k in ("id", "name", "province", "city")}
                       for c in customers
                       if not any(rules.territory_covers(t, c) for t in self.territories.values())),
                      key=lambda c: (c["name"], c["id"]))

    # --- audiences
    def customer_audience(self, customer: dict) -> set[str]:
        owner = customer.get("owner_id")
        if owner:
            who = {owner}
        else:
            who = self.covering_reps(customer)
        teams = {(self.reps.get(r) or {}).get("team_id") for r in who}
        for team in teams:
            who |= self.managers_of(team)
        return who

    def history_audience(self, record: dict, customer: dict | None) -> set[str]:
        author = record.get("rep_id")
        who = {author} if author else set()
        who |= self.managers_of((self.reps.get(author or "") or {}).get("team_id"))
        owner = (customer or {}).get("owner_id")
        if owner and owner != author and record.get("non_owner"):
            who.add(owner)
        assignee = record.get("assignee_id")  # N (issue 10): a complaint's assignee
        if assignee and assignee in self.reps:
            who.add(assignee)
            who |= self.managers_of(self.reps[assignee].get("team_id"))
        return who

    def admins(self) -> set[str]:
        return {r["id"] for r in self.reps.values() if r.get("role") == Role.admin}

    def ownership_audience(self, event: dict, customer: dict) -> set[str]:
        """Who sees an ownership event of ``customer`` as the customer is now: its owner, the
        managers of its audience, the rep the event took it away from and their managers, every
        admin; never another rep (``server/domain/trail.py``)."""
        owner = customer.get("owner_id")
        who = {r for r in self.customer_audience(customer)
               if r == owner or (self.reps.get(r) or {}).get("role") == Role.manager}
        taken_from = event.get("from_rep_id")
        if taken_from and taken_from in self.reps:
            who.add(taken_from)
            who |= self.managers_of(self.reps[taken_from].get("team_id"))
        return who | self.admins()

    def can_write_customer(self, rep_id: str, customer: dict) -> bool:
        return rep_id in self.customer_audience(customer)


# --------------------------------------------------------------------------- admin


def _unique(records: dict[str, dict], name: str, code: str) -> None:
    if any(record["name"] == name for record in records.values()):
        raise Denied(Refusal(code, {"name": name}))


def _as_stored(model: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as ``model`` stores them, or Denied naming the first field it refuses."""
    try:
        return model.model_validate(values).model_dump(mode="json")
    except ValidationError as error:
        raise Denied(validation.refusal_of(error)) from None


def _publish(conn: Connection, entity: str, record: dict, why: str) -> dict:
    """A new team, territory or rep: seen by everyone, audited as the admin's."""
    db.put_record(conn, entity, record, {db.EVERYONE}, previous_audience=set())
    db.record_audit(conn, "admin", f"add-{entity}", why, entity=entity, record_id=record["id"])
    return record


def add_team(conn: Connection, name: str, grouping: str = "region") -> dict:
    _unique(Org.load(conn).teams, name, "org.team_exists")
    team = _as_stored(Team, {"id": new_id(), "name": name, "grouping": grouping})
    return _publish(conn, "team", team, f"team {name} grouped by {grouping}")


def add_territory(conn: Connection, name: str, *, provinces: Sequence[str] = (),
                  cities: Sequence[str] = (), industries: Sequence[str] = (),
                  customer_types: Sequence[str] = ()) -> dict:
    _unique(Org.load(conn).territories, name, "org.territory_exists")
    territory = _as_stored(Territory, {
        "id": new_id(), "name": name, "provinces": list(provinces), "cities": list(cities),
        "industries": list(industries), "customer_types": list(customer_types)})
    return _publish(conn, "territory", territory, f"territory {name}")


def add_rep(conn: Connection, name: str, *, team: str | None, territories: Sequence[str],
            role: str = "rep") -> tuple[dict, str]:
    """Create a rep with a fresh token; returns (rep, token). The token is shown only now."""
    org = Org.load(conn)
    _unique(org.reps, name, "org.rep_exists")
    try:
        role_value = Role(role)
    except ValueError:
        raise Denied(Refusal("org.unknown_role", {
            "role": role[:40], "choices": ", ".join(r.value for r in Role)})) from None
    team_record = org.find_team(team) if team else None
    if role_value != Role.admin and team_record is None:
        raise Denied(Refusal("org.team_required"))
    territory_ids = [org.find_territory(t)["id"] for t in territories if t]
    rep = _as_stored(Rep, {"id": new_id(), "name": name, "role": role_value,
                           "team_id": team_record["id"] if team_record else None,
                           "territory_ids": territory_ids})
    _publish(conn, "rep", rep, f"{role} {name} in {team or 'no team'}")
    if team_record is not None:
        team_record = {**team_record, "member_ids": [*team_record.get("member_ids", []), rep["id"]],
                       "version": team_record.get("version", 1) + 1}
        db.put_record(conn, "team", team_record, {db.EVERYONE})
    token = issue_token(conn, rep["id"])
    rescope(conn)
    return rep, token


def rescope(conn: Connection, org: Org | None = None) -> int:
    """Recompute every record's audience after the organisation changed; emit the differences."""
    org = org or Org.load(conn)
    current: dict[tuple[str, str], set[str]] = {}
    for rep_id, entity, record_id in conn.execute(
        sa.select(audience.c.rep_id, audience.c.entity, audience.c.record_id).where(
            audience.c.entity.in_(("customer", *HISTORY, OWNERSHIP))
        )
    ):
        current.setdefault((entity, record_id), set()).add(rep_id)
    customers = {c["id"]: c for c in db.all_records(conn, "customer")}
    changed = 0
    for customer in customers.values():
        who = org.customer_audience(customer)
        if who != current.get(("customer", customer["id"]), set()):
            db.put_record(conn, "customer", customer, who,
                          previous_audience=current.get(("customer", customer["id"]), set()))
            changed += 1
    for entity in HISTORY:
        for record in db.all_records(conn, entity):
            who = org.history_audience(record, customers.get(record.get("customer_id")))
            if who != current.get((entity, record["id"]), set()):
                db.put_record(conn, entity, record, who,
                              previous_audience=current.get((entity, record["id"]), set()))
                changed += 1
    for event in db.all_records(conn, OWNERSHIP):
        owned = customers.get(event.get("customer_id"))
        who = org.ownership_audience(event, owned) if owned else org.admins()
        if who != current.get((OWNERSHIP, event["id"]), set()):
            db.put_record(conn, OWNERSHIP, event, who,
                          previous_audience=current.get((OWNERSHIP, event["id"]), set()))
            changed += 1
    return changed


def set_policy(conn: Connection, policy: Policy, actor: str) -> dict:
    current = db.get_record(conn, "policy", "policy")
    record = policy.model_dump(mode="json")
    record["id"] = "policy"
    record["version"] = (current or {}).get("version", 0) + 1
    db.put_record(conn, "policy", record, {db.EVERYONE},
                  previous_audience={db.EVERYONE} if current else set())
    db.record_audit(conn, actor, "policy", "policy changed", entity="policy", record_id="policy")
    return record


def set_goals(conn: Connection, rep: dict, goals: Goals, actor: str, effective: date,
              now: datetime, today: date) -> dict:
    """``rep`` with ``goals`` from ``effective`` on (kept in the rep's goals history, as a
    manager's ``rep.goals`` is), seen by everyone as every rep is."""
    record = protocol_goals.set_goals(rep, goals, effective, by=None, by_name=actor, at=now,
                                      today=today)
    record["version"] = rep.get("version", 1) + 1
    db.put_record(conn, "rep", record, {db.EVERYONE}, at=now)
    db.record_audit(conn, actor, "goals",
                    f"goals of {rep['name']} from {effective.isoformat()} set", entity="rep",
                    record_id=rep["id"], at=now)
    return record


def ensure_policy(conn: Connection) -> None:
    if db.get_record(conn, "policy", "policy") is None:
        set_policy(conn, Policy(), "init")


def org_snapshot(conn: Connection) -> dict[str, Any]:
    org = Org.load(conn)
    return {"reps": org.reps, "teams": org.teams, "territories": org.territories}
