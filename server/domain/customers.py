"""A customer as a rep's mutations change it: a new prospect (owned by whoever found it), an edit
merged field by field against the version it was made on, and a claim from the pool decided by
the server's clock, first come first served, within the daily cap and the held limit. Each that
gives a customer an owner writes its ownership event (``server/domain/trail.py``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server import db
from server.domain import trail
from server.domain.shared import (
    Outcome,
    Refused,
    load_customer,
    outside,
    resend,
    save_customer,
    validated,
)
from server.org import Org
from server.schema import audit, records
from sync.protocol import rules
from sync.protocol.models import CUSTOMER_EDITABLE_FIELDS, Customer, Mutation, ResultStatus
from sync.protocol.refusals import Refusal
from sync.protocol.search_keys import pinyin_keys


def owned_by(customer: dict, rep: dict, now: datetime, org: Org) -> dict:
    """``customer`` made ``rep``'s from ``now`` (a claim, an assignment, a transfer): the next
    version, the previous owner kept for the cool-off."""
    owned = dict(customer)
    for pool_only in ("claimable_at", "pool_reason"):  # what it had in the pool (J, issue 10)
        owned.pop(pool_only, None)
    if customer.get("owner_id") and customer.get("owner_id") != rep["id"]:
        owned["previous_owner_id"] = customer["owner_id"]
    owned.update(**rules.claim_fields(rep["id"], rep["name"], now, org.policy),
                 version=customer.get("version", 0) + 1, updated_at=now.isoformat())
    return owned


def held_count(conn: Connection, rep_id: str) -> int:
    """How many customers ``rep_id`` owns now."""
    return conn.execute(
        sa.select(sa.func.count()).select_from(records).where(
            records.c.entity == "customer", records.c.owner_id == rep_id
        )
    ).scalar_one()


def claim_count(conn: Connection, org: Org, rep_id: str, now: datetime) -> rules.ClaimCount:
    """What ``rep_id``'s next claim is judged on (``rules.claim_count``, as the laptop counts):
    the customers they own now, and their claims logged since midnight in the policy's zone."""
    claimed_at = conn.execute(
        sa.select(audit.c.at).where(
            audit.c.actor == rep_id, audit.c.action == "claim",
            audit.c.at >= db.iso(rules.policy_day_start(org.policy, now)),
        )
    ).scalars()
    return rules.claim_count(held_count(conn, rep_id), claimed_at, now=now, policy=org.policy)


def customer_create(conn: Connection, org: Org, rep: dict, mutation: Mutation,
                    now: datetime) -> Outcome:
    fields = {k: v for k, v in mutation.fields.items() if k in CUSTOMER_EDITABLE_FIELDS}
    existing = db.get_record(conn, "customer", mutation.record_id)
    if existing is not None:
        edited = frozenset(db.get_field_versions(conn, "customer", existing["id"]))
        return resend("customer", Customer, existing, rep, mutation, now,
                      owner_field="owner_id", allowed=CUSTOMER_EDITABLE_FIELDS, edited=edited)
    customer = validated(Customer, {**fields, "id": mutation.record_id}, now, carried=fields)
    if org.rep_territories(rep["id"]) and not org.in_territory(rep["id"], customer):
        raise Refused(Refusal("scope.outside_territory", {"name": customer["name"]}))
    customer.update(search_keys=pinyin_keys(customer["name"]),
                    **rules.claim_fields(rep["id"], rep["name"], now, org.policy),
                    version=1, updated_at=now.isoformat())
    db.put_record(conn, "customer", customer, org.customer_audience(customer),
                  previous_audience=set(), reason="new customer", field_versions={}, at=now)
    db.record_audit(conn, rep["id"], "create", f"{rep['name']} added {customer['name']}",
                    entity="customer", record_id=customer["id"], at=now)
    trail.record(conn, org, None, customer, kind="create", actor=rep, reason="history.created",
                 params={"who": rep["name"]}, now=now)
    return ResultStatus.applied, customer, None


