"""What can be read back from a damaged journal: every entry whose bytes are intact.

The journal is one JSON object written with its outbox FIRST (``format``, ``next_mid``,
``outbox``, then the records and the rest; see ``JOURNAL_ORDER``), so a journal cut short at any
byte (a full disk, a copy that stopped, a bad sector at the end) still holds its oldest pending
operations whole at the front. :func:`parse_prefix` reads such a prefix as far as it goes, value
by value: a value that ends before the cut is kept as it is; a container that the cut runs
through is kept with the members that end before the cut (marked :class:`Cut`, so a caller never
mistakes half an operation for a whole one); a number or a literal counts only when the byte
after it is there too (``"next_mid": 12`` cut from ``123`` is not 12).

:func:`salvage_journal` turns that into the journal's parts; a scan for ``{"op_id"`` objects
anywhere in the bytes (:func:`scan_operations`) adds operations after a damaged stretch in the
middle, or from a journal of the old layout (outbox last). Either way an operation is kept only
when it decodes whole and validates as a ``Mutation``, exactly as it was written.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cache.shapes import valid_operation
from sync.protocol.models import HISTORY

JOURNAL_ORDER = ("format", "next_mid", "outbox", "records", "customers", "conflicts",
                 "rejections", "cursor")
"""The journal's keys in the order they are written: the outbox first (see the module doc)."""

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


class Cut(dict):
    """An object the cut ran through: only its members that ended before the cut."""


class CutList(list):
    """An array the cut ran through: only its elements that ended before the cut."""


class _Stop(Exception):
    pass


def _skip(text: str, pos: int) -> int:
    space = _SPACE.match(text, pos)
    return space.end() if space is not None else pos


def _key(text: str, pos: int) -> tuple[str, int]:
    """An object member's key at ``pos`` and where its value starts; _Stop if it is not whole."""
    if text[pos:pos + 1] != '"':
        raise _Stop
    try:
        key, pos = _DECODER.raw_decode(text, pos)
    except ValueError:
        raise _Stop from None
    pos = _skip(text, pos)
    if text[pos:pos + 1] != ":":
        raise _Stop
    return key, _skip(text, pos + 1)


def _value(text: str, pos: int, depth: int) -> tuple[Any, int, bool]:
    """The value at ``pos``: (value, end, whole). Raises _Stop when nothing of it is usable."""
    try:
        value, end = _DECODER.raw_decode(text, pos)
    except ValueError:
        pass
    else:
        opener = text[pos]
        if opener in '"[{' or _skip(text, end) < len(text):
            return value, end, True
        raise _Stop  # a number or literal at the very end may itself be cut short
    if depth <= 0 or pos >= len(text) or text[pos] not in "[{":
        raise _Stop
    is_object = text[pos] == "{"
    members: list[tuple[str, Any]] = []  # an array's members under the key ""
    pos = _skip(text, pos + 1)
    while pos < len(text):
        try:
            key, pos = _key(text, pos) if is_object else ("", pos)
            member, pos, whole = _value(text, pos, depth - 1)
        except _Stop:
            break
        members.append((key, member))
        pos = _skip(text, pos)
        if not whole or text[pos:pos + 1] != ",":
            break
        pos = _skip(text, pos + 1)
    if is_object:
        return Cut(members), len(text), False
    return CutList(member for _key_, member in members), len(text), False


def parse_prefix(raw: bytes, depth: int = 3) -> Any:
    """As much of the JSON document in ``raw`` as is intact (see the module doc), or None."""
    text = raw.decode("utf-8", errors="replace")
    start = _skip(text, 0)
    if start >= len(text):
        return None
    try:
        return _value(text, start, depth)[0]
    except _Stop:
        return None


def scan_operations(raw: bytes) -> list[dict]:
    """Every whole, valid ``{"op_id": …}`` object anywhere in ``raw``, as written."""
    text = raw.decode("utf-8", errors="replace")
    found = []
    for match in re.finditer(r'\{\s*"op_id"', text):
        try:
            candidate, _ = _DECODER.raw_decode(text, match.start())
        except ValueError:
            continue
        if valid_operation(candidate):
            found.append(candidate)
    return found


def _whole_entries(table: Any) -> dict:
    """The members of an object that are themselves whole objects."""
    if not isinstance(table, dict):
        return {}
    return {k: v for k, v in table.items() if type(v) is dict}


def salvage_journal(raw: bytes) -> dict:
    """The intact parts of a damaged journal: ``outbox`` (in mid order), ``records`` (by kind),
    ``customers``, ``conflicts``, ``rejections`` (whole entries only, shapes not yet checked),
    and ``next_mid`` (0 if unreadable)."""
    document = parse_prefix(raw)
    if not isinstance(document, dict):
        document = {}
    ops: dict[str, dict] = {}
    outbox = document.get("outbox")
    for op in outbox if isinstance(outbox, list) else []:
        if type(op) is dict and valid_operation(op):
            ops.setdefault(op["op_id"], op)
    for op in scan_operations(raw):
        ops.setdefault(op["op_id"], op)
    records = document.get("records")
    if not isinstance(records, dict):
        records = {}
    next_mid = document.get("next_mid")
    counters = [next_mid if type(next_mid) is int and next_mid > 0 else 0]
    text = raw.decode("utf-8", errors="replace")
    counters += [int(m.group(1)) for m in re.finditer(r'"next_mid"\s*:\s*(\d+)\s*[,}]', text)]
    return {
        "outbox": sorted(ops.values(), key=lambda op: op["mid"]),
        "records": {kind: _whole_entries(records.get(kind)) for kind in HISTORY},
        "customers": _whole_entries(document.get("customers")),
        "conflicts": _whole_entries(document.get("conflicts")),
        "rejections": _whole_entries(document.get("rejections")),
        "next_mid": max(counters),
    }
