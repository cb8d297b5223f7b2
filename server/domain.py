"""The sales rules the server decides, with its own clock: mutations, claims, the pool, assignment.

Every function here runs inside one writing transaction the caller opened (server.db.writing), so
a mutation, its change rows, its audit entries and the device's ``last_mid`` commit together.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from server import db
from server.org import Org, OrgError
from sync.protocol import rules, validation
from sync.protocol.models import (
    CUSTOMER_EDITABLE_FIELDS,
    Customer,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    FollowUp,
    Mutation,
    MutationKind,
    MutationResult,
    ResultStatus,
    Visit,
)
from sync.protocol.refusals import Refusal
from sync.protocol.search_keys import pinyin_keys

FEEDBACK_UPDATABLE = frozenset({"status", "resolution"})
FOLLOWUP_UPDATABLE = frozenset({"status", "snoozed_until", "due", "title"})
SERVER_SET = frozenset({"id", "rep_id", "version", "non_owner"})
"""Fields of a history record the server sets itself, whatever a create carries."""
MAX_ID = 64


class Refused(Exception):
    """A mutation the rules turn down: final, with a coded refusal for the rep.

    ``record`` is the server's record the refusal is about; ``apply_mutation`` sends it back only
    to a rep in that record's audience.
    """

    def __init__(self, refusal: Refusal, record: dict | None = None) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal
        self.record = record

    @property
    def reason(self) -> str:
        return str(self.refusal)


class Denied(Exception):
    """A manager's or admin's request (assign, transfer) the rules turn down: a coded refusal and
    the HTTP status to answer with (403, or 404 for what does not exist)."""

    def __init__(self, refusal: Refusal, status: int = 403) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal
        self.status = status


def _problem(error: ValidationError) -> str:
    return str(validation.refusal_of(error))


def _validated(model: type, data: dict, now: datetime, carried: dict | None = None) -> dict:
    try:
        return validation.validated(model, data, now=now, carried=carried,
                                    skew=validation.CLOCK_SKEW)
    except validation.Invalid as invalid:
        raise Refused(invalid.refusal) from None


# --------------------------------------------------------------------------- mutations


def apply_mutation(conn: Connection, org: Org, rep: dict, mutation: Mutation,
                   now: datetime) -> MutationResult:
    kind = mutation.kind
    entity = kind.value.split(".")[0]
    base = {"op_id": mutation.op_id, "mid": mutation.mid, "entity": entity,
            "record_id": mutation.record_id}
    try:
        _storable(mutation)
        handler = HANDLERS[kind]
        status, record, conflicts = handler(conn, org, rep, mutation, now)
    except Refused as refused:
        record = refused.record
        if record is not None and not _in_audience(conn, org, rep, entity, record):
            record = None  # a rejection tells nothing of a record outside the rep's audience
        return MutationResult(**base, status=ResultStatus.rejected, reason=refused.reason,
                              **refused.refusal.wire(), record=record,
                              version=(record or {}).get("version"))
    return MutationResult(**base, status=status, record=record,
                          version=(record or {}).get("version"), conflicts=conflicts or [])


def _in_audience(conn: Connection, org: Org, rep: dict, entity: str, record: dict) -> bool:
    if entity == "customer":
        return rep["id"] in org.customer_audience(record)
    customer = db.get_record(conn, "customer", record.get("customer_id") or "")
    return rep["id"] in org.history_audience(record, customer)


def _storable(mutation: Mutation) -> None:
    """Refuse, before any SQL sees it, what no column can hold (NUL, a lone surrogate, a number
    beyond 64 bits) and any text with control characters, naming the field."""
    for name, value in (("record_id", mutation.record_id), ("op_id", mutation.op_id)):
        refusal = validation.text_refusal(name, value)
        if refusal is not None:
            raise Refused(refusal)
    refusal = validation.fields_refusal(mutation.fields)
    if refusal is not None:
        raise Refused(refusal)
    try:
        orjson.dumps(mutation.fields)
    except TypeError:  # an integer beyond 64 bits (surrogates were refused above)
        raise Refused(Refusal("field.number_too_large")) from None


def _customer_id(mutation: Mutation) -> str:
    """The customer a visit, feedback or follow-up is for: a text id, or a refusal."""
    value = mutation.fields.get("customer_id")
    if not isinstance(value, str) or not value.strip():
        raise Refused(Refusal("record.customer_required"))
    if len(value) > MAX_ID:
        raise Refused(Refusal("field.too_long", {"field": "customer_id", "max": MAX_ID}))
    return value


def _customer(conn: Connection, customer_id: str, *, lock: bool = False) -> dict:
    customer = db.get_record(conn, "customer", customer_id, lock=lock)
    if customer is None:
        raise Refused(Refusal("record.unknown_customer", {"id": customer_id}))
    return customer


def _visible(org: Org, rep: dict, customer: dict) -> bool:
    """May a refusal name this customer to ``rep``: in its audience, or inside their territories."""
    return rep["id"] in org.customer_audience(customer) or org.in_territory(rep["id"], customer)


def _outside(org: Org, rep: dict, customer: dict) -> Refusal:
    """'outside your territories': with the customer's name only for a rep who may see it."""
    if _visible(org, rep, customer):
        return Refusal("scope.outside_territory", {"name": customer.get("name", "")})
    return Refusal("scope.customer_outside")


