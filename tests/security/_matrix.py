"""The attack matrix: every mutation kind, by a rep and by the wrong team's manager, at every target.

Targets are said from the caller's side:

    OWN           the caller's own record or customer (for the manager: his team's)   control
    OTHER_REP     another rep's record of the same kind (a create reuses its id: finding 5)
    OTHER_TEAM    a customer of another team (and its author's record, for an update)
    POOL_OUTSIDE  a pool customer outside the caller's territories
    POOL_INSIDE   a pool customer inside them (another rep's record on it, for an update)
    MISSING       an id that does not exist (for customer.create: a new customer, legal)
    MOVED         a customer that was Ana's until her manager moved it to Bo (finding 6)

For the history kinds (visit, feedback and follow-up creates) the target is the customer the new
record is for; for the updates it is a record of that kind on the target customer; for the
customer kinds it is the customer itself.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from server import db
from sync.protocol.complaints import SERVER_FIELDS as COMPLAINT_SERVER_FIELDS
from sync.protocol.complaints import revisit_id
from sync.protocol.models import MutationKind
from tests.security._checks import (
    Permit,
    Snapshot,
    assert_changed_only,
    assert_coded,
    assert_no_leak,
)
from tests.security._world import (
    ATTACK,
    CUSTOMERS,
    TERRITORIES,
    AttackWorld,
    audience,
    history_key,
    secret,
)

OWN, OTHER_REP, OTHER_TEAM = "own", "other_rep", "other_team"
POOL_OUTSIDE, POOL_INSIDE, MISSING, MOVED = "pool_outside", "pool_inside", "missing", "moved"
TARGET_NAMES = (OWN, OTHER_REP, OTHER_TEAM, POOL_OUTSIDE, POOL_INSIDE, MISSING, MOVED)
APPLIED, REFUSED, EITHER = "applied", "refused", "either"
CALLERS = ("ana", "oz")

TARGETS = {  # caller: target: (customer, author of the target record on it)
    "ana": {OWN: ("ana_own", "ana"), OTHER_REP: ("bo_own", "bo"),
            OTHER_TEAM: ("cy_own", "cy"), POOL_OUTSIDE: ("pool_sc", "cy"),
            POOL_INSIDE: ("pool_zj", "bo"), MOVED: ("moved", "ana")},
    "oz": {OWN: ("cy_own", "cy"), OTHER_REP: ("ana_own", "ana"),
           OTHER_TEAM: ("bo_own", "bo"), POOL_OUTSIDE: ("pool_zj", "bo"),
           POOL_INSIDE: ("pool_gd", "dan")},
}

# The table. None: not a target for that caller. EITHER: the rules may say yes or no (a manager
# acting on his own team's records); either way nothing beyond the action's permit changes.
MATRIX = [
    # kind               target         Ana (rep, East)  Oz (manager, Other)
    ("visit.create",     OWN,           APPLIED,         APPLIED),
    ("visit.create",     OTHER_REP,     REFUSED,         REFUSED),
    ("visit.create",     OTHER_TEAM,    REFUSED,         REFUSED),
    ("visit.create",     POOL_OUTSIDE,  REFUSED,         REFUSED),
    ("visit.create",     POOL_INSIDE,   APPLIED,         APPLIED),
    ("visit.create",     MISSING,       REFUSED,         REFUSED),
    ("visit.create",     MOVED,         APPLIED,         None),
    ("feedback.create",  OWN,           APPLIED,         APPLIED),
    ("feedback.create",  OTHER_REP,     REFUSED,         REFUSED),
    ("feedback.create",  OTHER_TEAM,    REFUSED,         REFUSED),
    ("feedback.create",  POOL_OUTSIDE,  REFUSED,         REFUSED),
    ("feedback.create",  POOL_INSIDE,   APPLIED,         APPLIED),
    ("feedback.create",  MISSING,       REFUSED,         REFUSED),
    ("feedback.create",  MOVED,         APPLIED,         None),
    ("feedback.update",  OWN,           APPLIED,         APPLIED),
    ("feedback.update",  OTHER_REP,     REFUSED,         REFUSED),
    ("feedback.update",  OTHER_TEAM,    REFUSED,         REFUSED),
    ("feedback.update",  POOL_OUTSIDE,  REFUSED,         REFUSED),
    ("feedback.update",  POOL_INSIDE,   REFUSED,         APPLIED),
    ("feedback.update",  MISSING,       REFUSED,         REFUSED),
    ("followup.create",  OWN,           APPLIED,         APPLIED),
    ("followup.create",  OTHER_REP,     REFUSED,         REFUSED),
    ("followup.create",  OTHER_TEAM,    REFUSED,         REFUSED),
    ("followup.create",  POOL_OUTSIDE,  REFUSED,         REFUSED),
    ("followup.create",  POOL_INSIDE,   APPLIED,         APPLIED),
    ("followup.create",  MISSING,       REFUSED,         REFUSED),
    ("followup.create",  MOVED,         APPLIED,         None),
    ("followup.update",  OWN,           APPLIED,         EITHER),
    ("followup.update",  OTHER_REP,     REFUSED,         REFUSED),
    ("followup.update",  OTHER_TEAM,    REFUSED,         REFUSED),
    ("followup.update",  POOL_OUTSIDE,  REFUSED,         REFUSED),
    ("followup.update",  POOL_INSIDE,   REFUSED,         EITHER),
    ("followup.update",  MISSING,       REFUSED,         REFUSED),
    ("customer.create",  OWN,           REFUSED,         REFUSED),  # the id exists: not a resend
    ("customer.create",  OTHER_REP,     REFUSED,         REFUSED),
    ("customer.create",  OTHER_TEAM,    REFUSED,         REFUSED),
    ("customer.create",  POOL_OUTSIDE,  REFUSED,         REFUSED),
    ("customer.create",  POOL_INSIDE,   REFUSED,         REFUSED),
    ("customer.create",  MISSING,       APPLIED,         EITHER),
    ("customer.create",  MOVED,         REFUSED,         None),
    ("customer.update",  OWN,           APPLIED,         EITHER),
    ("customer.update",  OTHER_REP,     REFUSED,         REFUSED),
    ("customer.update",  OTHER_TEAM,    REFUSED,         REFUSED),
    ("customer.update",  POOL_OUTSIDE,  REFUSED,         REFUSED),
    ("customer.update",  POOL_INSIDE,   REFUSED,         EITHER),  # finding 8: rename the pool
    ("customer.update",  MISSING,       REFUSED,         REFUSED),
    ("customer.update",  MOVED,         REFUSED,         None),     # finding 6: its new contact
    ("customer.claim",   OWN,           EITHER,          REFUSED),  # Ana's already; Oz: Cy's
    ("customer.claim",   OTHER_REP,     REFUSED,         REFUSED),
    ("customer.claim",   OTHER_TEAM,    REFUSED,         REFUSED),
    ("customer.claim",   POOL_OUTSIDE,  REFUSED,         REFUSED),
    ("customer.claim",   POOL_INSIDE,   APPLIED,         EITHER),
    ("customer.claim",   MISSING,       REFUSED,         REFUSED),
    ("customer.claim",   MOVED,         REFUSED,         None),
    ("customer.return",  OWN,           APPLIED,         REFUSED),  # F: only the owner; Oz: Cy's
    ("customer.return",  OTHER_REP,     REFUSED,         REFUSED),
    ("customer.return",  OTHER_TEAM,    REFUSED,         REFUSED),
    ("customer.return",  POOL_OUTSIDE,  REFUSED,         REFUSED),
    ("customer.return",  POOL_INSIDE,   REFUSED,         REFUSED),
    ("customer.return",  MISSING,       REFUSED,         REFUSED),
    ("customer.return",  MOVED,         REFUSED,         None),     # Bo's now
    # I: a manager's actions; Ana gives to Bo, Oz to Dan (of his team, in Guangdong)
    ("customer.assign",  OWN,           REFUSED,         REFUSED),  # Oz: Cy's, not the pool
    ("customer.assign",  OTHER_REP,     REFUSED,         REFUSED),
    ("customer.assign",  OTHER_TEAM,    REFUSED,         REFUSED),
    ("customer.assign",  POOL_OUTSIDE,  REFUSED,         REFUSED),
    ("customer.assign",  POOL_INSIDE,   REFUSED,         APPLIED),  # a rep never; Oz's pool
    ("customer.assign",  MISSING,       REFUSED,         REFUSED),
    ("customer.assign",  MOVED,         REFUSED,         None),
    ("customer.transfer", OWN,          REFUSED,         REFUSED),  # Dan's GD: not Sichuan
    ("customer.transfer", OTHER_REP,    REFUSED,         REFUSED),
    ("customer.transfer", OTHER_TEAM,   REFUSED,         REFUSED),
    ("customer.transfer", POOL_OUTSIDE, REFUSED,         REFUSED),
    ("customer.transfer", POOL_INSIDE,  REFUSED,         APPLIED),
    ("customer.transfer", MISSING,      REFUSED,         REFUSED),
    ("customer.transfer", MOVED,        REFUSED,         None),
    # N: a whole book (one customer's move judged as customer.transfer is; ``applied`` here: it
    # moved) and a complaint given to a rep (the target's complaint, to Bo / Dan)
    ("book.transfer",    OWN,           REFUSED,         REFUSED),  # Dan's GD: not Sichuan
    ("book.transfer",    OTHER_REP,     REFUSED,         REFUSED),
    ("book.transfer",    OTHER_TEAM,    REFUSED,         REFUSED),
    ("book.transfer",    POOL_OUTSIDE,  REFUSED,         REFUSED),
    ("book.transfer",    POOL_INSIDE,   REFUSED,         REFUSED),  # a book is a rep's customers
    ("book.transfer",    MISSING,       REFUSED,         REFUSED),
    ("book.transfer",    MOVED,         REFUSED,         None),
    ("feedback.assign",  OWN,           REFUSED,         APPLIED),  # a rep never; Cy's to Dan
    ("feedback.assign",  OTHER_REP,     REFUSED,         REFUSED),
    ("feedback.assign",  OTHER_TEAM,    REFUSED,         REFUSED),
    ("feedback.assign",  POOL_OUTSIDE,  REFUSED,         REFUSED),  # Bo's complaint: East's
    ("feedback.assign",  POOL_INSIDE,   REFUSED,         APPLIED),  # Dan's own complaint
    ("feedback.assign",  MISSING,       REFUSED,         REFUSED),
    ("feedback.assign",  MOVED,         REFUSED,         None),
    # O: a rep's goals; the target is the rep who wrote the target's record (Oz: Cy, Dan his own)
    ("rep.goals",        OWN,           REFUSED,         APPLIED),  # Ana's own; Cy, Oz's rep
    ("rep.goals",        OTHER_REP,     REFUSED,         REFUSED),
    ("rep.goals",        OTHER_TEAM,    REFUSED,         REFUSED),
    ("rep.goals",        POOL_OUTSIDE,  REFUSED,         REFUSED),
    ("rep.goals",        POOL_INSIDE,   REFUSED,         APPLIED),  # Dan, Oz's rep
    ("rep.goals",        MISSING,       REFUSED,         REFUSED),
    ("rep.goals",        MOVED,         REFUSED,         None),
]
MANAGER_TARGET = {"ana": "bo", "oz": "dan"}
"""Whom a manager's action gives the customer to, by caller."""

