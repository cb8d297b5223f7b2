"""Laptops whose clocks are days off change no outcome of sync: who wins a claim, how long
protection runs, which of two edits stands, and the order of changes all follow the server.

The same scenario runs twice on fresh customers: once with every laptop's clock right, once with
one laptop 5 days ahead, one 3 days behind and one 40 days ahead (the manager's, so far ahead
that it believes a rep's protection has lapsed and claims the customer for itself). The outcomes must be identical, and equal to what the
arrival order at the server dictates.
"""

from __future__ import annotations

import contextlib
import sys
from datetime import UTC, date, datetime, timedelta

import pytest

from sync.protocol.models import Policy
from sync.protocol.rules import as_datetime, protection_on_claim
from tests.sync._harness import Laptop, Org, engine_for, sync_until_settled

pytestmark = [
    pytest.mark.timeout(240),
    # Far is the team's manager: a rep never sees another rep's customers, a manager does, so
    # only Far can hold a stale-looking protection in its cache and try to break it
    pytest.mark.org(reps=["Ahead", "Behind"], managers=["Far"], customers=20),
]

_REAL_DATETIME = datetime
_REAL_DATE = date


@contextlib.contextmanager
def laptop_clock(offset: timedelta):
    """The client code (cache.*, sync.* but not the shared rules) sees ``now`` shifted by offset.

    fieldrep has no injectable clock in the store or the engine, so the client modules' own
    ``datetime``/``date`` names are swapped for shifted ones while the laptop acts.
    """

    class _Meta(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, _REAL_DATETIME)

    class _DateMeta(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, _REAL_DATE)

    class ShiftedDatetime(_REAL_DATETIME, metaclass=_Meta):
        @classmethod
        def now(cls, tz=None):
            return _REAL_DATETIME.now(tz) + offset

        @classmethod
        def utcnow(cls):
            return _REAL_DATETIME.now(UTC).replace(tzinfo=None) + offset

        @classmethod
        def today(cls):
            return _REAL_DATETIME.now() + offset

    class ShiftedDate(_REAL_DATE, metaclass=_DateMeta):
        @classmethod
        def today(cls):
            return (_REAL_DATETIME.now() + offset).date()

    swapped = []
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(("cache", "sync")):
            continue
        if name.startswith("sync.protocol"):
            continue
        for attr, real, fake in (
            ("datetime", _REAL_DATETIME, ShiftedDatetime),
            ("date", _REAL_DATE, ShiftedDate),
        ):
            if getattr(module, attr, None) is real:
                setattr(module, attr, fake)
                swapped.append((module, attr, real))
    try:
        yield
    finally:
        for module, attr, real in swapped:
            setattr(module, attr, real)


class Desk:
    """One laptop whose clock is ``offset`` off; every action runs under that clock."""

    def __init__(self, org: Org, tmp_path, name: str, offset: timedelta, run: str) -> None:
        self.laptop = Laptop(tmp_path / f"{run}-{name}", org.reps[name], org.url).login()
        self.offset = offset
        with self.clock():
            self.store = self.laptop.open()
            self.engine = engine_for(self.store)
            sync_until_settled(self.engine, self.store)

    def clock(self):
        return laptop_clock(self.offset)

    def sync(self) -> None:
        with self.clock():
            sync_until_settled(self.engine, self.store)

    def claim(self, customer_id: str) -> bool:
        """True if the laptop queued the claim (its own pre-check let it through)."""
        from cache import ValidationFailed

        with self.clock():
            try:
                self.store.claim(customer_id)
            except ValidationFailed:
                return False
            return True


