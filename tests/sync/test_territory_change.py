"""A customer that leaves a rep's scope leaves that rep's cache as a tombstone, and the visits the
rep logged to it while offline still reach the server, once.

Two ways out of a scope: a manager transfers the customer to another rep, or the customer's
province is changed to one outside the rep's territories (by the team's manager: a rep may not
edit a pool customer before claiming it).
"""

from __future__ import annotations

import pytest

from tests.sync._harness import (
    Laptop,
    Org,
    assert_converged,
    assert_exactly_once,
    engine_for,
    log_visits,
    sync_until_settled,
)

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.org(
        territories={"East": ["Zhejiang"], "West": ["Sichuan"]},
        reps={"Ana": ["East"], "Bo": ["East", "West"]},
        managers=["Mei"],
        customers=12,
    ),
]


def _logged_in(org: Org, tmp_path, name: str):
    laptop = Laptop(tmp_path / name, org.reps[name], org.url).login()
    store = laptop.open()
    engine = engine_for(store)
    sync_until_settled(engine, store)
    return laptop, store, engine


def test_customer_transferred_away_leaves_the_cache_and_offline_visits_to_it_still_arrive(
    org, tmp_path
):
    ana, ana_store, ana_engine = _logged_in(org, tmp_path, "Ana")
    bo_rep_id = org.me(org.reps["Bo"].token)["rep"]["id"]
    customer_id = sorted(org.customers)[0]

    ana_store.claim(customer_id)
    sync_until_settled(ana_engine, ana_store)
    assert ana_store.customer(customer_id)["owner_id"] == ana_store.session["rep_id"]

    # Ana, offline, keeps working her customer; meanwhile the manager hands it to Bo
    written = log_visits(ana_store, 3, "ana-offline", [customer_id])
    org.transfer(org.reps["Mei"].token, customer_id, bo_rep_id)

    sync_until_settled(ana_engine, ana_store)
    assert ana_store.customer(customer_id) is None, "the transferred customer is still cached"
    assert customer_id not in ana_store.all_customer_ids()
    assert_exactly_once(org.export("visits"), written)
    kept = {v["id"] for v in ana_store.visits()}
    assert set(written) <= kept, "Ana's own visits to the lost customer vanished from her laptop"
    assert ana_store.pending_count() == 0
    assert_converged(ana_store, org, ana.rep.token, who="Ana")
    ana_store.close()


def test_customer_moved_out_of_the_territory_leaves_the_cache_and_offline_visits_still_arrive(
    org, tmp_path
):
    ana, ana_store, ana_engine = _logged_in(org, tmp_path, "Ana")
    mei, mei_store, mei_engine = _logged_in(org, tmp_path, "Mei")
    customer_id = sorted(org.customers)[1]

    written = log_visits(ana_store, 2, "ana-moved", [customer_id])
    # a pool customer: a rep may not move it before claiming it, the team's manager may
    mei_store.update_customer(customer_id, {"province": "Sichuan", "city": "Chengdu"})
    sync_until_settled(mei_engine, mei_store)

    sync_until_settled(ana_engine, ana_store)
    assert ana_store.customer(customer_id) is None, "a customer outside Ana's territory is cached"
    assert_exactly_once(org.export("visits"), written)
    assert ana_store.rejections() == [], "a visit made while the customer was Ana's was refused"
    assert_converged(ana_store, org, ana.rep.token, who="Ana")
    sync_until_settled(mei_engine, mei_store)  # Ana's visits changed the customer Mei sees
    assert_converged(mei_store, org, mei.rep.token, who="Mei")
    ana_store.close()
    mei_store.close()
