"""The sales rules both the server and the laptop apply: protection, cadence, territory, claims."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sync.protocol import Policy
from sync.protocol.rules import (
    add_days,
    claim_count,
    claim_refusal,
    days_left,
    next_visit_due,
    protection_after_owner_visit,
    protection_cap,
    protection_expiring,
    protection_lapsed,
    protection_on_claim,
    territory_covers,
)

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_working_days_skip_the_weekend():
    assert add_days(FRIDAY, 1, working_days_only=True) == FRIDAY + timedelta(days=3)
    assert add_days(FRIDAY, 1, working_days_only=False) == FRIDAY + timedelta(days=1)
    assert add_days(MONDAY, 5, working_days_only=True) == MONDAY + timedelta(days=7)


@given(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=6))
def test_working_days_land_on_a_weekday_and_never_before_calendar_days(days, offset):
    start = MONDAY + timedelta(days=offset)
    result = add_days(start, days, working_days_only=True)
    assert result >= start + timedelta(days=days)
    if days:
        assert result.weekday() < 5


def test_claim_protects_for_the_policy_days():
    policy = Policy(protection_days=10, working_days_only=False)
    assert protection_on_claim(MONDAY, policy) == MONDAY + timedelta(days=10)


def test_owner_visit_extends_but_never_past_the_cap_without_a_deal():
    policy = Policy(
        protection_days=10, visit_extension_days=3, max_protection_days=12, working_days_only=False
    )
    claimed = MONDAY
    until = protection_on_claim(claimed, policy)
    extended = protection_after_owner_visit(claimed, until, MONDAY, False, policy)
    assert extended == protection_cap(claimed, policy)  # 10 + 3 capped at 12
    with_deal = protection_after_owner_visit(claimed, until, MONDAY, True, policy)
    assert with_deal == until + timedelta(days=3)


@given(st.integers(min_value=0, max_value=60), st.booleans())
def test_owner_visit_never_shortens_protection(days_later, deal):
    policy = Policy(working_days_only=False)
    claimed = MONDAY
    until = MONDAY + timedelta(days=40)  # already beyond the cap, e.g. set by an earlier rule
    now = MONDAY + timedelta(days=days_later)
    assert protection_after_owner_visit(claimed, until, now, deal, policy) >= until


def test_lapsed_and_expiring_follow_the_clock():
    policy = Policy(warning_days=3)
    customer = {"owner_id": "r1", "protected_until": (MONDAY + timedelta(days=2)).isoformat()}
    assert protection_expiring(customer, MONDAY, policy)
    assert not protection_lapsed(customer, MONDAY)
    assert protection_lapsed(customer, MONDAY + timedelta(days=2))
    assert not protection_expiring({"owner_id": None}, MONDAY, policy)
    assert days_left(MONDAY + timedelta(days=2, hours=1), MONDAY) == 2


def test_cadence_due_from_last_visit_by_tier():
    policy = Policy()
    a = {"tier": "A", "last_visit_at": MONDAY.isoformat()}
    c = {"tier": "C", "last_visit_at": MONDAY.isoformat()}
    assert next_visit_due(a, policy) == date(2026, 12, 7)
    assert next_visit_due(c, policy) == (MONDAY + timedelta(days=90)).date()
    assert next_visit_due({"tier": "A"}, policy) is None


def test_territory_matches_city_or_province_and_the_listed_industries():
    territory = {"provinces": ["广东"], "cities": ["上海"], "industries": ["Chemicals"]}
    assert territory_covers(territory, {"province": "广东", "city": "深圳", "industry": "Chemicals"})
    assert territory_covers(territory, {"province": "上海", "city": "上海", "industry": "Chemicals"})
    assert not territory_covers(territory, {"province": "广东", "industry": "Retail"})
    assert not territory_covers(territory, {"province": "浙江", "city": "杭州", "industry": "Chemicals"})
    assert territory_covers({}, {"province": "浙江"})


def _refusal(customer, rep="r1", **kw):
    args = {"in_territory": True, "now": MONDAY, "claims_today": 0, "held": 0, "policy": Policy()}
    args.update(kw)
    refusal = claim_refusal(customer, rep, **args)
    return None if refusal is None else str(refusal)


def test_claim_refusals_name_the_reason():
    protected = {
        "name": "中国石化",
        "owner_id": "r2",
        "owner_name": "Li Wei",
        "protected_until": "2026-12-03T00:00:00+00:00",
    }
    assert _refusal(protected) == "owned by Li Wei, protected until 2026-12-03"
    assert _refusal({"name": "X"}, in_territory=False) == "X is outside your territories"
    assert "daily claim limit of 5" in _refusal({"name": "X"}, claims_today=5)
    assert "the limit is 200" in _refusal({"name": "X"}, held=200)
    assert _refusal({"name": "X", "owner_id": "r1"}) == "X is already yours"
    cooled = {"name": "X", "previous_owner_id": "r1", "cooloff_until": "2026-12-01T00:00:00+00:00"}
    assert "from 2026-12-01" in _refusal(cooled)
    assert _refusal(cooled, rep="r3") is None


def test_a_lapsed_claim_can_be_taken():
    lapsed = {"name": "X", "owner_id": "r2", "protected_until": "2026-11-01T00:00:00+00:00"}
    assert _refusal(lapsed) is None


def test_claim_refusals_carry_a_code_and_params():
    protected = {"name": "X", "owner_id": "r2", "owner_name": "Li Wei",
                 "protected_until": "2026-12-03T00:00:00+00:00"}
    refusal = claim_refusal(protected, "r1", in_territory=True, now=MONDAY, claims_today=0,
                            held=0, policy=Policy())
    assert (refusal.code, refusal.params) == ("claim.owned_by_until",
                                              {"who": "Li Wei", "until": "2026-12-03"})
    capped = claim_refusal({"name": "X"}, "r1", in_territory=True, now=MONDAY, claims_today=5,
                           held=0, policy=Policy())
    assert (capped.code, capped.params) == ("claim.daily_cap", {"cap": 5})


def test_a_rep_corrects_only_address_and_contacts_of_a_pool_customer_a_manager_any():
    from sync.protocol.rules import move_refusal, pool_edit_refusal

    pool = {"name": "X", "owner_id": None}
    refusal = pool_edit_refusal(pool, {"tier": "A", "name": "Y", "contacts": []}, role="rep")
    assert (refusal.code, refusal.params) == ("scope.pool_field", {"field": "name"})
    assert pool_edit_refusal(pool, {"address": "1 Road", "contacts": [], "lat": 1}, role="rep") \
        is None
    assert pool_edit_refusal(pool, {"tier": "A"}, role="manager") is None
    assert pool_edit_refusal({"owner_id": "r1"}, {"tier": "A"}, role="rep") is None
    assert pool_edit_refusal(pool, {}, role="rep") is None
    moved = move_refusal({"name": "X"}, covered_before=True, covered_after=False)
    assert (moved.code, moved.params) == ("scope.move_out", {"name": "X"})
    assert move_refusal({"name": "X"}, covered_before=False, covered_after=False) is None


def test_a_claim_made_today_is_one_customer_held_not_two():
    policy = Policy(timezone="Asia/Shanghai", max_held=3)
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    claimed = [now - timedelta(hours=2), datetime(2026, 11, 22, 15, 30, tzinfo=UTC).isoformat(),
               None]  # today; 23:30 yesterday in Shanghai; an assigned customer with no claim
    count = claim_count(3, claimed, now=now, policy=policy)
    assert (count.held, count.today) == (3, 1)
    refusal = claim_refusal({"name": "x"}, "rep", in_territory=True, now=now,
                            claims_today=count.today, held=count.held, policy=policy)
    assert refusal is not None and refusal.params == {"held": 3, "cap": 3}


def test_a_pending_claim_is_one_more_held_and_one_more_today():
    policy = Policy(timezone="UTC")
    count = claim_count(2, [], now=MONDAY, policy=policy, pending=1)
    assert (count.held, count.today) == (3, 1)
