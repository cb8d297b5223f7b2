"""Ownership the server or a manager changes, and a rep's return: lapsed claims returned to the
pool (``reclaim``, with why: no visit, no deal, or visits too far apart), the pool shared out by
a strategy (``assign``: ``rules.eligible_for`` and ``rules.choose_assignee`` decide, every
decision audited with the rule that matched), a customer handed to another rep (``transfer``),
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
from sync.protocol import rules
from sync.protocol.models import Mutation, ResultStatus
from sync.protocol.ownership import event_text, matched_key, return_refusal
from sync.protocol.refusals import Refusal


def pooled(customer: dict, now: datetime, org: Org) -> dict:
    """``customer`` back in the pool from ``now``: its owner kept as the previous one, who may
    not claim it again during the cool-off (after a reclaim as after a return)."""
    back = dict(customer)
    back.update(
        previous_owner_id=customer["owner_id"], owner_id=None, owner_name=None,
        claimed_at=None, protected_until=None,
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
    """Customers whose protection lapsed with no visit return to the pool; returns them."""
    org = Org.load(conn)
    rows = conn.execute(
        sa.select(records.c.id).where(
            records.c.entity == "customer", records.c.owner_id.is_not(None),
            records.c.protected_until.is_not(None), records.c.protected_until <= db.iso(now),
        ).order_by(records.c.id)
    ).all()
    returned = []
    for (customer_id,) in rows:
        customer = db.get_record(conn, "customer", customer_id, lock=True)
        if customer is None or not rules.protection_lapsed(customer, now):
            continue
        code, params = reclaim_reason(customer, org)
        back = pooled(customer, now, org)
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
    this_round = {r["id"]: 0 for r in reps}
    pool = conn.execute(
        sa.select(records.c.record).where(
            records.c.entity == "customer", records.c.owner_id.is_(None)
        ).order_by(records.c.name, records.c.id)
    ).all()
    decisions, skipped, work = [], 0, []
    for (text,) in pool:
        customer = db.loads(text)
        # only to a rep whose territory covers the customer, as a transfer: it stays in scope
        covering = [r for r in reps if org.in_territory(r["id"], customer)]
        if not covering:
            continue  # not this team's pool: no territory of theirs covers it
        work.append((customer, rules.eligible_for(strategy, customer, covering,
                                                  org.rep_territories)))
    # the customers fewest reps may take go first, so the flexible ones can even the shares out
    work.sort(key=lambda item: len(item[1]))
    for customer, eligible in work:
        choice = rules.choose_assignee(strategy, eligible, this_round, held, org.policy.max_held)
        if choice is None:
            skipped += 1
            continue
        chosen, why = choice
        field, value = matched_key(strategy, customer, org.rep_territories(chosen["id"]))
        params = {"who": actor.get("name") or actor["id"], "to": chosen["name"],
                  "strategy": strategy, "count": this_round[chosen["id"]],
                  "eligible": sum(1 for r in eligible if held[r["id"]] < org.policy.max_held)}
        this_round[chosen["id"]] += 1
        held[chosen["id"]] += 1
        owned = owned_by(customer, chosen, now, org)
        save_customer(conn, org, owned, reason=f"assigned to {chosen['name']} ({strategy})",
                      at=now)
        trail.record(conn, org, customer, owned, kind="assign", actor=actor,
                     reason="history.assigned_match" if field else "history.assigned",
                     params={**params, "field": field, "value": value} if field else params,
                     now=now, strategy=strategy)
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
             now: datetime) -> dict:
    """Hand a customer to another rep; visits stay with their authors.

    A manager moves only their team's customers (owned by a member, or a pool customer a
    member's territory covers) to a member of their team; an admin moves any customer to any
    rep. Either way the new owner's territory must cover the customer, so it stays in their
    scope (an admin who wants otherwise changes the territories first).
    """
    role = actor.get("role")
    if role not in ("manager", "admin"):
        raise Denied(Refusal("role.manager_only"), 403)
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
            raise Denied(Refusal("manager.own_team_transfer"), 403)
    if not org.in_territory(target["id"], customer):
        raise Denied(Refusal("manager.target_territory",
                             {"rep": target["name"], "name": customer["name"]}), 403)
    moved = owned_by(customer, target, now, org)
    save_customer(conn, org, moved, reason=f"transferred to {target['name']} by {actor['name']}",
                  at=now)
    giver = customer.get("owner_name") or customer.get("owner_id")
    trail.record(conn, org, customer, moved, kind="transfer", actor=actor,
                 reason="history.transferred" if giver else "history.transferred_pool",
                 params={"who": actor.get("name") or actor["id"], "to": target["name"],
                         **({"prev": giver} if giver else {})}, now=now)
    db.record_audit(conn, actor["id"], "transfer",
                    f"{customer['name']}: {customer.get('owner_name') or 'pool'} → {target['name']}",
                    entity="customer", record_id=customer_id, at=now)
    return moved


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
    back = pooled(customer, now, org)
    event = trail.record(conn, org, customer, back, kind="return", actor=rep,
                         reason="history.returned", params={"who": rep["name"], "reason": reason},
                         now=now)
    why = event_text(event)
    save_customer(conn, org, back, reason=why, at=now)
    db.record_audit(conn, rep["id"], "return", why, entity="customer", record_id=customer["id"],
                    at=now)
    return ResultStatus.applied, back, None