CELLS = [(caller, kind, target, expect)
         for kind, target, *expected in MATRIX
         for caller, expect in zip(CALLERS, expected, strict=True) if expect is not None]


def cell_id(cell: tuple) -> str:
    caller, kind, target, expect = cell
    return f"{caller}-{kind}-{target}-{expect}"


VISIT_TOUCHES = frozenset({"last_visit_at", "owner_visit_at", "version", "updated_at"})
OWNER_VISIT_TOUCHES = VISIT_TOUCHES | {"protected_until", "deal_at"}
OWNERSHIP = frozenset({"owner_id", "owner_name", "claimed_at", "protected_until",
                       "previous_owner_id", "cooloff_until", "claimable_at", "pool_reason",
                       "version", "updated_at"})
UPDATES = {
    "feedback": {"status": "resolved", "resolution": secret(ATTACK, "resolution")},
    "followup": {"status": "done", "title": secret(ATTACK, "title")},
}


def attack_fields(kind: str, customer_id: str, province: str) -> dict:
    """The attacker's own content for ``kind``: only ``attack`` markers."""
    now = datetime.now(UTC).isoformat()
    return {
        "visit.create": {"customer_id": customer_id, "at": now, "kind": "visit",
                         "outcome": secret(ATTACK, "outcome"), "notes": secret(ATTACK, "notes"),
                         "amount": 1234.5},
        "feedback.create": {"customer_id": customer_id, "at": now, "kind": "complaint",
                            "severity": "low", "text": secret(ATTACK, "text")},
        "followup.create": {"customer_id": customer_id, "title": secret(ATTACK, "title"),
                            "due": (date.today() + timedelta(days=5)).isoformat()},
        "feedback.update": UPDATES["feedback"],
        "followup.update": UPDATES["followup"],
        "customer.create": {"name": secret(ATTACK, "name"), "province": province, "tier": "B",
                            "contacts": [{"name": secret(ATTACK, "contact"),
                                          "phone": "+86 571 8888 0000"}]},
        "customer.update": {"name": secret(ATTACK, "name"),
                            "product_lines": [secret(ATTACK, "product")]},
        "customer.claim": {},
        "customer.return": {"reason": "other"},
        "customer.assign": {},  # the rep it goes to: build_attack, by caller
        "customer.transfer": {},
        "book.transfer": {},
        "feedback.assign": {},
        "rep.goals": {},
    }[kind]


