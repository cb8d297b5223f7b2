"""Visits, feedback and follow-ups as the server takes them: append-only records of a rep's work
on a customer inside their reach, and the few status fields an update may change.

A visit moves its customer on (``rules.visit_effects``: the last visit, and for the owner the
protection and the deal); a visit by someone other than the owner is flagged for the owner and
audited.

A complaint is answered through ``feedback.update`` (``feedback_update``) by whoever may see it,
the customer's owner, their managers or an admin: a response (``{"response": {id, text}}``) is
appended once by its id with the server's time, the first setting ``responded_at``; a resolution
(``{"status": "resolved", "resolution": TEXT}``) sets ``resolved_at`` and, in the same
transaction, schedules the owner's satisfaction re-visit (``sync/protocol/complaints.py``).
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
from sync.protocol import complaints, rules
from sync.protocol.models import (
    Feedback,
    FeedbackStatus,
    FollowUp,
    Mutation,
    ResultStatus,
    Role,
    Visit,
)
from sync.protocol.refusals import Refusal

FEEDBACK_UPDATABLE = frozenset({"status", "resolution"}) | complaints.SERVER_FIELDS
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
    # what only the server writes on a complaint is not the laptop's to send (a new laptop's
    # create carries them empty)
    mutation = mutation.model_copy(update={"fields": {
        k: v for k, v in mutation.fields.items() if k not in complaints.SERVER_FIELDS}})
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


def _may_answer(org: Org, rep: dict, complaint: dict, customer: dict | None) -> bool:
    """A complaint is answered by its author, the customer's owner, the managers of either's
    team, or an admin; never by another rep nor another team's manager."""
    if rep.get("role") == Role.admin or rep["id"] in org.history_audience(complaint, customer):
        return True
    owner = (customer or {}).get("owner_id")
    return bool(owner) and (rep["id"] == owner or rep["id"] in org.managers_of(
        (org.rep(owner) or {}).get("team_id")))


def _save_feedback(conn: Connection, org: Org, record: dict, fields: dict, carried: dict,
                   customer: dict | None, now: datetime) -> dict:
    updated = validated(Feedback, {**record, **fields}, now, carried=carried)
    updated["version"] = record.get("version", 1) + 1
    db.put_record(conn, "feedback", updated, org.history_audience(updated, customer), at=now)
    return updated


def _schedule_revisit(conn: Connection, org: Org, complaint: dict, customer: dict | None,
                      now: datetime) -> None:
    """The owner's satisfaction re-visit after ``complaint`` was resolved: once (its id is the
    complaint's), for the customer's owner (the complaint's author for a pool customer)."""
    owner = (customer or {}).get("owner_id") or complaint.get("rep_id")
    if not owner or db.get_record(conn, "followup", complaints.revisit_id(complaint["id"])):
        return
    followup = validated(FollowUp, complaints.revisit_followup(complaint, owner, org.policy, now),
                         now, carried={})
    db.put_record(conn, "followup", followup, org.history_audience(followup, customer),
                  previous_audience=set(), at=now)


def feedback_update(conn: Connection, org: Org, rep: dict, mutation: Mutation,
                    now: datetime) -> Outcome:
    """A complaint's response or resolution (see the module doc); any other feedback update
    changes only ``status`` and ``resolution``, by its author or their managers."""
    record = db.get_record(conn, "feedback", mutation.record_id, lock=True)
    if record is None or record.get("kind") != "complaint":
        return _plain_feedback_update(conn, org, rep, mutation, now)
    customer = db.get_record(conn, "customer", record.get("customer_id") or "")
    if not _may_answer(org, rep, record, customer):
        raise Refused(Refusal("scope.not_yours", {"entity": "feedback"}))
    fields = mutation.fields
    server_set = sorted(set(fields) & complaints.SERVER_FIELDS)
    if server_set:
        raise Refused(Refusal("complaint.server_field", {"field": server_set[0]}), record)
    unknown = sorted(set(fields) - complaints.UPDATE_FIELDS)
    if unknown:
        raise Refused(Refusal("field.immutable", {"field": unknown[0]}), record)
    if "response" in fields:
        return _respond(conn, org, rep, record, customer, mutation, now)
    if fields.get("status") == FeedbackStatus.resolved:
        return _resolve(conn, org, rep, record, customer, mutation, now)
    if record.get("status") == FeedbackStatus.resolved:
        refusal = complaints.resolve_refusal(record, "")  # already resolved: said so
        raise Refused(refusal or Refusal("field.immutable", {"field": "status"}), record)
    return ResultStatus.applied, _save_feedback(conn, org, record, dict(fields), fields,
                                                customer, now), None


def _respond(conn: Connection, org: Org, rep: dict, record: dict, customer: dict | None,
             mutation: Mutation, now: datetime) -> Outcome:
    response = mutation.fields["response"]
    if set(mutation.fields) != {"response"} or not isinstance(response, dict) \
            or not isinstance(response.get("id"), str) or not response["id"].strip():
        raise Refused(Refusal("field.invalid", {"field": "response",
                                                "problem": "needs an id and a text"}), record)
    if complaints.has_response(record, response["id"]):
        return ResultStatus.applied, record, None  # sent again: kept once
    refusal = complaints.respond_refusal(record, response.get("text"))
    if refusal is not None:
        raise Refused(refusal, record)
    fields = complaints.response_fields(record, response_id=response["id"],
                                        text=response["text"], rep=rep, now=now)
    return ResultStatus.applied, _save_feedback(conn, org, record, fields, mutation.fields,
                                                customer, now), None


def _resolve(conn: Connection, org: Org, rep: dict, record: dict, customer: dict | None,
             mutation: Mutation, now: datetime) -> Outcome:
    text = mutation.fields.get("resolution")
    if (record.get("status") == FeedbackStatus.resolved and isinstance(text, str)
            and text.strip().replace("\r\n", "\n") == record.get("resolution")):
        _schedule_revisit(conn, org, record, customer, now)  # sent again: one re-visit still
        return ResultStatus.applied, record, None
    refusal = complaints.resolve_refusal(record, text)
    if refusal is not None:
        raise Refused(refusal, record)
    assert isinstance(text, str)
    fields = complaints.resolution_fields(record, text=text, rep=rep, now=now)
    updated = _save_feedback(conn, org, record, fields, mutation.fields, customer, now)
    _schedule_revisit(conn, org, updated, customer, now)
    return ResultStatus.applied, updated, None


_plain_feedback_update = history_update("feedback", Feedback, frozenset({"status", "resolution"}))
followup_update = history_update("followup", FollowUp, FOLLOWUP_UPDATABLE)