def _may_touch_history(conn: Connection, org: Org, rep: dict, customer: dict) -> None:
    """Visits and feedback: own customers, or any customer inside the rep's territories, or one
    the rep was sent before: work logged offline while it was in their scope still arrives after
    it left (transferred, or moved out of their territories)."""
    if customer.get("owner_id") == rep["id"] or org.in_territory(rep["id"], customer):
        return
    if rep["id"] in org.customer_audience(customer):  # a manager, for their team
        return
    if _was_sent(conn, rep["id"], customer["id"]):
        return
    raise Refused(_outside(org, rep, customer))


def _was_sent(conn: Connection, rep_id: str, customer_id: str) -> bool:
    """Did the change feed ever carry this customer to this rep (within its retention)?"""
    return conn.execute(
        sa.select(db.changes.c.seq)
        .join(db.change_audience, db.change_audience.c.seq == db.changes.c.seq)
        .where(db.changes.c.entity == "customer", db.changes.c.record_id == customer_id,
               db.change_audience.c.rep_id == rep_id)
        .limit(1)
    ).first() is not None


def _save_customer(conn: Connection, org: Org, customer: dict, *, reason: str | None = None,
                   field_versions: dict[str, int] | None = None) -> dict:
    return db.put_record(conn, "customer", customer, org.customer_audience(customer),
                         reason=reason, field_versions=field_versions)


def _resend(entity: str, model: type, existing: dict, rep: dict, mutation: Mutation,
            now: datetime, *, owner_field: str = "rep_id", allowed: frozenset[str] | None = None,
            edited: frozenset[str] = frozenset(), normalise: Any = None) -> tuple:
    """A create whose id the server holds already: a true resend (the same rep, the same content)
    is answered with the stored record; anything else is refused and told nothing of it.

    The content compared is what the create carries (``allowed`` of its fields, without what the
    server sets), normalised as a create is; fields changed since by an update (``edited``) are
    not compared."""
    taken = Refused(Refusal("record.id_taken", {"entity": entity}))
    if existing.get(owner_field) != rep["id"]:
        raise taken
    keys = set(model.model_fields) if allowed is None else allowed
    carried = {k: v for k, v in mutation.fields.items()
               if k in keys and k not in SERVER_SET and k not in edited}
    try:
        again = validation.validated(model, {**existing, **carried}, now=now, carried=carried,
                                     skew=validation.CLOCK_SKEW)
    except validation.Invalid:
        raise taken from None
    if normalise is not None:
        normalise(again)
    if any(again.get(k) != existing.get(k) for k in carried):
        raise taken
    return ResultStatus.applied, existing, None


def _updated_since_created(record: dict, updatable: frozenset[str]) -> frozenset[str]:
    return updatable if record.get("version", 1) > 1 else frozenset()


