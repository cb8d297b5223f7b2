"""A rep's pushed change, decided: refused before any SQL if no column can hold it, then handed
to the rule of its kind (``HANDLERS``), and answered applied, conflict or rejected. A rejection
carries the server's record only to a rep in that record's audience."""

from __future__ import annotations

from datetime import datetime

import orjson
from sqlalchemy.engine import Connection

from server import db
from server.domain import customers, history, manager, ownership
from server.domain.shared import Handler, Refused
from server.org import Org
from sync.protocol import validation
from sync.protocol.models import Mutation, MutationKind, MutationResult, ResultStatus
from sync.protocol.refusals import Refusal

HANDLERS: dict[MutationKind, Handler] = {
    MutationKind.visit_create: history.visit_create,
    MutationKind.feedback_create: history.feedback_create,
    MutationKind.feedback_update: history.feedback_update,
    MutationKind.followup_create: history.followup_create,
    MutationKind.followup_update: history.followup_update,
    MutationKind.customer_create: customers.customer_create,
    MutationKind.customer_update: customers.customer_update,
    MutationKind.customer_claim: customers.customer_claim,
    MutationKind.customer_return: ownership.customer_return,
    MutationKind.customer_assign: manager.customer_assign,
    MutationKind.customer_transfer: manager.customer_transfer,
    MutationKind.book_transfer: manager.book_transfer,  # N
    MutationKind.feedback_assign: manager.feedback_assign,  # N
    MutationKind.rep_goals: manager.rep_goals,  # O
}


def apply_mutation(conn: Connection, org: Org, rep: dict, mutation: Mutation,
                   now: datetime) -> MutationResult:
    kind = mutation.kind
    entity = kind.value.split(".")[0]
    base = {"op_id": mutation.op_id, "mid": mutation.mid, "entity": entity,
            "record_id": mutation.record_id}
    try:
        _storable(mutation)
        status, record, conflicts = HANDLERS[kind](conn, org, rep, mutation, now)
    except Refused as refused:
        record = refused.record
        if record is not None and not _in_audience(conn, org, rep, entity, record):
            record = None  # a rejection tells nothing of a record outside the rep's audience
        return MutationResult(**base, status=ResultStatus.rejected, reason=refused.reason,
                              **refused.refusal.wire(), record=record,
                              version=(record or {}).get("version"))
    if entity == "book":  # N: a book's per-customer outcome, kept with the answer for a resend
        return MutationResult(**base, status=status, params=record or {})
    return MutationResult(**base, status=status, record=record,
                          version=(record or {}).get("version"), conflicts=conflicts or [])


def _in_audience(conn: Connection, org: Org, rep: dict, entity: str, record: dict) -> bool:
    if entity == "customer":
        return rep["id"] in org.customer_audience(record)
    if entity == "rep":  # O: every rep's record is seen by everyone
        return True
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