def build_attack(world: AttackWorld, caller: str, kind: str,
                 target: str) -> tuple[dict, dict[tuple[str, str], Permit]]:
    """The mutation, and what it may change if the server applies it."""
    entity, verb = kind.split(".")
    me = world.id(caller)
    customer_key, author = TARGETS[caller].get(target, (None, None))
    home = TARGETS[caller][POOL_INSIDE][0]
    province = TERRITORIES[CUSTOMERS[home][0]]
    fresh = str(uuid.uuid4())
    permits: dict[tuple[str, str], Permit] = {}
    base_version = None

    if kind == "rep.goals":  # O: the rep the target names, or an id no rep has
        record_id = world.id(author) if customer_key else fresh
        fields = {"goals": {"visits_per_week": 33}, "effective": date.today().isoformat()}
        permits[("rep", record_id)] = Permit(
            fields=frozenset({"goals", "goals_history", "version"}), why=kind,
            check=lambda r: r["goals"]["visits_per_week"] == 33)
    elif kind == "feedback.assign":
        record_id = (world.id(history_key(author, "feedback", customer_key))
                     if customer_key else fresh)
        to = world.id(MANAGER_TARGET[caller])
        fields = {"assignee_id": to}
        permits[("feedback", record_id)] = Permit(
            fields=frozenset({"assignee_id", "version"}), why=kind,
            check=lambda r: r.get("assignee_id") == to)
    elif entity in ("visit", "feedback", "followup") and verb == "create":
        if target == OTHER_REP:  # another rep's record id, for the caller's own customer
            record_id = world.id(history_key(author, entity, customer_key))
            customer_key = TARGETS[caller][OWN][0]
        else:
            record_id = fresh
        customer_id = world.id(customer_key) if customer_key else str(uuid.uuid4())
        fields = attack_fields(kind, customer_id, province)
        permits[(entity, record_id)] = Permit(
            new=True, why=f"{caller}'s {kind}",
            check=lambda r: r.get("rep_id") == me and r.get("customer_id") == customer_id)
        if entity == "visit":
            owner = CUSTOMERS.get(customer_key, (None, None))[1]
            touches = OWNER_VISIT_TOUCHES if owner == caller else VISIT_TOUCHES
            permits[("customer", customer_id)] = Permit(fields=touches, why="a visit")
    elif verb == "update" and entity in UPDATES:
        record_id = (world.id(history_key(author, entity, customer_key))
                     if customer_key else fresh)
        fields = attack_fields(kind, "", province)
        permits[(entity, record_id)] = Permit(fields=frozenset(fields) | {"version"},
                                              why=kind)
        if kind == "feedback.update":  # K: a resolution, by the server's clock, and its re-visit
            permits[(entity, record_id)] = Permit(
                fields=frozenset(fields) | {"version"} | COMPLAINT_SERVER_FIELDS, why=kind)
            permits[("followup", revisit_id(record_id))] = Permit(
                new=True, why="the re-visit a resolution schedules",
                check=lambda r: r.get("source") == "revisit"
                and r.get("feedback_id") == record_id)
    else:  # the customer kinds
        record_id = world.id(customer_key) if customer_key else fresh
        fields = attack_fields(kind, "", province)
        if verb == "create":
            permits[("customer", record_id)] = Permit(
                new=True, why="a new customer", check=lambda r: r.get("owner_id") == me)
        elif verb == "update":
            with db.reading(world.engine) as conn:
                base_version = (db.get_record(conn, "customer", record_id) or {}).get("version")
            permits[("customer", record_id)] = Permit(
                fields=frozenset(fields) | {"search_keys", "version", "updated_at"}, why=kind)
        elif verb in ("assign", "transfer"):
            to = world.id(MANAGER_TARGET[caller])
            fields = {"rep_id" if verb == "assign" else "to_rep_id": to}
            if entity == "book":  # the whole book of the customer's owner, this one in it
                with db.reading(world.engine) as conn:
                    owner = (db.get_record(conn, "customer", record_id) or {}).get("owner_id")
                fields = {"from": owner or me, "to": [to], "moves": [[record_id, 0]]}
                record_id = fresh
            cid = fields["moves"][0][0] if entity == "book" else record_id
            permits[("customer", cid)] = Permit(
                fields=OWNERSHIP, why=kind, check=lambda r: r.get("owner_id") == to)
            permits.update(carried_work(world, cid, to))
        elif verb == "return":
            permits[("customer", record_id)] = Permit(
                fields=OWNERSHIP, why="a return", check=lambda r: r.get("owner_id") is None)
        else:
            permits[("customer", record_id)] = Permit(
                fields=OWNERSHIP, why="a claim", check=lambda r: r.get("owner_id") == me)
    mutation = {"op_id": str(uuid.uuid4()), "kind": kind, "record_id": record_id,
                "fields": fields, "base_version": base_version}
    return mutation, permits


