"""The organisation the security suite attacks, with a secret in every field of every record.

Two teams, three territories, reps on each, a manager per team and an admin:

    territory  ZJ (Zhejiang)      SC (Sichuan)           GD (Guangdong)
    East       Ana, Bo, Mei(m)    Bo, Mei(m)             -
    Other      -                  Cy, Oz(m)              Dan, Oz(m)

Customers: each rep's own, a pool customer of each territory, and ``moved``, Ana's until her
manager handed it to Bo (Bo then changed its contact). Every rep has a visit, a complaint and a
follow-up on their own customer and on a pool customer; Bo also visited Ana's customer (a
non-owner visit, flagged to Ana). The attackers are Ana (a rep of East) and Oz (the manager of the
*other* team).

Every text field of a record holds a marker ``S3CR3T-<record key>-<field>`` and every number a
value no other record has, so a leak is found by searching an answer's body: ``assert_no_leak``
in ``_checks.py``. ``audience`` says, from the rules in DESIGN.md and not from the server's code,
which records each person may read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient

from server import db, schema
from server.app import create_app
from server.clock import system_clock
from server.org import Org, add_rep, add_team, add_territory, ensure_policy
from sync.protocol.models import ENTITY_MODELS, Customer

MARK = "S3CR3T"
ATTACK = "attack"
"""The marker key of what the attacker sends: their own words may always come back to them."""


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    team: str | None
    territories: tuple[str, ...]
    role: str = "rep"


PEOPLE = {p.key: p for p in (
    Person("ana", "Ana", "East", ("ZJ",)),  # the attacking rep
    Person("bo", "Bo", "East", ("ZJ", "SC")),
    Person("mei", "Mei", "East", ("ZJ", "SC"), "manager"),
    Person("cy", "Cy", "Other", ("SC",)),
    Person("dan", "Dan", "Other", ("GD",)),
    Person("oz", "Oz", "Other", ("SC", "GD"), "manager"),  # the attacking manager (wrong team)
    Person("root", "Root", None, (), "admin"),
)}
TERRITORIES = {"ZJ": "Zhejiang", "SC": "Sichuan", "GD": "Guangdong"}

CUSTOMERS = {  # key: (territory, owner)
    "ana_own": ("ZJ", "ana"),
    "bo_own": ("ZJ", "bo"),
    "cy_own": ("SC", "cy"),
    "dan_own": ("GD", "dan"),
    "pool_zj": ("ZJ", None),
    "pool_sc": ("SC", None),
    "pool_gd": ("GD", None),
    "moved": ("ZJ", "bo"),  # Ana's until Mei transferred it to Bo; then Bo changed the contact
}
MOVED_FROM = {"moved": "ana"}
MOVED_NEW = "moved_new"
"""The marker key of what Bo wrote into ``moved`` after it left Ana: she must never read it."""

HISTORY_KINDS = ("visit", "feedback", "followup")
HISTORY = (  # (author, customer): each has a visit, a complaint and a follow-up
    ("ana", "ana_own"), ("ana", "moved"),
    ("bo", "bo_own"), ("bo", "pool_zj"), ("bo", "ana_own"),  # the last is a non-owner visit
    ("cy", "cy_own"), ("cy", "pool_sc"),
    ("dan", "dan_own"), ("dan", "pool_gd"),
)
PUSHED = ("bo", "bo_own")
"""Bo's records on his own customer arrive through his device, so its stored results hold them."""


def history_key(author: str, kind: str, customer: str) -> str:
    return f"{author}_{kind}_{customer}"


def secret(key: str, field: str) -> str:
    return f"{MARK}-{key}-{field}"


# distinctive numbers, one per record: amounts of visits, coordinates of customers
AMOUNTS = {history_key(a, "visit", c): float(f"{7_100_000 + 1000 * i}.25")
           for i, (a, c) in enumerate(HISTORY)}
COORDINATES = {key: (float(f"{10 + i}.2718281"), float(f"{100 + i}.3141593"))
               for i, key in enumerate(CUSTOMERS)}
NUMBER_MARKERS: dict[str, str] = {
    **{repr(v): k for k, v in AMOUNTS.items()},
    **{repr(v): k for k, (lat, lon) in COORDINATES.items() for v in (lat, lon)},
}
"""The text of each distinctive number as JSON writes it, and the record it belongs to."""


