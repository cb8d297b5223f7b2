"""A journal cut short at ANY byte keeps every pending operation whose bytes are intact.

The journal is written outbox first, so a prefix of it holds the oldest operations whole; the
salvage parses the prefix element by element and keeps each complete, valid operation (and the
records and rejections whose bytes are intact). Checked exhaustively over every cut point of a
realistic journal, and by hypothesis over journals of random content.
"""

from __future__ import annotations

import shutil
from datetime import timedelta

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cache import Store
from cache.storage import dumps
from tests.cache.conftest import ACME, POOL, SINOPEC, now, open_filled

FILES = ("snapshot.json", "archive.json", "session.json", "token", "sequence.json")


def _realistic_journal(home) -> None:
    """Synced history, a rejection, several visits, feedback, follow-ups: 4+ pending ops."""
    store = open_filled(home)
    try:
        synced = store.log_visit(ACME, outcome="synced first", notes="already on the server")
        refused = store.claim(POOL)
        ops = store.outbox()
        store.apply_push_results([
            {"op_id": ops[0]["op_id"], "mid": ops[0]["mid"], "status": "applied",
             "entity": "visit", "record_id": synced["id"], "version": 1},
            {"op_id": ops[1]["op_id"], "mid": ops[1]["mid"], "status": "rejected",
             "entity": "customer", "record_id": refused["id"], "reason": "owned by Li Wei",
             "code": "claim.owned_by", "params": {"who": "Li Wei"}},
        ])
        store.log_visit(SINOPEC, outcome="met the buyer", notes="wants a quote — 报价",
                        next_step="send quote", due=(now() + timedelta(days=2)).date(),
                        amount=12000)
        store.add_feedback(SINOPEC, kind="complaint", text="late delivery", severity="high")
        store.add_feedback(ACME, kind="satisfaction", score=4, text="good service")
        followup = store.add_followup(ACME, title="call back", due="tomorrow")
        store.snooze_followup(followup["id"], "+3d")
        store.update_customer(ACME, {"address": "1 Main Street"})
        store.log_visit(ACME, kind="call", outcome="left a message")
        assert store.pending_count() >= 4
    finally:
        store.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    home = tmp_path_factory.mktemp("journal-template") / "home"
    home.mkdir()
    _realistic_journal(home)
    raw = (home / "journal.json").read_bytes()
    return home, raw, orjson.loads(raw)


def _spans(raw: bytes, items: list) -> list[tuple[dict, int]]:
    """Each item with the offset just after its bytes in the journal."""
    out = []
    for item in items:
        encoded = dumps(item)
        start = raw.find(encoded)
        assert start >= 0, "every operation is stored as one contiguous run of bytes"
        out.append((item, start + len(encoded)))
    return out


def _open_cut(template_home, tmp, raw: bytes, cut: int) -> Store:
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(mode=0o700)
    for name in FILES:
        if (template_home / name).exists():
            shutil.copy2(template_home / name, tmp / name)
    (tmp / "journal.json").write_bytes(raw[:cut])
    return Store.open(tmp)


