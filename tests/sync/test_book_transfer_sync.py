"""A rep's whole book moved in one operation, end to end through a real server process on
loopback: Ana leaves with 5,000 customers; the manager previews the split offline and queues it
(``fieldrep transfer --from Ana --to Bo,Cy``: one ``book.transfer`` in the outbox), while one of
the customers is moved by hand meanwhile. One sync: every other customer is moved exactly once,
evenly, with its open follow-up; the one moved meanwhile comes back as its own rejection, said in
Chinese; Ana's laptop loses the customers and the follow-up, Bo's gains them.
"""

from __future__ import annotations

import json

import pytest

from tests.sync._harness import Laptop, engine_for, make_customers, sync_until_settled

BOOK = 5_000

pytestmark = [
    pytest.mark.timeout(600),
    pytest.mark.org(reps=["Ana", "Bo", "Cy"], managers=["Mei"]),
]


def _synced(laptop: Laptop) -> None:
    with laptop.open() as store:
        sync_until_settled(engine_for(store), store)


def test_a_book_of_5000_moves_in_one_operation_with_its_open_work(org, tmp_path):
    org.admin("policy", "set", f"max_held={2 * BOOK}")
    rows = make_customers(BOOK, "Zhejiang", prefix="Book")
    org.import_customers([{**row, "owner": "Ana"} for row in rows])
    ids = {r["id"] for r in rows}
    laptops = {name: Laptop(tmp_path / name, rep, org.url).login()
               for name, rep in org.reps.items()}
    for laptop in laptops.values():
        _synced(laptop)
    rep_id = {name: org.me(rep.token)["rep"]["id"] for name, rep in org.reps.items()}
    first, meanwhile = sorted(ids)[:2]
    with laptops["Ana"].open() as store:
        followup = store.add_followup(first, title="bring the catalogue", due="2026-12-20")
        sync_until_settled(engine_for(store), store)

    args = ("transfer", "--from", "Ana", "--to", "Bo,Cy", "--reason", "Ana leaves")
    plan = json.loads(laptops["Mei"].cli(*args, "--preview", "--json"))
    assert len(plan["moves"]) == BOOK
    laptops["Mei"].cli(*args)
    with laptops["Mei"].open() as store:
        [book] = store.outbox()
        assert book["kind"] == "book.transfer" and len(book["fields"]["moves"]) == BOOK
    org.transfer(org.reps["Mei"].token, meanwhile, rep_id["Cy"])  # by hand, meanwhile

    _synced(laptops["Mei"])
    owners = {c["id"]: c.get("owner_id") for c in org.export("customers")}
    planned = {m["customer_id"]: m["to_rep_id"] for m in plan["moves"]}
    assert {cid: owners[cid] for cid in ids - {meanwhile}} == {
        cid: planned[cid] for cid in ids - {meanwhile}}
    counts = sorted(list(owners.values()).count(rep_id[n]) for n in ("Bo", "Cy"))
    assert counts[1] - counts[0] <= 2, counts  # even (the hand-moved one went to Cy)
    events = [e for e in org.export("ownership") if e["kind"] == "transfer"]
    assert len(events) == BOOK, "each customer moved exactly once"
    with laptops["Mei"].open() as store:
        assert store.pending_count() == 0
        [rejection] = store.rejections()
        assert (rejection["code"], rejection["customer_id"]) == ("book.moved_meanwhile",
                                                                 meanwhile)
    shown = laptops["Mei"].cli("--lang", "zh", "status")
    assert "已不归 Ana：未转移" in shown, shown
    _synced(laptops["Mei"])  # nothing is sent again
    assert len([e for e in org.export("ownership") if e["kind"] == "transfer"]) == BOOK

    taker = next(n for n in ("Bo", "Cy") if rep_id[n] == planned[first])
    for name in ("Ana", taker):
        _synced(laptops[name])
    with laptops["Ana"].open() as store:
        assert store.customer(first) is None
        assert not [f for f in store.followups() if f["id"] == followup["id"]]
    with laptops[taker].open() as store:
        assert store.customer(first)["owner_id"] == rep_id[taker]
        [moved] = [f for f in store.followups() if f["id"] == followup["id"]]
        assert moved["rep_id"] == rep_id[taker]
        assert [e["kind"] for e in store.ownership_history(first)] == ["import", "transfer"]
