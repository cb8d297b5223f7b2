"""Times as a person reads them, in one zone: the policy's.

Every moment the TUI and the command line show (a visit's time, the timeline, the sync log, the
last sync, a protection end) is written in the policy's time zone (``rules.policy_zone``): the
team's working day, the zone "due today", "overdue" and the daily claim cap are counted in. The
laptop's own zone plays no part, so a rep travelling with a laptop set to another zone, the server's
UTC and the visit form all agree on "15:11".

A calendar day that has no time of day (a follow-up's due date, ``2026-12-01``) has no zone to
convert from. A due date a person reads is written one way everywhere (the queue, its detail line,
the customer screen, the sync screen, the command line's listings): ``due_text``, ``Fri 11-27`` with
the weekday in the UI's language (``周五 11-27``), or ``2027-01-08`` in another year.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sync.protocol import rules
from sync.protocol.models import Policy

MINUTE = "%Y-%m-%d %H:%M"
"""The full form: ``2026-12-03 15:11``."""
SHORT = "%m-%d %H:%M"
"""Within the year: ``12-03 15:11`` (the sync log)."""
CLOCK = "%H:%M"
"""The time of day alone: ``15:11``."""
DAY = "%Y-%m-%d"

NOTHING = "—"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""The weekdays' short names, English keys of the catalogue."""


def _is_calendar_day(value: Any) -> bool:
    if isinstance(value, datetime):
        return False
    return isinstance(value, date) or (isinstance(value, str) and len(value.strip()) == 10)


def _zone(policy: Policy | None) -> tzinfo:
    return rules.policy_zone(policy) if policy is not None else UTC


def local_moment(value: Any, policy: Policy | None) -> datetime | None:
    """``value`` (an ISO timestamp or a datetime; naive means UTC) as an aware datetime in the
    policy's zone (UTC before any policy is known); None when empty."""
    moment = rules.as_datetime(value) if value not in (None, "") else None
    return moment.astimezone(_zone(policy)) if moment is not None else None


def local_time(value: Any, policy: Policy | None, fmt: str = MINUTE, empty: str = NOTHING) -> str:
    """``value`` written in the policy's zone (``2026-12-03 15:11`` by default), ``empty`` when
    there is none; a calendar day without a time is written as it is."""
    if _is_calendar_day(value):
        return str(value)[:10]
    moment = local_moment(value, policy)
    return moment.strftime(fmt) if moment is not None else empty


def local_day(value: Any, policy: Policy | None) -> date | None:
    """The calendar day ``value`` falls on in the policy's zone, as ``rules.policy_day`` counts
    "today"; a calendar day is itself."""
    if _is_calendar_day(value):
        return value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    moment = local_moment(value, policy)
    return moment.date() if moment is not None else None


def day_text(value: Any, policy: Policy | None, empty: str = NOTHING) -> str:
    """``local_day`` written ``2026-12-03``, ``empty`` when there is none."""
    day = local_day(value, policy)
    return day.isoformat() if day is not None else empty


def due_text(value: Any, today: date | None = None, empty: str = NOTHING) -> str:
    """A due date (a ``date`` or ``2026-11-27``) as a person reads it: ``Fri 11-27``, the
    weekday in the UI's language; ``today`` when it is ``today`` (given); ``2027-01-08`` when it
    is not in ``today``'s year (or the year of the laptop's today: a weekday that far off helps
    little, and the date stays ten cells wide); ``empty`` when there is none (or it cannot be
    read)."""
    from ui.i18n import _

    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value or "").strip()[:10])
        except ValueError:
            return empty
    if value == today:
        return _("today")
    if value.year != (today or date.today()).year:
        return value.isoformat()
    return f"{_(WEEKDAYS[value.weekday()])} {value:%m-%d}"


def moment_text(value: Any, policy: Policy | None, now: datetime) -> str:
    """A moment said briefly, in the policy's zone: ``14:02`` on ``now``'s day, ``11-22 14:02``
    within the year, ``2025-11-22 14:02`` before; ``—`` when there is none."""
    moment = local_moment(value, policy)
    if moment is None:
        return NOTHING
    today = now.astimezone(moment.tzinfo)
    if moment.date() == today.date():
        return moment.strftime(CLOCK)
    return moment.strftime(SHORT if moment.year == today.year else MINUTE)
