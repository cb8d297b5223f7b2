"""The pool's claim delay and recycle conditions as the shared rules decide them (J, issue 10):
``rules.claimable_from`` / ``claimable_refusal`` (a claim before ``claimable_at`` is refused,
naming the moment in the policy's zone) and ``rules.recycle_reason`` (no owner visit, no deal in
N days; 0 is off; both combinable), the same functions the server and the laptop run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from sync.protocol import rules
from sync.protocol.models import Policy

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # Wednesday, 10:00 in Shanghai
CALENDAR = {"working_days_only": False}


def _pool(**fields) -> dict:
    return {"id": "c1", "name": "杭州机械", "owner_id": None, **fields}


def _owned(days_ago: float, **fields) -> dict:
    return {"id": "c1", "name": "杭州机械", "owner_id": "r1", "owner_name": "Ana",
            "claimed_at": (NOW - timedelta(days=days_ago)).isoformat(),
            "protected_until": (NOW + timedelta(days=5)).isoformat(), **fields}


def _claim(customer: dict, policy: Policy, now: datetime = NOW):
    return rules.claim_refusal(customer, "r2", in_territory=True, now=now, claims_today=0,
                               held=0, policy=policy)


def test_no_delay_by_default_a_pooled_customer_is_claimable_at_once():
    assert Policy().pool_claim_delay_hours == 0
    assert rules.claimable_from(NOW, Policy()) is None
    assert _claim(_pool(claimable_at=None), Policy()) is None


def test_a_claim_before_the_delay_is_refused_naming_the_time_in_the_policy_zone():
    policy = Policy(pool_claim_delay_hours=24)
    at = rules.claimable_from(NOW, policy)
    assert at == (NOW + timedelta(hours=24)).isoformat()
    refusal = _claim(_pool(claimable_at=at), policy)
    assert refusal is not None and refusal.code == "claim.not_yet_claimable"
    assert refusal.params == {"name": "杭州机械", "at": "2026-12-03 10:00"}, "Shanghai time"
    assert "may be claimed from 2026-12-03 10:00" in str(refusal)
    assert _claim(_pool(claimable_at=at), policy, NOW + timedelta(hours=24)) is None


def test_the_delay_does_not_hide_an_owner_or_the_territory():
    policy = Policy(pool_claim_delay_hours=24)
    at = rules.claimable_from(NOW, policy)
    owned = _owned(1, claimable_at=at)
    assert _claim(owned, policy).code == "claim.owned_by_until"
    outside = rules.claim_refusal(_pool(claimable_at=at), "r2", in_territory=False, now=NOW,
                                  claims_today=0, held=0, policy=policy)
    assert outside.code == "scope.outside_territory"


def test_recycling_is_off_by_default():
    assert rules.recycle_reason(_owned(400), Policy(), NOW) is None


def test_no_owner_visit_in_n_days_counts_from_the_last_owner_visit_or_the_claim():
    policy = Policy(recycle_no_visit_days=7, **CALENDAR)
    assert rules.recycle_reason(_owned(6), policy, NOW) is None
    code, params = rules.recycle_reason(_owned(7), policy, NOW)
    assert code == "history.reclaimed.no_visit_days"
    assert params == {"who": "Ana", "days": 7, "last": "2026-11-25", "since": "2026-11-25"}
    seen = (NOW - timedelta(days=3)).isoformat()
    assert rules.recycle_reason(_owned(30, owner_visit_at=seen), policy, NOW) is None
    stale = (NOW - timedelta(days=40)).isoformat()  # a previous owner's visit: the claim counts
    assert rules.recycle_reason(_owned(2, owner_visit_at=stale), policy, NOW) is None


def test_no_deal_in_n_days_of_the_claim_and_a_deal_stops_it():
    policy = Policy(recycle_no_deal_days=20, **CALENDAR)
    seen = (NOW - timedelta(days=1)).isoformat()
    assert rules.recycle_reason(_owned(19, owner_visit_at=seen), policy, NOW) is None
    code, params = rules.recycle_reason(_owned(20, owner_visit_at=seen), policy, NOW)
    assert (code, params) == ("history.reclaimed.no_deal_days",
                              {"who": "Ana", "days": 20, "since": "2026-11-12"})
    deal = _owned(60, owner_visit_at=seen, deal_at=seen)
    assert rules.recycle_reason(deal, policy, NOW) is None


def test_both_conditions_combine_and_the_no_visit_one_is_said_first():
    policy = Policy(recycle_no_visit_days=10, recycle_no_deal_days=30, **CALENDAR)
    visited = (NOW - timedelta(days=2)).isoformat()
    assert rules.recycle_reason(_owned(12, owner_visit_at=visited), policy, NOW) is None
    assert rules.recycle_reason(_owned(12), policy, NOW)[0] == "history.reclaimed.no_visit_days"
    assert rules.recycle_reason(_owned(31, owner_visit_at=visited), policy,
                                NOW)[0] == "history.reclaimed.no_deal_days"
    assert rules.recycle_reason(_owned(31), policy, NOW)[0] == "history.reclaimed.no_visit_days"
    assert rules.recycle_reason(_pool(), policy, NOW) is None


def test_working_days_count_as_protection_does():
    policy = Policy(recycle_no_visit_days=5, working_days_only=True)
    # claimed Wednesday 25 Nov: five working days later is Wednesday 2 Dec
    assert rules.recycle_reason(_owned(7), policy, NOW) is not None
    assert rules.recycle_reason(_owned(6), policy, NOW) is None


def test_the_owner_visit_is_dated_by_the_visit_and_another_reps_is_not():
    owned = _owned(3)
    at = NOW - timedelta(hours=2)
    mine = rules.visit_effects(owned, rep_id="r1", at=at, amount=None, now=NOW,
                               policy=Policy())
    assert mine["owner_visit_at"] == at.isoformat()
    theirs = rules.visit_effects(owned, rep_id="r2", at=at, amount=None, now=NOW,
                                 policy=Policy())
    assert theirs["owner_visit_at"] == owned["claimed_at"], "the owner's last sight kept"
    seen = rules.visit_effects({**owned, "owner_visit_at": at.isoformat()}, rep_id="r2",
                               at=NOW, amount=None, now=NOW, policy=Policy())
    assert "owner_visit_at" not in seen, "another rep's visit never moves it"


@pytest.mark.parametrize("key", ["pool_claim_delay_hours", "recycle_no_visit_days",
                                 "recycle_no_deal_days"])
@pytest.mark.parametrize("value", [-1, 10**9, "soon", None, True, 1.5, float("nan")])
def test_hostile_values_are_refused_by_the_model(key, value):
    with pytest.raises(ValidationError):
        Policy.model_validate({key: value})
