"""What a claim, a visit and a complaint set on a record: one rule each, shared by the server's
handlers, the import, the assignment and the laptop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync.protocol import Policy
from sync.protocol.rules import claim_fields, complaint_defaults, visit_effects

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
POLICY = Policy(protection_days=10, visit_extension_days=3, max_protection_days=30,
                working_days_only=False)


def test_a_claim_makes_the_rep_owner_from_now_protected_for_the_policy_days():
    assert claim_fields("r1", "Ana", NOW, POLICY) == {
        "owner_id": "r1", "owner_name": "Ana", "claimed_at": NOW.isoformat(),
        "protected_until": (NOW + timedelta(days=10)).isoformat()}


def _owned(**fields: object) -> dict:
    claimed = NOW - timedelta(days=5)
    return {"owner_id": "r1", "claimed_at": claimed.isoformat(),
            "protected_until": (claimed + timedelta(days=10)).isoformat(), **fields}


def test_the_owners_visit_moves_the_last_visit_and_extends_protection():
    at = NOW - timedelta(hours=2)
    effects = visit_effects(_owned(), rep_id="r1", at=at, amount=None, now=NOW, policy=POLICY)
    assert effects == {"last_visit_at": at.isoformat(), "owner_visit_at": at.isoformat(),
                       "protected_until": (NOW + timedelta(days=8)).isoformat()}


def test_an_earlier_visit_keeps_the_later_last_visit_and_a_future_one_counts_as_now():
    later = (NOW - timedelta(hours=1)).isoformat()
    earlier = visit_effects(_owned(last_visit_at=later), rep_id="r1",
                            at=NOW - timedelta(days=1), amount=None, now=NOW, policy=POLICY)
    assert "last_visit_at" not in earlier
    ahead = visit_effects(_owned(), rep_id="r1", at=NOW + timedelta(hours=5), amount=None,
                          now=NOW, policy=POLICY)
    assert ahead["last_visit_at"] == NOW.isoformat()


def test_the_first_order_sets_the_deal_which_lifts_the_cap_and_a_later_one_keeps_it():
    near_cap = _owned(claimed_at=(NOW - timedelta(days=29)).isoformat(),
                      protected_until=(NOW + timedelta(hours=12)).isoformat())
    capped = visit_effects(near_cap, rep_id="r1", at=NOW, amount=None, now=NOW, policy=POLICY)
    assert capped["protected_until"] == (NOW + timedelta(days=1)).isoformat(), "30 days at most"
    deal = visit_effects(near_cap, rep_id="r1", at=NOW, amount=1200.0, now=NOW, policy=POLICY)
    assert deal["deal_at"] == NOW.isoformat()
    assert deal["protected_until"] == (NOW + timedelta(days=3, hours=12)).isoformat(), (
        "with a deal: three days past the current end, no cap")
    first = (NOW - timedelta(days=3)).isoformat()
    again = visit_effects({**near_cap, "deal_at": first}, rep_id="r1", at=NOW, amount=50.0,
                          now=NOW, policy=POLICY)
    assert "deal_at" not in again


def test_someone_elses_visit_moves_only_the_last_visit():
    effects = visit_effects(_owned(), rep_id="r2", at=NOW, amount=900.0, now=NOW, policy=POLICY)
    assert effects == {"last_visit_at": NOW.isoformat(),  # and when the owner last saw it (J)
                       "owner_visit_at": _owned()["claimed_at"]}


def test_a_complaint_is_open_and_of_medium_severity_unless_it_says_otherwise():
    assert complaint_defaults({"kind": "complaint"}) == {"status": "open", "severity": "medium"}
    assert complaint_defaults({"kind": "complaint", "status": "resolved",
                               "severity": "high"}) == {"status": "resolved", "severity": "high"}
    assert complaint_defaults({"kind": "satisfaction", "score": 4}) == {}
    assert complaint_defaults({"kind": "suggestion"}) == {}
