"""The laptop's commands refuse, while the rep types, what the server would refuse at sync
(issue 15, findings 0, 8, 9, 15): the same rule from sync/protocol/validation.py and rules.py,
with the same code, and nothing is written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cache import ValidationFailed
from tests.cache.conftest import ACME, POOL, SINOPEC, THEIRS

ESCAPE = "ACME\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J"


def _refused(store, fieldrep_home, call) -> ValidationFailed:
    journal = fieldrep_home / "journal.json"
    before = journal.read_bytes()
    with pytest.raises(ValidationFailed) as caught:
        call(store)
    assert journal.read_bytes() == before, "nothing was written"
    assert "\x1b" not in str(caught.value) and "\n" not in str(caught.value)
    return caught.value


# --------------------------------------------------------------------------- finding 0


def test_a_claim_refused_on_the_laptop_carries_the_code_of_the_rule(store, fieldrep_home):
    error = _refused(store, fieldrep_home, lambda s: s.claim(THEIRS))
    assert error.code == "claim.owned_by_until" and error.params["who"] == "Li Wei"
    assert error.message.startswith("owned by Li Wei, protected until ")
    mine = _refused(store, fieldrep_home, lambda s: s.claim(SINOPEC))
    assert (mine.code, mine.params) == ("claim.already_yours", {"name": "中国石化上海分公司"})


# --------------------------------------------------------------------------- finding 8


@pytest.mark.parametrize(("fields", "code", "params"), [
    ({"product_lines": ["x"] * 31}, "field.too_many", {"field": "product_lines", "max": 30}),
    ({"product_lines": ["x" * 81]}, "field.too_long", {"field": "product_lines.0", "max": 80}),
    ({"contacts": [{"name": f"c{i}"} for i in range(21)]}, "field.too_many",
     {"field": "contacts", "max": 20}),
    ({"name": "n" * 201}, "field.too_long", {"field": "name", "max": 200}),
    ({"province": "广东"}, "scope.move_out", {"name": "中国石化上海分公司"}),
])
def test_an_edit_is_held_to_the_servers_sizes_and_territories(store, fieldrep_home, fields, code,
                                                              params):
    error = _refused(store, fieldrep_home, lambda s: s.update_customer(SINOPEC, fields))
    assert (error.code, error.params) == (code, params)
    assert error.field == params.get("field", "customer")


def test_a_pool_customer_is_not_edited_before_it_is_claimed(store, fieldrep_home):
    error = _refused(store, fieldrep_home, lambda s: s.update_customer(POOL, {"name": "Mine"}))
    assert (error.code, error.params) == ("scope.pool_field", {"field": "name"})
    assert store.update_customer(POOL, {"address": "1 Harbour Road"})["address"] == (
        "1 Harbour Road"), "where it is and whom to ask may be corrected"
    store.claim(POOL)
    renamed = store.update_customer(POOL, {"tier": "A"})  # claimed offline: queued after it
    assert renamed["tier"] == "A"


def test_a_new_customer_is_held_to_the_same_sizes(store, fieldrep_home):
    error = _refused(store, fieldrep_home, lambda s: s.create_customer(
        {"name": "温州鞋业", "province": "浙江", "product_lines": ["x"] * 500}))
    assert error.code == "field.too_many"


# --------------------------------------------------------------------------- finding 9


@pytest.mark.parametrize(("call", "field"), [
    (lambda s: s.update_customer(ACME, {"name": ESCAPE}), "name"),
    (lambda s: s.update_customer(ACME, {"contacts": [{"name": "Z\u202eY"}]}), "contacts.0.name"),
    (lambda s: s.log_visit(ACME, outcome="met\x9b2J"), "outcome"),
    (lambda s: s.log_visit(ACME, outcome="met", notes="ok\n\x1b[2J"), "notes"),
    (lambda s: s.add_feedback(ACME, kind="complaint", text="late\x07"), "text"),
    (lambda s: s.add_followup(ACME, title="call\nback", due="+3d"), "title"),
    (lambda s: s.create_customer({"name": ESCAPE, "province": "上海"}), "name"),
])
def test_control_characters_are_refused_while_typing(store, fieldrep_home, call, field):
    error = _refused(store, fieldrep_home, call)
    assert (error.code, error.params) == ("field.control_chars", {"field": field})


def test_line_breaks_and_tabs_stay_in_notes_and_windows_line_ends_become_one(store):
    visit = store.log_visit(ACME, outcome="met", notes="one\r\n\ttwo")
    assert visit["notes"] == "one\n\ttwo"


def test_a_follow_up_made_from_a_multi_line_complaint_is_one_line(store):
    complaint = store.add_feedback(ACME, kind="complaint", text="late\ndelivery\tagain")
    key = next(e["key"] for e in store.queue() if e.get("reason_code") == "complaint")
    done = store.complete_followup(key)
    assert complaint["text"] == "late\ndelivery\tagain"
    assert done["title"] == "Complaint: late delivery again"


# --------------------------------------------------------------------------- finding 15


def test_dates_lie_in_the_servers_window(store, fieldrep_home):
    far = _refused(store, fieldrep_home, lambda s: s.add_followup(ACME, title="x",
                                                                   due="9999-12-31"))
    assert (far.code, far.params) == ("field.date_window", {
        "field": "due", "earliest": "2000-01-01", "latest": "2100-12-31"})
    soon = store.add_followup(ACME, title="x", due="+1d")["id"]
    snooze = _refused(store, fieldrep_home, lambda s: s.snooze_followup(soon, "2101-01-01"))
    assert snooze.code == "field.date_window" and snooze.field == "snoozed_until"
    ahead = datetime.now(UTC) + timedelta(days=2)
    visit = _refused(store, fieldrep_home, lambda s: s.log_visit(ACME, outcome="x", at=ahead))
    assert visit.code == "field.date_window" and visit.field == "at"
    old = _refused(store, fieldrep_home, lambda s: s.log_visit(
        ACME, outcome="x", at=datetime(1999, 12, 31, tzinfo=UTC)))
    assert old.code == "field.date_window"
    assert store.log_visit(ACME, outcome="x", at=datetime(2001, 1, 1, tzinfo=UTC))
    assert store.add_followup(ACME, title="x", due=date(2100, 12, 31))["due"] == "2100-12-31"
