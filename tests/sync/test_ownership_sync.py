"""The ownership history end to end, through a real server process on loopback: a rep claims two
customers, returns one with a reason (``fieldrep return``), the manager transfers the other; each
laptop's cache then holds exactly the events of its audience (the new owner the whole trail, the
old owner the events that took the customers away, the manager both trails), a rep of another
team holds none and its manager only the pool customer's, the history survives a restart and a
fresh copy, and ``fieldrep history`` reads it, beside a running workspace too.
"""

from __future__ import annotations

import json

import pytest

from tests.sync._harness import Laptop, Org, Rep, engine_for, sync_until_settled

pytestmark = [
    pytest.mark.timeout(240),
    pytest.mark.org(reps=["Ana", "Bo"], managers=["Mei"], customers=6),
]


def _other_team(org: Org) -> dict[str, Rep]:
    """Cy (a rep) and Oz (a manager) of another team, covering the same territory."""
    org.admin("add-team", "Other", "--grouping", "region")
    people = {}
    for name, role in (("Cy", "rep"), ("Oz", "manager")):
        out = org.admin("add-rep", name, "--team", "Other", "--territories", "East",
                        "--role", role)
        people[name] = Rep(name, out.strip().splitlines()[-1].strip(), ["East"], role)
    return people


def _synced(laptop: Laptop) -> None:
    with laptop.open() as store:
        sync_until_settled(engine_for(store), store)


def _trails(laptop: Laptop, *customer_ids: str) -> dict[str, list[str]]:
    """The kinds of event the laptop's cache holds per customer (opened afresh: from disk)."""
    with laptop.open() as store:
        return {cid: [e["kind"] for e in store.ownership_history(cid)] for cid in customer_ids}


def test_the_history_reaches_its_audience_and_no_other_cache(org, tmp_path):
    others = _other_team(org)
    laptops = {name: Laptop(tmp_path / name, rep, org.url).login()
               for name, rep in {**org.reps, **others}.items()}
    kept, returned = sorted(org.customers)[:2]
    for laptop in laptops.values():
        _synced(laptop)
    with laptops["Ana"].open() as store:
        store.claim(kept)
        store.claim(returned)
        sync_until_settled(engine_for(store), store)

    out = laptops["Ana"].cli("return", returned, "--reason", "closed_business", "--json")
    assert json.loads(out)["return_pending"] is True
    laptops["Ana"].cli("sync")
    bo_id = org.me(org.reps["Bo"].token)["rep"]["id"]
    org.transfer(org.reps["Mei"].token, kept, bo_id)
    for laptop in laptops.values():
        _synced(laptop)

    assert _trails(laptops["Bo"], kept, returned) == {kept: ["claim", "transfer"], returned: []}
    assert _trails(laptops["Ana"], kept, returned) == {kept: ["transfer"], returned: ["return"]}
    assert _trails(laptops["Mei"], kept, returned) == {kept: ["claim", "transfer"],
                                                       returned: ["claim", "return"]}
    with laptops["Cy"].open() as store:  # a rep of another team, whose territory holds both
        assert store.ownership_history(kept) == store.ownership_history(returned) == []
        assert not store._docs.archive["ownership"], "a rep holds another rep's history"
    # another team's manager: nothing of a customer another team owns; of a pool customer their
    # team may claim, why it is in the pool (as the pool screen shows it)
    assert _trails(laptops["Oz"], kept, returned) == {kept: [], returned: ["claim", "return"]}

    with laptops["Ana"].open() as store:
        assert store.customer(kept) is None, "transferred away"
        assert [p["customer_id"] for p in store.pool_returns()] == [], (
            "her own return is not news of the pool to her")
        [event] = store.ownership_history(returned)
        assert (event["reason"], event["params"]["reason"]) == ("history.returned",
                                                                "closed_business")
        # a reader beside the workspace that holds the store: the history reads all the same
        shown = laptops["Ana"].cli("history", kept, "--lang", "zh")
        assert "转移" in shown and "从 Ana 转给 Bo" in shown, shown
        listed = json.loads(laptops["Ana"].cli("history", returned, "--json"))
        assert [e["why"] for e in listed] == ["Ana returned it to the pool: the business has closed"]

    # a fresh copy (bootstrap) brings the same trail
    again = Laptop(tmp_path / "Bo-again", org.reps["Bo"], org.url).login()
    _synced(again)
    assert _trails(again, kept, returned) == {kept: ["claim", "transfer"], returned: []}
