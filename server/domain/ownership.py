"""Ownership the server or a manager changes, and a rep's return: lapsed claims returned to the
pool (``reclaim``, with why: no visit, no deal, or visits too far apart; and the policy's
recycle conditions, ``rules.recycle_reason``), the pool shared out by
a strategy (``assign``: ``rules.eligible_for`` and ``rules.choose_assignee`` decide, every
decision audited with the rule that matched, planned by ``sync/protocol/sharing.py`` as the
laptop's book preview is), a customer handed to another rep (``transfer``; the one rule of a hand
over is ``handover_refusal`` and its writes ``hand_over``, shared with the manager's mutations in
``server/domain/manager.py``),
and a customer its owner gives back with a reason code (``customer_return``, a mutation). Each
writes its ownership event (``server/domain/trail.py``) in the transaction of the change."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server import db
from server.domain import trail
from server.domain.customers import held_count, owned_by
from server.domain.shared import (
    Outcome,
    Refused,
    load_customer,
    save_customer,
)
from server.org import Denied, Org
from server.schema import records
from sync.protocol import rules, sharing
from sync.protocol.models import Mutation, ResultStatus
from sync.protocol.ownership import event_text, matched_key, return_refusal
from sync.protocol.refusals import Refusal


def pooled(customer: dict, now: datetime, org: Org, reason: str) -> dict:
    """``customer`` back in the pool from ``now`` because of ``reason`` (its ownership reason
    code, kept as ``pool_reason``): its owner kept as the previous one, who may not claim it
    again during the cool-off (after a reclaim as after a return), and nobody before the pool's
    claim delay (``rules.claimable_from``)."""
    back = dict(customer)
    back.update(
        previous_owner_id=customer["owner_id"], owner_id=None, owner_name=None,
        claimed_at=None, protected_until=None, pool_reason=reason,
        claimable_at=rules.claimable_from(now, org.policy),
        cooloff_until=(now + timedelta(days=org.policy.cooloff_days)).isoformat(),
        version=customer.get("version", 0) + 1, updated_at=now.isoformat(),
    )
    return back


def _day(value: object) -> str:
    moment = rules.as_datetime(value)
    return moment.date().isoformat() if moment else ""


def reclaim_reason(customer: dict, org: Org) -> tuple[str, dict]:
    """Why a lapsed claim goes back: never visited since the claim, no deal by the protection
    maximum, or the last visit too long ago; (code, params), dated."""
    who = customer.get("owner_name") or customer.get("owner_id")
    claimed = rules.as_datetime(customer.get("claimed_at"))
    until = rules.as_datetime(customer.get("protected_until"))
    last = rules.as_datetime(customer.get("last_visit_at"))
    dates = {"who": who, "since": _day(claimed), "until": _day(until)}
    if last is None or (claimed is not None and last < claimed):
        return "history.reclaimed.no_visit", dates
    if (not customer.get("deal_at") and claimed is not None and until is not None
            and until >= rules.protection_cap(claimed, org.policy)):
        return "history.reclaimed.no_deal", {**dates, "days": org.policy.max_protection_days}
    return "history.reclaimed.lapsed", {"who": who, "last": _day(last), "until": _day(until)}


def reclaim(conn: Connection, now: datetime) -> list[dict]:
    """Customers whose protection lapsed, and (when the policy sets them) those its recycle
    conditions take back (``rules.recycle_reason``: no owner visit, no deal in N days), return
    to the pool; returns them."""
    org = Org.load(conn)
    owned = sa.and_(records.c.entity == "customer", records.c.owner_id.is_not(None))
    lapsed = sa.and_(records.c.protected_until.is_not(None),
                     records.c.protected_until <= db.iso(now))
    recycling = org.policy.recycle_no_visit_days > 0 or org.policy.recycle_no_deal_days > 0
    rows = conn.execute(
        sa.select(records.c.id).where(owned if recycling else sa.and_(owned, lapsed))
        .order_by(records.c.id)
    ).all()
    returned = []
    for (customer_id,) in rows:
        customer = db.get_record(conn, "customer", customer_id, lock=True)
        if customer is None or not customer.get("owner_id"):
            continue
        if rules.protection_lapsed(customer, now):
            code, params = reclaim_reason(customer, org)
        else:
            recycled = rules.recycle_reason(customer, org.policy, now)
            if recycled is None:
                continue
            code, params = recycled
        back = pooled(customer, now, org, code)
        event = trail.record(conn, org, customer, back, kind="reclaim", actor=None,
                             reason=code, params=params, now=now)
        why = event_text(event)
        save_customer(conn, org, back, reason=why, at=now)
        db.record_audit(conn, "server", "reclaim", why, entity="customer",
                        record_id=customer_id, at=now)
        returned.append(back)
    return returned


def assign(conn: Connection, actor: dict, strategy: str, team: str | None,
           now: datetime) -> dict:
    """Share the pool out to a team's reps by ``strategy``; every decision audited with why."""
    if strategy not in rules.STRATEGIES:
        raise Denied(Refusal("assign.unknown_strategy",
                             {"strategy": strategy[:40], "choices": ", ".join(rules.STRATEGIES)}))
    org = Org.load(conn)
    team_record: dict | None = None
    if team:
        team_record = org.find_team(team)
    elif actor.get("team_id"):
        team_record = org.teams.get(actor["team_id"])
    if actor.get("role") == "manager" and team_record and team_record["id"] != actor.get("team_id"):
        raise Denied(Refusal("manager.own_team_assign"), 403)
    reps = [r for r in org.reps.values() if r.get("role") == "rep"
            and (team_record is None or r.get("team_id") == team_record["id"])]
    reps.sort(key=lambda r: (r["name"], r["id"]))
    if not reps:
        raise Denied(Refusal("manager.no_reps"))
    held = {r["id"]: held_count(conn, r["id"]) for r in reps}
    pool = [db.loads(text) for (text,) in conn.execute(
        sa.select(records.c.record).where(
            records.c.entity == "customer", records.c.owner_id.is_(None)
        ).order_by(records.c.name, records.c.id)
    )]
    # only to a rep whose territory covers the customer, as a transfer: it stays in scope; a
    # pool customer no territory of theirs covers is not this team's pool
    shared = sharing.plan(strategy, pool, reps, lambda r, c: org.in_territory(r["id"], c),
                          org.rep_territories, held, org.policy.max_held)
    decisions = []
    for move in shared.moves:
        customer, chosen = move.customer, move.rep
        field, value = matched_key(strategy, customer, org.rep_territories(chosen["id"]))
        params = {"who": actor.get("name") or actor["id"], "to": chosen["name"],
                  "strategy": strategy, "count": move.count, "eligible": move.eligible}
        hand_over(conn, org, actor, customer, chosen, now, kind="assign",
                  reason="history.assigned_match" if field else "history.assigned",
                  params={**params, "field": field, "value": value} if field else params,
                  strategy=strategy, audit=f"{customer['name']} → {chosen['name']}: {move.why}")
        decisions.append({"customer_id": customer["id"], "customer": customer["name"],
                          "rep_id": chosen["id"], "rep": chosen["name"], "why": move.why})
    skipped = len(shared.full) + len(shared.unmatched)
    this_round = {r["id"]: shared.after[r["id"]] - shared.before[r["id"]] for r in reps}
    return {"strategy": strategy, "assigned": len(decisions), "skipped": skipped,
            "per_rep": {r["name"]: this_round[r["id"]] for r in reps}, "decisions": decisions}


