"""A manager's assign and transfer end to end, through a real server process on loopback: the
manager assigns two pool customers offline (``fieldrep assign``), a rep claims a third the
manager also assigned meanwhile, the manager syncs: two applied exactly once, the third comes
back rejected with its code, said in Chinese; the rep's cache then holds the two with their
ownership history. A book split previewed on the manager's laptop is what the server then does.
"""

from __future__ import annotations

import json

import pytest

from tests.sync._harness import Laptop, engine_for, sync_until_settled

pytestmark = [
    pytest.mark.timeout(240),
    pytest.mark.org(reps=["Ana", "Bo"], managers=["Mei"], customers=6),
]


def _synced(laptop: Laptop) -> None:
    with laptop.open() as store:
        sync_until_settled(engine_for(store), store)


def test_an_offline_assignment_reaches_the_rep_and_a_taken_one_comes_back(org, tmp_path):
    laptops = {name: Laptop(tmp_path / name, rep, org.url).login()
               for name, rep in org.reps.items()}
    for laptop in laptops.values():
        _synced(laptop)
    first, second, taken = sorted(org.customers)[:3]

    out = json.loads(laptops["Mei"].cli("assign", first, second, taken, "--to", "Ana", "--json"))
    assert [row["id"] for row in out] == [first, second, taken]
    with laptops["Bo"].open() as store:  # meanwhile Bo claims one of them
        store.claim(taken)
        sync_until_settled(engine_for(store), store)
    _synced(laptops["Mei"])
    _synced(laptops["Mei"])  # a second sync sends nothing again

    owners = {c["id"]: c.get("owner_id") for c in org.export("customers")}
    ana_id = org.me(org.reps["Ana"].token)["rep"]["id"]
    bo_id = org.me(org.reps["Bo"].token)["rep"]["id"]
    assert (owners[first], owners[second], owners[taken]) == (ana_id, ana_id, bo_id)
    with laptops["Mei"].open() as store:
        assert store.pending_count() == 0
        [rejection] = store.rejections()
        assert (rejection["kind"], rejection["code"]) == ("customer.assign",
                                                          "manager.not_pool_owned")
    shown = laptops["Mei"].cli("--lang", "zh", "status")
    assert "已不在公海：现在归 Bo" in shown, shown

    _synced(laptops["Ana"])
    with laptops["Ana"].open() as store:
        for cid in (first, second):
            assert store.customer(cid)["owner_id"] == ana_id
            assert [e["kind"] for e in store.ownership_history(cid)] == ["assign"]
        assert store.customer(taken) is None or store.customer(taken)["owner_id"] == bo_id
    events = [e for e in org.export("ownership") if e["customer_id"] == first]
    assert [e["kind"] for e in events] == ["assign"], "applied exactly once"

    # Ana's book split to Bo: the preview on Mei's laptop is what the server then does
    _synced(laptops["Mei"])
    args = ("transfer", "--from", "Ana", "--to", "Bo", "--reason", "Ana leaves")
    plan = json.loads(laptops["Mei"].cli(*args, "--preview", "--json"))
    assert {m["customer_id"] for m in plan["moves"]} == {first, second}
    laptops["Mei"].cli(*args)
    _synced(laptops["Mei"])
    owners = {c["id"]: c.get("owner_id") for c in org.export("customers")}
    assert {m["customer_id"]: owners[m["customer_id"]] for m in plan["moves"]} == {
        m["customer_id"]: m["to_rep_id"] for m in plan["moves"]}
    _synced(laptops["Bo"])
    with laptops["Bo"].open() as store:
        assert [store.customer(c)["owner_id"] for c in (first, second, taken)] == [bo_id] * 3
        assert [e["kind"] for e in store.ownership_history(first)] == ["assign", "transfer"]
