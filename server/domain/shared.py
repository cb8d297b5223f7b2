"""What the mutation handlers share: the coded ``Refused``, validating a record against the
protocol's rules, the customer a record is for, the refusal that names a customer only to a rep
who may see it, saving a customer with its audience, and telling a resent create from a taken id.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.engine import Connection

from server import db
from server.org import Org
from sync.protocol import validation
from sync.protocol.models import MAX_ID, Mutation, ResultStatus
from sync.protocol.refusals import Refusal

SERVER_SET = frozenset({"id", "rep_id", "version", "non_owner"})
"""Fields of a history record the server sets itself, whatever a create carries."""

Outcome = tuple[ResultStatus, dict | None, list[dict] | None]
"""What a handler decides: the status, the server's record, the fields in conflict."""
Handler = Callable[[Connection, Org, dict, Mutation, datetime], Outcome]
"""A mutation kind's rule: (conn, org, the rep, the mutation, the server's now) → Outcome."""


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


def validated(model: type[BaseModel], data: dict, now: datetime,
              carried: dict | None = None, stored: dict | None = None) -> dict:
    """``data`` as ``model`` stores it, judged by the protocol's rules with the server's
    allowance for a laptop's clock (an edit's ``stored`` record keeps the contact details it
    holds); Refused with the first problem."""
    try:
        return validation.validated(model, data, now=now, carried=carried,
                                    skew=validation.CLOCK_SKEW, stored=stored)
    except validation.Invalid as invalid:
        raise Refused(invalid.refusal) from None


def customer_id_of(mutation: Mutation) -> str:
    """The customer a visit, feedback or follow-up is for: a text id, or a refusal."""
    value = mutation.fields.get("customer_id")
    if not isinstance(value, str) or not value.strip():
        raise Refused(Refusal("record.customer_required"))
    if len(value) > MAX_ID:
        raise Refused(Refusal("field.too_long", {"field": "customer_id", "max": MAX_ID}))
    return value


def load_customer(conn: Connection, customer_id: str, *, lock: bool = False) -> dict:
    customer = db.get_record(conn, "customer", customer_id, lock=lock)
    if customer is None:
        raise Refused(Refusal("record.unknown_customer", {"id": customer_id}))
    return customer


def _visible(org: Org, rep: dict, customer: dict) -> bool:
    """May a refusal name this customer to ``rep``: in its audience, or inside their territories."""
    return rep["id"] in org.customer_audience(customer) or org.in_territory(rep["id"], customer)


def outside(org: Org, rep: dict, customer: dict) -> Refusal:
    """'outside your territories': with the customer's name only for a rep who may see it."""
    if _visible(org, rep, customer):
        return Refusal("scope.outside_territory", {"name": customer.get("name", "")})
    return Refusal("scope.customer_outside")


def save_customer(conn: Connection, org: Org, customer: dict, *, reason: str | None = None,
                  field_versions: dict[str, int] | None = None,
                  at: datetime | None = None) -> dict:
    return db.put_record(conn, "customer", customer, org.customer_audience(customer),
                         reason=reason, field_versions=field_versions, at=at)


def resend(entity: str, model: type[BaseModel], existing: dict, rep: dict, mutation: Mutation,
           now: datetime, *, owner_field: str = "rep_id", allowed: frozenset[str] | None = None,
           edited: frozenset[str] = frozenset(),
           normalise: Callable[[dict], None] | None = None) -> Outcome:
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
                                     skew=validation.CLOCK_SKEW, stored=existing)
    except validation.Invalid:
        raise taken from None
    if normalise is not None:
        normalise(again)
    if any(again.get(k) != existing.get(k) for k in carried):
        raise taken
    return ResultStatus.applied, existing, None