def _covers(org: Org, rep: dict, customer: dict) -> bool:
    """Is ``customer`` within the editor's reach: a rep's territories, a manager's audience."""
    if rep.get("role") == "rep":
        return org.in_territory(rep["id"], customer)
    return rep["id"] in org.customer_audience(customer)


def customer_update(conn: Connection, org: Org, rep: dict, mutation: Mutation,
                    now: datetime) -> Outcome:
    customer = load_customer(conn, mutation.record_id, lock=True)
    if not org.can_write_customer(rep["id"], customer):
        if customer.get("owner_id") and org.in_territory(rep["id"], customer):
            refusal = Refusal("scope.owned_by",
                              {"who": customer.get("owner_name") or "another rep"})
        else:
            refusal = outside(org, rep, customer)
        raise Refused(refusal, customer)
    fields = dict(mutation.fields)
    fields.pop("search_keys", None)
    unknown = set(fields) - CUSTOMER_EDITABLE_FIELDS
    if unknown:
        raise Refused(Refusal("field.immutable_edit", {"field": sorted(unknown)[0]}), customer)
    pool = rules.pool_edit_refusal(customer, fields, role=rep.get("role") or "rep")
    if pool is not None:
        raise Refused(pool, customer)
    field_versions = db.get_field_versions(conn, "customer", customer["id"])
    base = mutation.base_version if mutation.base_version is not None else customer["version"]
    conflicts, apply = [], {}
    for name, mine in fields.items():
        theirs = customer.get(name)
        if field_versions.get(name, 0) > base and theirs != mine:
            conflicts.append({"field": name, "mine": mine, "theirs": theirs})
        else:
            apply[name] = mine
    updated = customer
    if apply:
        merged = validated(Customer, {**customer, **apply}, now, carried=apply, stored=customer)
        moved = rules.move_refusal(customer, covered_before=_covers(org, rep, customer),
                                   covered_after=_covers(org, rep, merged))
        if moved is not None:
            raise Refused(moved, customer)
        changed = [n for n in apply if merged.get(n) != customer.get(n)]
        if changed:
            version = customer["version"] + 1
            if "name" in changed:
                merged["search_keys"] = pinyin_keys(merged["name"])
            merged["version"] = version
            merged["updated_at"] = now.isoformat()
            field_versions.update({n: version for n in changed})
            updated = save_customer(conn, org, merged, reason="edited",
                                    field_versions=field_versions, at=now)
            if "stage" in changed and org.policy.handoffs:
                from server.domain.manager import handoff  # N: it imports this module

                updated = handoff(conn, org, customer, updated, now)
    if conflicts:
        return ResultStatus.conflict, updated, conflicts
    return ResultStatus.applied, updated, None


def customer_claim(conn: Connection, org: Org, rep: dict, mutation: Mutation,
                   now: datetime) -> Outcome:
    customer = load_customer(conn, mutation.record_id, lock=True)
    if customer.get("owner_id") == rep["id"] and not rules.protection_lapsed(customer, now):
        return ResultStatus.applied, customer, None  # already theirs: the claim is satisfied
    count = claim_count(conn, org, rep["id"], now)
    refusal = rules.claim_refusal(
        customer, rep["id"], in_territory=org.in_territory(rep["id"], customer), now=now,
        claims_today=count.today, held=count.held, policy=org.policy,
    )
    if refusal is not None:
        if refusal.code == "scope.outside_territory":
            refusal = outside(org, rep, customer)  # named only for a rep who may see it
        raise Refused(refusal, customer)
    claimed = owned_by(customer, rep, now, org)
    save_customer(conn, org, claimed, reason=f"claimed by {rep['name']}", at=now)
    trail.record(conn, org, customer, claimed, kind="claim", actor=rep, reason="history.claimed",
                 params={"who": rep["name"], "until": claimed["protected_until"][:10]}, now=now)
    db.record_audit(conn, rep["id"], "claim",
                    f"{rep['name']} claimed {customer['name']}; protected until "
                    f"{claimed['protected_until'][:10]}", entity="customer",
                    record_id=customer["id"], at=now)
    return ResultStatus.applied, claimed, None
