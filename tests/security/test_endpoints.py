"""Every endpoint, called by the rep of East and the wrong team's manager with foreign ids: no
answer holds a field of a record outside the caller's audience, every refusal has a code, nothing
changes beyond rights (the table is in _endpoints.py)."""

from __future__ import annotations

import pytest

from tests.security._checks import Snapshot, assert_changed_only, assert_coded, assert_no_leak
from tests.security._endpoints import (
    ENDPOINTS,
    ids_in_scope,
    routes_without_an_attack,
    run_endpoint,
)
from tests.security._world import ATTACK, audience


def test_every_route_of_the_openapi_schema_is_attacked(world):
    schema = world.client.get("/openapi.json").json()
    assert routes_without_an_attack(schema) == [], "add a row to ENDPOINTS for each new route"


@pytest.mark.parametrize("attack", ENDPOINTS, ids=[a.name for a in ENDPOINTS])
def test_an_endpoint_leaks_nothing_and_changes_nothing_beyond_rights(fresh, attack):
    run_endpoint(fresh, attack)


@pytest.mark.parametrize("caller", ["ana", "oz"])
def test_bootstrap_page_by_page_sends_only_the_callers_audience(fresh, caller):
    params, seen = {"limit": 2}, 0
    while True:
        response = fresh.client.get("/v1/sync/bootstrap", headers=fresh.headers(caller),
                                    params=params)
        assert response.status_code == 200, response.text
        assert_no_leak(response, audience(caller), f"a bootstrap page of {caller}")
        page = response.json()
        ids_in_scope(fresh, caller, page["changes"], including_past=False)
        seen += len(page["changes"])
        if not page["has_more"]:
            break
        params = {"limit": 2, "token": page["next_token"]}
    assert seen > 10, "the walk saw the organisation and the caller's records"


def test_without_a_token_every_route_but_health_is_refused_with_a_code(world):
    """A new app of its own, so a throttle that counts these failures touches no other test."""
    client = world.http_client()
    routes = [(a.method, a.route.replace("{customer_id}", world.id("ana_own")))
              for a in ENDPOINTS if a.route != "/v1/health"]
    before = Snapshot.take(world.engine)
    for method, url in sorted(set(routes)):
        response = client.request(method, url, json={})
        assert response.status_code == 401, (method, url, response.status_code, response.text)
        assert_coded(response)
        assert_no_leak(response, {ATTACK}, f"{method} {url} without a token")
    assert_changed_only(world.engine, before, "")
