"""A visit as a rep types it, the same in the visit form and in ``fieldrep visit log``: the
outcome preset for each kind, and when it happened.

``parse_visit_time`` reads ``now`` (or empty), ``HH:MM`` (today), ``yesterday HH:MM`` (``昨天
HH:MM``) and ``YYYY-MM-DD HH:MM``, in the zone given (the policy's), and refuses a moment in the
future; it raises ``ValueError`` with the line to show, in the UI's language.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from ui.i18n import _

DEFAULT_OUTCOMES = {
    "visit": "Met the customer",
    "call": "Spoke on the phone",
    "email": "Sent an email",
    "meeting": "Held a meeting",
}
"""The outcome each kind of visit starts with (English keys of the catalogue)."""

TIME_FORMAT = "%Y-%m-%d %H:%M"
YESTERDAY_WORDS = ("yesterday", "昨天")


def default_outcome(kind: str) -> str:
    """The preset outcome of ``kind``, in the UI's language."""
    return _(DEFAULT_OUTCOMES.get(kind, DEFAULT_OUTCOMES["visit"]))


def _clock(text: str) -> time:
    if len(text) > 5 or ":" not in text:
        raise ValueError(text)
    return time.fromisoformat(text.zfill(5))


def parse_visit_time(text: str, now: datetime, zone: tzinfo) -> datetime:
    """When the visit happened (in UTC), read from ``text`` in ``zone``; see the module doc."""
    word = " ".join(text.strip().lower().split())
    if word in ("", "now", "现在"):
        return now
    local_now = now.astimezone(zone)
    try:
        day_word, _space, rest = word.partition(" ")
        if day_word in YESTERDAY_WORDS:
            day = local_now.date() - timedelta(days=1)
            moment = datetime.combine(day, _clock(rest), tzinfo=zone)
        elif ":" in word and " " not in word:
            moment = datetime.combine(local_now.date(), _clock(word), tzinfo=zone)
        else:
            moment = datetime.strptime(word, TIME_FORMAT).replace(tzinfo=zone)
    except ValueError:
        raise ValueError(_("use a time like 14:30, yesterday 14:30 or 2026-11-20 14:30")) from None
    if moment > now:
        raise ValueError(_("a visit cannot be in the future"))
    return moment.astimezone(UTC)
