"""A hypothesis state machine: three laptops do random offline work and sync in random order.

Actions: log a visit (sometimes with a next step, which makes a follow-up), edit a customer
field, claim a customer, snooze a follow-up, go offline / online (the laptop's own link goes down),
crash (the Store object is dropped without closing and the store is opened again), and sync.
At the end everyone comes online, conflicts are resolved, and everyone syncs twice. Then:
every laptop equals the server's view of its scope; every visit written is on the server
exactly once; at most one rep's claim of a customer succeeded; and no claim of a customer
protected for another rep succeeded.

Each example gets its own territory, reps and customers on one shared server, so examples never
see each other. Sized for CI by the ``FIELDREP_STATEFUL_EXAMPLES`` / ``_STEPS`` env vars.
"""

from __future__ import annotations

import gc
import itertools
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from cache import locations
from tests.support.faultproxy import FaultProxy
from tests.sync._harness import (
    Laptop,
    Org,
    assert_converged,
    assert_exactly_once,
    engine_for,
    make_customers,
    sync_until_settled,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(600),
    pytest.mark.org(territories={}),  # each example seeds its own territory, reps and customers
]

LAPTOPS = 3
CUSTOMERS = 6
EXAMPLES = int(os.environ.get("FIELDREP_STATEFUL_EXAMPLES", "6"))
STEPS = int(os.environ.get("FIELDREP_STATEFUL_STEPS", "30"))

CI_SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each replay starts real processes
    suppress_health_check=list(HealthCheck),
)


class Client:
    """One laptop in the machine: its store, engine, own link to the server, and what it wrote."""

    def __init__(self, laptop: Laptop, proxy: FaultProxy) -> None:
        self.laptop = laptop
        self.proxy = proxy
        self.store = laptop.open()
        self.engine = engine_for(self.store)
        self.visits: dict[str, str] = {}
        self.claims: set[str] = set()
        self.last_mid = 0

    def note_outbox(self) -> None:
        self.last_mid = max([self.last_mid, *(m["mid"] for m in self.store.outbox())])

    def crash(self) -> None:
        """Drop the Store without closing it, as a killed process would, and open it again."""
        store = self.store
        self.store = self.engine = None
        _release_lock_only(store)
        del store
        gc.collect()
        self.store = self.laptop.open()
        self.engine = engine_for(self.store)


def _release_lock_only(store) -> None:
    """Let go of the OS lock the way process death does: close this process's descriptors of
    the store's lock file, touching nothing of the store itself (no final write, no flush)."""
    lock_file = (store.home / locations.LOCK).resolve()
    held = [
        int(fd)
        for fd in os.listdir("/proc/self/fd")
        if _points_at(f"/proc/self/fd/{fd}", lock_file)
    ]
    assert held, "the store did not hold its lock"
    for fd in held:
        os.close(fd)


def _points_at(link: str, path: Path) -> bool:
    try:
        return Path(os.readlink(link)) == path
    except OSError:  # the descriptor that listed the folder is gone by now
        return False


SLOTS = itertools.count()


