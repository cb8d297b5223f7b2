"""The change feed never skips a change that commits late (PostgreSQL, real concurrent writers).

Writer A takes a sequence number and holds its transaction open; writer B starts afterwards; a
pull runs in between. Whatever the interleaving, a pull from the cursor it returned must later
see both changes: the feed serves in commit order, so a lower sequence can never appear after a
higher one was served.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from fastapi.testclient import TestClient

from server import db, feed, schema
from server.app import create_app
from server.org import Org, add_rep, add_team, add_territory, ensure_policy
from tests.conftest import postgres_url, require_or_skip


@pytest.fixture
def pg_engine():
    url = postgres_url()
    require_or_skip("PostgreSQL", url is not None, "FIELDREP_REQUIRE_POSTGRES")
    engine = db.make_engine(url)
    schema.drop_schema(engine)
    schema.create_schema(engine)
    yield engine
    schema.drop_schema(engine)
    engine.dispose()


def _customer(name: str) -> dict:
    return {"id": str(uuid.uuid4()), "name": name, "province": "Zhejiang", "version": 1,
            "search_keys": []}


def test_a_pull_between_two_writers_never_skips_the_one_that_commits_late(pg_engine):
    with db.writing(pg_engine) as conn:
        ensure_policy(conn)
        add_team(conn, "East")
        add_territory(conn, "ZJ", provinces=["Zhejiang"])
        _rep, token = add_rep(conn, "Ana", team="East", territories=["ZJ"])
    client = TestClient(create_app(engine=pg_engine))
    headers = {"Authorization": f"Bearer {token}"}
    cursor = client.get("/v1/sync/bootstrap", headers=headers).json()["cursor"]

    a_wrote, a_may_commit, b_done = threading.Event(), threading.Event(), threading.Event()
    seqs: dict[str, int] = {}

    def writer(name: str, hold: threading.Event | None, started: threading.Event | None) -> None:
        with db.writing(pg_engine) as conn:
            customer = _customer(name)
            db.put_record(conn, "customer", customer, Org.load(conn).customer_audience(customer))
            seqs[name] = feed.position(conn)[0]
            if started:
                started.set()
            if hold:
                assert hold.wait(10)
        if name == "B":
            b_done.set()

    a = threading.Thread(target=writer, args=("A", a_may_commit, a_wrote))
    a.start()
    assert a_wrote.wait(10)
    b = threading.Thread(target=writer, args=("B", None, None))
    b.start()
    time.sleep(0.5)
    assert not b_done.is_set(), "B committed while A, which took a sequence first, was open"

    between = client.get("/v1/sync/pull", headers=headers, params={"cursor": cursor}).json()
    assert between["changes"] == [], "a pull served a change of an open transaction"

    a_may_commit.set()
    a.join(10)
    b.join(10)
    assert seqs["A"] < seqs["B"]

    after = client.get("/v1/sync/pull", headers=headers,
                       params={"cursor": between["next_cursor"]}).json()
    names = [c["record"]["name"] for c in after["changes"] if c["entity"] == "customer"]
    assert names == ["A", "B"], "a change was skipped or served out of commit order"
