"""What every attack asserts: no leak in the answer, a coded refusal, nothing changed beyond rights.

- ``assert_no_leak(body, allowed)``: no marker (``S3CR3T-<key>-…`` or a distinctive number) of a
  record outside ``allowed`` appears anywhere in an answer: push results, error bodies, pages.
- ``assert_coded(response)``: never a 5xx; every 4xx body and every rejected result carries a
  ``code`` from sync/protocol/refusals.py.
- ``Snapshot.take(engine)`` before and ``assert_changed_only(engine, before, caller, permits)``
  after: the records, who sees them, the change feed, devices, tokens and stored results changed
  only where ``permits`` allow it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa

from server import db, feed, schema
from sync.protocol.refusals import TEMPLATES
from tests.security._world import MARK, NUMBER_MARKERS

MARKER = re.compile(MARK + r"-([a-z_]+)-", re.IGNORECASE)


def _text_of(body: Any) -> str:
    if isinstance(body, httpx.Response):
        body = body.text
    if not isinstance(body, str):
        return json.dumps(body, ensure_ascii=False)
    try:  # also the text with JSON escapes undone, so "\u0053" cannot hide an "S"
        return body + "\n" + json.dumps(json.loads(body), ensure_ascii=False)
    except ValueError:
        return body


def leaked_keys(body: Any, allowed: Collection[str]) -> set[str]:
    """The marker keys outside ``allowed`` that ``body`` contains."""
    text = _text_of(body)
    found = {key.lower() for key in MARKER.findall(text)}
    found |= {key for number, key in NUMBER_MARKERS.items() if number in text}
    return found - set(allowed)


def assert_no_leak(body: Any, allowed: Collection[str], where: str = "the answer") -> None:
    """No field of a record outside ``allowed`` (marker keys) is anywhere in ``body``."""
    leaked = leaked_keys(body, allowed)
    assert not leaked, (
        f"{where} holds fields of records outside the caller's audience: {sorted(leaked)}\n"
        f"{_text_of(body)[:1500]}"
    )


def assert_coded(response: httpx.Response, what: str = "") -> None:
    """No 5xx; a 4xx says why with a known code; so does every rejected mutation."""
    where = f"{response.request.method} {response.request.url.path} {what}".strip()
    assert response.status_code < 500, f"{where} → {response.status_code}: {response.text[:500]}"
    if response.status_code >= 400:
        try:
            body = response.json()
        except ValueError:
            raise AssertionError(f"{where} → {response.status_code} without a JSON body: "
                                 f"{response.text[:300]!r}") from None
        assert isinstance(body, dict) and body.get("code") in TEMPLATES, (
            f"{where} → {response.status_code} refused without a known code: {body}")
        return
    if response.request.url.path == "/v1/sync/push":
        for result in response.json()["results"]:
            if result["status"] == "rejected":
                assert result.get("code") in TEMPLATES, (
                    f"{where}: a rejection without a known code: {result}")


# --------------------------------------------------------------------------- the database

Key = tuple[str, str]  # (entity, id)


@dataclass(frozen=True)
class Snapshot:
    """What an attack may not change unless its rights allow it."""

    records: dict[Key, dict]
    field_versions: dict[Key, Any]
    audience: frozenset[tuple[str, str, str]]
    seq: int
    devices: dict[str, tuple[str, int]]
    tokens: frozenset[tuple]
    results: frozenset[tuple[str, int]]

    @classmethod
    def take(cls, engine: sa.Engine) -> Snapshot:
        with db.reading(engine) as conn:
            rows = conn.execute(sa.select(schema.records.c.entity, schema.records.c.id,
                                          schema.records.c.record, schema.records.c.field_versions)).all()
            seq, _ = feed.position(conn)
            return cls(
                records={(r.entity, r.id): db.loads(r.record) for r in rows},
                field_versions={(r.entity, r.id): db.loads(r.field_versions) for r in rows},
                audience=frozenset(tuple(r) for r in conn.execute(
                    sa.select(schema.audience.c.entity, schema.audience.c.record_id,
                              schema.audience.c.rep_id))),
                seq=seq,
                devices={r.id: (r.rep_id, r.last_mid) for r in conn.execute(
                    sa.select(schema.devices.c.id, schema.devices.c.rep_id, schema.devices.c.last_mid))},
                tokens=frozenset(tuple(r) for r in conn.execute(sa.select(schema.tokens))),
                results=frozenset(tuple(r) for r in conn.execute(
                    sa.select(schema.results.c.device_id, schema.results.c.mid))),
            )


@dataclass(frozen=True)
class Permit:
    """What a legal action may do to one record: create it (``new``) or change ``fields``.

    ``check`` is asked of the record as the action left it (for instance: its owner is the
    caller, or a rep whose territory covers it).
    """

    fields: frozenset[str] = frozenset()
    new: bool = False
    check: Callable[[dict], bool] | None = None
    why: str = ""


def _changes_since(engine: sa.Engine, seq: int) -> list[tuple[str, str, str]]:
    with db.reading(engine) as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(schema.changes.c.entity, schema.changes.c.record_id, schema.changes.c.op)
            .where(schema.changes.c.seq > seq).order_by(schema.changes.c.seq))]


TRAIL = Permit(new=True, why="its ownership history")


def _trail_permits(before: Snapshot, after: Snapshot,
                   permits: dict[Key, Permit]) -> dict[Key, Permit]:
    """An action allowed to change a customer's owner also writes the customer's ownership
    event and addresses its trail again (server/domain/trail.py): new events, no edited one."""
    owners = {rid for (entity, rid), p in permits.items()
              if entity == "customer" and (p.new or "owner_id" in p.fields)}
    return {key: TRAIL for key, record in {**before.records, **after.records}.items()
            if key[0] == "ownership" and record.get("customer_id") in owners}


def assert_changed_only(engine: sa.Engine, before: Snapshot, caller_id: str,
                        permits: dict[Key, Permit] | None = None) -> Snapshot:
    """Nothing changed but what ``permits`` allow; the caller's own devices may move on."""
    permits = permits or {}
    after = Snapshot.take(engine)
    permits = {**permits, **_trail_permits(before, after, permits)}
    bad: list[str] = []
    for key in sorted(set(before.records) | set(after.records)):
        old, new = before.records.get(key), after.records.get(key)
        if old == new and before.field_versions.get(key) == after.field_versions.get(key):
            continue
        permit = permits.get(key)
        if permit is None:
            bad.append(f"{key[0]} {key[1]} changed without a right to: "
                    f"{_describe(old, new)}")
            continue
        if new is None:
            bad.append(f"{key[0]} {key[1]} was deleted")
            continue
        if old is None and not permit.new:
            bad.append(f"{key[0]} {key[1]} was created without a right to: {new}")
            continue
        if old is not None:
            touched = {f for f in set(old) | set(new) if old.get(f) != new.get(f)}
            if touched - permit.fields:
                bad.append(f"{key[0]} {key[1]}: fields {sorted(touched - permit.fields)} changed; "
                        f"{permit.why or 'the action'} may change only {sorted(permit.fields)}")
        if permit.check is not None and not permit.check(new):
            whose = (f"owned by {new.get('owner_name') or new.get('owner_id')}"
                     if key[0] == "customer" else f"by {new.get('rep_id')}")
            bad.append(f"{key[0]} {key[1]} ({new.get('name')}) is not as {permit.why} "
                       f"allows: {whose}")
    for entity, record_id, rep_id in sorted(before.audience ^ after.audience):
        if (entity, record_id) not in permits:
            gained = (entity, record_id, rep_id) in after.audience
            bad.append(f"{rep_id} {'gained' if gained else 'lost'} sight of {entity} {record_id}")
    for entity, record_id, op in _changes_since(engine, before.seq):
        if (entity, record_id) not in permits:
            bad.append(f"the change feed got a {op} of {entity} {record_id}")
    if after.tokens != before.tokens:
        bad.append("tokens changed")
    for device_id, (rep_id, last_mid) in after.devices.items():
        was = before.devices.get(device_id)
        if rep_id != caller_id and was != (rep_id, last_mid):
            bad.append(f"device {device_id} of {rep_id} changed: {was} → {(rep_id, last_mid)}")
    for device_id in set(before.devices) - set(after.devices):
        bad.append(f"device {device_id} was deleted")
    for device_id, mid in after.results - before.results:
        if after.devices.get(device_id, ("?",))[0] != caller_id:
            bad.append(f"a result was stored for device {device_id} of another rep (mid {mid})")
    assert not bad, "changed beyond the caller's rights:\n  " + "\n  ".join(bad)
    return after


def _describe(old: dict | None, new: dict | None) -> str:
    if old is None or new is None:
        return f"{old} → {new}"
    return ", ".join(f"{f}: {old.get(f)!r} → {new.get(f)!r}"
                     for f in sorted(set(old) | set(new)) if old.get(f) != new.get(f))[:600]
