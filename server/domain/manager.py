"""A manager's actions as mutations from the outbox, applied exactly once like a rep's visit:
``customer.assign`` (a pool customer of the team to one of its reps; ``fields.rep_id``) and
``customer.transfer`` (a customer to another rep; ``fields.to_rep_id``, an optional
``fields.reason``). Both are judged by the rule the HTTP transfer uses
(``ownership.handover_refusal``: own team only, the new owner's territory, max_held; an admin on
all; a rep refused with ``role.manager_only``) and write the ownership history in the same
transaction (``ownership.hand_over``). A manager's offline assignment of a customer that was
claimed meanwhile comes back rejected with ``manager.not_pool``, in the manager's language.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from server.domain.customers import held_count
from server.domain.ownership import hand_over, handover_refusal, transfer_params
from server.domain.shared import Outcome, Refused, load_customer
from server.org import Org
from sync.protocol import validation
from sync.protocol.models import MAX_ID, Mutation, ResultStatus
from sync.protocol.refusals import Refusal

FIELDS = {"customer.assign": ("rep_id",), "customer.transfer": ("to_rep_id", "reason")}
"""The fields each kind carries; anything else is refused (``field.unexpected``)."""
MAX_REASON = 200
"""How long a transfer's reason may be."""


def _fields(mutation: Mutation, rep_field: str) -> tuple[str, str | None]:
    """(the target rep's id, the reason) of ``mutation``, or Refused naming the bad field."""
    allowed = FIELDS[mutation.kind.value]
    for name in mutation.fields:
        if name not in allowed:
            raise Refused(Refusal("field.unexpected", {"field": str(name)[:40]}))
    rep_id = mutation.fields.get(rep_field)
    if not isinstance(rep_id, str) or not rep_id.strip():
        raise Refused(Refusal("field.required", {"field": rep_field}))
    if len(rep_id) > MAX_ID:
        raise Refused(Refusal("field.too_long", {"field": rep_field, "max": MAX_ID}))
    reason = mutation.fields.get("reason")
    if reason is not None:
        if not isinstance(reason, str):
            raise Refused(Refusal("field.invalid", {"field": "reason", "problem": "must be text"}))
        reason = validation.one_line(reason).strip() or None
        if reason and len(reason) > MAX_REASON:
            raise Refused(Refusal("field.too_long", {"field": "reason", "max": MAX_REASON}))
    return rep_id, reason


def _judged(conn: Connection, org: Org, actor: dict, mutation: Mutation, rep_field: str,
            own_team: str) -> tuple[dict, dict, str | None]:
    """The customer, the target rep and the reason of a manager's mutation, or Refused: a rep
    is refused before anything is looked up, so the refusal tells them nothing."""
    if actor.get("role") not in ("manager", "admin"):
        raise Refused(Refusal("role.manager_only"))
    rep_id, reason = _fields(mutation, rep_field)
    customer = load_customer(conn, mutation.record_id, lock=True)
    target = org.rep(rep_id)
    if target is None:
        raise Refused(Refusal("record.unknown", {"entity": "rep", "id": rep_id}))
    held = held_count(conn, target["id"]) - (customer.get("owner_id") == target["id"])
    refusal = handover_refusal(org, actor, customer, target, held, own_team=own_team)
    if refusal is not None:
        raise Refused(refusal[0], customer)
    return customer, target, reason


def customer_assign(conn: Connection, org: Org, actor: dict, mutation: Mutation,
                    now: datetime) -> Outcome:
    """One pool customer to ``fields.rep_id`` of the manager's team. Already that rep's: done;
    taken by someone else meanwhile: rejected, naming who only to a manager who may see it."""
    customer, target, _ = _judged(conn, org, actor, mutation, "rep_id", "manager.own_team_assign")
    owner = customer.get("owner_id")
    if owner == target["id"]:
        return ResultStatus.applied, customer, None  # claimed by that rep meanwhile: satisfied
    if owner:
        if actor["id"] in org.customer_audience(customer) or actor.get("role") == "admin":
            raise Refused(Refusal("manager.not_pool_owned", {
                "name": customer["name"], "who": customer.get("owner_name") or owner}), customer)
        raise Refused(Refusal("manager.not_pool", {"name": customer["name"]}), customer)
    moved = hand_over(conn, org, actor, customer, target, now, kind="assign",
                      reason="history.assigned_by",
                      params={"who": actor.get("name") or actor["id"], "to": target["name"]})
    return ResultStatus.applied, moved, None


def customer_transfer(conn: Connection, org: Org, actor: dict, mutation: Mutation,
                      now: datetime) -> Outcome:
    """One customer to ``fields.to_rep_id``, with the manager's ``fields.reason`` in its
    ownership history; protection restarts for the new owner."""
    customer, target, note = _judged(conn, org, actor, mutation, "to_rep_id",
                                     "manager.own_team_transfer")
    if customer.get("owner_id") == target["id"]:
        raise Refused(Refusal("manager.already_owner",
                              {"name": customer["name"], "rep": target["name"]}), customer)
    reason, params = transfer_params(actor, customer, target, note)
    moved = hand_over(conn, org, actor, customer, target, now, kind="transfer", reason=reason,
                      params=params)
    return ResultStatus.applied, moved, None
