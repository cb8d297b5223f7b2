"""The one rule for what a rep may type, shared by the server and the laptop's commands."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sync.protocol import validation
from sync.protocol.models import Customer, FollowUp, Visit
from sync.protocol.refusals import TEMPLATES, Refusal
from sync.protocol.validation import Invalid

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def _code(refusal: Refusal | None) -> tuple[str, dict] | None:
    return None if refusal is None else (refusal.code, refusal.params)


@pytest.mark.parametrize("text", [
    "\x1b]52;c;ZWNobw==\x07", "a\x00b", "bell\x07", "del\x7f", "csi\u009b2J", "nel\u0085",
    "cr\r", "vt\x0b", "fs\x1c",
])
def test_control_characters_are_refused_in_every_text(text):
    for field in ("name", "notes"):
        refusal = validation.text_refusal(field, text)
        assert refusal is not None and refusal.params == {"field": field}, (field, text)
        assert refusal.code in ("field.control_chars", "field.nul")
    assert _code(validation.text_refusal("name", "a\x00b")) == ("field.nul", {"field": "name"})


def test_line_breaks_and_tabs_only_in_multi_line_fields_bidi_overrides_only_in_one_line():
    for field in validation.MULTILINE_FIELDS:
        assert validation.text_refusal(field, "one\n\ttwo") is None
        assert validation.text_refusal(field, "עברית \u202e") is None
    for field in ("name", "title", "outcome", "city", "contacts.0.name", "product_lines.3"):
        assert _code(validation.text_refusal(field, "one\ntwo")) == (
            "field.control_chars", {"field": field})
        assert validation.text_refusal(field, "one\ttwo") is not None
        for bidi in ("\u202a", "\u202e", "\u2066", "\u2069"):
            assert validation.text_refusal(field, f"a{bidi}b") is not None, (field, bidi)
    assert validation.text_refusal("name", "中国石化 Acme – Ünïcødé ✓") is None


def test_a_lone_surrogate_is_named_as_such():
    assert _code(validation.text_refusal("notes", "x\ud800y")) == (
        "field.surrogate", {"field": "notes"})


def test_fields_are_walked_into_lists_and_contacts_and_keys_are_never_echoed_raw():
    fields = {"name": "ok", "contacts": [{"name": "ok"}, {"phone": "1\x1b[2J"}]}
    assert _code(validation.fields_refusal(fields)) == (
        "field.control_chars", {"field": "contacts.1.phone"})
    assert _code(validation.fields_refusal({"product_lines": ["a", "\ud800"]})) == (
        "field.surrogate", {"field": "product_lines.1"})
    refusal = validation.fields_refusal({"\x1b[2J": "x"})
    assert refusal.code == "field.control_chars" and "\x1b" not in refusal.params["field"]
    assert validation.fields_refusal({"notes": "a\nb", "amount": 3, "ok": None}) is None


def test_dates_lie_in_one_window():
    assert (date(2000, 1, 1), date(2100, 12, 31)) == (validation.EARLIEST, validation.LATEST)
    window = {"field": "due", "earliest": "2000-01-01", "latest": "2100-12-31"}
    for bad in ("0001-01-01", "1999-12-31", "2101-01-01", date(9999, 12, 31)):
        assert _code(validation.date_refusal("due", bad, NOW)) == ("field.date_window", window)
    assert validation.date_refusal("due", "2000-01-01", NOW) is None
    assert validation.date_refusal("snoozed_until", "2100-12-31", NOW) is None


def test_a_visit_moment_is_at_most_a_day_ahead_of_the_clock_that_checks_it():
    window = {"field": "at", "earliest": "2000-01-01", "latest": "2026-12-03"}
    for bad in ("9999-12-31T23:00:00-14:00", "0001-01-01T00:00:00+00:00",
                NOW + timedelta(days=1, seconds=1), "1999-12-31T23:59:59+00:00"):
        assert _code(validation.date_refusal("at", bad, NOW)) == ("field.date_window", window)
    assert validation.date_refusal("at", NOW + timedelta(days=1), NOW) is None
    assert validation.date_refusal("at", "2000-01-01T00:00:00+00:00", NOW) is None


def test_validated_turns_model_errors_into_coded_refusals():
    def refused(model, data, carried=None):
        with pytest.raises(Invalid) as caught:
            validation.validated(model, data, now=NOW, carried=carried)
        return caught.value.refusal.code, caught.value.refusal.params

    base = {"id": "c1", "name": "Acme"}
    assert refused(Customer, {**base, "product_lines": ["x"] * 31}) == (
        "field.too_many", {"field": "product_lines", "max": 30})
    assert refused(Customer, {**base, "product_lines": ["x" * 81]}) == (
        "field.too_long", {"field": "product_lines.0", "max": 80})
    assert refused(Customer, {**base, "contacts": [{"name": "x"}] * 21}) == (
        "field.too_many", {"field": "contacts", "max": 20})
    assert refused(Customer, {"id": "c1", "name": ""}) == ("field.required", {"field": "name"})
    assert refused(Customer, {"id": "c1"}) == ("field.required", {"field": "name"})
    assert refused(Customer, {**base, "tier": "Z"})[0] == "field.invalid"
    assert refused(Customer, {**base, "name": "A\x1b[2J"}) == (
        "field.control_chars", {"field": "name"})
    visit = {"id": "v1", "customer_id": "c1", "rep_id": "r1", "outcome": "met"}
    assert refused(Visit, {**visit, "at": "0001-01-01T00:00:00+00:00"})[0] == "field.date_window"
    followup = {"id": "f1", "customer_id": "c1", "rep_id": "r1", "title": "t"}
    assert refused(FollowUp, {**followup, "due": "2101-01-01"})[0] == "field.date_window"
    record = validation.validated(FollowUp, {**followup, "due": "2026-12-20"}, now=NOW)
    assert record["due"] == "2026-12-20"


def test_only_the_fields_a_change_carries_are_checked_for_text_and_dates():
    """A stored record from before these rules may be edited: its old values are not re-judged."""
    old = {"id": "f1", "customer_id": "c1", "rep_id": "r1", "title": "old\x1b", "due": "1990-01-01"}
    record = validation.validated(FollowUp, {**old, "status": "done"}, now=NOW,
                                  carried={"status": "done"})
    assert record["status"] == "done"


def test_every_code_the_rules_use_has_a_template():
    for code in ("field.control_chars", "field.surrogate", "field.date_window", "field.too_many",
                 "field.too_long", "field.required", "field.invalid", "field.nul",
                 "scope.pool_field", "scope.move_out", "record.id_taken",
                 "manager.target_territory", "scope.customer_outside"):
        assert code in TEMPLATES, code