def audience(who: str) -> frozenset[str]:
    """The marker keys ``who`` may read, from DESIGN.md's scope rule.

    A rep: their own customers, the unowned pool of their territories, their own records, and
    visits someone else logged on their customers (flagged to the owner); a customer that was
    theirs only as it was then. A manager: all that for every member of their team, over the
    team's territories.
    """
    person = PEOPLE[who]
    if person.role == "manager":
        members = {p.key for p in PEOPLE.values() if p.team == person.team}
    else:
        members = {who}
    territories = {t for m in members for t in PEOPLE[m].territories}
    keys = {ATTACK}
    for key, (territory, owner) in CUSTOMERS.items():
        if owner in members or (owner is None and territory in territories):
            keys.add(key)
            if key in MOVED_FROM:
                keys.add(MOVED_NEW)
        elif MOVED_FROM.get(key) in members:
            keys.add(key)  # what it was while it was theirs, not what was written since
    for author, customer in HISTORY:
        owner = CUSTOMERS[customer][1]
        for kind in HISTORY_KINDS:
            non_owner_visit = kind == "visit" and author != owner and owner in members
            if author in members or non_owner_visit:
                keys.add(history_key(author, kind, customer))
    return frozenset(keys)


def _customer_record(key: str, customer_id: str, territory: str) -> dict:
    lat, lon = COORDINATES[key]
    return {
        "id": customer_id, "name": secret(key, "name") + " 有限公司",
        "industry": secret(key, "industry"), "customer_type": "B2B",
        "province": TERRITORIES[territory], "city": secret(key, "city"),
        "address": secret(key, "address"), "lat": lat, "lon": lon,
        "tier": "A", "stage": "active", "product_lines": [secret(key, "product")],
        "contacts": [{"name": secret(key, "contact"), "title": secret(key, "title"),
                      "phone": secret(key, "phone"),
                      "email": f"{secret(key, 'email').lower()}@example.com"}],
        "search_keys": [], "version": 1,
    }


def _history_fields(kind: str, key: str, customer_id: str) -> dict:
    """What a laptop would send for this record (push) or store (seed), without ids."""
    at = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    if kind == "visit":
        return {"customer_id": customer_id, "at": at, "kind": "visit",
                "outcome": secret(key, "outcome"), "notes": secret(key, "notes"),
                "next_step": secret(key, "nextstep"), "amount": AMOUNTS[key]}
    if kind == "feedback":
        return {"customer_id": customer_id, "at": at, "kind": "complaint", "severity": "high",
                "text": secret(key, "text")}
    return {"customer_id": customer_id, "due": (date.today() + timedelta(days=3)).isoformat(),
            "title": secret(key, "title")}