def _visit_create(conn, org, rep, mutation, now):
    existing = db.get_record(conn, "visit", mutation.record_id)
    if existing is not None:
        return _resend("visit", Visit, existing, rep, mutation, now)
    customer = _customer(conn, _customer_id(mutation), lock=True)
    _may_touch_history(conn, org, rep, customer)
    owner = customer.get("owner_id")
    visit = _validated(Visit, {**mutation.fields, "id": mutation.record_id, "rep_id": rep["id"],
                               "non_owner": bool(owner and owner != rep["id"]), "version": 1},
                       now, carried=mutation.fields)
    db.put_record(conn, "visit", visit, org.history_audience(visit, customer),
                  previous_audience=set())
    at = min(rules.as_datetime(visit["at"]) or now, now)
    updated = dict(customer)
    last = rules.as_datetime(customer.get("last_visit_at"))
    if last is None or at > last:
        updated["last_visit_at"] = at.isoformat()
    if owner == rep["id"]:
        if visit.get("amount") and not customer.get("deal_at"):
            updated["deal_at"] = now.isoformat()
        until = rules.protection_after_owner_visit(
            rules.as_datetime(customer.get("claimed_at")),
            rules.as_datetime(customer.get("protected_until")),
            now, bool(updated.get("deal_at")), org.policy,
        )
        updated["protected_until"] = until.isoformat()
    if updated != customer:
        updated["version"] = customer.get("version", 0) + 1
        updated["updated_at"] = now.isoformat()
        _save_customer(conn, org, updated, reason="visit logged")
    if visit["non_owner"]:
        db.record_audit(conn, rep["id"], "non-owner-visit",
                        f"{rep['name']} visited {customer['name']}, owned by "
                        f"{customer.get('owner_name') or owner}", entity="visit",
                        record_id=visit["id"], at=now)
    return ResultStatus.applied, visit, None


def _normal_feedback(feedback: dict) -> None:
    """What the server fills in on a complaint: open, of medium severity unless said."""
    if feedback["kind"] == FeedbackKind.complaint:
        feedback["status"] = feedback.get("status") or FeedbackStatus.open.value
        feedback["severity"] = feedback.get("severity") or "medium"


def _feedback_create(conn, org, rep, mutation, now):
    existing = db.get_record(conn, "feedback", mutation.record_id)
    if existing is not None:
        return _resend("feedback", Feedback, existing, rep, mutation, now,
                       edited=_updated_since_created(existing, FEEDBACK_UPDATABLE),
                       normalise=_normal_feedback)
    customer = _customer(conn, _customer_id(mutation))
    _may_touch_history(conn, org, rep, customer)
    data = {**mutation.fields, "id": mutation.record_id, "rep_id": rep["id"], "version": 1}
    feedback = _validated(Feedback, data, now, carried=mutation.fields)
    if feedback["kind"] == FeedbackKind.satisfaction and feedback.get("score") is None:
        raise Refused(Refusal("feedback.score_required"))
    _normal_feedback(feedback)
    db.put_record(conn, "feedback", feedback, org.history_audience(feedback, customer),
                  previous_audience=set())
    return ResultStatus.applied, feedback, None


def _history_update(entity: str, model: type, allowed: frozenset[str]):
    def handler(conn, org, rep, mutation, now):
        record = db.get_record(conn, entity, mutation.record_id, lock=True)
        if record is None:
            raise Refused(Refusal("record.unknown", {"entity": entity, "id": mutation.record_id}))
        customer = db.get_record(conn, "customer", record.get("customer_id") or "")
        mine = record.get("rep_id") == rep["id"]
        if not mine and rep["id"] not in org.history_audience(record, customer):
            raise Refused(Refusal("scope.not_yours", {"entity": entity}))
        unknown = set(mutation.fields) - allowed
        if unknown:
            raise Refused(Refusal("field.immutable", {"field": sorted(unknown)[0]}), record)
        updated = _validated(model, {**record, **mutation.fields}, now, carried=mutation.fields)
        updated["version"] = record.get("version", 1) + 1
        db.put_record(conn, entity, updated, org.history_audience(updated, customer))
        return ResultStatus.applied, updated, None

    return handler


def _followup_create(conn, org, rep, mutation, now):
    existing = db.get_record(conn, "followup", mutation.record_id)
    if existing is not None:
        return _resend("followup", FollowUp, existing, rep, mutation, now,
                       edited=_updated_since_created(existing, FOLLOWUP_UPDATABLE))
    customer = _customer(conn, _customer_id(mutation))
    _may_touch_history(conn, org, rep, customer)
    followup = _validated(FollowUp, {**mutation.fields, "id": mutation.record_id,
                                     "rep_id": rep["id"], "version": 1},
                          now, carried=mutation.fields)
    db.put_record(conn, "followup", followup, org.history_audience(followup, customer),
                  previous_audience=set())
    return ResultStatus.applied, followup, None


