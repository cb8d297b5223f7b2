"""A small organisation on a real database, for the server's API tests (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from server import db, schema
from server.app import create_app
from server.clock import Clock, system_clock
from server.org import Org, add_rep, add_team, add_territory, ensure_policy
from sync.protocol.models import SCHEMA_VERSION
from tests.conftest import postgres_url, require_or_skip


def database_engine(kind: str, tmp_path):
    """A fresh schema on SQLite (a temp file) or PostgreSQL (dropped and made again)."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'server.db'}"
    else:
        url = postgres_url()
        require_or_skip("PostgreSQL", url is not None, "FIELDREP_REQUIRE_POSTGRES")
    engine = db.make_engine(url)
    if kind == "postgres":
        schema.drop_schema(engine)
    schema.create_schema(engine)
    return engine


class SettableClock:
    """A server clock a test sets and moves: give it to ``World`` (and so to ``create_app``)
    and pass ``clock.now`` to the rules a test calls directly."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, when: datetime) -> datetime:
        self.now = when
        return when

    def advance(self, **delta: float) -> datetime:
        return self.set(self.now + timedelta(**delta))


class World:
    """Two reps in Zhejiang and Sichuan, a manager, an admin, and a few customers, served by an
    app on ``clock`` (the machine's, unless a test gives its own)."""

    def __init__(self, engine, clock: Clock = system_clock):
        self.engine, self.clock = engine, clock
        with db.writing(engine) as conn:
            ensure_policy(conn)
            add_team(conn, "East", "region")
            add_team(conn, "Other", "region")
            add_territory(conn, "ZJ", provinces=["Zhejiang"])
            add_territory(conn, "SC", provinces=["Sichuan"])
            self.ana, self.ana_token = add_rep(conn, "Ana", team="East", territories=["ZJ"])
            self.bo, self.bo_token = add_rep(conn, "Bo", team="East", territories=["ZJ", "SC"])
            self.cy, self.cy_token = add_rep(conn, "Cy", team="Other", territories=["SC"])
            self.mei, self.mei_token = add_rep(conn, "Mei", team="East", territories=["ZJ"],
                                               role="manager")
            self.root, self.root_token = add_rep(conn, "Root", team=None, territories=[],
                                                 role="admin")
        self.client = TestClient(create_app(engine=engine, clock=clock))
        self.pool_zj = self.customer("杭州机械", "Zhejiang")
        self.pool_sc = self.customer("成都电子", "Sichuan")
        self.ana_own = self.customer("宁波化工", "Zhejiang", owner=self.ana)

    def customer(self, name, province, owner=None, *, protected_days=10, **fields):
        customer = {"id": str(uuid.uuid4()), "name": name, "province": province, "city": "",
                    "tier": "A", "stage": "active", "version": 1, "search_keys": [], **fields}
        now = self.clock()
        if owner:
            customer.update(owner_id=owner["id"], owner_name=owner["name"],
                            claimed_at=now.isoformat(),
                            protected_until=(now + timedelta(days=protected_days)).isoformat())
        with db.writing(self.engine) as conn:
            db.put_record(conn, "customer", customer, Org.load(conn).customer_audience(customer),
                          at=now)
        return customer

    def headers(self, token, wire=SCHEMA_VERSION):
        return {"Authorization": f"Bearer {token}", "X-Fieldrep-Schema": str(wire)}

    def device(self, token):
        response = self.client.post("/v1/devices", headers=self.headers(token), json={})
        assert response.status_code == 200, response.text
        return response.json()["device_id"]

    def push(self, token, device, mutations):
        return self.client.post("/v1/sync/push", headers=self.headers(token),
                                json={"device_id": device, "schema_version": SCHEMA_VERSION,
                                      "mutations": mutations})

    def scope(self, token, wire=SCHEMA_VERSION):
        view, params = {}, {"limit": 2}
        while True:
            response = self.client.get("/v1/sync/bootstrap", headers=self.headers(token, wire),
                                       params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            for change in page["changes"]:
                view.setdefault(change["entity"], {})[change["id"]] = change["record"]
            if not page["has_more"]:
                return view, page["cursor"]
            params = {"limit": 2, "token": page["next_token"]}

    def pull(self, token, cursor, wire=SCHEMA_VERSION):
        response = self.client.get("/v1/sync/pull", headers=self.headers(token, wire),
                                   params={"cursor": cursor})
        assert response.status_code == 200, response.text
        return response.json()


def visit(mid, customer_id, **fields):
    return {"op_id": str(uuid.uuid4()), "mid": mid, "kind": "visit.create",
            "record_id": str(uuid.uuid4()),
            "fields": {"customer_id": customer_id, "at": datetime.now(UTC).isoformat(),
                       "outcome": "met", **fields}}


def op(mid, kind, record_id, fields=None, base_version=None):
    return {"op_id": str(uuid.uuid4()), "mid": mid, "kind": kind, "record_id": record_id,
            "fields": fields or {}, "base_version": base_version}


class Device:
    """A registered laptop of one rep that numbers its mutations 1, 2, 3, … like the client."""

    def __init__(self, world: World, token: str) -> None:
        self.world, self.token = world, token
        self.id = world.device(token)
        self.mid = 0

    def send(self, *mutations: dict) -> list[dict]:
        numbered = []
        for mutation in mutations:
            self.mid += 1
            numbered.append({**mutation, "mid": self.mid})
        response = self.world.push(self.token, self.id, numbered)
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def send_one(self, mutation: dict) -> dict:
        return self.send(mutation)[0]
