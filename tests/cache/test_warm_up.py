"""Building the search index in the background (``Store.warm_up``): the UI thread never waits
for the store's lock while it runs, nothing changed meanwhile is lost, and a search arriving
during a build waits for it rather than building a second index beside it."""

from __future__ import annotations

import random
import threading

import pytest

from bench.cache import build_customers
from cache.index import CustomerIndex
from tests.cache.conftest import ACME, SINOPEC
from tests.cache.test_search import _reference_search

WAIT_S = 10.0


@pytest.fixture
def held_build(monkeypatch):
    """``CustomerIndex.run_build`` paused until ``release`` is set; ``started`` is set once a
    build is running, ``calls`` counts the index builds of either kind."""
    started, release = threading.Event(), threading.Event()
    calls = {"run_build": 0, "search_parts": 0}
    run_build, search_parts = CustomerIndex.run_build, CustomerIndex._search_parts

    def paused(build):
        calls["run_build"] += 1
        started.set()
        assert release.wait(WAIT_S), "the test never released the build"
        run_build(build)

    def counted(*args, **kwargs):
        calls["search_parts"] += 1
        return search_parts(*args, **kwargs)

    monkeypatch.setattr(CustomerIndex, "run_build", staticmethod(paused))
    monkeypatch.setattr(CustomerIndex, "_search_parts", staticmethod(counted))
    return started, release, calls


def _in_thread(target) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def _finishes(action, timeout: float = 2.0):
    """Run ``action`` in a thread; its result, or fail if it is still waiting after ``timeout``."""
    result: dict = {}
    thread = _in_thread(lambda: result.setdefault("value", action()))
    thread.join(timeout)
    assert not thread.is_alive(), "the call waited for the background build"
    return result.get("value")


def test_reads_and_writes_do_not_wait_for_a_background_build(store, held_build):
    started, release, _calls = held_build
    builder = _in_thread(store.warm_up)
    assert started.wait(WAIT_S)
    # the UI thread's calls during the slow part of the build
    assert _finishes(lambda: store.customer(ACME))["name"] == "Acme Robotics"
    assert _finishes(lambda: store.all_customer_ids("name"))
    _finishes(lambda: store.update_customer(ACME, {"name": "Zephyr Robotics"}))
    release.set()
    builder.join(WAIT_S)
    assert store.search_ready
    # the rename made during the build is found under its new name only
    assert [c["id"] for c in store.search("zephyr")][:1] == [ACME]
    assert ACME not in [c["id"] for c in store.search("acme robotics")]


def test_a_search_during_a_background_build_waits_for_it_and_builds_once(store, held_build):
    started, release, calls = held_build
    builder = _in_thread(store.warm_up)
    assert started.wait(WAIT_S)
    threading.Timer(0.2, release.set).start()
    assert store.search("zgsh")[0]["id"] == SINOPEC  # waited for the build, then used it
    builder.join(WAIT_S)
    assert calls == {"run_build": 1, "search_parts": 1}


def test_a_failed_background_build_leaves_search_to_build_the_index(store, monkeypatch):
    def broken(build):
        build.done.set()
        raise MemoryError("no room")

    monkeypatch.setattr(CustomerIndex, "run_build", staticmethod(broken))
    with pytest.raises(MemoryError):
        store.warm_up()
    assert store.search("zgsh")[0]["id"] == SINOPEC


def test_a_build_overtaken_by_a_whole_rebuild_is_dropped():
    first = {c["id"]: c for c in build_customers(300, seed=1)}
    second = {c["id"]: c for c in build_customers(200, seed=2)}
    index = CustomerIndex()
    index.rebuild(first)
    build = index.begin_build()
    index.rebuild(second)  # e.g. a failed write reloaded the journal
    CustomerIndex.run_build(build)
    assert index.finish_build(build) is False
    assert index.sorted_ids("name") == CustomerIndex._search_parts(second)[0]


@pytest.mark.parametrize("seed", range(4))
def test_customers_changed_during_a_build_end_up_exactly_where_a_fresh_index_puts_them(seed):
    customers = build_customers(1500, seed=seed)
    by_id = {c["id"]: c for c in customers}
    index = CustomerIndex()
    index.rebuild(dict(by_id))
    live = index._customers  # the store's dict: changed in place, records replaced
    if seed % 2:
        index.sorted_ids("name")  # the territory listed them first: the build reuses the order
    build = index.begin_build()
    rng = random.Random(seed)
    for cid in rng.sample(sorted(by_id), 120):  # renames, new customers, deletions
        old = live[cid]
        roll = rng.random()
        if roll < 0.4:
            new = {**old, "name": rng.choice(["Acme Zeta", "中国石化江苏", "Beacon Star"]),
                   "search_keys": []}
            if new["name"] == "中国石化江苏":
                new["search_keys"] = ["zhongguoshihuajiangsu", "zgshjs"]
            live[cid] = new
            index.changed(cid, old, new)
        elif roll < 0.7:
            del live[cid]
            index.changed(cid, old, None)
        else:
            new = {**old, "id": f"{cid}-new", "name": old["name"] + " Shanghai"}
            live[new["id"]] = new
            index.changed(new["id"], None, new)
    CustomerIndex.run_build(build)
    assert index.finish_build(build) is True

    fresh = CustomerIndex()
    fresh.rebuild(dict(live))
    assert index.sorted_ids("name") == fresh.sorted_ids("name")
    for query in ("acme zeta", "zgshjs", "shanghai", "beacon", "zhongguo", "a", "acme zta"):
        assert index.search(query, 50) == fresh.search(query, 50), query
        expected = _reference_search(list(live.values()), query, 50)
        assert index.search(query, 50)[: len(expected)] == expected, query