def _scenario(org: Org, tmp_path, offsets: dict[str, timedelta], run: str, customers) -> dict:
    c_race1, c_race2, c_edit, c_visit = customers
    desks = {name: Desk(org, tmp_path, name, offsets[name], run) for name in offsets}
    ahead, behind, far = desks["Ahead"], desks["Behind"], desks["Far"]
    token = org.reps["Ahead"].token
    manager_token = org.reps["Far"].token  # the manager's feed carries both reps' visits
    with org.http(manager_token) as client:
        feed_start = client.get("/v1/sync/bootstrap", params={"limit": 1}).json()["cursor"]

    # claim races: the first claim to reach the server wins, whatever the clocks say
    assert behind.claim(c_race1) and ahead.claim(c_race1)
    behind.sync()
    claimed_at = _REAL_DATETIME.now(UTC)
    ahead.sync()
    assert ahead.claim(c_race2) and behind.claim(c_race2)
    ahead.sync()
    behind.sync()

    # a laptop 40 days ahead thinks Behind's protection ran out; the server knows better
    far.sync()  # Far sees Behind's claim first: only its clock differs between the two runs
    far_queued = far.claim(c_race1)
    far.sync()

    # two edits of one field: the first to arrive stands, the other becomes a conflict
    # (the address: what any rep may correct on a pool customer)
    with ahead.clock():
        ahead.store.update_customer(c_edit, {"address": "1 Ahead Road"})
    with behind.clock():
        behind.store.update_customer(c_edit, {"address": "2 Behind Road"})
    behind.sync()
    ahead.sync()

    # visits: feed order is arrival order, not the laptops' timestamps
    with ahead.clock():
        ahead.store.log_visit(c_visit, outcome="ahead first", notes=f"{run}-ahead")
    with behind.clock():
        behind.store.log_visit(c_visit, outcome="behind second", notes=f"{run}-behind")
    ahead.sync()
    behind.sync()
    for desk in desks.values():
        desk.sync()

    with org.http(manager_token) as client:
        feed, cursor = [], feed_start
        while True:
            page = client.get("/v1/sync/pull", params={"cursor": cursor, "limit": 500}).json()
            feed += page["changes"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
    visit_order = [
        c["record"]["notes"]
        for c in feed
        if c["entity"] == "visit" and c.get("record") and c["record"]["customer_id"] == c_visit
    ]
    scope = org.scope(org.reps["Behind"].token)["customer"]
    rep_names = {desk.store.session["rep_id"]: name for name, desk in desks.items()}
    race1 = scope[c_race1]
    policy = Policy(**org.me(token)["policy"])
    expected_until = protection_on_claim(claimed_at, policy)
    until = as_datetime(race1["protected_until"])
    outcome = {
        "race1_owner": rep_names.get(race1["owner_id"]),
        "race2_owner": rep_names.get(org.scope(token)["customer"][c_race2]["owner_id"]),
        "race1_protection_off_by_minutes": round(
            abs((until - expected_until).total_seconds()) / 600
        )
        * 10,
        "claims_rejected": sorted(
            name
            for name, desk in desks.items()
            if name != "Far" and any(r["kind"] == "customer.claim" for r in desk.store.rejections())
        ),
        "far_queued_a_claim": far_queued,
        "far_claim_rejected": any(r["kind"] == "customer.claim" for r in far.store.rejections()),
        "address": org.scope(token)["customer"][c_edit]["address"],
        "conflicts": sorted(
            name
            for name, desk in desks.items()
            if any(c["customer_id"] == c_edit for c in desk.store.conflicts())
        ),
        "visit_feed_order": [note.split("-", 1)[1] for note in visit_order],
        "owners_seen_by_everyone": {
            name: rep_names.get(desk.store.customer(c_race1)["owner_id"])
            for name, desk in desks.items()
            if desk.store.customer(c_race1) is not None
        },
    }
    for desk in desks.values():
        desk.store.close()
    return outcome


def test_laptop_clocks_days_off_change_no_outcome_of_claims_protection_edits_or_order(
    org, tmp_path
):
    customers = sorted(org.customers)
    right = _scenario(
        org,
        tmp_path,
        {"Ahead": timedelta(0), "Behind": timedelta(0), "Far": timedelta(0)},
        "right",
        customers[0:4],
    )
    skewed = _scenario(
        org,
        tmp_path,
        {"Ahead": timedelta(days=5), "Behind": timedelta(days=-3), "Far": timedelta(days=40)},
        "skewed",
        customers[4:8],
    )
    assert skewed["far_queued_a_claim"], "the +40 day laptop should believe protection lapsed"
    assert skewed["far_claim_rejected"], "the server let a skewed clock break protection"
    assert not right["far_queued_a_claim"]
    for outcome in (right, skewed):
        outcome.pop("far_queued_a_claim")
        outcome.pop("far_claim_rejected")
    assert skewed == right
    assert right["race1_owner"] == "Behind"
    assert right["race2_owner"] == "Ahead"
    assert right["race1_protection_off_by_minutes"] == 0
    assert right["claims_rejected"] == ["Ahead", "Behind"]
    assert right["address"] == "2 Behind Road"
    assert right["conflicts"] == ["Ahead"]
    assert right["visit_feed_order"] == ["ahead", "behind"]
