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


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "a b@example.com", "x@@example.com",
                                   "@example.com", "name@.com"])
def test_an_email_address_needs_one_at_and_a_dotted_domain(email):
    assert _code(validation.email_refusal("email", email)) == (
        "contact.email_invalid", {"field": "email", "value": email})


@pytest.mark.parametrize("email", ["", "buyer1@example.com", "li.wei+crm@sub.example.com.cn",
                                   "王芳@例子.中国"])
def test_a_real_email_address_or_none_passes(email):
    assert validation.email_refusal("email", email) is None


@pytest.mark.parametrize(("phone", "expected"), [
    ("13900000REP", ("contact.phone_invalid", {"field": "phone"})),
    ("+", ("contact.phone_invalid", {"field": "phone"})),
    ("139 0000 000#", ("contact.phone_invalid", {"field": "phone"})),
    ("1390000000", ("contact.mobile_digits", {"field": "phone", "digits": 10})),
    ("+86 139 0000 00001", ("contact.mobile_digits", {"field": "phone", "digits": 12})),
    ("0086-139-0000", ("contact.mobile_digits", {"field": "phone", "digits": 7})),
])
def test_a_phone_holds_digits_spaces_plus_dash_parentheses_and_a_mobile_eleven_digits(
        phone, expected):
    assert _code(validation.phone_refusal("phone", phone)) == expected


@pytest.mark.parametrize("phone", ["", "13900000000", "+86 139-0000-0000", "0086 13900000000",
                                   "(021) 5555-0001", "+86 21 5555 0001", "+1 (617) 555-0100",
                                   "1-617-555-0100", "021-55550001"])
def test_real_phone_numbers_pass_and_another_countrys_are_not_counted(phone):
    assert validation.phone_refusal("phone", phone) is None


def test_a_customer_edit_is_refused_a_bad_email_or_phone_in_its_contacts():
    base = {"id": "c1", "name": "Acme"}
    contacts = [{"name": "Li", "phone": "13900000REP", "email": "li@example.com"}]
    with pytest.raises(Invalid) as refused:
        validation.validated(Customer, {**base, "contacts": contacts}, now=NOW)
    assert _code(refused.value.refusal) == ("contact.phone_invalid", {"field": "contacts.0.phone"})
    contacts = [{"name": "Li", "email": "not-an-email"}]
    with pytest.raises(Invalid) as refused:
        validation.validated(Customer, {**base, "contacts": contacts}, now=NOW)
    assert refused.value.refusal.code == "contact.email_invalid"


def test_a_stored_bad_phone_is_carried_over_so_the_rest_stays_editable():
    """A record saved before the rule: editing its address, or another contact, is not refused
    for the old phone; changing that phone to another bad one is."""
    stored = {"id": "c1", "name": "Acme", "contacts": [
        {"name": "Old", "phone": "call reception", "email": "none"}]}
    edited = validation.validated(Customer, {**stored, "address": "1 Main St"}, now=NOW,
                                  carried={"address": "1 Main St"}, stored=stored)
    assert edited["address"] == "1 Main St"
    contacts = [{"name": "New", "phone": "13900000000"}, *stored["contacts"]]
    edited = validation.validated(Customer, {**stored, "contacts": contacts}, now=NOW,
                                  carried={"contacts": contacts}, stored=stored)
    assert edited["contacts"][1]["phone"] == "call reception"
    worse = [{"name": "Old", "phone": "13900000REP", "email": "none"}]
    with pytest.raises(Invalid) as refused:
        validation.validated(Customer, {**stored, "contacts": worse}, now=NOW,
                             carried={"contacts": worse}, stored=stored)
    assert refused.value.refusal.code == "contact.phone_invalid"


def test_the_contact_codes_have_templates():
    for code in ("contact.email_invalid", "contact.phone_invalid", "contact.mobile_digits",
                 "date.unreadable", "date.not_after_today"):
        assert code in TEMPLATES, code


@pytest.mark.timeout(20)
def test_a_hostile_megabyte_phone_or_email_is_refused_in_one_pass():
    # the contact rule runs before the model's size limits, on whatever a body carries: a
    # backtracking pattern took seconds for 20,000 digits and would hang on a megabyte
    digits = "1" * 1_000_000 + "x"
    assert validation.phone_refusal("phone", digits).code == "contact.phone_invalid"
    refusal = validation.email_refusal("email", "a" * 1_000_000 + "@")
    assert refusal.code == "contact.email_invalid" and len(refusal.params["value"]) <= 80
