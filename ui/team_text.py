"""How the team's figures read (``cache/team.py``), on the Team screen and in ``fieldrep team``:
the period's name, each cell (the figure, its goal, a mark for how it stands, so the colour is
never the only sign) and the columns' titles, in the UI's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cache.figures import Period
from cache.team import MET, NEAR, Measure
from ui.i18n import _, language
from ui.times import NOTHING

MARKS = {MET: "✓", NEAR: "~", "behind": "!"}
"""The mark beside a figure for how it stands against its goal: met, near, behind."""

TITLES = {  # column key → the table's title (a catalogue key)
    "name": "Rep", "visits": "Visits", "a_coverage": "A seen", "new_customers": "New",
    "revenue": "Revenue", "satisfaction": "Satisf.", "overdue": "Overdue",
    "complaints": "Complaints", "held": "Held/cap", "claims": "Claims",
    "last_sync": "Last sync"}
SORT_NAMES = {  # column key → what the summary says the rows are sorted by
    "name": "name", "visits": "visits", "a_coverage": "A customers seen in cadence",
    "new_customers": "new customers", "revenue": "revenue", "satisfaction": "satisfaction",
    "overdue": "overdue follow-ups", "complaints": "open complaints",
    "held": "customers held", "claims": "claims", "last_sync": "last sync"}
CLI_TITLES = {  # column key → ``fieldrep team``'s header (a catalogue key)
    "name": "REP", "visits": "VISITS", "a_coverage": "A SEEN", "new_customers": "NEW",
    "revenue": "REVENUE", "satisfaction": "SATISF.", "overdue": "OVERDUE",
    "complaints": "COMPLAINTS", "held": "HELD/CAP", "claims": "CLAIMS",
    "last_sync": "LAST SYNC"}


def period_text(period: Period, today: date | None = None) -> str:
    """``week 2026-11-23 – 11-29``, ``2026-11``, ``2026 Q4`` (in Chinese ``2026 年 11 月`` …),
    followed by "(this week)" when it holds ``today``."""
    start, end = period.start, period.end
    if period.kind == "week":
        text = _("week {start} – {end}", start=start.isoformat(),
                 end=end.strftime("%m-%d") if end.year == start.year else end.isoformat())
        current = "{period} (this week)"
    elif period.kind == "month":
        text = _("{year}-{month:02d}", year=start.year, month=start.month)
        current = "{period} (this month)"
    else:
        text = _("{year} Q{quarter}", year=start.year, quarter=(start.month - 1) // 3 + 1)
        current = "{period} (this quarter)"
    if today is not None and start <= today <= end:
        return _(current, period=text)
    return text


def number(value: float | None) -> str:
    """A count or a goal: whole numbers without decimals, others with one."""
    if value is None:
        return NOTHING
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def money(amount: float | None) -> str:
    """An amount in few cells: ``950``, ``23.1k``, ``1.2M``; in Chinese ``2.3万``, ``1.2亿``."""
    if amount is None:
        return NOTHING
    steps = ((1e8, "亿"), (1e4, "万")) if language() == "zh" else ((1e6, "M"), (1e3, "k"))
    for size, unit in steps:
        if abs(amount) >= size:
            scaled = amount / size
            return (f"{scaled:.0f}" if abs(scaled) >= 100 else f"{scaled:.1f}").removesuffix(
                ".0") + unit
    return f"{amount:,.0f}"


def mark(measure: Measure) -> str:
    return MARKS.get(measure.standing or "", "")


def cell_text(key: str, measure: Measure, amount: Callable[[float | None], str] = money) -> str:
    """One cell: ``12/43 !``, ``50%/90% !``, ``4.1/4.2 ~``, ``1 !``, ``26/200``; ``—`` for a
    figure there is none of (no A customers, no scores, a time the laptop does not know)."""
    actual, goal = measure.actual, measure.goal
    if key == "last_sync" or (actual is None and key != "satisfaction"):
        return NOTHING
    if key == "a_coverage":
        text = f"{actual:.0f}%/{goal:.0f}%"
    elif key == "revenue":
        text = f"{amount(actual)}/{amount(goal)}"
    elif key == "satisfaction":
        text = f"{actual:.1f}/{goal:.1f}" if actual is not None else f"{NOTHING}/{goal:.1f}"
    elif key in ("visits", "new_customers", "held"):
        text = f"{number(actual)}/{number(goal)}"
    else:
        text = number(actual)
    sign = mark(measure)
    return f"{text} {sign}" if sign else text


def legend(cap: int) -> str:
    """What the marks and the columns mean, in one line."""
    return _("✓ met · ~ near or on pace · ! behind · goals scaled to the period · held vs a "
             "cap of {cap} · last sync: not in rep records", cap=cap)
