"""The follow-up queue, computed offline: overdue first, cadence by tier, protection ending,
open complaints, each with its reason; done and snooze are outbox operations."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.cache.conftest import ME, OTHER, POOL, THEIRS, customer, iso, now, open_filled

STALE_A = "c-stale-a"      # tier A, last visit 20 days ago: past its 14-day cadence
FRESH_C = "c-fresh-c"      # tier C, last visit 20 days ago: within its 90-day cadence
ENDING = "c-ending"        # protection ends in ~2 days (warning window: 3 days)
SAFE = "c-safe"            # protection ends in 9 days


@pytest.fixture
def queue_store(fieldrep_home):
    customers = [
        customer(STALE_A, "Summit Foods", owner=ME, tier="A", last_visit_at=iso(-20)),
        customer(FRESH_C, "Granite Books", owner=ME, tier="C", last_visit_at=iso(-20)),
        customer(ENDING, "Maple Bank", owner=ME, tier="B", protected_until=iso(2.5)),
        customer(SAFE, "Union Hospital", owner=ME, tier="B", protected_until=iso(9)),
        customer(POOL, "宁波港集团", tier="A", last_visit_at=iso(-200)),   # not mine
        customer(THEIRS, "阿里巴巴杭州", owner=OTHER, tier="A", last_visit_at=iso(-200),
                 protected_until=iso(1)),
    ]
    store = open_filled(fieldrep_home, customers)
    yield store
    store.close()


def codes(entries: list[dict]) -> list[tuple[str, str]]:
    return [(e["reason_code"], e["customer_id"]) for e in entries]


def test_generated_entries_say_why_cadence_by_tier_and_protection_ending(queue_store):
    entries = queue_store.queue()
    by_customer = {e["customer_id"]: e for e in entries}
    assert by_customer[STALE_A]["reason_code"] == "cadence"
    assert by_customer[STALE_A]["reason"] == (
        "A customer: last visit 20 days ago (cadence 14 days)")
    assert by_customer[ENDING]["reason_code"] == "protection_expiring"
    assert by_customer[ENDING]["reason"].startswith("protection ends in 2 days")
    assert FRESH_C not in by_customer        # C cadence is 90 days
    assert SAFE not in by_customer           # 9 days of protection left: no warning yet
    assert POOL not in by_customer and THEIRS not in by_customer  # not the rep's customers
    for entry in entries:
        assert entry["reason"] and entry["customer_name"] and entry["key"]


def test_overdue_follow_ups_come_first_by_due_date_then_complaints_then_the_rest(queue_store):
    late = queue_store.add_followup(FRESH_C, title="Send the quote", due="+1d")
    later = queue_store.add_followup(SAFE, title="Call the buyer", due="+3d")
    future = queue_store.add_followup(SAFE, title="Book a demo", due="+30d")
    complaint = queue_store.add_feedback(FRESH_C, kind="complaint", text="Parts arrived broken")
    entries = queue_store.queue(now=now() + timedelta(days=5))
    keys = [e["key"] for e in entries]
    assert keys[:2] == [f"followup:{late['id']}", f"followup:{later['id']}"]
    assert entries[0]["reason_code"] == entries[1]["reason_code"] == "overdue"
    assert "Send the quote — overdue since" in entries[0]["reason"]
    assert entries[2]["reason_code"] == "complaint"
    assert entries[2]["feedback_id"] == complaint["id"]
    assert entries[2]["reason"] == "open complaint: Parts arrived broken"
    assert keys[-1] == f"followup:{future['id']}" and entries[-1]["reason_code"] == "followup"
    ranks = ["overdue", "due_today", "complaint", "protection_expiring", "cadence", "followup"]
    assert [ranks.index(e["reason_code"]) for e in entries] == sorted(
        ranks.index(e["reason_code"]) for e in entries)


def test_a_follow_up_due_today_is_marked_so(queue_store):
    followup = queue_store.add_followup(SAFE, title="Call", due="tomorrow")
    entries = queue_store.queue(now=now() + timedelta(days=1))
    entry = next(e for e in entries if e["followup_id"] == followup["id"])
    assert entry["reason_code"] == "due_today" and entry["reason"] == "Call — due today"


def test_done_is_an_outbox_operation_and_leaves_the_queue(queue_store):
    followup = queue_store.add_followup(SAFE, title="Call", due="+1d")
    pending = queue_store.pending_count()
    queue_store.complete_followup(followup["id"])
    op = queue_store.outbox()[-1]
    assert queue_store.pending_count() == pending + 1
    assert (op["kind"], op["record_id"], op["fields"]["status"]) == (
        "followup.update", followup["id"], "done")
    assert followup["id"] not in {e["followup_id"] for e in queue_store.queue()}


def test_a_snoozed_follow_up_comes_back_on_its_day(queue_store):
    followup = queue_store.add_followup(SAFE, title="Call", due="+1d")
    queue_store.snooze_followup(followup["id"], "+4d")
    op = queue_store.outbox()[-1]
    assert op["kind"] == "followup.update" and op["fields"]["status"] == "snoozed"
    ids = lambda days: {e["followup_id"] for e in queue_store.queue(now=now() + timedelta(days))}  # noqa: E731
    assert followup["id"] not in ids(2)
    assert followup["id"] in ids(4)


def test_snoozing_a_generated_cadence_entry_is_an_outbox_operation_too(queue_store):
    entry = next(e for e in queue_store.queue() if e["customer_id"] == STALE_A)
    queue_store.snooze_queue_entry(entry["key"], "+2d")
    op = queue_store.outbox()[-1]
    assert op["kind"] == "followup.create"
    assert (op["fields"]["source"], op["fields"]["status"]) == ("cadence", "snoozed")
    assert STALE_A not in {e["customer_id"] for e in queue_store.queue()}
    back = queue_store.queue(now=now() + timedelta(days=3))
    assert STALE_A in {e["customer_id"] for e in back}
    # the marker is not listed as a follow-up of its own
    assert all(f["source"] != "cadence" for f in queue_store.followups())


def test_a_visit_clears_the_cadence_entry_and_resolving_clears_the_complaint(queue_store):
    complaint = queue_store.add_feedback(SAFE, kind="complaint", text="Invoice wrong")
    assert ("cadence", STALE_A) in codes(queue_store.queue())
    assert ("complaint", SAFE) in codes(queue_store.queue())
    queue_store.log_visit(STALE_A, outcome="Checked in")
    queue_store.resolve_complaint(complaint["id"], "Sent a corrected invoice")
    remaining = codes(queue_store.queue())
    assert ("cadence", STALE_A) not in remaining
    assert ("complaint", SAFE) not in remaining
    assert queue_store.outbox()[-1]["kind"] == "feedback.update"


def test_snoozing_needs_a_day_after_today(queue_store):
    from cache import ValidationFailed

    followup = queue_store.add_followup(SAFE, title="Call", due="+1d")
    with pytest.raises(ValidationFailed, match="until"):
        queue_store.snooze_followup(followup["id"], "today")
    with pytest.raises(ValidationFailed, match="until"):
        queue_store.snooze_followup(followup["id"], "whenever")
