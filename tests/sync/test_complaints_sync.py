"""A complaint to resolution end to end, through a real server process on loopback (helper K,
issue 10): a rep logs a complaint, the team's manager sees it in ``fieldrep complaints`` and
responds offline, the rep resolves it with ``fieldrep complaint resolve``; after sync both
laptops hold the server's copy (``responded_at``, ``resolved_at``) and the rep holds exactly one
satisfaction re-visit follow-up, due ``revisit_days`` later.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.sync._harness import Laptop, engine_for, sync_until_settled

pytestmark = [
    pytest.mark.timeout(240),
    pytest.mark.org(reps=["Ana"], managers=["Mei"], customers=3),
]


def _synced(laptop: Laptop) -> None:
    with laptop.open() as store:
        sync_until_settled(engine_for(store), store)


def test_a_complaint_is_answered_resolved_and_revisited_once(org, tmp_path):
    ana = Laptop(tmp_path / "ana", org.reps["Ana"], org.url).login()
    mei = Laptop(tmp_path / "mei", org.reps["Mei"], org.url).login()
    customer = sorted(org.customers)[0]
    _synced(ana)
    with ana.open() as store:
        store.claim(customer)
        sync_until_settled(engine_for(store), store)
    ana.cli("feedback", customer, "--kind", "complaint", "--severity", "high",
            "--text", "pump leaks")
    ana.cli("sync")
    _synced(mei)

    listed = json.loads(mei.cli("complaints", "--json"))
    assert [c["text"] for c in listed] == ["pump leaks"]
    complaint_id = listed[0]["id"]
    assert listed[0]["sla"]["severity"] == "high" and not listed[0]["sla"]["breached"]
    mei.cli("complaint", "respond", complaint_id, "--text", "engineer booked")
    mei.cli("sync")

    _synced(ana)
    ana.cli("complaint", "resolve", complaint_id, "--text", "seal replaced")
    ana.cli("sync")
    _synced(ana)
    _synced(mei)

    for laptop in (ana, mei):
        with laptop.open() as store:
            record = store.complaint(complaint_id)
            assert record["status"] == "resolved" and record["resolved_at"]
            assert [r["text"] for r in record["responses"]] == ["engineer booked"]
            assert record["responded_at"] < record["resolved_at"]
    assert json.loads(ana.cli("complaints", "--json")) == []
    with ana.open() as store:
        revisits = [f for f in store.followups() if f.get("source") == "revisit"]
        today = store.today()
    assert len(revisits) == 1
    assert revisits[0]["feedback_id"] == complaint_id
    assert date.fromisoformat(revisits[0]["due"]) == today + timedelta(days=7)
