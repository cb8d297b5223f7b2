"""Dates as a rep types them: ``2026-12-01``, ``today``, ``tomorrow``, ``fri``, ``周五``, ``+3d``, ``+2w``."""

from __future__ import annotations

import re
from datetime import date, timedelta

_WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "周一": 0,
    "星期一": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "周二": 1,
    "星期二": 1,
    "wed": 2,
    "wednesday": 2,
    "周三": 2,
    "星期三": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "周四": 3,
    "星期四": 3,
    "fri": 4,
    "friday": 4,
    "周五": 4,
    "星期五": 4,
    "sat": 5,
    "saturday": 5,
    "周六": 5,
    "星期六": 5,
    "sun": 6,
    "sunday": 6,
    "周日": 6,
    "周天": 6,
    "星期日": 6,
    "星期天": 6,
}
_WORDS = {"today": 0, "今天": 0, "tomorrow": 1, "明天": 1, "后天": 2}
_OFFSET = re.compile(r"^\+\s*(\d{1,4})\s*([dw])$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

HINT = "use a date like 2026-12-01, today, tomorrow, fri, +3d or +2w"


def parse_date(text: str | date, today: date | None = None) -> date:
    """The date ``text`` means, counted from ``today``; ValueError with a clear message otherwise.

    A weekday name means the next such day after today (``fri`` on a Friday is a week ahead).
    """
    if isinstance(text, date):
        return text
    if not isinstance(text, str):
        raise ValueError(f"not a date: {text!r}; {HINT}")
    today = today or date.today()
    word = text.strip().lower()
    if not word:
        raise ValueError(f"no date given; {HINT}")
    if word in _WORDS:
        return today + timedelta(days=_WORDS[word])
    if word in _WEEKDAYS:
        ahead = (_WEEKDAYS[word] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    if match := _OFFSET.match(word):
        amount, unit = int(match.group(1)), match.group(2)
        return today + timedelta(days=amount * (7 if unit == "w" else 1))
    if match := _ISO.match(word):
        year, month, day = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError as error:
            raise ValueError(f"{text.strip()!r} is not a real date ({error})") from None
    raise ValueError(f"cannot read {text.strip()!r} as a date; {HINT}")
