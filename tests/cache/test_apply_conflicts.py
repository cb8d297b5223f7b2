"""A conflict names what differs, sub-field by sub-field (cache/conflicts.py), so a rep can judge
it: not "contacts: Nina Tanaka / Nina Tanaka"."""

from __future__ import annotations

from cache.conflicts import differences

NINA = {"name": "Nina Tanaka", "title": "Buyer", "phone": "138 0013 8000", "email": ""}
BO = {"name": "Bo Li", "title": "CFO", "phone": "", "email": "bo@example.com"}


def test_a_contact_changed_on_both_sides_names_its_phone():
    theirs = [{**NINA, "phone": "139 0013 9000"}, BO]
    assert differences("contacts", [NINA, BO], theirs) == [
        {"field": "contacts", "item": "Nina Tanaka", "sub": "phone", "mine": "138 0013 8000",
         "theirs": "139 0013 9000"}]


def test_contacts_are_paired_by_name_whatever_their_order():
    theirs = [BO, {**NINA, "title": "Head of buying"}]
    assert [(d["item"], d["sub"]) for d in differences("contacts", [NINA, BO], theirs)] == [
        ("Nina Tanaka", "title")]


def test_a_contact_on_one_side_only_is_one_difference_with_nothing_opposite():
    found = differences("contacts", [NINA], [NINA, BO])
    assert found == [{"field": "contacts", "item": "Bo Li", "sub": None, "mine": None,
                      "theirs": "Bo Li · CFO · bo@example.com"}]


def test_a_renamed_contact_is_paired_by_position_and_names_the_name():
    found = differences("contacts", [NINA], [{**NINA, "name": "Nina Tanaka-Sato"}])
    assert [(d["sub"], d["mine"], d["theirs"]) for d in found] == [
        ("name", "Nina Tanaka", "Nina Tanaka-Sato")]


def test_plain_values_and_lists_of_values_are_one_difference_of_the_whole():
    assert differences("address", "Mine", "Theirs") == [
        {"field": "address", "item": None, "sub": None, "mine": "Mine", "theirs": "Theirs"}]
    assert differences("product_lines", ["软件"], ["软件", "包装"]) == [
        {"field": "product_lines", "item": None, "sub": None, "mine": "软件",
         "theirs": "软件; 包装"}]
