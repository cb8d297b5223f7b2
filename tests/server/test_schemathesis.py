"""Property test against the OpenAPI schema: no generated request makes the server answer 5xx.

Requests are generated from the schema (valid and invalid bodies, queries, headers), sent with
a real rep's token to the real ASGI app on a seeded SQLite database.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from server import db
from server.app import create_app
from server.org import Org, add_rep, add_team, add_territory, ensure_policy
from server.schema import create_schema

pytestmark = pytest.mark.slow

_home = Path(tempfile.mkdtemp(prefix="fieldrep-schemathesis-"))
_engine = db.make_engine(f"sqlite:///{_home / 'server.db'}")
create_schema(_engine)
with db.writing(_engine) as _conn:
    ensure_policy(_conn)
    add_team(_conn, "East")
    add_territory(_conn, "ZJ", provinces=["Zhejiang"])
    _rep, TOKEN = add_rep(_conn, "Ana", team="East", territories=["ZJ"], role="manager")
    _, ADMIN = add_rep(_conn, "Root", team=None, territories=[], role="admin")
    for _i in range(3):
        _customer = {"id": str(uuid.uuid4()), "name": f"客户{_i}", "province": "Zhejiang",
                     "version": 1, "search_keys": []}
        db.put_record(_conn, "customer", _customer, Org.load(_conn).customer_audience(_customer))

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(engine=_engine))


@schema.parametrize()
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_no_request_makes_the_server_fail(case):
    for token in (TOKEN, ADMIN):
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} answered {response.status_code}: "
            f"{response.text[:300]}"
        )
