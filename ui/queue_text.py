"""What a queue entry says to a person, in the UI's language: its due cell and its reason.

``cache/queue.py`` gives each entry a ``reason_code``, its ``due`` day and ``params`` (the title,
the complaint's text and age, the days left or since); this module words them, for the queue
screen (the list's Due column and the detail line) and ``fieldrep queue`` alike. A due date is
written by ``ui.times.due_text``. A complaint has no due date: it says how long it has been open.
"""

from __future__ import annotations

from datetime import date

from ui.complaint_text import revisit_title
from ui.i18n import _, _n
from ui.times import due_text


def _params(entry: dict) -> dict:
    params = entry.get("params")
    return params if isinstance(params, dict) else {}


def open_days(entry: dict, today: date) -> str:
    """How long a complaint has been open: ``open 15 days`` (``open since today``)."""
    params = _params(entry)
    days = params.get("days")
    if not isinstance(days, int):
        try:
            days = max(0, (today - date.fromisoformat(str(entry.get("due"))[:10])).days)
        except ValueError:
            days = 0
    if days == 0:
        return _("open since today")
    return _n("open {n} day", "open {n} days", days)


def due_cell(entry: dict, today: date) -> str:
    """The Due column: the due day (``Fri 11-27``); a complaint's age (``open 15 days``)."""
    if entry.get("reason_code") in ("complaint", "complaint_late"):
        return open_days(entry, today)
    return due_text(entry.get("due"), today)


def reason_text(entry: dict, today: date) -> str:
    """Why the entry is in the queue, as a sentence in the UI's language (the English
    ``reason`` of the store when the entry is of a kind this build does not word)."""
    code = entry.get("reason_code")
    params = _params(entry)
    day = due_text(entry.get("due"), today)
    title = revisit_title(params)
    if code == "overdue":
        return _("{title} — overdue since {date}", title=title, date=day)
    if code == "due_today":
        return _("{title} — due today", title=title)
    if code == "followup":
        return _("{title} — due {date}", title=title, date=day)
    if code == "complaint":
        return _("complaint, {age}: {text}", age=open_days(entry, today),
                 text=str(params.get("text") or ""))
    if code == "complaint_late":  # a manager's: the team's, past the SLA
        owner = str(params.get("owner") or "") or _("pool")
        if params.get("missed") == "respond":
            return _("no response within the SLA · {owner} · {age}: {text}", owner=owner,
                     age=open_days(entry, today), text=str(params.get("text") or ""))
        return _("not resolved within the SLA · {owner} · {age}: {text}", owner=owner,
                 age=open_days(entry, today), text=str(params.get("text") or ""))
    if code == "pool_return" and params.get("recycled") in ("no_visit", "no_deal"):
        return (_("went back to the pool (no visit in {days} days)", days=params.get("days"))
                if params["recycled"] == "no_visit"
                else _("went back to the pool (no deal in {days} days)", days=params.get("days")))
    if code == "pool_return":
        return (_("went back to the pool (protection lapsed)") if params.get("lapsed")
                else _("went back to the pool"))
    if code == "protection_expiring" and isinstance(params.get("left"), int):
        left = params["left"]
        if left <= 0:
            return _("protection ends today — visit to extend")
        if left == 1:
            return _("protection ends tomorrow — visit to extend")
        return _n("protection ends in {n} day — visit to extend",
                  "protection ends in {n} days — visit to extend", left)
    if code == "cadence" and "cadence" in params:
        cadence = _n("cadence {n} day", "cadence {n} days", int(params.get("cadence") or 0))
        tier = str(params.get("tier") or "")
        ago = params.get("ago")
        if isinstance(ago, int):
            return _n("{tier} customer: last visit {n} day ago ({cadence})",
                      "{tier} customer: last visit {n} days ago ({cadence})", ago,
                      tier=tier, cadence=cadence)
        return _("{tier} customer: not visited since the claim ({cadence})", tier=tier,
                 cadence=cadence)
    return str(entry.get("reason") or "")
