"""The same attacks against a real server process on loopback (uvicorn, over HTTP), on SQLite
and PostgreSQL: what holds in process holds on the wire, where gzip, HTTP framing and the real
ASGI server are in the way too."""

from __future__ import annotations

import json

import httpx
import pytest

from server.process import ServerProcess
from tests.security._checks import Snapshot, assert_changed_only, assert_coded
from tests.security._endpoints import ENDPOINTS, run_endpoint
from tests.security._matrix import CELLS, cell_id, run_cell


@pytest.fixture(scope="module")
def http(world):
    url = world.engine.url.render_as_string(hide_password=False)
    with ServerProcess.start(url, env={"FIELDREP_RECLAIM_INTERVAL": "3600"}) as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        yield client
        assert "Traceback" not in server.log(), server.log()


@pytest.mark.parametrize(("caller", "kind", "target", "expect"), CELLS,
                         ids=[cell_id(c) for c in CELLS])
def test_over_http_an_attack_leaks_nothing_and_changes_nothing_beyond_rights(
        fresh, http, caller, kind, target, expect):
    run_cell(fresh, caller, kind, target, expect, client=http)


@pytest.mark.parametrize("attack", ENDPOINTS, ids=[a.name for a in ENDPOINTS])
def test_over_http_an_endpoint_leaks_nothing_and_changes_nothing_beyond_rights(fresh, http,
                                                                                attack):
    run_endpoint(fresh, attack, client=http)


def test_over_http_a_huge_body_without_a_token_is_refused_before_it_is_read(fresh, http):
    body = json.dumps({"device_id": "x", "schema_version": 1, "mutations": [],
                       "padding": "x" * (20 << 20)}).encode()
    before = Snapshot.take(fresh.engine)
    response = http.post("/v1/sync/push", content=body,
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 413, (response.status_code, response.text[:300])
    assert_coded(response)
    assert response.json()["code"] == "request.too_large"
    assert http.get("/v1/health").status_code == 200, "the server is still there"
    assert_changed_only(fresh.engine, before, "")
