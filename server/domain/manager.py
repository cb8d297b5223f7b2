"""A manager's actions as mutations from the outbox, applied exactly once like a rep's visit:
``customer.assign`` (a pool customer of the team to one of its reps; ``fields.rep_id``, and
``fields.strategy`` when the laptop's preview of a strategy queued it: the history then says
which rule matched) and
``customer.transfer`` (a customer to another rep; ``fields.to_rep_id``, an optional
``fields.reason``). Both are judged by the rule the HTTP transfer uses
(``ownership.handover_refusal``: own team only, the new owner's territory, max_held; an admin on
all; a rep refused with ``role.manager_only``) and write the ownership history in the same
transaction (``ownership.hand_over``). A manager's offline assignment of a customer that was
claimed meanwhile comes back rejected with ``manager.not_pool``, in the manager's language.

N (issue 10): a customer that changes hands takes its open work with it (``carry_work``): its
open follow-ups of the previous owner become the new owner's, and its open complaints get the new
owner as their assignee, each written for its new audience (the old rep gets a tombstone, the new
one the record). ``book.transfer`` moves a whole book in one operation (``fields.from``: the rep
it is taken from, ``fields.to``: the reps, ``fields.moves``: ``[customer id, index into to]``,
``fields.reason``), in one transaction; each move is judged as ``customer.transfer`` is, a
customer no longer ``from``'s (moved meanwhile) is reported and the others still move, and the
result's record lists the outcome (``moved`` ids, ``refused`` with a code each).
``feedback.assign`` gives an open complaint to a rep of the manager's team (``assignee_id``).
O: ``rep.goals`` sets the goals of a rep of the manager's team from a period on (``fields.goals``,
some or all of them; ``fields.effective``, the period's first day), checked and written by
``sync/protocol/goals.py`` as the laptop does, the change kept in the rep's goals history.
The stage hand-off (``handoff``: the policy's ``handoffs`` rules) is called by
``customer.update`` when a stage change arrives.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server import db
from server.domain import trail
from server.domain.customers import held_count, owned_by
from server.domain.ownership import hand_over, handover_refusal, transfer_params
from server.domain.shared import Outcome, Refused, load_customer, save_customer, validated
from server.org import Org
from server.schema import records
from sync.protocol import complaints, goals, rules, validation
from sync.protocol.models import MAX_ID, Feedback, FollowUp, Mutation, ResultStatus
from sync.protocol.ownership import matched_key
from sync.protocol.refusals import Refusal

FIELDS = {"customer.assign": ("rep_id", "strategy"),
          "customer.transfer": ("to_rep_id", "reason"),
          "book.transfer": ("from", "to", "moves", "reason"), "feedback.assign": ("assignee_id",),
          "rep.goals": ("goals", "effective")}
"""The fields each kind carries; anything else is refused (``field.unexpected``)."""
MAX_REASON = 200
"""How long a transfer's reason may be."""


MAX_BOOK = 10_000
"""The most customers one ``book.transfer`` moves (5,000 fit a push: ids and a rep index)."""
OPEN_FOLLOWUPS = ("open", "snoozed")


def _only(mutation: Mutation) -> None:
    allowed = FIELDS[mutation.kind.value]
    for name in mutation.fields:
        if name not in allowed:
            raise Refused(Refusal("field.unexpected", {"field": str(name)[:40]}))


