"""The rep's writes: one durable journal write each, the snapshot never rewritten, validation
before anything is written, and pending work that survives logout, reset, export and import."""

from __future__ import annotations

import os

import pytest

import cache.documents as store_module
from cache import Store, StoreError, ValidationFailed
from cache.storage import read_document
from tests.cache.conftest import ACME, ME, SINOPEC, base_changes, default_customers, open_filled


def _fingerprint(path):
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns, stat.st_size, path.read_bytes()


@pytest.fixture
def writes(monkeypatch):
    """Every atomic write the store makes, as (file name, bytes)."""
    seen: list[tuple[str, bytes]] = []
    real = store_module.atomic_write

    def recording(path, data):
        seen.append((os.path.basename(path), bytes(data)))
        real(path, data)

    monkeypatch.setattr(store_module, "atomic_write", recording)
    monkeypatch.setattr(store_module, "write_document",
                        lambda path, doc: recording(path, store_module.dumps(doc)))
    return seen


def test_logging_a_visit_never_rewrites_the_customer_snapshot(store, fieldrep_home):
    snapshot = fieldrep_home / "snapshot.json"
    before = _fingerprint(snapshot)
    store.log_visit(SINOPEC, outcome="Met the buyer", next_step="Send quote", due="+3d")
    store.add_feedback(ACME, kind="complaint", text="Late delivery")
    store.add_followup(ACME, title="Call back", due="tomorrow")
    assert _fingerprint(snapshot) == before


def test_a_visit_and_its_outbox_operation_are_one_durable_write(store, writes):
    visit = store.log_visit(SINOPEC, outcome="Met the buyer", next_step="Send quote", due="+2d")
    assert [name for name, _ in writes] == ["journal.json"]
    on_disk = store_module.orjson.loads(writes[0][1])
    assert visit["id"] in on_disk["records"]["visit"]
    kinds = {op["record_id"]: op["kind"] for op in on_disk["outbox"]}
    assert kinds[visit["id"]] == "visit.create"
    followup = next(iter(on_disk["records"]["followup"].values()))
    assert kinds[followup["id"]] == "followup.create"  # the next step's follow-up, same write
    assert on_disk["next_mid"] == max(op["mid"] for op in on_disk["outbox"]) + 1


def test_a_saved_visit_is_on_disk_when_log_visit_returns(store, fieldrep_home):
    visit = store.log_visit(ACME, outcome="Demo went well", amount=1200.0)
    journal = read_document(fieldrep_home / "journal.json")
    assert journal["records"]["visit"][visit["id"]]["outcome"] == "Demo went well"
    assert [op["record_id"] for op in journal["outbox"]] == [visit["id"]]
    assert visit["synced"] is False


