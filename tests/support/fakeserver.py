"""An in-memory fieldrep server behind ``httpx.MockTransport``, for fast sync-engine unit tests.

It speaks the wire API's shapes (push with per-device mids and stored results, a commit-ordered
change feed with opaque cursors and a tombstone horizon, bootstrap pinned to a position and paged
by key) with none of the sales rules: every mutation is applied. Tests reach in to script faults:
``fail_next(path, status | exception, times)``, ``horizon`` (older cursors get 410), ``forget
device mids`` (a restored database), :meth:`push` called directly (a push whose answer was
lost). Every request is kept in ``requests``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from sync.protocol.models import SCHEMA_VERSION

REP = {"id": "rep-1", "name": "Wang Fang", "role": "rep", "team_id": None, "territory_ids": []}
POLICY = {"protection_days": 10}


class FakeServer:
    def __init__(self, *, customers: int = 0, tokens: dict[str, dict] | None = None) -> None:
        self.tokens = tokens or {"good-token": REP}
        self.lock = threading.Lock()
        self.records: dict[tuple[str, str], dict] = {}
        self.feed: list[dict] = []  # {seq, entity, id, op, record}
        self.horizon = 0
        self.devices: dict[str, dict] = {}  # id -> {rep_id, last_mid}
        self.results: dict[tuple[str, int], dict] = {}
        self.requests: list[httpx.Request] = []
        self.pushed_mids: list[list[int]] = []
        self.failures: list[tuple[str, Any]] = []
        self.before: Callable[[httpx.Request], None] | None = None
        for n in range(customers):
            cid = f"c{n:05d}"
            self.put("customer", {"id": cid, "name": f"Customer {n:05d}", "province": "Zhejiang",
                                  "city": "Hangzhou", "tier": "ABC"[n % 3], "version": 1})

    # ------------------------------------------------------------------ scripting

    def fail_next(self, path: str, what: Any, times: int = 1) -> None:
        """The next ``times`` requests to ``path`` fail: an int status, or an exception to raise."""
        self.failures.extend([(path, what)] * times)

    def put(self, entity: str, record: dict, op: str = "upsert") -> None:
        key = (entity, record["id"])
        if op == "delete":
            self.records.pop(key, None)
        else:
            self.records[key] = record
        self.feed.append({"seq": len(self.feed) + 1, "entity": entity, "id": record["id"],
                          "op": op, "record": None if op == "delete" else record})

    @property
    def top(self) -> int:
        return len(self.feed)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client_factory(self, sleeps: list[float] | None = None) -> Callable[..., Any]:
        """A ``client_factory`` for SyncEngine/login: real Client, this transport, no sleeping."""
        from sync.client import Client

        def make(server: str, token: str | None, **kwargs: Any) -> Client:
            return Client(server, token, transport=self.transport(),
                          sleep=(sleeps.append if sleeps is not None else (lambda _s: None)),
                          **kwargs)

        return make

    # ------------------------------------------------------------------ the API

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.before is not None:
            self.before(request)
        path = request.url.path
        for n, (prefix, what) in enumerate(self.failures):
            if path.startswith(prefix):
                del self.failures[n]
                if isinstance(what, int):
                    headers = {"Retry-After": "3"} if what in (429, 503) else {}
                    return json_response({"detail": f"scripted {what}"}, what, headers)
                raise what
        if path == "/v1/health":
            return json_response({"ok": True, "schema_version": SCHEMA_VERSION,
                                  "server_time": datetime.now(UTC).isoformat()})
        auth = request.headers.get("Authorization", "")
        rep = self.tokens.get(auth.removeprefix("Bearer "))
        if rep is None:
            return json_response({"detail": "this token is unknown or was revoked"}, 401)
        with self.lock:
            if path == "/v1/me":
                return json_response({"rep": rep, "team": None, "territories": [],
                                      "policy": POLICY,
                                      "server_time": datetime.now(UTC).isoformat()})
            if path == "/v1/devices":
                device_id = str(uuid.uuid4())
                self.devices[device_id] = {"rep_id": rep["id"], "last_mid": 0}
                return json_response({"device_id": device_id, "rep_id": rep["id"], "last_mid": 0})
            if path == "/v1/sync/push":
                return self.push(rep, orjson.loads(request.content))
            if path == "/v1/sync/pull":
                return self._pull(request.url.params)
            if path == "/v1/sync/bootstrap":
                return self._bootstrap(request.url.params)
        return json_response({"detail": "not found"}, 404)

    def push(self, rep: dict, body: dict) -> httpx.Response:
        """``POST /v1/sync/push`` as ``rep``; a test calls it to commit behind the engine's back."""
        device = self.devices.get(body["device_id"])
        if device is None or device["rep_id"] != rep["id"]:
            return json_response({"detail": "this device is not registered to you"}, 403)
        self.pushed_mids.append([m["mid"] for m in body["mutations"]])
        answered = []
        for mutation in body["mutations"]:
            mid = mutation["mid"]
            if mid <= device["last_mid"]:
                stored = self.results.get((body["device_id"], mid))
                if stored is None:  # applied, but the answer was not kept
                    expected = device["last_mid"] + 1
                    return json_response({"detail": f"mutation {mid} was never received",
                                          "expected_mid": expected}, 409)
                answered.append(stored)
                continue
            if mid > device["last_mid"] + 1:
                expected = device["last_mid"] + 1
                return json_response({"detail": f"expected mutation {expected}, got {mid}",
                                      "expected_mid": expected}, 409)
            entity = mutation["kind"].split(".")[0]
            old = self.records.get((entity, mutation["record_id"]))
            record = {**(old or {}), **mutation["fields"], "id": mutation["record_id"]}
            record["version"] = (old or {}).get("version", 0) + 1
            self.put(entity, record)
            result = {"op_id": mutation["op_id"], "mid": mid, "status": "applied",
                      "entity": entity, "record_id": mutation["record_id"],
                      "version": record["version"], "record": record}
            self.results[(body["device_id"], mid)] = result
            device["last_mid"] = mid
            answered.append(result)
        return json_response({"results": answered, "last_mid": device["last_mid"]})

    def _pull(self, params: Any) -> httpx.Response:
        after = int(params["cursor"].removeprefix("s"))
        limit = int(params.get("limit", 500))
        if after < self.horizon or after > self.top:
            return json_response(
                {"detail": "this cursor is older than the server keeps changes"}, 410)
        rows = self.feed[after: after + limit]
        has_more = after + limit < self.top
        next_seq = rows[-1]["seq"] if has_more else self.top
        return json_response({"changes": [_change(r) for r in rows],
                              "next_cursor": f"s{next_seq}", "has_more": has_more})

    def _bootstrap(self, params: Any) -> httpx.Response:
        limit = int(params.get("limit", 1000))
        token = params.get("token")
        pin, after = (int(token.split(":", 1)[0]), token.split(":", 1)[1]) if token else \
            (self.top, "")
        if pin < self.horizon:
            return json_response({"detail": "this copy was started too long ago"}, 410)
        keys = sorted(k for k in self.records if f"{k[0]}/{k[1]}" > after)
        page = keys[:limit]
        has_more = len(keys) > limit
        changes = [{"entity": e, "id": i, "op": "upsert", "record": self.records[(e, i)]}
                   for e, i in page]
        next_token = f"{pin}:{page[-1][0]}/{page[-1][1]}" if has_more else None
        return json_response({"changes": changes, "cursor": f"s{pin}", "next_token": next_token,
                              "has_more": has_more})


def _change(row: dict) -> dict:
    return {"entity": row["entity"], "id": row["id"], "op": row["op"], "record": row["record"]}


def json_response(body: Any, status: int = 200,
                  headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=orjson.dumps(body),
                          headers={"Content-Type": "application/json", **(headers or {})})
