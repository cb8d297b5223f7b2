"""Sign-in and refusals at the server's edge: throttled token guessing, a cap on devices, coded
refusals with safe headers, a boolean in a bootstrap token, and database files only the server
may read. On SQLite and PostgreSQL where a database is involved.
"""

from __future__ import annotations

import base64
import os
import stat

import pytest
from fastapi.testclient import TestClient

from server import db, feed, schema, tokens
from server.api.edge import AuthThrottle
from server.app import create_app
from server.org import set_policy
from sync.protocol.models import Policy
from sync.protocol.refusals import TEMPLATES


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _client(world, throttle=None, address="10.0.0.1"):
    return TestClient(create_app(engine=world.engine, throttle=throttle),
                      raise_server_exceptions=False, client=(address, 4000))


def test_repeated_wrong_tokens_from_one_address_are_throttled_before_any_lookup(
        world, monkeypatch):
    clock = Clock()
    throttle = AuthThrottle(failures=20, window=60, clock=clock)
    client = _client(world, throttle)
    wrong = world.headers("fr_guess")
    for _ in range(20):
        assert client.get("/v1/me", headers=wrong).status_code == 401
    looked_up = []
    real = tokens.rep_for_token
    monkeypatch.setattr(tokens, "rep_for_token",
                        lambda conn, token: looked_up.append(token) or real(conn, token))
    refused = client.get("/v1/me", headers=wrong)
    assert refused.status_code == 429, refused.text
    assert refused.json()["code"] == "auth.throttled"
    seconds = refused.json()["params"]["seconds"]
    assert 1 <= seconds <= 60 and refused.headers["Retry-After"] == str(seconds)
    # decided: while an address is throttled even a good token from it waits (no lookup at all)
    assert client.get("/v1/me", headers=world.headers(world.ana_token)).status_code == 429
    assert client.get("/v1/me").status_code == 429, "no token at all counts as a failure too"
    assert looked_up == []
    other = TestClient(client.app, raise_server_exceptions=False, client=("10.0.0.2", 4000))
    assert other.get("/v1/me", headers=world.headers(world.ana_token)).status_code == 200
    clock.now += 61
    assert client.get("/v1/me", headers=world.headers(world.ana_token)).status_code == 200


def test_good_tokens_are_never_counted_as_failures(world):
    client = _client(world, AuthThrottle(failures=3, window=60, clock=Clock()))
    for _ in range(50):
        assert client.get("/v1/me", headers=world.headers(world.ana_token)).status_code == 200


def test_the_throttle_remembers_a_bounded_number_of_addresses():
    clock = Clock()
    throttle = AuthThrottle(failures=2, window=60, capacity=100, clock=clock)
    throttle.failed("first")
    throttle.failed("first")
    assert throttle.wait("first") > 0
    for i in range(1000):
        throttle.failed(f"10.0.{i // 256}.{i % 256}")
    assert len(throttle) <= 100
    assert throttle.wait("first") == 0, "the oldest address was forgotten first"


def test_the_app_throttles_by_default(world):
    client = _client(world)
    codes = [client.get("/v1/me", headers=world.headers("fr_x")).status_code for _ in range(25)]
    assert codes[:20] == [401] * 20 and codes[-1] == 429


def test_a_rep_registers_at_most_max_devices_devices(world):
    with db.writing(world.engine) as conn:
        set_policy(conn, Policy(max_devices=3), "test")
    h = world.headers(world.ana_token)
    for _ in range(3):
        assert world.client.post("/v1/devices", headers=h, json={}).status_code == 200
    over = world.client.post("/v1/devices", headers=h, json={})
    assert over.status_code == 403, over.text
    assert over.json()["code"] == "device.limit"
    assert over.json()["params"] == {"count": 3, "max": 3}
    assert world.client.post("/v1/devices", headers=world.headers(world.bo_token),
                             json={}).status_code == 200, "the cap is per rep"


def test_the_device_cap_defaults_to_20_and_is_at_least_1():
    assert Policy().max_devices == 20
    with pytest.raises(ValueError):
        Policy(max_devices=0)


def test_a_boolean_in_a_bootstrap_token_is_refused(world):
    token = base64.urlsafe_b64encode(b'[true, "a", "b"]').decode()
    response = world.client.get("/v1/sync/bootstrap", headers=world.headers(world.ana_token),
                                params={"token": token})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "bootstrap.invalid_token"