def _customer_create(conn, org, rep, mutation, now):
    fields = {k: v for k, v in mutation.fields.items() if k in CUSTOMER_EDITABLE_FIELDS}
    existing = db.get_record(conn, "customer", mutation.record_id)
    if existing is not None:
        edited = frozenset(db.get_field_versions(conn, "customer", existing["id"]))
        return _resend("customer", Customer, existing, rep, mutation, now,
                       owner_field="owner_id", allowed=CUSTOMER_EDITABLE_FIELDS, edited=edited)
    customer = _validated(Customer, {**fields, "id": mutation.record_id}, now, carried=fields)
    if org.rep_territories(rep["id"]) and not org.in_territory(rep["id"], customer):
        raise Refused(Refusal("scope.outside_territory", {"name": customer["name"]}))
    customer.update(
        search_keys=pinyin_keys(customer["name"]), owner_id=rep["id"], owner_name=rep["name"],
        claimed_at=now.isoformat(),
        protected_until=rules.protection_on_claim(now, org.policy).isoformat(),
        version=1, updated_at=now.isoformat(),
    )
    db.put_record(conn, "customer", customer, org.customer_audience(customer),
                  previous_audience=set(), reason="new customer", field_versions={})
    db.record_audit(conn, rep["id"], "create", f"{rep['name']} added {customer['name']}",
                    entity="customer", record_id=customer["id"], at=now)
    return ResultStatus.applied, customer, None


def _covers(org: Org, rep: dict, customer: dict) -> bool:
    """Is ``customer`` within the editor's reach: a rep's territories, a manager's audience."""
    if rep.get("role") == "rep":
        return org.in_territory(rep["id"], customer)
    return rep["id"] in org.customer_audience(customer)


def _customer_update(conn, org, rep, mutation, now):
    customer = _customer(conn, mutation.record_id, lock=True)
    if not org.can_write_customer(rep["id"], customer):
        if customer.get("owner_id") and org.in_territory(rep["id"], customer):
            refusal = Refusal("scope.owned_by",
                              {"who": customer.get("owner_name") or "another rep"})
        else:
            refusal = _outside(org, rep, customer)
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
        merged = _validated(Customer, {**customer, **apply}, now, carried=apply)
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
            updated = _save_customer(conn, org, merged, reason="edited",
                                     field_versions=field_versions)
    if conflicts:
        return ResultStatus.conflict, updated, conflicts
    return ResultStatus.applied, updated, None


def _claims_today(conn: Connection, org: Org, rep_id: str, now: datetime) -> int:
    tz = ZoneInfo(org.policy.timezone)
    start = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return conn.execute(
        sa.select(sa.func.count()).select_from(db.audit).where(
            db.audit.c.actor == rep_id, db.audit.c.action == "claim",
            db.audit.c.at >= db.iso(start),
        )
    ).scalar_one()


def held_count(conn: Connection, rep_id: str) -> int:
    return conn.execute(
        sa.select(sa.func.count()).select_from(db.records).where(
            db.records.c.entity == "customer", db.records.c.owner_id == rep_id
        )
    ).scalar_one()


def _customer_claim(conn, org, rep, mutation, now):
    customer = _customer(conn, mutation.record_id, lock=True)
    if customer.get("owner_id") == rep["id"] and not rules.protection_lapsed(customer, now):
        return ResultStatus.applied, customer, None  # already theirs: the claim is satisfied
    refusal = rules.claim_refusal(
        customer, rep["id"], in_territory=org.in_territory(rep["id"], customer), now=now,
        claims_today=_claims_today(conn, org, rep["id"], now),
        held=held_count(conn, rep["id"]), policy=org.policy,
    )
    if refusal is not None:
        if refusal.code == "scope.outside_territory":
            refusal = _outside(org, rep, customer)  # named only for a rep who may see it
        raise Refused(refusal, customer)
    claimed = _own(customer, rep, now, org)
    _save_customer(conn, org, claimed, reason=f"claimed by {rep['name']}")
    db.record_audit(conn, rep["id"], "claim",
                    f"{rep['name']} claimed {customer['name']}; protected until "
                    f"{claimed['protected_until'][:10]}", entity="customer",
                    record_id=customer["id"], at=now)
    return ResultStatus.applied, claimed, None


