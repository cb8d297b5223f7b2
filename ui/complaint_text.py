"""What a complaint's SLA and its re-visit say to a person, in the UI's language (helper K,
issue 10): the severity, the age (``5 h``, ``3 d 4 h``), the SLA's state (``on time``, ``response
late``, ``resolution late``) and the title of a satisfaction re-visit follow-up, which the server
writes in English (``sync/protocol/complaints.REVISIT_PREFIX`` + the complaint's text).

For the queue and the customer timeline: a follow-up whose ``source`` is ``revisit`` shows
``revisit_title(record)`` instead of its stored title; a resolved complaint's date is its
``resolved_at``.
"""

from __future__ import annotations

from sync.protocol.complaints import REVISIT_PREFIX
from ui.i18n import _

SEVERITIES = {"low": "low", "medium": "medium", "high": "high"}
"""The severities, English keys of the catalogue."""


def severity_text(severity: str | None) -> str:
    return _(SEVERITIES.get(severity or "", "medium"))


def age_text(hours: float) -> str:
    """How long a complaint has been open (or took): ``40 min``, ``5 h``, ``3 d 4 h``."""
    whole = int(hours)
    if whole < 1:
        return _("{n} min", n=int(hours * 60))
    if whole < 24:
        return _("{n} h", n=whole)
    return _("{d} d {h} h", d=whole // 24, h=whole % 24)


def sla_state(complaint: dict) -> str:
    """The SLA column of a listed complaint (its ``sla``: ``ComplaintSla.as_json``)."""
    sla = complaint.get("sla") or {}
    if sla.get("resolution_breached"):
        return _("resolution late")
    if sla.get("response_breached"):
        return _("response late")
    if complaint.get("status") == "resolved":
        return _("resolved on time")
    if sla.get("responded_at"):
        return _("responded")
    return _("on time")


def revisit_title(followup: dict) -> str:
    """A follow-up's title in the UI's language: a satisfaction re-visit (``source`` revisit)
    worded from the catalogue, any other as stored."""
    title = str(followup.get("title") or "")
    if followup.get("source") == "revisit" and title.startswith(REVISIT_PREFIX):
        return _("Satisfaction re-visit: {text}", text=title[len(REVISIT_PREFIX):])
    return title