def test_role_refusals_are_coded_and_worded_right(world):
    h = world.headers(world.ana_token)
    policy = world.client.put("/v1/policy", headers=h, json={})
    assert policy.status_code == 403
    assert policy.json() == {"detail": "only an admin may do this", "code": "role.admin_only",
                             "params": {}}
    assign = world.client.post("/v1/assign", headers=h, json={"strategy": "region"})
    assert assign.status_code == 403 and assign.json()["code"] == "role.manager_only"
    assert assign.json()["detail"] == "only a manager or an admin may do this"


def test_every_answer_is_nosniff_and_never_cached(world):
    w = world
    h = w.headers(w.ana_token)
    answers = [w.client.get("/v1/health"), w.client.get("/v1/me", headers=h),
               w.client.get("/v1/me"), w.client.get("/v1/sync/bootstrap", headers=h),
               w.client.get("/v1/sync/pull", headers=h, params={"cursor": "nope"}),
               w.client.post("/v1/sync/push", headers=h, json={"bad": 1})]
    for answer in answers:
        assert answer.headers["X-Content-Type-Options"] == "nosniff", answer.request.url
        assert answer.headers["Cache-Control"] == "no-store", answer.request.url


def test_every_error_body_carries_a_known_code(world):
    w = world
    client = TestClient(w.client.app, raise_server_exceptions=False)
    h, root = w.headers(w.ana_token), w.headers(w.root_token)
    mei = w.headers(w.mei_token)
    device = w.device(w.bo_token)
    requests = [
        ("get", "/v1/me", {}, {}),
        ("get", "/v1/me", {}, {"Authorization": "Bearer " + "x" * 300}),
        ("get", "/v1/me", {}, w.headers("fr_unknown")),
        ("get", "/v1/me", {}, {**h, "X-Fieldrep-Schema": "x"}),
        ("get", "/v1/sync/pull", {"params": {"cursor": "x"}}, h),
        ("get", "/v1/sync/pull", {"params": {"cursor": "s999999"}}, h),
        ("get", "/v1/sync/pull", {}, h),
        ("get", "/v1/sync/bootstrap", {"params": {"token": "!!"}}, h),
        ("get", "/v1/sync/bootstrap", {"params": {"token": base64.urlsafe_b64encode(
            b'[999999, "a", "b"]').decode()}}, h),
        ("post", "/v1/sync/push", {"json": {"device_id": device, "schema_version": 1,
                                            "mutations": []}}, h),
        ("post", "/v1/sync/push", {"json": {"device_id": "a\x00", "schema_version": 1,
                                            "mutations": []}}, h),
        ("post", "/v1/devices", {"json": {"name": "a\x00b"}}, h),
        ("put", "/v1/policy", {"json": {"timezone": "Mars/Base"}}, root),
        ("put", "/v1/policy", {"json": {"cadence_days": {"A": 0}}}, root),
        ("post", "/v1/assign", {"json": {"strategy": "dice"}}, mei),
        ("post", "/v1/assign", {"json": {"strategy": "region", "team_id": "Other"}}, mei),
        ("post", "/v1/customers/nope/transfer", {"json": {"to_rep_id": w.bo["id"]}}, mei),
        ("post", f"/v1/customers/{w.ana_own['id']}/transfer", {"json": {"to_rep_id": "x"}},
         mei),
        ("post", f"/v1/customers/{w.ana_own['id']}/transfer",
         {"json": {"to_rep_id": w.cy["id"]}}, mei),
    ]
    for method, path, kwargs, headers in requests:
        response = getattr(client, method)(path, headers=headers, **kwargs)
        assert 400 <= response.status_code < 500, (method, path, response.text)
        body = response.json()
        assert body.get("code") in TEMPLATES, (method, path, body)
        assert isinstance(body.get("params"), dict) and body["detail"], (method, path, body)


def test_the_sqlite_database_files_are_readable_by_the_server_alone(tmp_path):
    old = os.umask(0o022)
    try:
        engine = db.make_engine(f"sqlite:///{tmp_path / 'server.db'}")
        schema.create_schema(engine)
        with db.writing(engine) as conn:
            db.record_audit(conn, "test", "test", "a write, so the WAL exists")
        with db.reading(engine) as conn:
            feed.position(conn)
        files = [tmp_path / name for name in ("server.db", "server.db-wal", "server.db-shm")]
        for path in files:
            assert path.exists(), path
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode & 0o077 == 0, f"{path.name} is {oct(mode)}"
        engine.dispose()
    finally:
        os.umask(old)