def _own(customer: dict, rep: dict, now: datetime, org: Org) -> dict:
    owned = dict(customer)
    if customer.get("owner_id") and customer.get("owner_id") != rep["id"]:
        owned["previous_owner_id"] = customer["owner_id"]
    owned.update(
        owner_id=rep["id"], owner_name=rep["name"], claimed_at=now.isoformat(),
        protected_until=rules.protection_on_claim(now, org.policy).isoformat(),
        version=customer.get("version", 0) + 1, updated_at=now.isoformat(),
    )
    return owned


HANDLERS: dict[MutationKind, Any] = {
    MutationKind.visit_create: _visit_create,
    MutationKind.feedback_create: _feedback_create,
    MutationKind.feedback_update: _history_update("feedback", Feedback, FEEDBACK_UPDATABLE),
    MutationKind.followup_create: _followup_create,
    MutationKind.followup_update: _history_update("followup", FollowUp, FOLLOWUP_UPDATABLE),
    MutationKind.customer_create: _customer_create,
    MutationKind.customer_update: _customer_update,
    MutationKind.customer_claim: _customer_claim,
}


# --------------------------------------------------------------------------- the pool


def reclaim(conn: Connection, now: datetime | None = None) -> list[dict]:
    """Customers whose protection lapsed with no visit return to the pool; returns them."""
    now = now or db.now_utc()
    org = Org.load(conn)
    rows = conn.execute(
        sa.select(db.records.c.id).where(
            db.records.c.entity == "customer", db.records.c.owner_id.is_not(None),
            db.records.c.protected_until.is_not(None), db.records.c.protected_until <= db.iso(now),
        ).order_by(db.records.c.id)
    ).all()
    returned = []
    for (customer_id,) in rows:
        customer = db.get_record(conn, "customer", customer_id, lock=True)
        if customer is None or not rules.protection_lapsed(customer, now):
            continue
        owner_name = customer.get("owner_name") or customer.get("owner_id")
        until = (rules.as_datetime(customer.get("protected_until")) or now).date().isoformat()
        why = f"protection of {owner_name} lapsed on {until} without a visit: back to the pool"
        pooled = dict(customer)
        pooled.update(
            previous_owner_id=customer["owner_id"], owner_id=None, owner_name=None,
            claimed_at=None, protected_until=None,
            cooloff_until=(now + timedelta(days=org.policy.cooloff_days)).isoformat(),
            version=customer.get("version", 0) + 1, updated_at=now.isoformat(),
        )
        _save_customer(conn, org, pooled, reason=why)
        db.record_audit(conn, "server", "reclaim", why, entity="customer",
                        record_id=customer_id, at=now)
        returned.append(pooled)
    return returned


STRATEGIES = ("round-robin", "region", "customer-type", "industry")


def _candidates_for(strategy: str, org: Org, reps: list[dict], customer: dict) -> list[dict]:
    if strategy == "round-robin":
        return reps

    def lists(rep: dict, key: str) -> list[str]:
        return [v for t in org.rep_territories(rep["id"]) for v in t.get(key) or ()]

    if strategy == "region":
        return [r for r in reps if customer.get("city") in lists(r, "cities")
                or customer.get("province") in lists(r, "provinces")]
    if strategy == "customer-type":
        return [r for r in reps if customer.get("customer_type") in lists(r, "customer_types")]
    return [r for r in reps if customer.get("industry") in lists(r, "industries")]