def _team_customer(org: Org, team_id: str, customer: dict) -> bool:
    """Is ``customer`` the team's: owned by one of its members, or in the pool of a territory of
    one of its members?"""
    owner = customer.get("owner_id")
    if owner:
        return (org.rep(owner) or {}).get("team_id") == team_id
    return any(org.in_territory(member["id"], customer) for member in org.team_members(team_id))


def handover_refusal(org: Org, actor: dict, customer: dict, target: dict, held: int, *,
                     own_team: str = "manager.own_team_transfer") -> tuple[Refusal, int] | None:
    """Why ``actor`` may not give ``customer`` to ``target``, who holds ``held`` customers now,
    with the HTTP status; None if they may. The one rule of a transfer and of a manager's
    assignment (``/v1/customers/{id}/transfer``, ``customer.assign``, ``customer.transfer``):

    a rep may not (403); a manager moves only their team's customers (owned by a member, or a
    pool customer a member's territory covers) to a member of their team (403, ``own_team``);
    an admin moves any customer to any rep. Either way the new owner's territory must cover the
    customer, so it stays in their scope, and the new owner stays under the policy's max_held."""
    role = actor.get("role")
    if role not in ("manager", "admin"):
        return Refusal("role.manager_only"), 403
    if role == "manager":
        team = actor.get("team_id")
        if not team or target.get("team_id") != team or not _team_customer(org, team, customer):
            return Refusal(own_team), 403
    if not org.in_territory(target["id"], customer):
        return Refusal("manager.target_territory",
                       {"rep": target["name"], "name": customer["name"]}), 403
    if held >= org.policy.max_held:
        return Refusal("manager.max_held", {"rep": target["name"], "held": held,
                                            "cap": org.policy.max_held}), 422
    return None


