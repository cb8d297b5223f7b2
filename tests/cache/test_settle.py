"""What the server's view settles (cache/apply.py ``settle``): once a record's server copy is in,
the journal lets go of the local copy and the local customer layer, so the journal stays small
and the laptop shows the server's record; and files of a newer format are refused untouched."""

from __future__ import annotations

import orjson
import pytest

from cache import Store, StoreError, ValidationFailed
from tests.cache.conftest import ACME, SINOPEC, open_filled


def _journal(home) -> dict:
    return orjson.loads((home / "journal.json").read_bytes())


def _answer(op: dict, record: dict, version: int) -> dict:
    entity = op["kind"].split(".")[0]
    return {"op_id": op["op_id"], "mid": op["mid"], "status": "applied", "entity": entity,
            "record_id": op["record_id"], "version": version, "record": record}


def test_a_pushed_visit_and_edit_whose_echo_is_pulled_are_listed_once_and_leave_the_journal(
    store, fieldrep_home,
):
    visit = store.log_visit(ACME, outcome="Demo went well")
    store.update_customer(ACME, {"address": "1 Main Street"})
    visit_op, edit_op = store.outbox()
    server_visit = {**{k: v for k, v in visit.items() if k != "synced"}, "version": 1}
    server_acme = {**store.customer(ACME), "address": "1 Main Street", "version": 2}
    server_acme.pop("claim_pending", None)
    store.apply_push_results([_answer(visit_op, server_visit, 1),
                              _answer(edit_op, server_acme, 2)])
    store.apply_pull_page([
        {"op": "upsert", "entity": "visit", "id": visit["id"], "record": server_visit},
        {"op": "upsert", "entity": "customer", "id": ACME, "record": server_acme},
    ], "cur-2")
    assert store.pending_count() == 0
    assert [(v["id"], v["synced"]) for v in store.visits()] == [(visit["id"], True)]
    assert store.customer(ACME)["address"] == "1 Main Street"
    journal = _journal(fieldrep_home)
    assert journal["records"]["visit"] == {}
    assert ACME not in journal["customers"], "the customer's local layer outlived its echo"


def test_a_journal_copy_of_an_archived_record_gives_way_to_the_servers_at_open(fieldrep_home):
    """A journal holding a synced record's local copy (written by an older build, or cut off
    before it was settled) shows the server's record, and the copy is gone at the next write."""
    store = open_filled(fieldrep_home)
    visit = store.log_visit(SINOPEC, outcome="typed offline")
    journal_before_push = _journal(fieldrep_home)
    (op,) = store.outbox()
    server_visit = {**{k: v for k, v in visit.items() if k != "synced"},
                    "outcome": "typed offline (server copy)", "version": 3}
    store.apply_push_results([_answer(op, server_visit, 3)])
    store.close()
    journal_before_push["outbox"] = []  # the operation was answered; its copy stayed behind
    (fieldrep_home / "journal.json").write_bytes(orjson.dumps(journal_before_push))
    with Store.open(fieldrep_home) as again:
        (listed,) = again.visits()
        assert (listed["outcome"], listed["version"], listed["synced"]) == (
            "typed offline (server copy)", 3, True)
        again.add_followup(SINOPEC, title="Call back", due="+2d")
        assert visit["id"] not in _journal(fieldrep_home)["records"]["visit"]


@pytest.mark.parametrize("name", ["snapshot.json", "archive.json", "journal.json"])
def test_a_file_of_a_newer_format_is_refused_with_the_update_message_and_nothing_set_aside(
    fieldrep_home, name,
):
    open_filled(fieldrep_home).close()
    path = fieldrep_home / name
    document = orjson.loads(path.read_bytes())
    document["format"] = 2
    path.write_bytes(orjson.dumps(document))
    before = {p.name: p.read_bytes() for p in fieldrep_home.iterdir() if p.is_file()}
    with pytest.raises(StoreError, match=r"written by a newer fieldrep .*update fieldrep"):
        Store.open(fieldrep_home)
    after = {p.name: p.read_bytes() for p in fieldrep_home.iterdir() if p.is_file()}
    assert after.keys() - {"LOCK"} == before.keys() - {"LOCK"}, "a file was set aside or added"
    assert {k: v for k, v in after.items() if k != "LOCK"} == {
        k: v for k, v in before.items() if k != "LOCK"}


def test_a_satisfaction_rating_without_a_score_is_refused_with_the_rules_code(store,
                                                                              fieldrep_home):
    before = (fieldrep_home / "journal.json").read_bytes()
    with pytest.raises(ValidationFailed) as caught:
        store.add_feedback(ACME, kind="satisfaction", text="happy")
    assert (caught.value.field, caught.value.code) == ("score", "feedback.score_required")
    assert (fieldrep_home / "journal.json").read_bytes() == before


def test_a_due_date_in_the_past_is_refused_with_the_date_past_code(store):
    with pytest.raises(ValidationFailed) as caught:
        store.add_followup(ACME, title="Call", due="2020-01-01")
    assert (caught.value.field, caught.value.code) == ("due", "date.past")
    assert caught.value.message == "2020-01-01 is in the past"
