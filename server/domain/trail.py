"""The ownership history on the server: one event per change of a customer's owner, written in
the same transaction as the change (``record``), and addressed to the customer's audience.

Who sees an event: the customer's owner, the managers of the customer's team (of the reps whose
territories hold a pool customer), the rep the event took it away from (and their managers), and
every admin; never another rep. When a customer changes hands its whole trail is addressed again
(``readdress``): the new owner sees how it came to them, the old one keeps only the event that
took it away. The events are records of the entity ``ownership``, so pull, bootstrap, tombstones
and compaction treat them as any record. The stage hand-off rule, when it comes, calls
``record(…, kind="handoff", reason="history.handoff", params={to, team, stage})``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server import db
from server.org import Org, new_id
from server.schema import records
from sync.protocol.models import OwnershipEvent
from sync.protocol.ownership import ENTITY, KINDS, TEMPLATES, event_text


def events_of(conn: Connection, customer_id: str) -> list[dict]:
    """The ownership events of one customer, oldest first."""
    rows = conn.execute(sa.select(records.c.record).where(
        records.c.entity == ENTITY, records.c.customer_id == customer_id))
    return sorted((db.loads(row[0]) for row in rows), key=lambda e: e.get("n", 0))


def record(conn: Connection, org: Org, before: dict | None, after: dict, *, kind: str,
           actor: dict | None, reason: str, params: dict[str, Any], now: datetime,
           strategy: str | None = None) -> dict:
    """Write the event that made ``before`` (None: a new customer) into ``after``, and address
    the customer's whole trail to ``after``'s audience. ``actor`` is the rep, manager or admin
    who did it (None: the server's own rules)."""
    assert kind in KINDS and reason in TEMPLATES, (kind, reason)
    trail = events_of(conn, after["id"])
    previous = (before or {}).get("owner_id")
    moved_from = previous if previous and previous != after.get("owner_id") else None
    event = OwnershipEvent.model_validate({
        "id": new_id(), "customer_id": after["id"], "customer_name": after.get("name") or "",
        "n": (trail[-1].get("n", len(trail)) if trail else 0) + 1, "kind": kind, "at": now,
        "actor_id": (actor or {}).get("id") or "server", "actor_name": (actor or {}).get("name"),
        "from_rep_id": moved_from,
        "from_rep_name": (before or {}).get("owner_name") if moved_from else None,
        "to_rep_id": after.get("owner_id"), "to_rep_name": after.get("owner_name"),
        "reason": reason, "params": params, "strategy": strategy,
    }).model_dump(mode="json")
    db.put_record(conn, ENTITY, event, org.ownership_audience(event, after), previous_audience=set(),
                  reason=event_text(event), at=now)
    readdress(conn, org, after, trail, at=now)
    return event


def readdress(conn: Connection, org: Org, customer: dict, trail: list[dict] | None = None, *,
              at: datetime | None = None) -> int:
    """Address each event of ``customer``'s trail to whom may see it now; how many changed."""
    changed = 0
    for event in events_of(conn, customer["id"]) if trail is None else trail:
        who = org.ownership_audience(event, customer)
        before = db.record_audience(conn, ENTITY, event["id"])
        if who != before:
            db.put_record(conn, ENTITY, event, who, previous_audience=before, at=at)
            changed += 1
    return changed


def imported(conn: Connection, org: Org, pairs: list[tuple[dict | None, dict]],
             now: datetime) -> int:
    """An import's rows that set or changed an owner ((stored or None, as imported)): one
    ``import`` event each; how many."""
    count = 0
    for before, after in pairs:
        owner = after.get("owner_id")
        if owner and owner != (before or {}).get("owner_id"):
            record(conn, org, before, after, kind="import", actor={"id": "admin", "name": None},
                   reason="history.imported", params={"to": after.get("owner_name") or owner},
                   now=now)
            count += 1
    return count

