"""Sharing the pool out, as pure rules: who each strategy may give a customer to
(``eligible_for``) and who of them gets it, with the why the audit keeps (``choose_assignee``)."""

from __future__ import annotations

import pytest

from sync.protocol.rules import STRATEGIES, choose_assignee, eligible_for

TERRITORIES = {
    "ana": [{"provinces": ["Zhejiang"], "cities": []}],
    "bo": [{"provinces": [], "cities": ["杭州"]}],
    "cy": [{"provinces": ["Sichuan"], "customer_types": ["B2C"]}],
    "dan": [{"industries": ["chemicals"]}, {"customer_types": ["B2B"]}],
    "eve": [],
}
REPS = [{"id": rep_id, "name": rep_id.title()} for rep_id in TERRITORIES]


def _eligible(strategy: str, **customer: str) -> list[str]:
    return [rep["id"] for rep in eligible_for(strategy, customer, REPS, TERRITORIES.__getitem__)]


def test_round_robin_may_give_a_customer_to_any_rep_in_the_order_given():
    assert _eligible("round-robin", province="Mars") == ["ana", "bo", "cy", "dan", "eve"]


def test_region_takes_the_reps_whose_territories_name_the_province_or_the_city():
    assert _eligible("region", province="Zhejiang", city="杭州") == ["ana", "bo"]
    assert _eligible("region", province="Zhejiang", city="宁波") == ["ana"]
    assert _eligible("region", province="Jiangsu", city="杭州") == ["bo"], "the city alone"
    assert _eligible("region", province="Fujian", city="福州") == []


def test_customer_type_takes_the_reps_whose_territories_list_the_type_in_any_territory():
    assert _eligible("customer-type", customer_type="B2C", industry="chemicals") == ["cy"]
    assert _eligible("customer-type", customer_type="B2B", industry="retail") == ["dan"]


def test_industry_takes_only_the_reps_whose_territories_list_the_industry():
    assert _eligible("industry", industry="chemicals", customer_type="B2C") == ["dan"]
    assert _eligible("industry", industry="B2B", customer_type="B2B") == [], (
        "a value listed as a customer type does not count as an industry")


def test_every_strategy_the_server_offers_is_a_rule_here():
    assert STRATEGIES == ("round-robin", "region", "customer-type", "industry")
    for strategy in STRATEGIES:
        assert isinstance(_eligible(strategy, province="Zhejiang"), list)
    with pytest.raises(KeyError):
        _eligible("lottery", province="Zhejiang")


def _choose(candidates: list[str], this_round: dict[str, int], held: dict[str, int],
            max_held: int = 10) -> tuple[str, str] | None:
    reps = [rep for rep in REPS if rep["id"] in candidates]
    choice = choose_assignee("region", reps, this_round, held, max_held)
    return None if choice is None else (choice[0]["id"], choice[1])


def test_the_rep_with_the_fewest_assignments_this_round_gets_the_customer():
    chosen, why = _choose(["ana", "bo"], {"ana": 2, "bo": 1}, {"ana": 0, "bo": 5}) or ("", "")
    assert chosen == "bo", "this round counts before what they hold"
    assert why == "region: Bo had the fewest assignments this round (1) among 2 eligible"


def test_a_tie_this_round_goes_to_who_holds_fewer_then_by_name():
    assert _choose(["ana", "bo"], {"ana": 1, "bo": 1}, {"ana": 4, "bo": 3})[0] == "bo"
    assert _choose(["bo", "ana"], {"ana": 1, "bo": 1}, {"ana": 3, "bo": 3})[0] == "ana"


def test_a_rep_at_the_held_limit_is_passed_over_and_not_counted_as_eligible():
    chosen, why = _choose(["ana", "bo", "cy"], {"ana": 0, "bo": 3, "cy": 4},
                          {"ana": 10, "bo": 2, "cy": 1}) or ("", "")
    assert chosen == "bo"
    assert why.endswith("(3) among 2 eligible"), why


def test_nobody_gets_it_when_every_candidate_is_at_the_limit_or_there_are_none():
    assert _choose(["ana", "bo"], {"ana": 0, "bo": 0}, {"ana": 10, "bo": 11}) is None
    assert _choose([], {}, {}) is None