def _check_cut(store: Store, raw: bytes, cut: int, journal: dict, acknowledged: int = 0) -> None:
    original = {op["op_id"]: op for op in journal["outbox"]}
    recovered = store.outbox()
    # none invented, nothing wrong: each recovered operation is one of the journal's, unchanged
    for op in recovered:
        assert op == original.get(op["op_id"]), f"cut {cut}: a wrong operation was recovered"
    # every operation wholly before the cut is recovered
    got = {op["op_id"] for op in recovered}
    for op, end in _spans(raw, journal["outbox"]):
        if end <= cut:
            assert op["op_id"] in got, f"cut {cut}: the intact operation {op['kind']} was lost"
    # a recovered create lists its record exactly as saved; nothing else appears
    history = {
        "visit": {v["id"]: v for v in store.visits()},
        "feedback": {f["id"]: f for f in store.feedback()},
        "followup": {f["id"]: f for f in store.followups(include_closed=True)},
    }
    for op in recovered:
        entity = op["kind"].split(".")[0]
        if entity in history:
            listed = history[entity].get(op["record_id"])
            assert listed is not None, f"cut {cut}: the record of a recovered op is missing"
            saved = journal["records"][entity][op["record_id"]]
            ops_of_record = [o for o in journal["outbox"] if o["record_id"] == op["record_id"]]
            if not all(o["op_id"] in got for o in ops_of_record):
                # a later change to it was cut off: the record as its recovered ops make it
                saved = {}
                for o in ops_of_record:
                    if o["op_id"] in got:
                        saved.update(o["fields"])
            assert {k: listed[k] for k in saved} == saved, f"cut {cut}: {entity} differs"
    for entity, records in history.items():
        pending = {op["record_id"] for op in recovered}
        for rid, record in records.items():
            if rid in pending:
                continue
            # only synced history (the archive) or an intact journal record, never an invention
            known = journal["records"][entity].get(rid)
            assert known is not None or record["synced"], f"cut {cut}: {entity} {rid} invented"
    # the sequence goes on: no mid the device already used is handed out again
    if recovered:
        assert store.last_assigned_mid >= max(op["mid"] for op in recovered)
    assert store.last_assigned_mid >= acknowledged  # nor one the server acknowledged


def test_every_cut_point_of_a_realistic_journal_keeps_each_intact_operation(template, tmp_path):
    home, raw, journal = template
    assert len(journal["outbox"]) >= 4
    last_op_end = max(end for _op, end in _spans(raw, journal["outbox"]))
    assert last_op_end < len(raw) // 2 + len(raw) // 4, "the outbox is stored first"
    for cut in range(len(raw) + 1):
        with _open_cut(home, tmp_path / "cut", raw, cut) as store:
            _check_cut(store, raw, cut, journal, acknowledged=2)
            if cut == len(raw):
                assert store.notices == [] and store.pending_count() == len(journal["outbox"])


def test_a_journal_cut_before_its_records_recovers_every_operation_and_its_visits(
    template, tmp_path
):
    home, raw, journal = template
    cut = max(end for _op, end in _spans(raw, journal["outbox"])) + 1  # the records are all lost
    with _open_cut(home, tmp_path / "cut", raw, cut) as store:
        assert store.pending_count() == len(journal["outbox"])
        notice = " ".join(store.notices)
        assert f"which will sync: {len(journal['outbox'])}." in notice
        pending_visits = {op["record_id"] for op in journal["outbox"] if op["kind"] == "visit.create"}
        assert pending_visits <= {v["id"] for v in store.visits() if not v["synced"]}


def test_the_rejection_survives_a_cut_after_it(template, tmp_path):
    home, raw, journal = template
    (rejection,) = journal["rejections"].values()
    end = raw.find(dumps(rejection)) + len(dumps(rejection))
    with _open_cut(home, tmp_path / "after-rejection", raw, end + 1) as store:
        assert [r["id"] for r in store.rejections()] == [rejection["id"]]


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    visits=st.lists(_TEXT, min_size=1, max_size=6),
    feedback=st.lists(_TEXT, max_size=3),
    fraction=st.floats(min_value=0.0, max_value=1.0),
)
def test_random_journals_cut_anywhere_keep_every_intact_operation(
    tmp_path_factory, visits, feedback, fraction
):
    root = tmp_path_factory.mktemp("random-journal")
    home = root / "home"
    home.mkdir()
    store = open_filled(home)
    try:
        for text in visits:
            store.log_visit(SINOPEC, outcome=text.strip() or "met", notes=text)
        for text in feedback:
            store.add_feedback(ACME, kind="suggestion", text=text.strip() or "idea")
    finally:
        store.close()
    raw = (home / "journal.json").read_bytes()
    journal = orjson.loads(raw)
    cut = int(len(raw) * fraction)
    with _open_cut(home, root / "cut", raw, cut) as opened:
        _check_cut(opened, raw, cut, journal)
