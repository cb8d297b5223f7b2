"""The organisation (teams, territories, reps, policy) and who may see what.

Scope, in DESIGN.md's words: a rep sees their own customers, the unowned pool of their
territories, and their own records; a manager sees their team. Here that becomes an *audience*
(a set of rep ids) computed for every record when it is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server import db
from sync.protocol import rules
from sync.protocol.models import Grouping, Policy, Rep, Role, Team, Territory
from sync.protocol.refusals import Refusal

HISTORY = ("visit", "feedback", "followup")


class OrgError(ValueError):
    """A bad admin request, in words for the admin (``args[0]`` may be a coded Refusal)."""


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
            raise OrgError(Refusal("org.unknown_rep", {"name": name_or_id}))
        if len(found) > 1:
            raise OrgError(Refusal("org.ambiguous_rep", {"name": name_or_id}))
        return found[0]

    def find_team(self, name_or_id: str) -> dict:
        for team in self.teams.values():
            if name_or_id in (team["id"], team["name"]):
                return team
        raise OrgError(Refusal("org.unknown_team", {"name": name_or_id}))

    def find_territory(self, name_or_id: str) -> dict:
        for territory in self.territories.values():
            if name_or_id in (territory["id"], territory["name"]):
                return territory
        raise OrgError(Refusal("org.unknown_territory", {"name": name_or_id}))

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
        who |= self.managers_of((self.reps.get(author) or {}).get("team_id"))
        owner = (customer or {}).get("owner_id")
        if owner and owner != author and record.get("non_owner"):
            who.add(owner)
        return who

    def can_write_customer(self, rep_id: str, customer: dict) -> bool:
        return rep_id in self.customer_audience(customer)


# --------------------------------------------------------------------------- admin


def add_team(conn: Connection, name: str, grouping: str = "region") -> dict:
    org = Org.load(conn)
    if any(t["name"] == name for t in org.teams.values()):
        raise OrgError(f"a team called {name!r} exists already")
    try:
        team = Team(id=new_id(), name=name, grouping=Grouping(grouping)).model_dump(mode="json")
    except ValueError as error:
        raise OrgError(f"bad team: {error}") from None
    db.put_record(conn, "team", team, {db.EVERYONE}, previous_audience=set())
    db.record_audit(conn, "admin", "add-team", f"team {name} grouped by {grouping}",
                    entity="team", record_id=team["id"])
    return team


def add_territory(conn: Connection, name: str, *, provinces: list[str] = (),
                  cities: list[str] = (), industries: list[str] = (),
                  customer_types: list[str] = ()) -> dict:
    org = Org.load(conn)
    if any(t["name"] == name for t in org.territories.values()):
        raise OrgError(f"a territory called {name!r} exists already")
    try:
        territory = Territory(
            id=new_id(), name=name, provinces=list(provinces), cities=list(cities),
            industries=list(industries), customer_types=list(customer_types),
        ).model_dump(mode="json")
    except ValueError as error:
        raise OrgError(f"bad territory: {error}") from None
    db.put_record(conn, "territory", territory, {db.EVERYONE}, previous_audience=set())
    db.record_audit(conn, "admin", "add-territory", f"territory {name}",
                    entity="territory", record_id=territory["id"])
    return territory


def add_rep(conn: Connection, name: str, *, team: str | None, territories: list[str],
            role: str = "rep") -> tuple[dict, str]:
    """Create a rep with a fresh token; returns (rep, token). The token is shown only now."""
    org = Org.load(conn)
    if any(r["name"] == name for r in org.reps.values()):
        raise OrgError(f"a rep called {name!r} exists already")
    try:
        role_value = Role(role)
    except ValueError:
        raise OrgError(f"unknown role {role!r}: use rep, manager or admin") from None
    team_record = org.find_team(team) if team else None
    if role_value != Role.admin and team_record is None:
        raise OrgError("a rep or manager needs --team")
    territory_ids = [org.find_territory(t)["id"] for t in territories if t]
    try:
        rep = Rep(id=new_id(), name=name, role=role_value,
                  team_id=team_record["id"] if team_record else None,
                  territory_ids=territory_ids).model_dump(mode="json")
    except ValueError as error:
        raise OrgError(f"bad rep: {error}") from None
    db.put_record(conn, "rep", rep, {db.EVERYONE}, previous_audience=set())
    if team_record is not None:
        team_record = {**team_record, "member_ids": [*team_record.get("member_ids", []), rep["id"]],
                       "version": team_record.get("version", 1) + 1}
        db.put_record(conn, "team", team_record, {db.EVERYONE})
    token = issue_token(conn, rep["id"])
    db.record_audit(conn, "admin", "add-rep", f"{role} {name} in {team or 'no team'}",
                    entity="rep", record_id=rep["id"])
    rescope(conn)
    return rep, token


def issue_token(conn: Connection, rep_id: str) -> str:
    token = db.new_token()
    conn.execute(db.tokens.insert().values(hash=db.hash_token(token), rep_id=rep_id,
                                           created_at=db.iso(db.now_utc())))
    return token


def revoke_tokens(conn: Connection, rep_name_or_id: str) -> int:
    rep = Org.load(conn).find_rep(rep_name_or_id)
    revoked = conn.execute(
        db.tokens.update()
        .where(db.tokens.c.rep_id == rep["id"], db.tokens.c.revoked_at.is_(None))
        .values(revoked_at=db.iso(db.now_utc()))
    ).rowcount
    db.record_audit(conn, "admin", "revoke-token", f"revoked {revoked} token(s) of {rep['name']}",
                    entity="rep", record_id=rep["id"])
    return revoked


def replace_token(conn: Connection, rep_name_or_id: str) -> tuple[dict, str, int]:
    """A fresh token for a rep, active or revoked; every older token of theirs stops working.

    Returns (rep, the new token, how many old tokens were revoked). The token is shown only now.
    """
    rep = Org.load(conn).find_rep(rep_name_or_id)
    revoked = conn.execute(
        db.tokens.update()
        .where(db.tokens.c.rep_id == rep["id"], db.tokens.c.revoked_at.is_(None))
        .values(revoked_at=db.iso(db.now_utc()))
    ).rowcount
    token = issue_token(conn, rep["id"])
    db.record_audit(conn, "admin", "new-token",
                    f"new token for {rep['name']}; revoked {revoked} older token(s)",
                    entity="rep", record_id=rep["id"])
    return rep, token, revoked


def rep_for_token(conn: Connection, token: str) -> dict | None:
    row = conn.execute(
        sa.select(db.tokens.c.rep_id).where(
            db.tokens.c.hash == db.hash_token(token), db.tokens.c.revoked_at.is_(None)
        )
    ).first()
    return db.get_record(conn, "rep", row[0]) if row else None


def rescope(conn: Connection, org: Org | None = None) -> int:
    """Recompute every record's audience after the organisation changed; emit the differences."""
    org = org or Org.load(conn)
    current: dict[tuple[str, str], set[str]] = {}
    for rep_id, entity, record_id in conn.execute(
        sa.select(db.audience.c.rep_id, db.audience.c.entity, db.audience.c.record_id).where(
            db.audience.c.entity.in_(("customer", *HISTORY))
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


def ensure_policy(conn: Connection) -> None:
    if db.get_record(conn, "policy", "policy") is None:
        set_policy(conn, Policy(), "init")


def org_snapshot(conn: Connection) -> dict[str, Any]:
    org = Org.load(conn)
    return {"reps": org.reps, "teams": org.teams, "territories": org.territories}