def hand_over(conn: Connection, org: Org, actor: dict, customer: dict, target: dict,
              now: datetime, *, kind: str, reason: str, params: dict,
              strategy: str | None = None, audit: str | None = None) -> dict:
    """``customer`` made ``target``'s by ``actor`` (an assignment, a transfer): saved (the feed
    says "assigned to …" / "transferred to … by …"), its ownership event written and audited,
    all in the caller's transaction; the moved customer."""
    moved = owned_by(customer, target, now, org)
    event = trail.record(conn, org, customer, moved, kind=kind, actor=actor, reason=reason,
                         params=params, now=now, strategy=strategy)
    why = event_text(event)
    feed = (f"assigned to {target['name']}" + (f" ({strategy})" if strategy else "")
            if kind == "assign" else f"transferred to {target['name']} by {actor['name']}")
    save_customer(conn, org, moved, reason=feed, at=now)
    db.record_audit(conn, actor["id"], kind, audit or why, entity="customer",
                    record_id=customer["id"], at=now)
    return moved


def transfer_params(actor: dict, customer: dict, target: dict,
                    note: str | None = None) -> tuple[str, dict]:
    """The ownership event's reason code and params of a transfer (with the manager's note)."""
    giver = customer.get("owner_name") or customer.get("owner_id")
    params = {"who": actor.get("name") or actor["id"], "to": target["name"],
              **({"prev": giver} if giver else {}), **({"note": note} if note else {})}
    code = "history.transferred" if giver else "history.transferred_pool"
    return (f"{code}_note" if note else code), params


def transfer(conn: Connection, actor: dict, customer_id: str, to_rep_id: str,
             now: datetime) -> dict:
    """Hand a customer to another rep at once (the HTTP route); visits stay with their
    authors. Judged by ``handover_refusal``."""
    if actor.get("role") not in ("manager", "admin"):
        raise Denied(Refusal("role.manager_only"), 403)
    org = Org.load(conn)
    customer = db.get_record(conn, "customer", customer_id, lock=True)
    if customer is None:
        raise Denied(Refusal("record.unknown_customer", {"id": customer_id}), 404)
    target = org.rep(to_rep_id)
    if target is None:
        raise Denied(Refusal("record.unknown", {"entity": "rep", "id": to_rep_id}), 404)
    held = held_count(conn, target["id"]) - (customer.get("owner_id") == target["id"])
    refusal = handover_refusal(org, actor, customer, target, held)
    if refusal is not None:
        raise Denied(*refusal)
    reason, params = transfer_params(actor, customer, target)
    return hand_over(conn, org, actor, customer, target, now, kind="transfer", reason=reason,
                     params=params, audit=f"{customer['name']}: "
                     f"{customer.get('owner_name') or 'pool'} → {target['name']}")


def customer_return(conn: Connection, org: Org, rep: dict, mutation: Mutation,
                    now: datetime) -> Outcome:
    """The owner gives a customer back to the pool with a reason code of the policy's list
    (``fields.reason``); the cool-off applies as after a reclaim. A rep outside the customer's
    audience (another rep's customer, another team's) is told nothing of it."""
    customer = load_customer(conn, mutation.record_id, lock=True)
    if customer.get("owner_id") != rep["id"] and rep["id"] not in org.customer_audience(customer):
        raise Refused(Refusal("return.not_yours"))  # and not a word of whose it is
    reason = mutation.fields.get("reason")
    refusal = return_refusal(customer, rep["id"], reason, org.policy)
    if refusal is not None:
        raise Refused(refusal, customer)
    back = pooled(customer, now, org, "history.returned")
    event = trail.record(conn, org, customer, back, kind="return", actor=rep,
                         reason="history.returned", params={"who": rep["name"], "reason": reason},
                         now=now)
    why = event_text(event)
    save_customer(conn, org, back, reason=why, at=now)
    db.record_audit(conn, rep["id"], "return", why, entity="customer", record_id=customer["id"],
                    at=now)
    return ResultStatus.applied, back, None