def assign(conn: Connection, actor: dict, strategy: str, team: str | None = None,
           now: datetime | None = None) -> dict:
    """Share the pool out to a team's reps by ``strategy``; every decision audited with why."""
    if strategy not in STRATEGIES:
        raise OrgError(Refusal("assign.unknown_strategy",
                               {"strategy": strategy[:40], "choices": ", ".join(STRATEGIES)}))
    now = now or db.now_utc()
    org = Org.load(conn)
    if team:
        team_record = org.find_team(team)
    elif actor.get("team_id"):
        team_record = org.teams.get(actor["team_id"])
    else:
        team_record = None
    if actor.get("role") == "manager" and team_record and team_record["id"] != actor.get("team_id"):
        raise PermissionError(Refusal("manager.own_team_assign"))
    reps = [r for r in org.reps.values() if r.get("role") == "rep"
            and (team_record is None or r.get("team_id") == team_record["id"])]
    reps.sort(key=lambda r: (r["name"], r["id"]))
    if not reps:
        raise OrgError(Refusal("manager.no_reps"))
    held = {r["id"]: held_count(conn, r["id"]) for r in reps}
    this_round = {r["id"]: 0 for r in reps}
    pool = conn.execute(
        sa.select(db.records.c.record).where(
            db.records.c.entity == "customer", db.records.c.owner_id.is_(None)
        ).order_by(db.records.c.name, db.records.c.id)
    ).all()
    decisions, skipped, work = [], 0, []
    for (text,) in pool:
        customer = db.loads(text)
        # only to a rep whose territory covers the customer, as a transfer: it stays in scope
        covering = [r for r in reps if org.in_territory(r["id"], customer)]
        if not covering:
            continue  # not this team's pool: no territory of theirs covers it
        work.append((customer, _candidates_for(strategy, org, covering, customer)))
    # the customers fewest reps may take go first, so the flexible ones can even the shares out
    work.sort(key=lambda item: len(item[1]))
    for customer, eligible in work:
        candidates = [r for r in eligible if held[r["id"]] < org.policy.max_held]
        if not candidates:
            skipped += 1
            continue
        chosen = min(candidates, key=lambda r: (this_round[r["id"]], held[r["id"]], r["name"]))
        why = (f"{strategy}: {chosen['name']} had the fewest assignments this round "
               f"({this_round[chosen['id']]}) among {len(candidates)} eligible")
        this_round[chosen["id"]] += 1
        held[chosen["id"]] += 1
        owned = _own(customer, chosen, now, org)
        _save_customer(conn, org, owned, reason=f"assigned to {chosen['name']} ({strategy})")
        db.record_audit(conn, actor["id"], "assign", f"{customer['name']} → {chosen['name']}: {why}",
                        entity="customer", record_id=customer["id"], at=now)
        decisions.append({"customer_id": customer["id"], "customer": customer["name"],
                          "rep_id": chosen["id"], "rep": chosen["name"], "why": why})
    return {"strategy": strategy, "assigned": len(decisions), "skipped": skipped,
            "per_rep": {r["name"]: this_round[r["id"]] for r in reps}, "decisions": decisions}


def _team_customer(org: Org, team_id: str, customer: dict) -> bool:
    """Is ``customer`` the team's: owned by one of its members, or in the pool of a territory of
    one of its members?"""
    owner = customer.get("owner_id")
    if owner:
        return (org.rep(owner) or {}).get("team_id") == team_id
    return any(org.in_territory(member["id"], customer) for member in org.team_members(team_id))


def transfer(conn: Connection, actor: dict, customer_id: str, to_rep_id: str,
             now: datetime | None = None) -> dict:
    """Hand a customer to another rep; visits stay with their authors.

    A manager moves only their team's customers (owned by a member, or a pool customer a
    member's territory covers) to a member of their team; an admin moves any customer to any
    rep. Either way the new owner's territory must cover the customer, so it stays in their
    scope (an admin who wants otherwise changes the territories first).
    """
    now = now or db.now_utc()
    role = actor.get("role")
    if role not in ("manager", "admin"):
        raise Denied(Refusal("role.manager_only"))
    org = Org.load(conn)
    customer = db.get_record(conn, "customer", customer_id, lock=True)
    if customer is None:
        raise Denied(Refusal("record.unknown_customer", {"id": customer_id}), 404)
    target = org.rep(to_rep_id)
    if target is None:
        raise Denied(Refusal("record.unknown", {"entity": "rep", "id": to_rep_id}), 404)
    if role == "manager":
        team = actor.get("team_id")
        if not team or target.get("team_id") != team or not _team_customer(org, team, customer):
            raise Denied(Refusal("manager.own_team_transfer"))
    if not org.in_territory(target["id"], customer):
        raise Denied(Refusal("manager.target_territory",
                             {"rep": target["name"], "name": customer["name"]}))
    moved = _own(customer, target, now, org)
    _save_customer(conn, org, moved, reason=f"transferred to {target['name']} by {actor['name']}")
    db.record_audit(conn, actor["id"], "transfer",
                    f"{customer['name']}: {customer.get('owner_name') or 'pool'} → {target['name']}",
                    entity="customer", record_id=customer_id, at=now)
    return moved
