"""O (issue 10): a rep's goals per period, the same rules on the laptop and the server.

A manager sets a rep's goals *from a period on*: "from January, 14 visits a week and 150,000 a
month". Each change is one entry of the rep's ``goals_history`` (``GoalsChange``: the goals, the
first day they are in effect, who set them and when); the goals of any day are those of the
latest entry in effect on it (:func:`goals_at`), the rep's plain ``goals`` before the first
entry. So December's figures keep December's goals after January's are set, and the dashboard
and the Team screen read the goals of the period they show.

The numbers stay rates, as ``Goals`` has always held them (visits a week; new customers and
revenue a month; a coverage share and a satisfaction target), so a period of any length scales
them the same way on every screen.

:func:`set_goals` is the one change of a rep record both sides make: the server when the
``rep.goals`` mutation arrives, the laptop on its pending copy until the answer comes back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from sync.protocol import dates, validation
from sync.protocol.models import Goals, GoalsChange
from sync.protocol.refusals import Refusal

MAX_HISTORY = 60
"""The most entries a rep's goals history keeps (five years of monthly changes); older go."""
BACK_DAYS = 400
"""How far back a period's goals may still be set (last year's, for a correction)."""
AHEAD_DAYS = 400
"""How far ahead (next year's)."""
ORIGIN = date(2000, 1, 1)
"""The ``effective`` day of the entry that keeps the goals a rep had before the first change."""

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_WEEK = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")


def history_of(rep: Mapping[str, Any] | None) -> list[GoalsChange]:
    """The rep's goals history, oldest first; entries that do not validate are left out."""
    out: list[GoalsChange] = []
    for entry in (rep or {}).get("goals_history") or []:
        try:
            out.append(GoalsChange.model_validate(entry))
        except ValidationError:
            continue
    return sorted(out, key=lambda e: e.effective)


def base_goals(rep: Mapping[str, Any] | None) -> Goals:
    """The rep's plain ``goals`` (the protocol's defaults when missing or malformed)."""
    try:
        return Goals.model_validate((rep or {}).get("goals") or {})
    except ValidationError:
        return Goals()


def goals_at(rep: Mapping[str, Any] | None, day: date) -> Goals:
    """The goals in effect on ``day``: the latest history entry from ``day`` or before, else the
    rep's plain goals (a rep whose goals were never set by period)."""
    found = None
    for entry in history_of(rep):
        if entry.effective <= day:
            found = entry
    return found.goals if found is not None else base_goals(rep)


def period_start(text: str, today: date) -> date:
    """The first day of the period ``text`` names: a month ``2027-01``, a quarter ``2027-Q1``,
    an ISO week ``2026-W50``, or a date as the forms take them (``today``, ``+1w``, ``2027-01-15``:
    the goals start on that day). ValueError with the message of ``goals.period`` otherwise."""
    word = text.strip()
    try:
        if m := _MONTH.match(word):
            return date(int(m[1]), int(m[2]), 1)
        if m := _QUARTER.match(word):
            return date(int(m[1]), 3 * (int(m[2]) - 1) + 1, 1)
        if m := _WEEK.match(word):
            return date.fromisocalendar(int(m[1]), int(m[2]), 1)
        return dates.parse_date(word, today)
    except ValueError:
        raise ValueError(Refusal("goals.period", {"text": word[:40]}).text) from None


def effective_refusal(day: date, today: date) -> Refusal | None:
    """Goals are set for a period within :data:`BACK_DAYS` back and :data:`AHEAD_DAYS` ahead."""
    first, last = today - timedelta(days=BACK_DAYS), today + timedelta(days=AHEAD_DAYS)
    if first <= day <= last:
        return None
    return Refusal("goals.effective_range", {"first": first.isoformat(), "last": last.isoformat(),
                                             "day": day.isoformat()})


def checked(rep: Mapping[str, Any], values: Mapping[str, Any], effective: date,
            today: date) -> Goals | Refusal:
    """The goals ``values`` make of those in effect on ``effective`` (a partial change keeps the
    rest), checked by the model's bounds; or the refusal naming the first bad value."""
    if not isinstance(values, Mapping) or not values:
        return Refusal("goals.empty")
    for name in values:
        if name not in Goals.model_fields:
            return Refusal("field.unexpected", {"field": str(name)[:40]})
    found = effective_refusal(effective, today)
    if found is not None:
        return found
    current = goals_at(rep, effective).model_dump(mode="json")
    try:
        return Goals.model_validate({**current, **values})
    except ValidationError as error:
        return validation.refusal_of(error)


def set_goals(rep: Mapping[str, Any], goals: Goals, effective: date, *, by: str | None,
              by_name: str | None, at: datetime, today: date) -> dict[str, Any]:
    """``rep`` with ``goals`` in effect from ``effective``: an entry of the history (replacing
    one from the same day), the oldest dropped beyond :data:`MAX_HISTORY`, and the plain
    ``goals`` those in effect ``today``. The first change also writes the goals the rep had
    until then as an entry from :data:`ORIGIN`, so the days before it keep them."""
    history = history_of(rep)
    if not history and effective > ORIGIN:
        history.append(GoalsChange(effective=ORIGIN, goals=base_goals(rep)))
    history = [e for e in history if e.effective != effective]
    history.append(GoalsChange(effective=effective, goals=goals, by=by, by_name=by_name, at=at))
    history.sort(key=lambda e: e.effective)
    record = dict(rep)
    record["goals_history"] = [e.model_dump(mode="json") for e in history[-MAX_HISTORY:]]
    record["goals"] = goals_at(record, today).model_dump(mode="json")
    return record


def fields_of(goals: Mapping[str, Any] | Goals, effective: date) -> dict[str, Any]:
    """The ``rep.goals`` mutation's fields."""
    values = goals.model_dump(mode="json") if isinstance(goals, Goals) else dict(goals)
    return {"goals": values, "effective": effective.isoformat()}
