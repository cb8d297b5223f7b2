"""Hostile input through the push and the read endpoints: terminal escapes, huge strings and
lists, spreadsheet formulas, another record's id reused in a create (finding 5), a create whose
id exists with other content, reused sequence numbers, broken numbers, characters and dates.

Each is refused with a code (or, where it is harmless, kept exactly), leaks nothing and changes
nothing it may not.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from server import db
from server.export import rows_for, to_csv
from server.org import Org
from sync.protocol.refusals import TEMPLATES
from tests.security._checks import (
    Snapshot,
    assert_changed_only,
    assert_coded,
    assert_no_leak,
)
from tests.security._world import (
    ATTACK,
    CUSTOMERS,
    HISTORY,
    HISTORY_KINDS,
    MOVED_NEW,
    audience,
    history_key,
    secret,
)

NOW = datetime.now(UTC).isoformat()
ESCAPE = "\x1b]52;c;aGVsbG8=\x07\x1b[2J"  # a clipboard write, then a screen clear (finding 9)


def _op(mutation_kind: str, record_id: str | None = None, base_version: int | None = None,
        /, **fields) -> dict:
    return {"op_id": str(uuid.uuid4()), "kind": mutation_kind,
            "record_id": record_id or str(uuid.uuid4()), "fields": fields,
            "base_version": base_version}


def _visit(world, **fields) -> dict:
    return _op("visit.create", None, None, customer_id=world.id("ana_own"), at=NOW, kind="visit",
               outcome=secret(ATTACK, "outcome"), **fields)


def _refused(world, who: str, response, codes: set[str], before: Snapshot) -> dict:
    """The push (or the whole request) was refused with one of ``codes``; nothing changed."""
    assert_no_leak(response, audience(who))
    assert_coded(response)
    if response.status_code == 200:
        answer = response.json()["results"][0]
        assert answer["status"] == "rejected", answer
    else:
        answer = response.json()
    assert answer.get("code") in codes, f"expected a refusal coded {sorted(codes)}: {answer}"
    assert_changed_only(world.engine, before, world.id(who))
    return answer


def _push_refused(world, mutation: dict, codes: set[str], who: str = "ana") -> dict:
    before = Snapshot.take(world.engine)
    return _refused(world, who, world.push(who, mutation), codes, before)


def _raw_push(world, mutation_json: str, who: str = "ana"):
    """A push whose one mutation is written as raw JSON text (NaN, 1e999, a lone surrogate)."""
    mutation = mutation_json.replace("MID", str(world.next_mid(who)))
    body = f'{{"device_id": "{world.devices[who]}", "schema_version": 1, "mutations": [{mutation}]}}'
    return world.client.post("/v1/sync/push", content=body.encode(),
                             headers={**world.headers(who), "Content-Type": "application/json"})


# --------------------------------------------------------------------------- control characters

CONTROL = [  # (kind, the record it is aimed at, fields)
    ("visit.create", None, {"notes": ESCAPE}),
    ("visit.create", None, {"outcome": "met\x1b[2J"}),
    ("visit.create", None, {"next_step": "\x9b2J C1 CSI"}),
    ("feedback.create", None, {"text": "late\x07\x07\x07"}),
    ("followup.create", None, {"title": "call\x08\x08\x08back"}),
    ("feedback.update", "ana_feedback_ana_own", {"resolution": ESCAPE}),
    ("followup.update", "ana_followup_ana_own", {"title": ESCAPE}),
    ("customer.create", None, {"name": "Acme" + ESCAPE, "province": "Zhejiang"}),
    ("customer.update", "ana_own", {"name": "Acme" + ESCAPE}),
    ("customer.update", "ana_own", {"address": "\x1b[31mred"}),
    ("customer.update", "ana_own", {"product_lines": ["pumps\x1b[2J"]}),
    ("customer.update", "ana_own", {"contacts": [{"name": "Li\x1b]0;pwned\x07"}]}),
]


def _mutation(world, kind: str, target: str | None, fields: dict) -> dict:
    if kind.endswith(".create") and not kind.startswith("customer"):
        base = {"visit.create": {"at": NOW, "kind": "visit", "outcome": "met"},
                "feedback.create": {"at": NOW, "kind": "complaint", "text": "late"},
                "followup.create": {"due": (date.today() + timedelta(days=2)).isoformat(),
                                    "title": "call"}}[kind]
        return _op(kind, None, None, customer_id=world.id("ana_own"), **{**base, **fields})
    if kind == "customer.create":
        return _op(kind, None, None, **{"name": "Acme", "province": "Zhejiang", **fields})
    return _op(kind, world.id(target), 1 if kind.startswith("customer") else None, **fields)


@pytest.mark.parametrize(("kind", "target", "fields"), CONTROL,
                         ids=[f"{k}-{next(iter(f))}" for k, _, f in CONTROL])
def test_control_characters_in_any_text_field_are_refused_with_a_code(fresh, kind, target,
                                                                      fields):
    _push_refused(fresh, _mutation(fresh, kind, target, fields), {"field.control_chars"})


def test_line_breaks_and_tabs_in_notes_are_kept_exactly(fresh):
    mutation = _visit(fresh, notes="first line\nsecond\tcolumn")
    result = fresh.push("ana", mutation).json()["results"][0]
    assert result["status"] == "applied", result
    with db.reading(fresh.engine) as conn:
        stored = db.get_record(conn, "visit", mutation["record_id"])
    assert stored["notes"] == "first line\nsecond\tcolumn"


def test_a_nul_character_is_refused_with_a_code(fresh):
    _push_refused(fresh, _visit(fresh, notes="a\x00b"), {"field.nul", "field.control_chars"})


# --------------------------------------------------------------------------- sizes

HUGE = [  # (kind, target, fields, code)
    ("visit.create", None, {"notes": "x" * 10_001}, "field.too_long"),
    ("visit.create", None, {"outcome": "x" * 201}, "field.too_long"),
    ("feedback.create", None, {"text": "x" * 10_001}, "field.too_long"),
    ("followup.create", None, {"title": "x" * 201}, "field.too_long"),
    ("customer.create", None, {"address": "x" * 301}, "field.too_long"),
    ("customer.update", "ana_own", {"name": "x" * 201}, "field.too_long"),
    ("customer.update", "ana_own", {"product_lines": ["line"] * 5_000}, "field.too_many"),
    ("customer.update", "ana_own", {"product_lines": ["x" * 10_000]}, "field.too_long"),
    ("customer.update", "ana_own", {"contacts": [{"name": f"c{i}"} for i in range(1_000)]},
     "field.too_many"),
]


@pytest.mark.parametrize(("kind", "target", "fields", "code"), HUGE,
                         ids=[f"{k}-{next(iter(f))}-{c}" for k, _, f, c in HUGE])
def test_oversized_fields_and_lists_are_refused_with_a_code(fresh, kind, target, fields, code):
    _push_refused(fresh, _mutation(fresh, kind, target, fields), {code})


@pytest.mark.parametrize("with_token", [True, False], ids=["token", "no-token"])
def test_a_body_over_the_limit_is_refused_before_it_is_read_or_authenticated(fresh, with_token):
    body = json.dumps({"device_id": fresh.devices["ana"], "schema_version": 1,
                       "mutations": [{**_visit(fresh, notes="x" * (20 << 20)), "mid": 1}]})
    headers = {**fresh.headers("ana"), "Content-Type": "application/json"} if with_token \
        else {"Content-Type": "application/json"}
    before = Snapshot.take(fresh.engine)
    response = fresh.client.post("/v1/sync/push", content=body.encode(), headers=headers)
    assert response.status_code == 413, (response.status_code, response.text[:300])
    _refused(fresh, "ana", response, {"request.too_large"}, before)


# --------------------------------------------------------------------------- formulas

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"click\")", "=cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3"]


def test_formula_cells_never_reach_a_spreadsheet_unescaped(fresh):
    """Pushed (refused with a code, or kept) or imported, a formula is exported as text."""
    pushed = _op("customer.create", None, None, name=FORMULAS[0], province="Zhejiang",
                 product_lines=FORMULAS[1:3], contacts=[{"name": FORMULAS[1],
                                                         "phone": "+86 571 0000"}])
    response = fresh.push("ana", pushed, _visit(fresh, notes=FORMULAS[3]))
    assert_coded(response)
    with db.writing(fresh.engine) as conn:  # as `import-customers` could bring them in
        customer = {"id": str(uuid.uuid4()), "name": FORMULAS[1], "province": "Zhejiang",
                    "industry": FORMULAS[4], "product_lines": FORMULAS, "version": 1,
                    "contacts": [{"name": FORMULAS[2], "title": FORMULAS[0],
                                  "phone": "+1 555 0100", "email": "=x@example.com"}]}
        db.put_record(conn, "customer", customer,
                      Org.load(conn).customer_audience(customer))
        db.put_record(conn, "visit", {"id": str(uuid.uuid4()), "customer_id": customer["id"],
                                      "rep_id": fresh.id("ana"), "at": NOW, "outcome": "met",
                                      "notes": FORMULAS[0], "version": 1}, {fresh.id("ana")})
    for what in ("customers", "visits"):
        text = to_csv(what, rows_for(fresh.engine, what)).lstrip("\ufeff")
        bad = [cell for row in csv.reader(io.StringIO(text)) for cell in row
               if cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not _number(cell)]
        assert not bad, f"export {what}: cells a spreadsheet would run: {bad}"


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- ids that exist

FOREIGN = [(caller, kind, key)
           for caller in ("ana", "oz")
           for author, customer in HISTORY if author != caller
           for kind in HISTORY_KINDS
           for key in [history_key(author, kind, customer)]]


@pytest.mark.parametrize(("caller", "kind", "key"), FOREIGN,
                         ids=[f"{c}-{k}" for c, _, k in FOREIGN])
def test_a_create_reusing_another_reps_record_id_is_refused_and_returns_nothing(fresh, caller,
                                                                                kind, key):
    """Finding 5: the pusher's record must not be dropped for theirs, nor theirs returned."""
    own = {"ana": "ana_own", "oz": "cy_own"}[caller]
    mutation = _mutation(fresh, f"{kind}.create", None, {})
    mutation["record_id"] = fresh.id(key)
    mutation["fields"]["customer_id"] = fresh.id(own)
    answer = _push_refused(fresh, mutation, {"record.id_taken"}, who=caller)
    assert not answer.get("record"), f"the refusal carries the existing record: {answer}"