@pytest.mark.parametrize(
    ("call", "field", "words"),
    [
        (lambda s: s.log_visit("c-nobody", outcome="x"), "customer", "unknown customer"),
        (lambda s: s.log_visit(ACME, outcome="x", next_step="call", due="someday"), "due", "date"),
        (lambda s: s.log_visit(ACME, outcome="x", next_step="call", due="2020-01-01"), "due",
         "in the past"),
        (lambda s: s.log_visit(ACME, outcome="x", due="+3d"), "next_step", "next step"),
        (lambda s: s.log_visit(ACME, outcome="  "), "outcome", "outcome is empty"),
        (lambda s: s.log_visit(ACME, outcome="x", amount=-5), "amount", "positive"),
        (lambda s: s.log_visit(ACME, outcome="x", kind="telepathy"), "kind", ""),
        (lambda s: s.add_feedback(ACME, kind="satisfaction", text="ok", score=6), "score",
         "1 to 5"),
        (lambda s: s.add_feedback(ACME, kind="satisfaction", text="ok", score=0), "score",
         "1 to 5"),
        (lambda s: s.add_feedback(ACME, kind="satisfaction", text="ok", score="5"), "score",
         "1 to 5"),
        (lambda s: s.add_feedback("c-nobody", kind="complaint", text="bad"), "customer",
         "unknown customer"),
        (lambda s: s.add_followup(ACME, title="Call", due="32/13"), "due", "date"),
        (lambda s: s.add_followup(ACME, title="", due="tomorrow"), "title", "empty"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_is_written(
    store, fieldrep_home, call, field, words
):
    journal = fieldrep_home / "journal.json"
    before = journal.read_bytes()
    pending = store.outbox()
    with pytest.raises(ValidationFailed) as caught:
        call(store)
    assert caught.value.field == field
    assert words in caught.value.message
    assert str(caught.value).startswith(f"{field}: ")
    assert "\n" not in str(caught.value)
    assert journal.read_bytes() == before
    assert store.outbox() == pending
    assert store.visits() == [] and store.feedback() == [] and store.followups() == []


def test_a_full_disk_during_a_save_is_one_clear_error_and_changes_nothing(
    store, fieldrep_home, monkeypatch
):
    store.log_visit(ACME, outcome="first")
    journal = fieldrep_home / "journal.json"
    before = journal.read_bytes()
    last_visit = store.customer(ACME)["last_visit_at"]

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StoreError, match="not saved: No space left on device"):
        store.log_visit(ACME, outcome="second", next_step="call", due="+1d")
    monkeypatch.undo()
    assert journal.read_bytes() == before
    assert [v["outcome"] for v in store.visits()] == ["first"]
    assert len(store.outbox()) == 1 and store.followups() == []
    assert store.customer(ACME)["last_visit_at"] == last_visit
    store.log_visit(ACME, outcome="third")  # the store still works once there is room
    assert [op["mid"] for op in store.outbox()] == [1, 2]


def test_a_visit_updates_the_customer_last_visit_and_owner_protection(store):
    before = store.customer(SINOPEC)
    visit = store.log_visit(SINOPEC, outcome="Met the buyer")
    after = store.customer(SINOPEC)
    assert after["last_visit_at"] == visit["at"]
    assert after["protected_until"] >= before["protected_until"]  # never shortened


def test_every_write_is_an_outbox_operation_with_the_next_mid(store):
    store.log_visit(ACME, outcome="Demo")
    feedback = store.add_feedback(ACME, kind="complaint", text="Late delivery", severity="high")
    followup = store.add_followup(ACME, title="Call back", due="+2d")
    store.snooze_followup(followup["id"], "+5d")
    store.complete_followup(followup["id"])
    store.resolve_complaint(feedback["id"], "Replaced the parts")
    store.update_customer(ACME, {"address": "1 Main St"})
    kinds = [op["kind"] for op in store.outbox()]
    assert kinds == ["visit.create", "feedback.create", "followup.create", "followup.update",
                     "followup.update", "feedback.update", "customer.update"]
    assert [op["mid"] for op in store.outbox()] == list(range(1, 8))
    assert store.outbox()[3]["fields"]["status"] == "snoozed"
    assert store.outbox()[4]["fields"]["status"] == "done"


def test_state_survives_closing_and_opening_again(store, fieldrep_home):
    visit = store.log_visit(ACME, outcome="Demo", next_step="Send quote", due="+3d")
    store.save_draft("visit:" + ACME, {"notes": "half typed"})
    store.close()
    with Store.open(fieldrep_home) as again:
        assert [v["id"] for v in again.visits()] == [visit["id"]]
        assert [f["title"] for f in again.followups()] == ["Send quote"]
        assert again.pending_count() == 2
        assert again.load_draft("visit:" + ACME) == {"notes": "half typed"}
        assert again.session["rep_id"] == ME["id"]
        assert again.token == "secret-token"
    assert (fieldrep_home / "token").stat().st_mode & 0o777 == 0o600


def test_the_store_opens_in_fieldrep_home_by_default(fieldrep_home):
    with Store.open() as store:
        assert store.home == fieldrep_home
    assert (fieldrep_home / "LOCK").exists()


def test_logout_and_a_sync_reset_keep_pending_operations(store):
    store.log_visit(ACME, outcome="Demo")
    store.reset_sync_state()
    assert store.pull_cursor is None
    store.clear_session()
    assert store.session is None and store.token is None
    assert store.pending_count() == 1
    assert [v["outcome"] for v in store.visits()] == ["Demo"]


def test_exported_pending_work_imports_on_another_machine_once(store, tmp_path):
    visit = store.log_visit(ACME, outcome="Demo", next_step="Send quote", due="+3d")
    feedback = store.add_feedback(SINOPEC, kind="satisfaction", text="Happy", score=5)
    exported = tmp_path / "pending.json"
    assert store.export_outbox(exported) == 3
    other_home = tmp_path / "laptop-2"
    with Store.open(other_home) as other:
        other.save_session("http://127.0.0.1:9", ME, "device-2", "token-2")
        other.apply_bootstrap_page(base_changes(default_customers()), None, "c", True)
        other.log_visit(SINOPEC, outcome="already here")
        assert other.import_outbox(exported) == 3
        assert other.import_outbox(exported) == 0  # the same file twice adds nothing
        assert [op["mid"] for op in other.outbox()] == [1, 2, 3, 4]  # this device's sequence
        assert {visit["id"], feedback["id"]} <= (
            {v["id"] for v in other.visits()} | {f["id"] for f in other.feedback()}
        )
        assert all(not v["synced"] for v in other.visits())
    # the original laptop still has its work: exporting copies, it does not move
    assert store.pending_count() == 3


def test_importing_a_file_that_is_not_an_export_says_so_and_adds_nothing(store, tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": "world"}')
    assert store.import_outbox(junk) == 0
    with pytest.raises(StoreError, match="cannot read"):
        store.import_outbox(tmp_path / "missing.json")
    assert store.pending_count() == 0


def test_writes_need_a_login(fieldrep_home):
    with open_filled(fieldrep_home) as store:
        store.clear_session()
        with pytest.raises(StoreError, match="not logged in"):
            store.log_visit(ACME, outcome="Demo")


def _at_the_cap(home, *, claimed_today: int, max_held: int = 5) -> Store:
    """A store whose rep holds exactly ``max_held`` customers, ``claimed_today`` of them claimed
    today (the policy's day), with one pool customer left to claim."""
    from tests.cache.conftest import POLICY, POOL, customer, iso

    held = [customer(f"c-held-{i}", f"Held {i}", owner=ME,
                     claimed_at=iso(0) if i < claimed_today else iso(-5))
            for i in range(max_held)]
    pool = customer(POOL, "宁波港集团", province="浙江", city="宁波")
    store = Store.open(home)
    store.save_session("http://127.0.0.1:9", ME, "device-1", "secret-token")
    changes = base_changes([*held, pool])
    changes[0] = {**changes[0], "record": {**POLICY, "max_held": max_held, "daily_claim_cap": 50}}
    store.apply_bootstrap_page(changes, None, "cur-1", True)
    return store


def test_a_rep_at_the_held_limit_is_told_the_count_they_hold_not_one_more(fieldrep_home):
    from tests.cache.conftest import POOL

    store = _at_the_cap(fieldrep_home, claimed_today=1)  # one of the five claimed today
    try:
        with pytest.raises(ValidationFailed) as refused:
            store.claim(POOL)
        assert refused.value.code == "claim.max_held"
        assert refused.value.params == {"held": 5, "cap": 5}
        assert store.outbox() == []
    finally:
        store.close()


def test_a_pending_claim_counts_once_toward_the_held_limit(fieldrep_home):
    from tests.cache.conftest import POOL, customer

    store = _at_the_cap(fieldrep_home, claimed_today=0, max_held=3)
    try:
        # drop one held customer to the pool: two held, one claim pending makes three
        store.apply_pull_page([{"op": "upsert", "entity": "customer", "id": "c-held-2",
                                "record": customer("c-held-2", "Held 2")}], "cur-2")
        store.claim("c-held-2")
        with pytest.raises(ValidationFailed) as refused:
            store.claim(POOL)
        assert refused.value.params == {"held": 3, "cap": 3}
    finally:
        store.close()


def test_a_second_claim_of_the_same_customer_is_refused_with_a_code(store):
    from tests.cache.conftest import POOL

    store.claim(POOL)
    with pytest.raises(ValidationFailed) as refused:
        store.claim(POOL)
    assert (refused.value.code, refused.value.params) == ("claim.pending", {"name": "宁波港集团"})
