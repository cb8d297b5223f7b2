"""What a rep may type: one rule, run by the server (server/domain/) and by the laptop's commands
(cache/commands.py), so a refusal the laptop gives while the rep types reads exactly like the one the
server would give at sync.

* Sizes and counts are the pydantic ``Field`` constraints of sync/protocol/models.py; a model's
  error becomes a coded refusal here (``field.too_long``, ``field.too_many``, ``field.required``).
* Text: no control characters in any text field. Multi-line fields (``MULTILINE_FIELDS``) may hold
  a line break and a tab; one-line fields (names, titles, cities, contacts, product lines, …) hold
  neither, nor a bidirectional override or isolate. DEL and the C1 controls are refused
  everywhere; a NUL and a lone UTF-16 surrogate are named for what they are.
* Dates: every calendar date lies in [``EARLIEST``, ``LATEST``]; a moment (``at`` of a visit or a
  feedback) lies between ``EARLIEST`` and ``AHEAD`` (a day) past the clock that checks it. The
  laptop checks with its own clock, so a rep cannot date a visit tomorrow; the server checks with
  its own clock, never the laptop's, and allows on top the ``CLOCK_SKEW`` a laptop's clock may
  be off by (a laptop a few days fast still delivers its visits, as the clock-skew tests want),
  so year 9999, or year 10000 in UTC, never reaches a database.

* Contact details: an email is one ``@`` and a dotted domain; a phone number holds digits,
  spaces, ``+``, ``-`` and parentheses, and a Chinese mobile (starting with 1) has 11 digits.

Only the fields a change carries are judged (``carried``), and of an edited record's contacts
only the details the edit brings (``stored``), so a record stored before a rule existed can
still be edited in its other fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError

from sync.protocol.refusals import Refusal

EARLIEST = date(2000, 1, 1)
"""The earliest date of anything a rep logs or plans."""
LATEST = date(2100, 12, 31)
"""The latest date a follow-up may be due or snoozed to."""
AHEAD = timedelta(days=1)
"""How far past the checking clock a visit's time may be (time zones, a slow laptop clock)."""
CLOCK_SKEW = timedelta(days=30)
"""How far a laptop's clock may run ahead of the server's: the server adds it to AHEAD."""

MULTILINE_FIELDS = frozenset({"notes", "text", "resolution"})
"""Fields that may hold a line break and a tab; every other text field is one line."""
MOMENT_FIELDS = frozenset({"at"})
"""Datetime fields a rep sets: at most ``AHEAD`` past the clock."""
DATE_FIELDS = frozenset({"next_step_due", "due", "snoozed_until"})
"""Calendar-date fields a rep sets: within [EARLIEST, LATEST]."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MULTI_LINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Invalid(ValueError):
    """A value these rules refuse; ``refusal`` names the field and says why."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal

    @property
    def field(self) -> str:
        return str(self.refusal.params.get("field") or "input")


def _leaf(field: str) -> str:
    """The field's own name: ``contacts.0.name`` → ``name``, ``product_lines.3`` → ``product_lines``."""
    parts = [p for p in field.split(".") if not p.isdigit()]
    return parts[-1] if parts else field


def text_refusal(field: str, value: str) -> Refusal | None:
    """Why ``value`` may not stand in text field ``field`` (a dotted path), or None."""
    if _SURROGATE.search(value):
        return Refusal("field.surrogate", {"field": field})
    if "\x00" in value:
        return Refusal("field.nul", {"field": field})
    pattern = _MULTI_LINE if _leaf(field) in MULTILINE_FIELDS else _ONE_LINE
    if pattern.search(value):
        return Refusal("field.control_chars", {"field": field})
    return None


def _safe_key(key: str) -> str:
    return key if text_refusal("key", key) is None else ascii(key)


def _strings(value: Any, path: str) -> Iterator[tuple[str, str, bool]]:
    """(path, text, is_a_key) for every string inside ``value``, keys of objects included."""
    if isinstance(value, str):
        yield path, value, False
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            yield (f"{path}.{_safe_key(name)}" if path else _safe_key(name)), name, True
            yield from _strings(item, f"{path}.{_safe_key(name)}" if path else _safe_key(name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))


def fields_refusal(fields: dict[str, Any]) -> Refusal | None:
    """The first text in ``fields`` (nested lists and objects too) these rules refuse, or None."""
    for path, text, is_key in _strings(fields, ""):
        refusal = text_refusal("key" if is_key else path, text)
        if refusal is not None:
            return Refusal(refusal.code, {"field": path}) if is_key else refusal
    return None


def _window(field: str, latest: date) -> Refusal:
    return Refusal("field.date_window", {"field": field, "earliest": EARLIEST.isoformat(),
                                         "latest": latest.isoformat()})


def _as_moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def date_refusal(field: str, value: Any, now: datetime,
                 skew: timedelta = timedelta(0)) -> Refusal | None:
    """Why ``value`` of date field ``field`` lies outside the window, or None.

    A moment field (``at``) lies in [EARLIEST, ``now`` + AHEAD + ``skew``]; a date field in
    [EARLIEST, LATEST]. ``None`` and a value that is no date at all pass (the model says so).
    """
    if value is None or value == "":
        return None
    try:
        if _leaf(field) in MOMENT_FIELDS:
            moment = _as_moment(value)
            latest = now + AHEAD + skew
            if moment < datetime.combine(EARLIEST, time(), UTC) or moment > latest:
                return _window(field, latest.astimezone(UTC).date())
            return None
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        if isinstance(day, datetime):
            day = day.date()
    except (TypeError, ValueError, OverflowError):
        return None
    if not EARLIEST <= day <= LATEST:
        return _window(field, LATEST)
    return None


