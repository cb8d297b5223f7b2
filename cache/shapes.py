"""The shape every entry of the store's files must have, checked once when a file is read.

A file can be valid JSON and still not fit: an outbox entry that is a string, a customer that is a
number, a contact list that is text. Reading on with such an entry fails later, far away, with a
TypeError on every command. So each file is checked here, entry by entry, when the store opens:
an entry that does not fit is removed (a customer field of the wrong type falls back to its
default), and each removal is named in a list of problems. The store sets the file aside with
its damaged-file notice when that list is not empty, and keeps everything that fits.

These checks are plain ``isinstance`` tests (the outbox, which is small, is checked against the
full ``Mutation`` model). Checking 50,000 customers still takes a seventh of a second, so an open
skips the customers of a snapshot it can vouch for (see ``cache/documents.py``), and every
customer the store writes is fitted here first (``cache/overlay.py prepare_customer``).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from sync.protocol.models import HISTORY, Mutation

_TEXT_OR_NONE = (
    "industry", "customer_type", "province", "city", "address", "tier", "stage", "owner_id",
    "owner_name", "claimed_at", "protected_until", "deal_at", "last_visit_at",
    "previous_owner_id", "cooloff_until", "updated_at", "last_order_at",
)
_NUMBER_OR_NONE = ("lat", "lon", "orders_12m", "revenue_12m")
_SCALARS: dict[str, tuple[type, ...]] = {
    **{key: (str, type(None)) for key in _TEXT_OR_NONE},
    **{key: (int, float, type(None)) for key in _NUMBER_OR_NONE},
    "version": (int,),
}


def _contacts(value: Any) -> bool:
    return type(value) is list and all(
        type(c) is dict and all(type(v) is str for v in c.values()) for c in value
    )


_LISTS = {
    "search_keys": lambda value: _texts(value),
    "product_lines": lambda value: _texts(value),
    "contacts": _contacts,
}


def is_int(value: Any) -> bool:
    return type(value) is int


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def _texts(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def fit_customer(record: Any) -> tuple[dict | None, str | None]:
    """``record`` as a customer the store can read, or None; and what was wrong, if anything.

    Not an object, or no text id or name: the record is dropped. A field of the wrong type is
    removed, so it reads as its default.
    """
    if type(record) is not dict:
        return None, f"a customer is {_kind(record)}, not an object"
    if type(record.get("id")) is not str or type(record.get("name")) is not str:
        return None, "a customer has no text id or name"
    wrong = []
    for key, value in record.items():
        allowed = _SCALARS.get(key)
        if allowed is not None:
            if type(value) not in allowed:
                wrong.append(key)
        elif value is not None and key in _LISTS and not _LISTS[key](value):
            wrong.append(key)
    if not wrong:
        return record, None
    fixed = {k: v for k, v in record.items() if k not in wrong}
    return fixed, f"customer {record['id']} had {', '.join(wrong)} of the wrong type"


def _kind(value: Any) -> str:
    return {str: "text", int: "a number", float: "a number", bool: "true/false",
            list: "a list", type(None): "null"}.get(type(value), type(value).__name__)


def _fit_history(entity: str, table: dict) -> list[str]:
    problems = []
    for rid in list(table):
        record = table[rid]
        if type(record) is not dict:
            problems.append(f"a {entity} is {_kind(record)}, not an object")
        elif type(record.get("id")) is not str or type(record.get("customer_id")) is not str:
            problems.append(f"a {entity} has no text id or customer_id")
        else:
            continue
        del table[rid]
    return problems


def _fit_plain(name: str, table: dict) -> list[str]:
    problems = []
    for key in list(table):
        if type(table[key]) is not dict:
            problems.append(f"a {name} is {_kind(table[key])}, not an object")
            del table[key]
    return problems


def _fit_cursor(document: dict) -> list[str]:
    slot = document.get("cursor")
    if slot is None or (
        type(slot) is dict
        and is_int(slot.get("gen"))
        and (slot.get("value") is None or type(slot.get("value")) is str)
    ):
        return []
    document["cursor"] = None
    return ["the pull cursor has the wrong shape"]


def _fit_counter(document: dict, default: int) -> list[str]:
    if "next_mid" not in document or (is_int(document["next_mid"]) and document["next_mid"] >= 0):
        return []
    document["next_mid"] = default
    return ["the mid counter is not a number"]


def valid_operation(op: Any) -> bool:
    """Is ``op`` an outbox operation (a Mutation) the store and the engine can send?"""
    if type(op) is not dict:
        return False
    try:
        Mutation.model_validate(op)
    except (ValidationError, TypeError, ValueError):
        return False
    return type(op.get("fields", {})) is dict


def fit_snapshot(document: dict, *, customers_fit: bool = False) -> list[str]:
    """Remove what does not fit from a snapshot (its top-level tables are already dicts);
    ``customers_fit``: the customers are known to fit (only the rest is checked)."""
    problems: list[str] = []
    customers = {} if customers_fit else document["customers"]
    for cid in list(customers):
        record, problem = fit_customer(customers[cid])
        if problem:
            problems.append(problem)
        if record is None:
            del customers[cid]
        else:
            customers[cid] = record
    for table, name in (("reps", "rep"), ("teams", "team"), ("territories", "territory")):
        problems += _fit_plain(name, document[table])
    if document.get("policy") is not None and type(document["policy"]) is not dict:
        document["policy"] = None
        problems.append("the policy is not an object")
    return problems + _fit_cursor(document) + _fit_counter(document, 0)


def fit_archive(document: dict) -> list[str]:
    problems: list[str] = []
    for entity in HISTORY:
        problems += _fit_history(entity, document[entity])
    return problems + _fit_cursor(document) + _fit_counter(document, 0)


def fit_journal(document: dict) -> list[str]:
    """Remove what does not fit from a journal (its top-level collections are already there)."""
    problems: list[str] = []
    outbox = document["outbox"]
    kept = [op for op in outbox if valid_operation(op)]
    if len(kept) != len(outbox):
        problems.append(f"{len(outbox) - len(kept)} outbox entr(y/ies) of the wrong shape")
        document["outbox"] = kept
    for entity in HISTORY:
        problems += _fit_history(entity, document["records"][entity])
    customers = document["customers"]
    for cid in list(customers):
        overlay = customers[cid]
        if type(overlay) is not dict or (
            overlay.get("derived") is not None and type(overlay["derived"]) is not dict
        ):
            problems.append(f"the local layer of customer {cid} has the wrong shape")
            del customers[cid]
            continue
        if overlay.get("record") is not None:
            record, problem = fit_customer(overlay["record"])
            if problem:
                problems.append(problem)
                if record is None:
                    overlay.pop("record")
                else:
                    overlay["record"] = record
    for cid in list(document["conflicts"]):
        conflict = document["conflicts"][cid]
        if not (
            type(conflict) is dict
            and all(type(conflict.get(k)) is str for k in ("id", "customer_id", "at"))
        ):
            problems.append("a conflict has the wrong shape")
            del document["conflicts"][cid]
    for rid in list(document["rejections"]):
        rejection = document["rejections"][rid]
        if not (type(rejection) is dict and all(type(rejection.get(k)) is str
                                                for k in ("id", "at"))):
            problems.append("a rejection has the wrong shape")
            del document["rejections"][rid]
    return problems + _fit_cursor(document) + _fit_counter(document, 1)
