"""What a conflict is about, sub-field by sub-field, as a pure function.

A conflict is kept one row a customer field (``cache/apply.py``): ``contacts`` changed on both
sides holds two whole lists of contacts, and showing them side by side says nothing ("Nina
Tanaka / Nina Tanaka"). :func:`differences` names what actually differs: for a list of records
(contacts) each record is paired with its counterpart by name (what is left, by position) and
every differing key is one difference (``contacts[Nina Tanaka].phone``); a record on one side only
is one difference with nothing on the other; a list of plain values (product lines) or a plain
value is one difference of the whole.
"""

from __future__ import annotations

from typing import Any


def _name(item: Any) -> str:
    return str(item.get("name") or "") if isinstance(item, dict) else str(item)


def _summary(item: Any) -> str:
    """One record of a list as one line: its values, non-empty, in order."""
    if isinstance(item, dict):
        return " · ".join(str(v) for v in item.values() if v not in (None, ""))
    return str(item)


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(_summary(v) for v in value)
    return value


def _pairs(mine: list, theirs: list) -> list[tuple[Any, Any]]:
    """Each record of ``mine`` with its counterpart in ``theirs``: the same name (ignoring case)
    first, then what is left by position; a record without one is paired with None."""
    left = list(theirs)
    paired: list[tuple[Any, Any]] = []
    unmatched: list[int] = []
    for item in mine:
        key = _name(item).casefold()
        match = next((other for other in left if _name(other).casefold() == key), None)
        if match is None:
            unmatched.append(len(paired))
            paired.append((item, None))
        else:
            left.remove(match)
            paired.append((item, match))
    for index in unmatched:
        if not left:
            break
        paired[index] = (paired[index][0], left.pop(0))
    return paired + [(None, other) for other in left]


def differences(field: str, mine: Any, theirs: Any) -> list[dict]:
    """What differs between ``mine`` and ``theirs`` of ``field``: ``[{field, item, sub, mine,
    theirs}]``, ``item`` the name of the record in a list (else None), ``sub`` its key (else
    None). Never empty: equal values still make one difference of the whole."""
    found: list[dict] = []
    records = [v for v in (mine, theirs) if isinstance(v, list)]
    if records and all(isinstance(x, dict) for v in records for x in v):
        for own, other in _pairs(mine if isinstance(mine, list) else [],
                                 theirs if isinstance(theirs, list) else []):
            item = _name(own if own is not None else other)
            if own is None or other is None:
                found.append({"field": field, "item": item, "sub": None,
                              "mine": None if own is None else _summary(own),
                              "theirs": None if other is None else _summary(other)})
                continue
            for key in dict.fromkeys([*own, *other]):
                if (own.get(key) or "") != (other.get(key) or ""):
                    found.append({"field": field, "item": item, "sub": key,
                                  "mine": own.get(key), "theirs": other.get(key)})
    if not found:
        found.append({"field": field, "item": None, "sub": None, "mine": _plain(mine),
                      "theirs": _plain(theirs)})
    return found