def make_machine(org: Org, tmp_root):
    class SyncMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            slot = next(SLOTS)
            territory, province = f"T{slot}", f"Province{slot}"
            org.add_territory(territory, [province])
            holder = org.add_rep(f"Holder {slot}", [territory])
            reps = [org.add_rep(f"Rep {slot}-{i}", [territory]) for i in range(LAPTOPS)]
            rows = make_customers(CUSTOMERS, province, prefix=f"S{slot}")
            rows[0]["owner"] = holder.name  # protected for a rep with no laptop here
            org.import_customers(rows)
            self.customer_ids = [row["id"] for row in rows]
            self.protected_id = rows[0]["id"]
            self.holder_id = org.me(holder.token)["rep"]["id"]
            self.clients: list[Client] = []
            for i, rep in enumerate(reps):
                proxy = FaultProxy(org.server.port).start()
                laptop = Laptop(tmp_root / f"s{slot}-laptop{i}", rep, proxy.url).login()
                client = Client(laptop, proxy)
                sync_until_settled(client.engine, client.store)
                self.clients.append(client)

        # ------------------------------------------------------------------ offline work

        @rule(c=st.integers(0, LAPTOPS - 1), k=st.integers(0, CUSTOMERS - 1), step=st.booleans())
        def log_visit(self, c, k, step):
            from cache import NotFound, ValidationFailed

            client = self.clients[c]
            tag = f"{client.laptop.home.name}-v{len(client.visits)}"
            extra = (
                {"next_step": "call back", "due": date.today() + timedelta(days=3)} if step else {}
            )
            try:
                visit = client.store.log_visit(
                    self.customer_ids[k], outcome="met", notes=tag, **extra
                )
            except (NotFound, ValidationFailed):
                return  # not in this rep's scope (owned by another): refused while typing
            client.visits[visit["id"]] = tag
            client.note_outbox()

        @rule(
            c=st.integers(0, LAPTOPS - 1),
            k=st.integers(0, CUSTOMERS - 1),
            change=st.sampled_from(
                [
                    {"stage": "active"},
                    {"stage": "at_risk"},
                    {"tier": "A"},
                    {"tier": "B"},
                    {"address": "1 New Street"},
                    {"address": "2 Other Road"},
                ]
            ),
        )
        def edit_customer(self, c, k, change):
            from cache import NotFound, ValidationFailed

            client = self.clients[c]
            try:
                client.store.update_customer(self.customer_ids[k], dict(change))
            except (NotFound, ValidationFailed):
                return
            client.note_outbox()

        @rule(c=st.integers(0, LAPTOPS - 1), k=st.integers(0, CUSTOMERS - 1))
        def claim(self, c, k):
            from cache import NotFound, ValidationFailed

            client = self.clients[c]
            try:
                client.store.claim(self.customer_ids[k])
            except (NotFound, ValidationFailed):
                return
            client.claims.add(self.customer_ids[k])
            client.note_outbox()

        @rule(c=st.integers(0, LAPTOPS - 1), pick=st.integers(0, 50), days=st.integers(1, 20))
        def snooze(self, c, pick, days):
            from cache import NotFound, ValidationFailed

            client = self.clients[c]
            open_ones = client.store.followups()
            if not open_ones:
                return
            followup = open_ones[pick % len(open_ones)]
            try:
                client.store.snooze_followup(followup["id"], date.today() + timedelta(days=days))
            except (NotFound, ValidationFailed):
                return
            client.note_outbox()

        # ------------------------------------------------------------------ the world

        @rule(c=st.integers(0, LAPTOPS - 1))
        def go_offline(self, c):
            self.clients[c].proxy.go_down()

        @rule(c=st.integers(0, LAPTOPS - 1))
        def go_online(self, c):
            self.clients[c].proxy.come_up()

        @rule(c=st.integers(0, LAPTOPS - 1))
        def crash(self, c):
            self.clients[c].crash()

        @rule(c=st.integers(0, LAPTOPS - 1))
        def sync(self, c):
            client = self.clients[c]
            report = client.engine.sync()
            if not client.proxy.is_up:
                assert not report.ok, "a sync over a dead link claimed success"
                assert report.error, "a failed sync gave no reason"

        @precondition(lambda self: bool(self.clients))
        @invariant()
        def nothing_written_is_lost_on_the_laptop(self):
            for client in self.clients:
                held = [v["id"] for v in client.store.visits()]
                assert len(held) == len(set(held)), "a visit is held twice on a laptop"
                missing = set(client.visits) - set(held)
                assert not missing, f"visits vanished from {client.laptop.home.name}: {missing}"

        # ------------------------------------------------------------------ the end

        def teardown(self) -> None:
            try:
                if self.clients:
                    self._settle_and_check()
            finally:
                for client in self.clients:
                    if client.store is not None:
                        client.store.close()
                    client.proxy.stop()

        def _settle_and_check(self) -> None:
            for client in self.clients:
                client.proxy.come_up()
            for _ in range(3):  # push everything; resolve what conflicted; again
                for client in self.clients:
                    sync_until_settled(client.engine, client.store, attempts=5)
                conflicts = [(cl, cf) for cl in self.clients for cf in cl.store.conflicts()]
                for n, (client, conflict) in enumerate(conflicts):
                    client.store.resolve_conflict(conflict["id"], "mine" if n % 2 else "theirs")
                    client.note_outbox()
                if not conflicts:
                    break
            for _ in range(2):
                for client in self.clients:
                    sync_until_settled(client.engine, client.store, attempts=5)

            server_visits = [
                v for v in org.export("visits") if v["customer_id"] in self.customer_ids
            ]
            owners = {c["id"]: c.get("owner_id") for c in org.export("customers")}
            for client in self.clients:
                token = client.laptop.rep.token
                assert_converged(client.store, org, token, who=client.laptop.home.name)
                assert_exactly_once(server_visits, client.visits)
                device = client.store.session["device_id"]
                assert org.last_mid(token, device) == client.last_mid
            assert len(server_visits) == sum(len(c.visits) for c in self.clients)

            for customer_id in self.customer_ids:
                won = []
                for client in self.clients:
                    if customer_id not in client.claims:
                        continue
                    refused = any(
                        r["kind"] == "customer.claim" and r["record_id"] == customer_id
                        for r in client.store.rejections()
                    )
                    if not refused:
                        won.append(client.store.session["rep_id"])
                assert len(won) <= 1, f"{customer_id}: claims of {won} all succeeded"
                if won:
                    assert owners[customer_id] == won[0], "a claim succeeded but is not the owner"
            assert owners[self.protected_id] == self.holder_id, "a protected customer was taken"

    return SyncMachine


def test_random_offline_work_and_sync_order_converge_with_each_visit_once_and_one_owner(
    org, tmp_path
):
    run_state_machine_as_test(make_machine(org, tmp_path), settings=CI_SETTINGS)