def dates_refusal(fields: dict[str, Any], now: datetime,
                  skew: timedelta = timedelta(0)) -> Refusal | None:
    """The first date among ``fields`` (by name: MOMENT_FIELDS, DATE_FIELDS) outside its window."""
    for name, value in fields.items():
        if name in MOMENT_FIELDS or name in DATE_FIELDS:
            refusal = date_refusal(name, value, now, skew)
            if refusal is not None:
                return refusal
    return None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_PHONE = re.compile(r"[0-9 +\-()]+")  # one pass: linear on a hostile megabyte too
CONTACT_FIELDS = frozenset({"email", "phone"})
"""Contact details with a shape of their own: judged by ``email_refusal`` and ``phone_refusal``."""
MOBILE_DIGITS = 11
"""The digits of a Chinese mobile number (it starts with 1, after an optional +86)."""


def email_refusal(field: str, value: str) -> Refusal | None:
    """Why ``value`` is no email address (one ``@``, a dotted domain, no spaces), or None;
    empty is no address at all and passes."""
    value = value.strip()
    if value and not _EMAIL.match(value):
        return Refusal("contact.email_invalid", {"field": field, "value": one_line(value)[:80]})
    return None


def phone_refusal(field: str, value: str) -> Refusal | None:
    """Why ``value`` is no phone number, or None; empty passes. A number holds digits, spaces,
    ``+``, ``-`` and parentheses; a Chinese mobile (its digits start with 1, after ``+86`` or
    ``0086`` when written) has exactly MOBILE_DIGITS digits. A number with another country's
    ``+`` code is not counted."""
    value = value.strip()
    if not value:
        return None
    digits = re.sub(r"\D", "", value)
    if not _PHONE.fullmatch(value) or not digits:
        return Refusal("contact.phone_invalid", {"field": field})
    if value.startswith("+"):
        if not digits.startswith("86"):
            return None
        digits = digits[2:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if digits.startswith("1") and len(digits) != MOBILE_DIGITS:
        return Refusal("contact.mobile_digits", {"field": field, "digits": len(digits)})
    return None


def contact_refusal(fields: dict[str, Any], stored: dict[str, Any] | None = None) -> Refusal | None:
    """The first email or phone among ``fields`` (inside contacts too) that is no email address
    or phone number, or None. A value ``stored`` holds already under the same name (a record
    saved before this rule) is carried over, not judged again, so the rest stays editable."""
    kept: set[tuple[str, str]] = set()
    if stored is not None:
        kept = {(_leaf(path), text) for path, text, is_key in _strings(stored, "")
                if not is_key and _leaf(path) in CONTACT_FIELDS}
    for path, text, is_key in _strings(fields, ""):
        leaf = _leaf(path)
        if is_key or leaf not in CONTACT_FIELDS or (leaf, text) in kept:
            continue
        refusal = email_refusal(path, text) if leaf == "email" else phone_refusal(path, text)
        if refusal is not None:
            return refusal
    return None


def refusal_of(error: ValidationError) -> Refusal:
    """A model's first complaint as a coded refusal naming the field (``contacts.0.name``)."""
    first = error.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ())) or "record"
    kind = first.get("type", "")
    ctx = first.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return Refusal("field.required", {"field": field})
    if kind == "string_too_long":
        return Refusal("field.too_long", {"field": field, "max": ctx.get("max_length")})
    if kind == "too_long":
        return Refusal("field.too_many", {"field": field, "max": ctx.get("max_length")})
    message = str(first.get("msg", "is not valid")).removeprefix("Value error, ")
    return Refusal("field.invalid", {"field": field, "problem": message[:1].lower() + message[1:]})


def validated(model: type[BaseModel], data: dict[str, Any], *, now: datetime,
              carried: dict[str, Any] | None = None,
              skew: timedelta = timedelta(0),
              stored: dict[str, Any] | None = None) -> dict[str, Any]:
    """``data`` validated by ``model`` as a plain JSON dict; raises Invalid with a coded refusal.

    ``carried`` is what the change itself brings (default: all of ``data``): its texts, dates
    and contact details are judged by the rules above, the whole record by the model's sizes and
    counts. ``stored`` is the record as it was before the change (an edit): contact details it
    holds already are carried over (``contact_refusal``). ``skew`` is the server's allowance
    for a laptop's clock (CLOCK_SKEW); the laptop passes none.
    """
    carried = data if carried is None else carried
    refusal = fields_refusal(carried) or contact_refusal(carried, stored)
    if refusal is not None:
        raise Invalid(refusal)
    try:
        record = model.model_validate(data).model_dump(mode="json")
    except ValidationError as error:
        raise Invalid(refusal_of(error)) from None
    refusal = dates_refusal({k: record[k] for k in carried if k in record}, now, skew)
    if refusal is not None:
        raise Invalid(refusal)
    return record


_BLANKS = re.compile(r"\s+")


def one_line(text: str) -> str:
    """``text`` made fit for a one-line field: runs of white space (line breaks, tabs) become one
    space, and whatever else the one-line rule refuses is dropped (for titles the laptop makes
    from other text, e.g. a complaint's)."""
    return _ONE_LINE.sub("", _SURROGATE.sub("", _BLANKS.sub(" ", text))).strip()