def _rep_id(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Refused(Refusal("field.required", {"field": field}))
    if len(value) > MAX_ID:
        raise Refused(Refusal("field.too_long", {"field": field, "max": MAX_ID}))
    return value


def _fields(mutation: Mutation, rep_field: str) -> tuple[str, str | None]:
    """(the target rep's id, the reason) of ``mutation``, or Refused naming the bad field."""
    _only(mutation)
    rep_id = _rep_id(mutation.fields.get(rep_field), rep_field)
    return rep_id, _reason(mutation)


def _reason(mutation: Mutation) -> str | None:
    reason = mutation.fields.get("reason")
    if reason is not None:
        if not isinstance(reason, str):
            raise Refused(Refusal("field.invalid", {"field": "reason", "problem": "must be text"}))
        reason = validation.one_line(reason).strip() or None
        if reason and len(reason) > MAX_REASON:
            raise Refused(Refusal("field.too_long", {"field": "reason", "max": MAX_REASON}))
    return reason


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
    strategy = mutation.fields.get("strategy")
    if strategy is not None and strategy not in rules.STRATEGIES:
        raise Refused(Refusal("assign.unknown_strategy", {
            "strategy": str(strategy)[:40], "choices": ", ".join(rules.STRATEGIES)}))
    owner = customer.get("owner_id")
    if owner == target["id"]:
        return ResultStatus.applied, customer, None  # claimed by that rep meanwhile: satisfied
    if owner:
        if actor["id"] in org.customer_audience(customer) or actor.get("role") == "admin":
            raise Refused(Refusal("manager.not_pool_owned", {
                "name": customer["name"], "who": customer.get("owner_name") or owner}), customer)
        raise Refused(Refusal("manager.not_pool", {"name": customer["name"]}), customer)
    who = {"who": actor.get("name") or actor["id"], "to": target["name"]}
    if strategy is None:
        moved = hand_over(conn, org, actor, customer, target, now, kind="assign",
                          reason="history.assigned_by", params=who)
    else:  # Q: the laptop's preview of a strategy, queued: the history says which rule matched
        field, value = matched_key(strategy, customer, org.rep_territories(target["id"]))
        moved = hand_over(
            conn, org, actor, customer, target, now, kind="assign", strategy=strategy,
            reason="history.assigned_strategy_match" if field else "history.assigned_strategy",
            params={**who, "strategy": strategy, **({"field": field, "value": value}
                                                    if field else {})})
    carry_work(conn, org, customer, moved, now)
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
    carry_work(conn, org, customer, moved, now)
    return ResultStatus.applied, moved, None



# --------------------------------------------------------------------------- N: open work moves


def _history_of(conn: Connection, entity: str, customer_id: str) -> list[dict]:
    rows = conn.execute(sa.select(records.c.record).where(
        records.c.entity == entity, records.c.customer_id == customer_id))
    return [db.loads(text) for (text,) in rows]


def carry_work(conn: Connection, org: Org, before: dict, after: dict, now: datetime) -> int:
    """The open work of a customer that went from ``before``'s owner to ``after``'s: open
    follow-ups of the previous owner become the new
    owner's, open complaints get the new owner as assignee; each saved for its new audience
    (the old rep gets a tombstone). How many records moved."""
    old, new = before.get("owner_id"), after.get("owner_id")
    if not new or old == new:
        return 0
    moved = 0
    for followup in _history_of(conn, "followup", after["id"]):
        if (old is None or followup.get("status") not in OPEN_FOLLOWUPS
                or followup.get("rep_id") != old):
            continue  # a pool customer's follow-ups stay with whoever wrote them
        updated = {**followup, "rep_id": new, "version": followup.get("version", 1) + 1}
        db.put_record(conn, "followup", validated(FollowUp, updated, now, carried={}),
                      org.history_audience(updated, after), at=now)
        moved += 1
    for complaint in _history_of(conn, "feedback", after["id"]):
        if not complaints.is_open(complaint) or complaint.get("assignee_id") == new:
            continue
        updated = {**complaint, "assignee_id": new, "version": complaint.get("version", 1) + 1}
        db.put_record(conn, "feedback", validated(Feedback, updated, now, carried={}),
                      org.history_audience(updated, after), at=now)
        moved += 1
    return moved


# --------------------------------------------------------------------------- N: a whole book


def _book_fields(mutation: Mutation) -> tuple[str, list[str], list[tuple[str, int]], str | None]:
    _only(mutation)
    giver = _rep_id(mutation.fields.get("from"), "from")
    to = mutation.fields.get("to")
    if not isinstance(to, list) or not to or len(to) > 100:
        raise Refused(Refusal("field.invalid", {"field": "to", "problem": "a list of rep ids"}))
    targets = [_rep_id(t, "to") for t in to]
    moves = mutation.fields.get("moves")
    if not isinstance(moves, list) or not moves:
        raise Refused(Refusal("book.empty"))
    if len(moves) > MAX_BOOK:
        raise Refused(Refusal("book.too_many", {"max": MAX_BOOK, "count": len(moves)}))
    out: list[tuple[str, int]] = []
    for n, move in enumerate(moves, 1):
        if (not isinstance(move, list) or len(move) != 2 or not isinstance(move[0], str)
                or not move[0] or len(move[0]) > MAX_ID or type(move[1]) is not int
                or not 0 <= move[1] < len(targets)):
            raise Refused(Refusal("book.bad_move", {"n": n}))
        out.append((move[0], move[1]))
    return giver, targets, out, _reason(mutation)


def book_transfer(conn: Connection, org: Org, actor: dict, mutation: Mutation,
                  now: datetime) -> Outcome:
    """A whole book in one operation and one transaction (see the module doc). Refused whole
    only when the operation itself is wrong (a rep, bad fields, an unknown rep); each customer
    is judged on its own and the result lists who moved and who did not, and why."""
    if actor.get("role") not in ("manager", "admin"):
        raise Refused(Refusal("role.manager_only"))
    giver_id, target_ids, moves, note = _book_fields(mutation)
    giver = org.rep(giver_id)
    if giver is None:
        raise Refused(Refusal("record.unknown", {"entity": "rep", "id": giver_id}))
    targets = []
    for rep_id in target_ids:
        target = org.rep(rep_id)
        if target is None:
            raise Refused(Refusal("record.unknown", {"entity": "rep", "id": rep_id}))
        targets.append(target)
    held = {t["id"]: held_count(conn, t["id"]) for t in targets}
    moved: list[str] = []
    refused: list[dict] = []
    for customer_id, index in dict.fromkeys(moves):
        target = targets[index]
        customer = db.get_record(conn, "customer", customer_id, lock=True)
        refusal = _book_refusal(org, actor, customer, customer_id, giver, target, held)
        if refusal is not None:
            seen = customer is not None and _may_see(org, actor, customer)
            refused.append({"customer_id": customer_id,
                            "name": customer["name"] if seen and customer else "",
                            **refusal.wire()})
            continue
        assert customer is not None
        reason, params = transfer_params(actor, customer, target, note)
        after = hand_over(conn, org, actor, customer, target, now, kind="transfer",
                          reason=reason, params=params)
        carry_work(conn, org, customer, after, now)
        held[target["id"]] += 1
        moved.append(customer_id)
    return ResultStatus.applied, {"id": mutation.record_id, "from": giver_id, "moved": moved,
                                  "refused": refused}, None


def _may_see(org: Org, actor: dict, customer: dict) -> bool:
    return actor.get("role") == "admin" or actor["id"] in org.customer_audience(customer)


def _book_refusal(org: Org, actor: dict, customer: dict | None, customer_id: str, giver: dict,
                  target: dict, held: dict[str, int]) -> Refusal | None:
    if customer is None:
        return Refusal("record.unknown_customer", {"id": customer_id})
    if customer.get("owner_id") != giver["id"]:
        return Refusal("book.moved_meanwhile", {"name": customer["name"] if _may_see(
            org, actor, customer) else customer_id, "rep": giver["name"]})
    found = handover_refusal(org, actor, customer, target, held[target["id"]])
    return found[0] if found is not None else None


# --------------------------------------------------------------------------- N: a complaint


def feedback_assign(conn: Connection, org: Org, actor: dict, mutation: Mutation,
                    now: datetime) -> Outcome:
    """An open complaint given to ``fields.assignee_id``: by a manager of the team of its
    customer's owner (or of its author) to a rep of that team, or by an admin to anyone."""
    if actor.get("role") not in ("manager", "admin"):
        raise Refused(Refusal("role.manager_only"))
    _only(mutation)
    assignee_id = _rep_id(mutation.fields.get("assignee_id"), "assignee_id")
    complaint = db.get_record(conn, "feedback", mutation.record_id, lock=True)
    if complaint is None or complaint.get("kind") != "complaint":
        raise Refused(Refusal("record.unknown", {"entity": "complaint", "id": mutation.record_id}))
    customer = db.get_record(conn, "customer", complaint.get("customer_id") or "")
    assignee = org.rep(assignee_id)
    if assignee is None:
        raise Refused(Refusal("record.unknown", {"entity": "rep", "id": assignee_id}))
    if actor.get("role") == "manager":
        team = actor.get("team_id")
        owner = (customer or {}).get("owner_id")
        teams = {(org.rep(r) or {}).get("team_id") for r in (owner, complaint.get("rep_id")) if r}
        if not team or team not in teams or assignee.get("team_id") != team:
            raise Refused(Refusal("complaint.assign_team"))
    if not complaints.is_open(complaint):
        raise Refused(Refusal("complaint.assign_resolved"), complaint)
    if complaint.get("assignee_id") == assignee_id:
        return ResultStatus.applied, complaint, None
    updated = validated(Feedback, {**complaint, "assignee_id": assignee_id}, now, carried={})
    updated["version"] = complaint.get("version", 1) + 1
    db.put_record(conn, "feedback", updated, org.history_audience(updated, customer), at=now)
    db.record_audit(conn, actor["id"], "complaint.assign",
                    f"complaint {complaint['id']} given to {assignee['name']}",
                    entity="feedback", record_id=complaint["id"], at=now)
    return ResultStatus.applied, updated, None


# --------------------------------------------------------------------------- O: goals


def rep_goals(conn: Connection, org: Org, actor: dict, mutation: Mutation,
              now: datetime) -> Outcome:
    """The goals of the rep ``record_id`` from the period starting ``fields.effective``: by a
    manager for a rep of their team, by an admin for anyone; audited, kept in the history."""
    if actor.get("role") not in ("manager", "admin"):
        raise Refused(Refusal("role.manager_only"))
    _only(mutation)
    rep = db.get_record(conn, "rep", mutation.record_id, lock=True)  # this push's earlier changes
    if rep is None:
        raise Refused(Refusal("record.unknown", {"entity": "rep", "id": mutation.record_id}))
    if actor.get("role") == "manager" and (
            rep.get("role") != "rep" or not actor.get("team_id")
            or rep.get("team_id") != actor.get("team_id")):
        raise Refused(Refusal("goals.own_team"))
    raw = mutation.fields.get("effective")
    try:
        effective = date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        effective = None
    if effective is None:
        raise Refused(Refusal("field.invalid", {"field": "effective",
                                                "problem": "must be a date (2027-01-01)"}))
    today = rules.policy_day(org.policy, now)
    values = mutation.fields.get("goals")
    found = goals.checked(rep, values if isinstance(values, dict) else {}, effective, today)
    if isinstance(found, Refusal):
        raise Refused(found)
    record = goals.set_goals(rep, found, effective, by=actor["id"], by_name=actor.get("name"),
                             at=now, today=today)
    record["version"] = rep.get("version", 1) + 1
    db.put_record(conn, "rep", record, {db.EVERYONE}, at=now)
    db.record_audit(conn, actor["id"], "goals",
                    f"goals of {rep['name']} from {effective.isoformat()} set", entity="rep",
                    record_id=rep["id"], at=now)
    return ResultStatus.applied, record, None


# --------------------------------------------------------------------------- N: stage hand-off


def handoff(conn: Connection, org: Org, before: dict, after: dict, now: datetime) -> dict:
    """``after`` (just saved by ``customer.update``) moved on by the policy's first hand-off
    rule it meets: a customer of ``from_team`` that reached ``stage`` (it was another stage
    before) goes to a rep of ``to_team`` chosen by the rule's strategy among those whose
    territory covers it, under max_held; audited (``handoff``) with its open work. The customer
    as it is now (unchanged when no rule applies or no rep may take it)."""
    owner = org.rep(after.get("owner_id"))
    if owner is None or before.get("stage") == after.get("stage"):
        return after
    for rule in org.policy.handoffs:
        if rule.from_team != owner.get("team_id") or after.get("stage") != rule.stage.value:
            continue
        reps = sorted((r for r in org.team_members(rule.to_team)
                       if r.get("role") == "rep" and org.in_territory(r["id"], after)),
                      key=lambda r: (r["name"], r["id"]))
        eligible = rules.eligible_for(rule.strategy, after, reps, org.rep_territories)
        held = {r["id"]: held_count(conn, r["id"]) for r in eligible}
        choice = rules.choose_assignee(rule.strategy, eligible, {r["id"]: 0 for r in eligible},
                                       held, org.policy.max_held)
        if choice is None:
            return after
        target = choice[0]
        team = org.teams.get(rule.to_team) or {}
        moved = owned_by(after, target, now, org)
        trail.record(conn, org, after, moved, kind="handoff", actor=None,
                     reason="history.handoff", now=now, strategy=rule.strategy,
                     params={"to": target["name"], "team": team.get("name") or rule.to_team,
                             "stage": rule.stage.value})
        save_customer(conn, org, moved, at=now,
                      reason=f"handed to {target['name']} when it reached {rule.stage.value}")
        db.record_audit(conn, "server", "handoff", f"{after['name']} → {target['name']}",
                        entity="customer", record_id=after["id"], at=now)
        carry_work(conn, org, after, moved, now)
        return moved
    return after