@pytest.mark.parametrize("kind", HISTORY_KINDS)
def test_a_create_whose_own_id_exists_with_other_content_is_refused(fresh, kind):
    mutation = _mutation(fresh, f"{kind}.create", None, {})
    mutation["record_id"] = fresh.id(history_key("ana", kind, "ana_own"))
    _push_refused(fresh, mutation, {"record.id_taken"})


def test_a_customer_create_over_an_existing_customer_is_refused(fresh):
    for key in CUSTOMERS:
        mutation = _op("customer.create", fresh.id(key), None, name=secret(ATTACK, "name"),
                       province="Zhejiang")
        _push_refused(fresh, mutation, {"record.id_taken"})


def test_a_true_resend_from_another_laptop_is_applied_once_and_changes_nothing(fresh):
    """Bo's own creates, sent again unchanged from a second laptop (import-outbox): the same
    records come back, nothing is written twice."""
    device = fresh.register_device("bo")
    before = Snapshot.take(fresh.engine)
    resend = [{**m, "mid": i} for i, m in enumerate(fresh.pushed, 1)]
    response = fresh.client.post("/v1/sync/push", headers=fresh.headers("bo"),
                                 json={"device_id": device, "schema_version": 1,
                                       "mutations": resend})
    assert_coded(response)
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 3, results
    assert [r["record_id"] for r in results] == [m["record_id"] for m in fresh.pushed]
    assert_no_leak(response, audience("bo"))
    assert_changed_only(fresh.engine, before, fresh.id("bo"))


