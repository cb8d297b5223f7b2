"""Bad input gets a 4xx with a reason, never a 5xx, on SQLite and on PostgreSQL alike.

PostgreSQL is stricter than SQLite (no NUL characters in text, typed comparisons), so each case
runs on both; inside a push, a bad mutation is rejected on its own and never blocks the outbox.
"""

from __future__ import annotations

import base64
import uuid

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.server._world import Device, op, visit


@pytest.fixture
def strict(world):
    """The same app, but a server error would come back as a 500 instead of raising here."""
    world.client = TestClient(create_app(engine=world.engine), raise_server_exceptions=False)
    return world


def _token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def test_unstorable_or_malformed_requests_are_4xx_with_a_reason(strict):
    w = strict
    h, manager = w.headers(w.ana_token), w.headers(w.mei_token)
    device = w.device(w.ana_token)
    push = {"device_id": device, "schema_version": 1, "mutations": []}
    requests = [
        ("post", "/v1/devices", {"json": {"name": "a\x00b"}}, h),
        ("post", "/v1/devices", {"json": {"name": ""}}, h),
        ("post", "/v1/sync/push", {"json": {**push, "device_id": "a\x00b"}}, h),
        ("post", "/v1/sync/push", {"json": {**push, "schema_version": "one"}}, h),
        ("post", "/v1/sync/push", {"json": {**push, "mutations": [{"mid": 1}]}}, h),
        ("post", "/v1/sync/push", {"json": {**push, "mutations": [
            {**visit(1, w.ana_own["id"]), "kind": "visit.delete"}]}}, h),
        ("post", "/v1/sync/push", {"json": {**push, "mutations": [visit(0, "x")]}}, h),
        ("post", "/v1/sync/push", {"json": {**push, "mutations": [
            visit(i + 1, w.ana_own["id"]) for i in range(101)]}}, h),
        ("post", "/v1/sync/push", {"content": b"[]"}, h),
        ("get", "/v1/sync/pull", {"params": {"cursor": "s-1"}}, h),
        ("get", "/v1/sync/pull", {"params": {"cursor": "s1", "limit": 10**9}}, h),
        ("get", "/v1/sync/pull", {}, h),
        ("get", "/v1/sync/bootstrap", {"params": {"token": _token('[0, "\\u0000", ""]')}}, h),
        ("get", "/v1/sync/bootstrap",
         {"params": {"token": _token("[123456789012345678901234567890, \"a\", \"\"]")}}, h),
        ("get", "/v1/sync/bootstrap", {"params": {"token": _token('{"a": 1}')}}, h),
        ("post", "/v1/customers/a%00b/transfer", {"json": {"to_rep_id": w.bo["id"]}}, manager),
        ("post", f"/v1/customers/{w.ana_own['id']}/transfer", {"json": {}}, manager),
        ("post", f"/v1/customers/{w.ana_own['id']}/transfer",
         {"json": {"to_rep_id": "nobody"}}, manager),
        ("post", "/v1/assign", {"json": {"strategy": "region", "team_id": "\x00"}}, manager),
        ("post", "/v1/assign", {"json": {"strategy": "region", "team_id": "Nowhere"}}, manager),
        ("put", "/v1/policy", {"json": {"cadence_days": {"Z": 3}}}, w.headers(w.root_token)),
        ("put", "/v1/policy", {"json": {"max_held": "lots"}}, w.headers(w.root_token)),
        ("put", "/v1/policy", {"json": {"cadence_days": {"A": -9223372036854775809}}},
         w.headers(w.root_token)),
        ("put", "/v1/policy", {"json": {"cadence_days": {"B": 0}}}, w.headers(w.root_token)),
        ("get", "/v1/me", {}, {**h, "X-Fieldrep-Schema": "latest"}),
        ("get", "/v1/me", {}, {"Authorization": "Bearer \x00"}),
        ("get", "/v1/me", {}, {"Authorization": "Basic abc"}),
    ]
    for method, path, kwargs, headers in requests:
        response = getattr(w.client, method)(path, headers=headers, **kwargs)
        assert 400 <= response.status_code < 500, (method, path, kwargs, response.text)
        assert response.json()["detail"], (method, path)


def test_a_bad_mutation_is_rejected_alone_and_the_next_one_applies(strict):
    w = strict
    ana = Device(w, w.ana_token)
    cid = w.ana_own["id"]
    bad = [
        visit(0, 5),
        visit(0, ["x"]),
        visit(0, cid, notes="a\x00b"),
        visit(0, cid, amount=10**30),
        visit(0, cid, amount=-1),
        visit(0, cid, at="yesterday"),
        op(0, "customer.claim", "a\x00"),
        op(0, "customer.create", str(uuid.uuid4()), {"name": "a\x00b", "province": "Zhejiang"}),
        op(0, "customer.update", cid, {"name": {"x": 1}}, 1),
        op(0, "customer.update", cid, {"contacts": [{"title": "no name"}]}, 1),
        op(0, "feedback.create", str(uuid.uuid4()),
           {"customer_id": cid, "at": "2026-11-20T09:00:00Z", "kind": "satisfaction",
            "text": "fine"}),
        op(0, "feedback.update", "no-such-feedback", {"status": "resolved"}),
        op(0, "followup.create", str(uuid.uuid4()),
           {"customer_id": cid, "due": "someday", "title": "x"}),
    ]
    results = ana.send(*bad, visit(0, cid))
    assert [r["status"] for r in results[:-1]] == ["rejected"] * len(bad)
    assert all(r["reason"] for r in results[:-1])
    assert results[-1]["status"] == "applied", "the outbox moves on past final rejections"
    assert "a satisfaction feedback needs a score" in results[10]["reason"]


def test_a_too_old_client_gets_426_from_the_header_and_from_the_push_body(strict, monkeypatch):
    w = strict
    from server.api import deps

    monkeypatch.setattr(deps, "MIN_CLIENT_SCHEMA", 2)
    w.client = TestClient(create_app(engine=w.engine), raise_server_exceptions=False)
    h = w.headers(w.ana_token, wire=1)
    assert w.client.get("/v1/me", headers=h).status_code == 426
    no_header = {"Authorization": h["Authorization"]}
    assert w.client.get("/v1/me", headers=no_header).status_code == 200, "missing header: accept"
    device = w.client.post("/v1/devices", headers=no_header, json={}).json()["device_id"]
    pushed = w.client.post("/v1/sync/push", headers=no_header,
                           json={"device_id": device, "schema_version": 1, "mutations": []})
    assert pushed.status_code == 426 and "update fieldrep" in pushed.json()["detail"]
    newer = {**h, "X-Fieldrep-Schema": "3"}
    assert w.client.get("/v1/me", headers=newer).status_code == 200
