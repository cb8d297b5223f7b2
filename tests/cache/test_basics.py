"""locations, uuid7, dates: the small pieces everything else stands on."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cache import locations
from cache.ids import uuid7
from sync.protocol.dates import parse_date

MONDAY = date(2026, 11, 23)


def test_fieldrep_home_overrides_the_data_dir(fieldrep_home):
    assert locations.data_dir() == fieldrep_home


def test_data_dir_defaults_to_the_platform_user_data_dir(monkeypatch):
    monkeypatch.delenv("FIELDREP_HOME", raising=False)
    assert locations.data_dir().name == "fieldrep"


def test_uuid7_is_version_7_and_sorts_in_creation_order():
    ids = [uuid7() for _ in range(5000)]
    assert all(uuid.UUID(i).version == 7 for i in ids[:50])
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-01", date(2026, 12, 1)),
    ("today", MONDAY),
    ("Tomorrow", MONDAY + timedelta(days=1)),
    ("fri", date(2026, 11, 27)),
    ("friday", date(2026, 11, 27)),
    ("周五", date(2026, 11, 27)),
    ("mon", date(2026, 11, 30)),  # the next Monday, not today
    ("+3d", MONDAY + timedelta(days=3)),
    ("+2w", MONDAY + timedelta(days=14)),
    (" 明天 ", MONDAY + timedelta(days=1)),
])
def test_parse_date_accepts_what_reps_type(text, expected):
    assert parse_date(text, MONDAY) == expected


@pytest.mark.parametrize("text", ["", "someday", "2026-02-30", "+3x", "12/01/2026", "-3d"])
def test_parse_date_refuses_nonsense_with_a_clear_message(text):
    with pytest.raises(ValueError, match=r"date"):
        parse_date(text, MONDAY)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_parse_date_reads_back_every_iso_date(day):
    assert parse_date(day.isoformat(), MONDAY) == day


@given(st.integers(min_value=0, max_value=999), st.sampled_from(["d", "w"]),
       st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_parse_date_offsets_count_from_today(amount, unit, today):
    days = amount * (7 if unit == "w" else 1)
    assert parse_date(f"+{amount}{unit}", today) == today + timedelta(days=days)


@given(st.text(max_size=20))
def test_parse_date_either_returns_a_date_or_raises_value_error(text):
    try:
        result = parse_date(text, MONDAY)
    except ValueError as error:
        assert str(error)
    else:
        assert isinstance(result, date)


@given(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
       st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_weekday_names_mean_the_next_such_day_within_a_week(name, today):
    result = parse_date(name, today)
    assert 1 <= (result - today).days <= 7
    assert result.strftime("%a").lower() == name