def test_a_reused_sequence_number_with_another_operation_is_refused_with_a_code(fresh):
    """Finding 1, server side: mid 1 again, for a different change, is not its stored result."""
    first = fresh.push("ana", _visit(fresh, notes="the first"))
    assert first.json()["results"][0]["status"] == "applied"
    fresh.mids["ana"] = 0
    before = Snapshot.take(fresh.engine)
    response = fresh.push("ana", _visit(fresh, notes="a different one"))
    assert response.status_code == 409, response.text
    _refused(fresh, "ana", response, {"push.mid_reused"}, before)


def test_a_replayed_answer_tells_nothing_written_after_the_record_left_the_caller(fresh):
    """A lost answer is asked for again with the same mid: whether the server keeps the result
    or renders it from the record now (finding 12), it must not carry what the new owner wrote
    after the customer left the caller."""
    claim = _op("customer.claim", fresh.id("pool_zj"))
    first = fresh.push("ana", claim)
    assert first.json()["results"][0]["status"] == "applied", first.text
    with db.writing(fresh.engine) as conn:  # Mei hands it to Bo, who writes a new contact
        customer = db.get_record(conn, "customer", fresh.id("pool_zj"))
        customer.update(owner_id=fresh.id("bo"), owner_name="Bo", version=customer["version"] + 1,
                        contacts=[{"name": secret(MOVED_NEW, "contact"),
                                   "phone": secret(MOVED_NEW, "phone")}])
        db.put_record(conn, "customer", customer, Org.load(conn).customer_audience(customer))
    fresh.mids["ana"] = 0
    before = Snapshot.take(fresh.engine)
    again = fresh.push("ana", claim)
    assert again.status_code == 200, again.text
    assert_no_leak(again, audience("ana") - {MOVED_NEW}, "the replayed answer")
    assert_changed_only(fresh.engine, before, fresh.id("ana"))


# --------------------------------------------------------------------------- malformed values

@pytest.mark.parametrize("customer_id", [12345, ["x"], {"$ne": None}, "", None, True],
                         ids=["int", "list", "object", "empty", "null", "bool"])
