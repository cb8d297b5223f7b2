"""Visits, feedback and follow-ups as the server takes them: append-only records of a rep's work
on a customer inside their reach, and the few status fields an update may change.

A visit moves its customer on (``rules.visit_effects``: the last visit, and for the owner the
protection and the deal); a visit by someone other than the owner is flagged for the owner and
audited.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from server import db
from server.domain.shared import (
    Handler,
    Outcome,
    Refused,
    customer_id_of,
    load_customer,
    outside,
    resend,
    save_customer,
    validated,
)
from server.org import Org
from server.schema import change_audience, changes
from sync.protocol import rules
from sync.protocol.models import Feedback, FollowUp, Mutation, ResultStatus, Visit
from sync.protocol.refusals import Refusal

FEEDBACK_UPDATABLE = frozenset({"status", "resolution"})
FOLLOWUP_UPDATABLE = frozenset({"status", "snoozed_until", "due", "title"})


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
    raise Refused(outside(org, rep, customer))


def _was_sent(conn: Connection, rep_id: str, customer_id: str) -> bool:
    """Did the change feed ever carry this customer to this rep (within its retention)?"""
    return conn.execute(
        sa.select(changes.c.seq)
        .join(change_audience, change_audience.c.seq == changes.c.seq)
        .where(changes.c.entity == "customer", changes.c.record_id == customer_id,
               change_audience.c.rep_id == rep_id)
        .limit(1)
    ).first() is not None


def _updated_since_created(record: dict, updatable: frozenset[str]) -> frozenset[str]:
    return updatable if record.get("version", 1) > 1 else frozenset()


def visit_create(conn: Connection, org: Org, rep: dict, mutation: Mutation,
                 now: datetime) -> Outcome:
    existing = db.get_record(conn, "visit", mutation.record_id)
    if existing is not None:
        return resend("visit", Visit, existing, rep, mutation, now)
    customer = load_customer(conn, customer_id_of(mutation), lock=True)
    _may_touch_history(conn, org, rep, customer)
    owner = customer.get("owner_id")
    visit = validated(Visit, {**mutation.fields, "id": mutation.record_id, "rep_id": rep["id"],
                              "non_owner": bool(owner and owner != rep["id"]), "version": 1},
                      now, carried=mutation.fields)
    db.put_record(conn, "visit", visit, org.history_audience(visit, customer),
                  previous_audience=set(), at=now)
    updated = {**customer, **rules.visit_effects(
        customer, rep_id=rep["id"], at=rules.as_datetime(visit["at"]) or now,
        amount=visit.get("amount"), now=now, policy=org.policy)}
    if updated != customer:
        updated["version"] = customer.get("version", 0) + 1
        updated["updated_at"] = now.isoformat()
        save_customer(conn, org, updated, reason="visit logged", at=now)
    if visit["non_owner"]:
        db.record_audit(conn, rep["id"], "non-owner-visit",
                        f"{rep['name']} visited {customer['name']}, owned by "
                        f"{customer.get('owner_name') or owner}", entity="visit",
                        record_id=visit["id"], at=now)
    return ResultStatus.applied, visit, None


def _normal_feedback(feedback: dict) -> None:
    """What the server fills in on a complaint: open, of medium severity unless said."""
    feedback.update(rules.complaint_defaults(feedback))


def feedback_create(conn: Connection, org: Org, rep: dict, mutation: Mutation,
                    now: datetime) -> Outcome:
    existing = db.get_record(conn, "feedback", mutation.record_id)
    if existing is not None:
        return resend("feedback", Feedback, existing, rep, mutation, now,
                      edited=_updated_since_created(existing, FEEDBACK_UPDATABLE),
                      normalise=_normal_feedback)
    customer = load_customer(conn, customer_id_of(mutation))
    _may_touch_history(conn, org, rep, customer)
    data = {**mutation.fields, "id": mutation.record_id, "rep_id": rep["id"], "version": 1}
    feedback = validated(Feedback, data, now, carried=mutation.fields)
    refusal = rules.feedback_refusal(feedback["kind"], feedback.get("score"))
    if refusal is not None:
        raise Refused(refusal)
    _normal_feedback(feedback)
    db.put_record(conn, "feedback", feedback, org.history_audience(feedback, customer),
                  previous_audience=set(), at=now)
    return ResultStatus.applied, feedback, None


def history_update(entity: str, model: type[BaseModel], allowed: frozenset[str]) -> Handler:
    """The handler of ``entity``'s update: its author (or whoever may see it) changes only
    ``allowed`` fields."""

    def handler(conn: Connection, org: Org, rep: dict, mutation: Mutation,
                now: datetime) -> Outcome:
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
        updated = validated(model, {**record, **mutation.fields}, now, carried=mutation.fields)
        updated["version"] = record.get("version", 1) + 1
        db.put_record(conn, entity, updated, org.history_audience(updated, customer), at=now)
        return ResultStatus.applied, updated, None

    return handler


def followup_create(conn: Connection, org: Org, rep: dict, mutation: Mutation,
                    now: datetime) -> Outcome:
    existing = db.get_record(conn, "followup", mutation.record_id)
    if existing is not None:
        return resend("followup", FollowUp, existing, rep, mutation, now,
                      edited=_updated_since_created(existing, FOLLOWUP_UPDATABLE))
    customer = load_customer(conn, customer_id_of(mutation))
    _may_touch_history(conn, org, rep, customer)
    followup = validated(FollowUp, {**mutation.fields, "id": mutation.record_id,
                                    "rep_id": rep["id"], "version": 1},
                         now, carried=mutation.fields)
    db.put_record(conn, "followup", followup, org.history_audience(followup, customer),
                  previous_audience=set(), at=now)
    return ResultStatus.applied, followup, None


feedback_update = history_update("feedback", Feedback, FEEDBACK_UPDATABLE)
followup_update = history_update("followup", FollowUp, FOLLOWUP_UPDATABLE)
