"""The request limits, as the server states them and as the laptop lives with them.

A push of more than MAX_PUSH_BATCH mutations is a 422 whose code (``push.too_many``) and message
name the limit; a body over FIELDREP_MAX_BODY_BYTES is a coded 413 (its refusal at the edge is
tested in test_edge_limits.py); both are in the OpenAPI schema. The laptop's engine splits its
pushes to stay under both: told a smaller limit by a 413, it sends fewer changes per push until
everything is through; a single change over the limit stops the push with a line that says so
(and what the admin can do), keeping the work. On SQLite and PostgreSQL against the app.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import ServerSettings
from sync.client import Client
from sync.engine import SyncEngine
from sync.protocol.models import MAX_PUSH_BATCH
from sync.push_limits import TOO_LARGE
from tests.server._world import visit

NOTES = "客户关心交货期和售后服务" * 400  # 4,800 characters, ~14 KB as UTF-8


def test_a_push_over_the_mutation_limit_is_422_naming_the_limit(world):
    device = world.device(world.ana_token)
    too_many = [visit(mid, world.ana_own["id"]) for mid in range(1, MAX_PUSH_BATCH + 2)]
    response = world.push(world.ana_token, device, too_many)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "push.too_many"
    assert body["params"] == {"max": MAX_PUSH_BATCH, "count": MAX_PUSH_BATCH + 1}
    assert f"at most {MAX_PUSH_BATCH} changes" in body["detail"]
    at_the_limit = world.push(world.ana_token, device, too_many[:MAX_PUSH_BATCH])
    assert at_the_limit.status_code == 200, at_the_limit.text
    assert len(at_the_limit.json()["results"]) == MAX_PUSH_BATCH


def test_the_openapi_schema_states_both_limits_of_a_push(world):
    schema = world.client.get("/openapi.json").json()
    push = schema["paths"]["/v1/sync/push"]["post"]["responses"]
    assert "request.too_large" in push["413"]["description"]
    assert "FIELDREP_MAX_BODY_BYTES" in push["413"]["description"]
    assert "push.too_many" in push["422"]["description"]
    assert str(MAX_PUSH_BATCH) in push["422"]["description"]
    for status in ("413", "422"):
        assert push[status]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ErrorBody")
    mutations = schema["components"]["schemas"]["PushRequest"]["properties"]["mutations"]
    assert mutations["maxItems"] == MAX_PUSH_BATCH


def _laptop(world, tmp_path, max_body_bytes: int):
    """A laptop of Ana's, synced once with an app whose body limit is ``max_body_bytes``; every
    push body it sends is noted in ``sent``."""
    from cache import Store

    client = TestClient(create_app(engine=world.engine, clock=world.clock,
                                   config=ServerSettings(max_body_bytes=max_body_bytes)),
                        raise_server_exceptions=False)
    sent: list[int] = []
    transport = client._transport

    class Noting(httpx.BaseTransport):  # the TestClient's own transport, noting push sizes
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/v1/sync/push":
                sent.append(len(request.content))
            return transport.handle_request(request)

    noting = Noting()

    def client_factory(server, token, **kwargs):
        return Client(server, token, transport=noting, sleep=lambda _s: None, **kwargs)

    store = Store.open(tmp_path / "laptop")
    from sync.engine import login

    login(store, "http://testserver", world.ana_token, client_factory=client_factory)
    engine = SyncEngine(store, client_factory=client_factory)
    assert engine.sync().ok
    return store, engine, sent


def test_the_engine_splits_its_pushes_under_the_servers_body_limit(world, tmp_path):
    store, engine, sent = _laptop(world, tmp_path, max_body_bytes=60_000)
    try:
        for n in range(30):  # ~420 KB in all: one push of 30 would be refused
            store.log_visit(world.ana_own["id"], outcome=f"met {n}", notes=NOTES)
        report = engine.sync()
        assert report.ok, report.error
        assert (report.pushed, report.applied, store.pending_count()) == (30, 30, 0)
        delivered = [size for size in sent if size <= 60_000]
        assert len(delivered) >= 8 and sent[-1] <= 60_000, sent  # ~4 changes a push
        view, _cursor = world.scope(world.ana_token)
        outcomes = {v["outcome"] for v in view.get("visit", {}).values()}
        assert {f"met {n}" for n in range(30)} <= outcomes
    finally:
        store.close()


def test_a_single_change_over_the_limit_says_so_and_keeps_the_work(world, tmp_path):
    store, engine, _sent = _laptop(world, tmp_path, max_body_bytes=8_000)
    try:
        store.log_visit(world.ana_own["id"], outcome="long notes", notes=NOTES)
        report = engine.sync()
        assert not report.ok and report.too_large == 8_000
        assert report.error == TOO_LARGE.format(max=8_000)
        assert "FIELDREP_MAX_BODY_BYTES" in report.error
        assert store.pending_count() == 1
    finally:
        store.close()


@pytest.mark.parametrize("count", [MAX_PUSH_BATCH * 2 + 5])
def test_the_engine_never_sends_more_than_the_mutation_limit_in_one_push(world, tmp_path,
                                                                           count):
    store, engine, sent = _laptop(world, tmp_path, max_body_bytes=4 * 1024 * 1024)
    try:
        for n in range(count):
            store.log_visit(world.ana_own["id"], outcome=f"short {n}")
        report = engine.sync()
        assert report.ok and report.applied == count
        assert len(sent) == 3  # 100 + 100 + 5
    finally:
        store.close()
