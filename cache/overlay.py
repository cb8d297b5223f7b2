"""The effective customer: the server's record with the rep's pending work on top, as pure functions.

A customer the laptop shows is its snapshot record (what the server sent), overlaid by its local
layer in the journal (``journal["customers"][id]``) and by the pending operations on it:

* ``record`` — a newer copy of the server's record (from a push answer), or the rep's own new
  customer (``created``) until the server sends it back;
* ``derived`` — what the rep's visits changed that the server will recompute (the last visit and,
  for the owner, the protection end), kept only while it is still ahead of the server's record;
* pending ``customer.update`` operations — their fields; a pending ``customer.claim`` —
  ``claim_pending``; a pending ``customer.return`` — ``return_pending``.

Records are compacted for memory (empty fields left out, repeated values interned) and filled
back with every field's default when a caller reads one (:func:`full`).
"""

from __future__ import annotations

import sys
from typing import Any

import orjson

from cache import shapes
from sync.protocol import rules
from sync.protocol.models import Customer
from sync.protocol.search_keys import has_han, pinyin_keys

CUSTOMER_DEFAULTS: dict[str, Any] = {
    name: orjson.loads(orjson.dumps(field.get_default(call_default_factory=True), default=str))
    for name, field in Customer.model_fields.items()
    if not field.is_required()
}
"""What a customer field reads as when the snapshot leaves it out (None, '' or [])."""

SHARED_FIELDS = ("industry", "customer_type", "province", "city", "tier", "stage", "owner_id",
                 "owner_name", "previous_owner_id")
"""Fields whose values repeat across thousands of customers: interned, stored once."""


def intern_shared(record: dict) -> dict:
    """``record`` with its repeated values (``SHARED_FIELDS``) shared, in place; returned."""
    for key in SHARED_FIELDS:
        value = record.get(key)
        if type(value) is str:
            record[key] = sys.intern(value)
    return record


def compact(record: dict) -> dict:
    """A customer without its empty fields, its repeated values shared."""
    return intern_shared({k: v for k, v in record.items() if v is not None and v != "" and v != []})


def full(record: dict) -> dict:
    """A customer as callers see it: every field present (fresh lists, safe to change)."""
    return {**CUSTOMER_DEFAULTS, "search_keys": [], "product_lines": [], "contacts": [], **record}


def prepare_customer(record: dict) -> dict | None:
    """A server's customer as the snapshot keeps it: of the stored shape (``cache/shapes.py``:
    a field of the wrong type reads as its default; no text id or name, None), pinyin keys
    filled in, compacted. Every customer the store writes is fitted here, which is what lets an
    open trust a snapshot it wrote itself (see ``cache/documents.py``)."""
    fitted, _problem = shapes.fit_customer(record)
    if fitted is None:
        return None
    if not fitted.get("search_keys") and has_han(fitted.get("name") or ""):
        fitted = {**fitted, "search_keys": pinyin_keys(fitted["name"])}
    return compact(fitted)


def later(a: Any, b: Any) -> bool:
    """Is timestamp ``a`` set and later than ``b`` (ISO strings or datetimes; None is earliest)?"""
    first, second = rules.as_datetime(a), rules.as_datetime(b)
    return first is not None and (second is None or first > second)


def pending_by_record(outbox: list[dict]) -> dict[str, list[dict]]:
    """The pending operations of each record id, in outbox order."""
    pending: dict[str, list[dict]] = {}
    for op in outbox:
        pending.setdefault(op["record_id"], []).append(op)
    return pending


def effective_customer(base: dict | None, layer: dict | None, ops: list[dict]) -> dict | None:
    """The customer the rep sees: the server's ``base`` (None if it has none), its local
    ``layer`` and the pending operations ``ops`` on it, as the module doc says."""
    if layer is None:
        return base
    own = layer.get("record")
    if own is not None and (
        (base is None and layer.get("created"))
        or (base is not None and own.get("version", 0) >= base.get("version", 0))
    ):
        base = own
    if base is None:
        return None
    merged = dict(base)
    derived = layer.get("derived") or {}
    if derived and (ops or merged.get("version", 0) <= layer.get("base_version", 0)):
        if later(derived.get("last_visit_at"), merged.get("last_visit_at")):
            merged["last_visit_at"] = derived["last_visit_at"]
        if merged.get("owner_id") == derived.get("owner_id") and later(
            derived.get("protected_until"), merged.get("protected_until")
        ):
            merged["protected_until"] = derived["protected_until"]
    for op in ops:
        if op["kind"] == "customer.update":
            merged.update(op["fields"])
        elif op["kind"] == "customer.claim":
            merged["claim_pending"] = True
        elif op["kind"] == "customer.return":
            merged["return_pending"] = True
    return merged


def effective_customers(snapshot: dict[str, dict], layers: dict[str, dict],
                        outbox: list[dict]) -> dict[str, dict]:
    """Every customer the rep sees, by id: the snapshot's, with each local layer applied."""
    pending = pending_by_record(outbox)
    customers = dict(snapshot)
    for cid, layer in layers.items():
        record = effective_customer(snapshot.get(cid), layer, pending.get(cid, []))
        if record is None:
            customers.pop(cid, None)
        else:
            customers[cid] = record
    return customers