class AttackWorld:
    """The organisation on a real database, with a registered device for each attacker.

    ``restore()`` puts every table back as it was when the world was made, so a module builds
    the world once and each test starts from it, even a test that changed something.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.ids: dict[str, str] = {}
        self.people: dict[str, dict] = {}
        self.tokens: dict[str, str] = {}
        self.team_ids: dict[str, str] = {}
        self.restores = 0
        with db.writing(engine) as conn:
            ensure_policy(conn)
            for team in ("East", "Other"):
                self.team_ids[team] = add_team(conn, team, "region")["id"]
            for name, province in TERRITORIES.items():
                add_territory(conn, name, provinces=[province])
            for person in PEOPLE.values():
                rep, token = add_rep(conn, person.name, team=person.team,
                                     territories=list(person.territories), role=person.role)
                self.people[person.key], self.tokens[person.key] = rep, token
                self.ids[person.key] = rep["id"]
        self.client = self.http_client()
        self.devices = {who: self.register_device(who) for who in ("ana", "oz", "bo")}
        self._seed_customers()
        self._seed_history()
        self.baseline = self._dump()
        self.mids = {who: 0 for who in self.devices}

    # ----------------------------------------------------------------- building

    def http_client(self) -> TestClient:
        """The app in process; a crash is answered 500 (and fails the test), not raised."""
        return TestClient(create_app(engine=self.engine), raise_server_exceptions=False)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", "X-Fieldrep-Schema": "1"}

    def register_device(self, who: str) -> str:
        response = self.client.post("/v1/devices", headers=self.headers(who),
                                    json={"name": f"{who}'s laptop"})
        assert response.status_code == 200, response.text
        return response.json()["device_id"]

    def _seed_customers(self) -> None:
        now = system_clock()
        with db.writing(self.engine) as conn:
            org = Org.load(conn)
            for key, (territory, owner) in CUSTOMERS.items():
                self.ids[key] = str(uuid.uuid4())
                record = _customer_record(key, self.ids[key], territory)
                first_owner = MOVED_FROM.get(key, owner)
                if first_owner:
                    rep = self.people[first_owner]
                    record.update(owner_id=rep["id"], owner_name=rep["name"],
                                  claimed_at=now.isoformat(),
                                  protected_until=(now + timedelta(days=10)).isoformat())
                record = Customer.model_validate(record).model_dump(mode="json")
                db.put_record(conn, "customer", record, org.customer_audience(record))

    def _move_customers(self) -> None:
        """Mei hands ``moved`` to Bo (Ana gets a tombstone); Bo then writes a new contact."""
        with db.writing(self.engine) as conn:
            org = Org.load(conn)
            for key in MOVED_FROM:
                record = db.get_record(conn, "customer", self.ids[key])
                owner = self.people[CUSTOMERS[key][1]]
                record.update(previous_owner_id=record["owner_id"], owner_id=owner["id"],
                              owner_name=owner["name"], version=2)
                db.put_record(conn, "customer", record, org.customer_audience(record),
                              reason=f"transferred to {owner['name']} by Mei")
                record.update(address=secret(MOVED_NEW, "address"), version=3,
                              contacts=[{"name": secret(MOVED_NEW, "contact"),
                                         "phone": secret(MOVED_NEW, "phone"),
                                         "email": f"{secret(MOVED_NEW, 'email').lower()}@x.cn"}])
                record = Customer.model_validate(record).model_dump(mode="json")
                db.put_record(conn, "customer", record, org.customer_audience(record),
                              reason="edited")

    def _seed_history(self) -> None:
        pushed = []
        with db.writing(self.engine) as conn:
            org = Org.load(conn)
            for author, customer_key in HISTORY:
                customer = db.get_record(conn, "customer", self.ids[customer_key])
                for kind in HISTORY_KINDS:
                    key = history_key(author, kind, customer_key)
                    self.ids[key] = str(uuid.uuid4())
                    fields = _history_fields(kind, key, customer["id"])
                    if (author, customer_key) == PUSHED:
                        pushed.append({"op_id": str(uuid.uuid4()), "kind": f"{kind}.create",
                                       "record_id": self.ids[key], "fields": fields})
                        continue
                    record = {**fields, "id": self.ids[key], "rep_id": self.ids[author],
                              "version": 1}
                    if kind == "visit":
                        record["non_owner"] = customer.get("owner_id") != self.ids[author]
                    elif kind == "feedback":
                        record.update(status="in_progress",
                                      resolution=secret(key, "resolution"))
                    else:
                        record.update(status="open", source="manual")
                    record = ENTITY_MODELS[kind].model_validate(record).model_dump(mode="json")
                    db.put_record(conn, kind, record, org.history_audience(record, customer),
                                  previous_audience=set())
        self._move_customers()
        response = self.client.post(
            "/v1/sync/push", headers=self.headers("bo"),
            json={"device_id": self.devices["bo"], "schema_version": 1,
                  "mutations": [{**m, "mid": i} for i, m in enumerate(pushed, 1)]})
        assert response.status_code == 200, response.text
        assert [r["status"] for r in response.json()["results"]] == ["applied"] * 3, response.text
        self.pushed = pushed  # Bo's creates as his laptop sent them: a true resend's content

    # ----------------------------------------------------------------- using

    def id(self, key: str) -> str:
        return self.ids[key]

    def audience_ids(self, who: str, *, including_past: bool = False) -> frozenset[str]:
        """The ids of the customers and records ``who`` may read now (``including_past``: or
        could read once, as the change feed told them before the record left their scope)."""
        ids = {self.ids[k] for k in audience(who) if k in self.ids}
        if not including_past:
            members = {p.key for p in PEOPLE.values() if p.team == PEOPLE[who].team} \
                if PEOPLE[who].role == "manager" else {who}
            ids -= {self.ids[k] for k, (_, owner) in CUSTOMERS.items()
                    if k in MOVED_FROM and owner not in members}
        return frozenset(ids)

    def next_mid(self, who: str) -> int:
        self.mids[who] += 1
        return self.mids[who]

    def push(self, who: str, *mutations: dict, client=None, device: str | None = None):
        """POST /v1/sync/push from ``who``'s registered laptop, numbering the mutations."""
        numbered = [{**m, "mid": self.next_mid(who)} for m in mutations]
        return (client or self.client).post(
            "/v1/sync/push", headers=self.headers(who),
            json={"device_id": device or self.devices[who], "schema_version": 1,
                  "mutations": numbered})

    def _dump(self) -> dict[str, list[dict]]:
        with db.reading(self.engine) as conn:
            return {t.name: [dict(row._mapping) for row in conn.execute(sa.select(t))]
                    for t in schema.metadata.sorted_tables}

    def restore(self) -> None:
        """Every table as it was when the world was made; device sequence numbers start again.

        The organisation's version moves to a value never used before, so a server's cached
        organisation is read again rather than trusted.
        """
        self.restores += 1
        with db.writing(self.engine) as conn:
            for table in reversed(schema.metadata.sorted_tables):
                conn.execute(table.delete())
            for table in schema.metadata.sorted_tables:
                rows = self.baseline.get(table.name)
                if rows:
                    conn.execute(table.insert(), rows)
            conn.execute(sa.update(schema.feed).where(schema.feed.c.id == 1)
                         .values(org_version=schema.feed.c.org_version + 100_000 * self.restores))
        self.mids = {who: 0 for who in self.devices}
