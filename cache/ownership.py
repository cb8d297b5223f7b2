"""The ownership history on the laptop, and the rep's return of a customer to the pool.

The server's ownership events (``sync/protocol/ownership.py``) arrive by pull and bootstrap like
any record and are kept in the archive under ``ownership`` (id → event), so they survive a
restart and a first sync brings them whole; the feed sends a rep only the events of their
audience (and a tombstone for those that left it). ``history`` reads one customer's trail,
oldest first; ``find_customer`` names a customer that left the laptop by its trail (a rep whose
customer was transferred keeps the event that took it).

A return (``return_customer``) is a ``customer.return`` operation in the outbox, judged first by
the server's own rule (``ownership.return_refusal``), with the reason code the rep picked; the
customer shows ``return_pending`` until the server answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cache.errors import NotFound
from sync.protocol.ownership import ENTITY, return_refusal
from sync.protocol.refusals import Refusal

if TYPE_CHECKING:  # the archive's half is read by cache/documents.py, which these import
    from cache.commands import Commands
    from cache.session import Session
    from cache.view import LocalView

KEY = ENTITY
"""Where the archive keeps the events: ``archive["ownership"]``."""


def fit(archive: dict) -> list[str]:
    """Make ``archive`` hold an ``ownership`` table (an older build's has none) and drop the
    entries of the wrong shape; one problem line each."""
    table = archive.get(KEY)
    if table is None:
        archive[KEY] = {}
        return []
    if type(table) is not dict:
        archive[KEY] = {}
        return ["the ownership history is not an object"]
    problems = []
    for eid in list(table):
        event = table[eid]
        if (type(event) is not dict or type(event.get("id")) is not str
                or type(event.get("customer_id")) is not str):
            problems.append("an ownership event has no text id or customer_id")
            del table[eid]
    return problems


def apply_change(archive: dict, change: dict) -> None:
    """One pulled ``ownership`` change into the archive: kept, or gone (a tombstone)."""
    table = archive.setdefault(KEY, {})
    record = change.get("record")
    if change.get("op") == "delete" or not isinstance(record, dict):
        table.pop(change.get("id"), None)
    else:
        table[change["id"]] = record


def history(archive: dict, customer_id: str) -> list[dict]:
    """The events of one customer this laptop holds, oldest first (copies)."""
    return sorted((dict(e) for e in (archive.get(KEY) or {}).values()
                  if e.get("customer_id") == customer_id), key=_order)


def latest_events(archive: dict) -> dict[str, dict]:
    """Customer id → its latest event this laptop holds (copies), in one pass over the archive:
    why each pool customer is there, for the whole pool at once."""
    latest: dict[str, dict] = {}
    for event in (archive.get(KEY) or {}).values():
        cid = event.get("customer_id")
        held = latest.get(cid)
        if held is None or _order(event) > _order(held):
            latest[cid] = event
    return {cid: dict(event) for cid, event in latest.items()}


def _order(event: dict) -> tuple:
    return (event.get("n") or 0, str(event.get("at") or ""), event["id"])


def find_customer(archive: dict, text: str) -> str | None:
    """The customer id whose trail ``text`` names exactly (its id, or its one name), or None."""
    events = (archive.get(KEY) or {}).values()
    if any(e.get("customer_id") == text for e in events):
        return text
    named = {e["customer_id"] for e in events
             if (e.get("customer_name") or "").casefold() == text.casefold()}
    return named.pop() if len(named) == 1 else None


def own_returns(archive: dict, rep_id: str | None) -> set[str]:
    """The customers whose latest event is ``rep_id``'s own return: not news to them."""
    latest: dict[str, dict] = {}
    for event in (archive.get(KEY) or {}).values():
        cid = event.get("customer_id")
        if cid not in latest or (event.get("n") or 0) > (latest[cid].get("n") or 0):
            latest[cid] = event
    return {cid for cid, e in latest.items()
            if rep_id and e.get("kind") == "return" and e.get("actor_id") == rep_id}


def return_customer(commands: Commands, session: Session, view: LocalView, customer_id: str,
                    reason: str) -> dict:
    """Queue the return of the rep's own ``customer_id`` to the pool with ``reason`` (a code of
    the policy's ``return_reasons``), refused now in the words sync would use."""
    from cache import overlay
    from cache.commands import refused
    from cache.journal import Change, Op, now

    rep_id = commands._rep()
    customer = view.customers.get(customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id!r}")
    if customer.get("return_pending"):
        raise refused(Refusal("return.pending", {"name": customer.get("name", "")}))
    refusal = return_refusal(customer, rep_id, reason, session.policy)
    if refusal is not None:
        raise refused(refusal, "reason" if refusal.code.startswith("return.") and
                      refusal.code != "return.not_owner" else "customer")
    op = Op("customer.return", customer_id, {"reason": reason}, customer.get("version"))
    commands._save(Change(ops=[op], layers={customer_id: {}}, at=now()), customer_id)
    return overlay.full(view.customers[customer_id])