def test_a_customer_id_that_is_not_an_id_is_refused_with_a_code(fresh, customer_id):
    mutation = _visit(fresh)
    mutation["fields"]["customer_id"] = customer_id
    before = Snapshot.take(fresh.engine)
    response = fresh.push("ana", mutation)
    _refused(fresh, "ana", response, set(TEMPLATES), before)


@pytest.mark.parametrize("change", [
    {"record_id": "x" * 65}, {"record_id": "a\x00b"}, {"kind": "customer.delete"},
    {"fields": ["not", "an", "object"]}, {"op_id": ""}, {"base_version": "one"},
], ids=["long-id", "nul-id", "unknown-kind", "fields-list", "empty-op", "base-text"])
def test_a_malformed_mutation_is_refused_with_a_code(fresh, change):
    before = Snapshot.take(fresh.engine)
    response = fresh.push("ana", {**_visit(fresh), **change})
    _refused(fresh, "ana", response, set(TEMPLATES), before)


@pytest.mark.parametrize(("raw", "codes"), [
    ("NaN", {"field.invalid", "field.number_too_large"}),
    ("1e999", {"field.invalid", "field.number_too_large"}),
    (str(2 ** 70), {"field.number_too_large", "field.invalid"}),
], ids=["nan", "infinity", "2**70"])
def test_numbers_json_cannot_carry_are_refused_with_a_code(fresh, raw, codes):
    mutation = json.dumps({**_visit(fresh), "mid": "MID"}).replace('"MID"', "MID")
    mutation = mutation.replace('"kind": "visit",', f'"kind": "visit", "amount": {raw},')
    before = Snapshot.take(fresh.engine)
    _refused(fresh, "ana", _raw_push(fresh, mutation), codes, before)


def test_a_lone_surrogate_is_refused_as_a_broken_character(fresh):
    """Finding 16: not 'a number in this change is too large'."""
    mutation = json.dumps({**_visit(fresh, notes="\ud800"), "mid": "MID"}).replace('"MID"', "MID")
    assert "\\ud800" in mutation
    before = Snapshot.take(fresh.engine)
    _refused(fresh, "ana", _raw_push(fresh, mutation), {"field.surrogate"}, before)


@pytest.mark.parametrize(("kind", "fields"), [
    ("visit.create", {"at": "0001-01-01T00:00:00+00:00"}),
    ("visit.create", {"at": "9999-12-31T23:59:59-14:00"}),
    ("followup.create", {"due": "0001-01-01"}),
    ("followup.update", {"status": "snoozed", "snoozed_until": "0001-01-02"}),
], ids=["visit-year-1", "visit-year-10000-utc", "followup-due-year-1", "snooze-year-1"])
def test_dates_outside_the_window_are_refused_with_a_code(fresh, kind, fields):
    """Finding 15: one window, one rule, on both sides."""
    target = "ana_followup_ana_own" if kind.endswith("update") else None
    _push_refused(fresh, _mutation(fresh, kind, target, fields), {"field.date_window"})


# --------------------------------------------------------------------------- read endpoints

@pytest.mark.parametrize(("path", "params", "headers"), [
    ("/v1/sync/pull", {"cursor": "s²"}, {}),
    ("/v1/sync/pull", {"cursor": "s³"}, {}),
    ("/v1/sync/pull", {"cursor": "s١٢"}, {}),
    ("/v1/sync/pull", {"cursor": "s0", "limit": "²"}, {}),
    ("/v1/sync/bootstrap", {"limit": "٣"}, {}),
    ("/v1/me", {}, {"X-Fieldrep-Schema": b"\xb2"}),
    ("/v1/health", {}, {"X-Fieldrep-Schema": b"\xb2"}),
    ("/v1/sync/bootstrap", {"token": "W3RydWUsImEiLCJiIl0="}, {}),  # [true,"a","b"]
    ("/v1/sync/bootstrap", {"token": "not base64 at all"}, {}),
], ids=["cursor-superscript-2", "cursor-superscript-3", "cursor-arabic-digits",
        "limit-superscript", "limit-arabic", "schema-superscript", "health-schema-superscript",
        "bootstrap-token-boolean", "bootstrap-token-garbage"])
def test_non_ascii_digits_and_forged_tokens_get_a_coded_4xx_never_a_500(fresh, path, params,
                                                                         headers):
    """Findings 13 and 16 (the health check may ignore the header, but must not crash)."""
    response = fresh.client.get(path, params=params,
                                headers={**fresh.headers("ana"), **headers})
    assert_coded(response)
    assert_no_leak(response, audience("ana"))
    if path != "/v1/health":
        assert 400 <= response.status_code < 500, (response.status_code, response.text)