def carried_work(world: AttackWorld, customer_id: str, to: str) -> dict[tuple[str, str], Permit]:
    """N: what a customer's move may change besides it: its open complaints get the new owner as
    assignee, the previous owner's open follow-ups become the new owner's."""
    from server.schema import records

    with db.reading(world.engine) as conn:
        rows = conn.execute(records.select().where(records.c.customer_id == customer_id,
                                                   records.c.entity.in_(("feedback",
                                                                         "followup"))))
        found = [(row.entity, row.id) for row in rows]
    return {(entity, rid): Permit(
        fields=frozenset({"assignee_id" if entity == "feedback" else "rep_id", "version"}),
        why="open work moves with its customer",
        check=lambda r, e=entity: r.get("assignee_id" if e == "feedback" else "rep_id") == to)
        for entity, rid in found}


def run_cell(world: AttackWorld, caller: str, kind: str, target: str, expect: str,
             client=None) -> None:
    """One attack: push it from the caller's laptop, then check the answer and the database."""
    mutation, permits = build_attack(world, caller, kind, target)
    before = Snapshot.take(world.engine)
    response = world.push(caller, mutation, client=client)
    assert_no_leak(response, audience(caller), f"the answer to {caller}'s {kind} at {target}")
    assert_coded(response, kind)
    if response.status_code == 200:
        result = response.json()["results"][0]
        status = result["status"]
        if kind == "book.transfer" and status == "applied":  # applied: this customer moved
            status = "applied" if mutation["fields"]["moves"][0][0] in result["params"][
                "moved"] else "rejected"
    else:
        result, status = response.json(), "refused"
    if expect == APPLIED:
        assert status == "applied", f"a legal {kind} by {caller} was not applied: {result}"
    elif expect == REFUSED:
        assert status in ("rejected", "refused"), (
            f"{caller}'s {kind} at {target} must be rejected, not {status}: {result}")
    else:
        assert status in ("applied", "rejected"), result
    applied = status in ("applied", "conflict")
    assert_changed_only(world.engine, before, world.id(caller), permits if applied else {})


def covers_every_kind_and_target() -> list[str]:
    """What the table misses: a mutation kind or a target without a row."""
    rows = {(kind, target) for kind, target, *_ in MATRIX}
    return [f"{kind.value} × {target}" for kind in MutationKind for target in TARGET_NAMES
            if (kind.value, target) not in rows
            and not (target == MOVED and kind.value.endswith(".update")
                     and not kind.value.startswith("customer"))]
