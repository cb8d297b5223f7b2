"""Complaints to resolution, one rule each, shared by the laptop and the server (helper K, issue 10).

* ``sla_of`` — a complaint against the policy's SLA (``Policy.complaint_sla_hours``, clock
  hours per severity): its age, when its first response and its resolution are due, and whether
  either was (or is now) missed. A pure function of the record, the policy and ``now``.
* ``respond_refusal`` / ``resolve_refusal`` — why a response or a resolution may not be made.
* ``response_fields`` / ``resolution_fields`` — what the server writes on the complaint for them,
  with its own clock: a response is appended once by its id (a resend adds nothing), the first
  response sets ``responded_at``; a resolution sets ``resolved_at`` and ``resolved_by``.
* ``revisit_followup`` — the satisfaction re-visit (回访) a resolution schedules for the
  customer's owner ``Policy.revisit_days`` later: its id is made from the complaint's, so it
  is created once, whatever is sent twice. Its ``title`` is English; the laptop words it in the
  rep's language from ``REVISIT_PREFIX`` (``ui/complaint_text.py``).

A response travels as ``feedback.update`` with ``{"response": {"id": UUID, "text": TEXT}}``; a
resolution as ``feedback.update`` with ``{"status": "resolved", "resolution": TEXT}``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sync.protocol.models import MAX_RESPONSES, FeedbackKind, FeedbackStatus, Policy, Severity
from sync.protocol.refusals import Refusal
from sync.protocol.rules import as_datetime, policy_day
from sync.protocol.validation import one_line

SERVER_FIELDS = frozenset({"responses", "responded_at", "resolved_at", "resolved_by",
                           "assignee_id"})  # N: the assignee, by feedback.assign or a transfer
"""Fields of a complaint only the server writes (a create or an update carrying them is refused)."""
UPDATE_FIELDS = frozenset({"status", "resolution", "response"})
"""What a ``feedback.update`` may carry."""
REVISIT_PREFIX = "Satisfaction re-visit: "
"""The English start of a re-visit's title; the rest is the complaint's text."""
_REVISIT_NAMESPACE = uuid.UUID("6f1d8a52-3c1e-4d7b-9a1e-0c5b2f7e4a10")


@dataclass(frozen=True)
class ComplaintSla:
    """A complaint measured against its SLA at ``now`` (all moments in UTC-aware datetimes)."""

    severity: str
    age_hours: float
    respond_due: datetime
    resolve_due: datetime
    responded_at: datetime | None
    resolved_at: datetime | None
    response_breached: bool
    resolution_breached: bool

    @property
    def breached(self) -> bool:
        return self.response_breached or self.resolution_breached

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def as_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "age_hours": round(self.age_hours, 1),
                "respond_due": self.respond_due.isoformat(),
                "resolve_due": self.resolve_due.isoformat(),
                "responded_at": self.responded_at.isoformat() if self.responded_at else None,
                "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
                "response_breached": self.response_breached,
                "resolution_breached": self.resolution_breached, "breached": self.breached}


def severity_of(complaint: dict) -> Severity:
    try:
        return Severity(complaint.get("severity") or Severity.medium)
    except ValueError:
        return Severity.medium


def sla_of(complaint: dict, policy: Policy, now: datetime) -> ComplaintSla | None:
    """``complaint`` against the policy's SLA at ``now``; None for feedback that is no complaint
    or has no readable time. A response (or the resolution) after its due time is breached for
    good; one not yet made is breached once ``now`` passes its due time."""
    if complaint.get("kind") != FeedbackKind.complaint:
        return None
    try:
        at = as_datetime(complaint.get("at"))
        resolved = as_datetime(complaint.get("resolved_at"))
        responded = as_datetime(complaint.get("responded_at"))
    except (TypeError, ValueError):
        return None
    if at is None:
        return None
    severity = severity_of(complaint)
    hours = policy.complaint_sla_hours[severity]
    respond_due = at + timedelta(hours=hours.respond)
    resolve_due = at + timedelta(hours=hours.resolve)
    if resolved is None and complaint.get("status") == FeedbackStatus.resolved:
        resolved = at  # resolved before this build kept the time: never counted as late
    responded = responded or resolved
    end = resolved or now
    return ComplaintSla(
        severity=severity.value,
        age_hours=max(0.0, (end - at).total_seconds() / 3600),
        respond_due=respond_due, resolve_due=resolve_due,
        responded_at=responded, resolved_at=resolved,
        response_breached=(responded or now) > respond_due,
        resolution_breached=(resolved or now) > resolve_due,
    )


def is_open(complaint: dict) -> bool:
    return (complaint.get("kind") == FeedbackKind.complaint
            and complaint.get("status") != FeedbackStatus.resolved)


def _answer_refusal(complaint: dict, text: Any, field: str) -> Refusal | None:
    """Why ``complaint`` takes no answer (``field``: response or resolution) with ``text``."""
    if complaint.get("kind") != FeedbackKind.complaint:
        return Refusal("complaint.not_a_complaint")
    if complaint.get("status") == FeedbackStatus.resolved:
        return Refusal("complaint.already_resolved",
                       {"when": str(complaint.get("resolved_at") or "")[:10]})
    if not isinstance(text, str) or not text.strip():
        return Refusal("complaint.text_required", {"field": field})
    return None


def respond_refusal(complaint: dict, text: Any) -> Refusal | None:
    """Why a response with ``text`` may not be added to ``complaint``, or None."""
    if len(complaint.get("responses") or []) >= MAX_RESPONSES:
        return Refusal("complaint.too_many_responses", {"max": MAX_RESPONSES})
    return _answer_refusal(complaint, text, "response")


def resolve_refusal(complaint: dict, text: Any) -> Refusal | None:
    """Why ``complaint`` may not be resolved with ``text``, or None."""
    return _answer_refusal(complaint, text, "resolution")


def has_response(complaint: dict, response_id: str) -> bool:
    return any(r.get("id") == response_id for r in complaint.get("responses") or [])


def response_fields(complaint: dict, *, response_id: str, text: str, rep: dict,
                    now: datetime) -> dict[str, Any]:
    """What a response writes on ``complaint`` (nothing when its id is there already): the
    response appended, ``responded_at`` on the first, an open complaint in progress."""
    if has_response(complaint, response_id):
        return {}
    entry = {"id": response_id, "rep_id": rep["id"], "rep_name": rep.get("name") or "",
             "at": now.isoformat(), "text": text.strip().replace("\r\n", "\n")}
    fields: dict[str, Any] = {"responses": [*(complaint.get("responses") or []), entry]}
    if not complaint.get("responded_at"):
        fields["responded_at"] = now.isoformat()
    if complaint.get("status") in (None, FeedbackStatus.open):
        fields["status"] = FeedbackStatus.in_progress.value
    return fields


def resolution_fields(complaint: dict, *, text: str, rep: dict, now: datetime) -> dict[str, Any]:
    """What a resolution writes on ``complaint``: resolved now, by ``rep``, with ``text``."""
    fields: dict[str, Any] = {"status": FeedbackStatus.resolved.value,
                              "resolution": text.strip().replace("\r\n", "\n"),
                              "resolved_at": now.isoformat(), "resolved_by": rep["id"]}
    if not complaint.get("responded_at"):
        fields["responded_at"] = now.isoformat()
    return fields


def revisit_id(complaint_id: str) -> str:
    """The id of the re-visit ``complaint_id``'s resolution schedules: the same every time."""
    return str(uuid.uuid5(_REVISIT_NAMESPACE, f"revisit:{complaint_id}"))


def revisit_due(policy: Policy, now: datetime) -> date:
    return policy_day(policy, now) + timedelta(days=policy.revisit_days)


def revisit_followup(complaint: dict, owner_id: str, policy: Policy, now: datetime) -> dict:
    """The satisfaction re-visit (回访) follow-up for ``owner_id`` after ``complaint`` is
    resolved at ``now``: due ``revisit_days`` later in the team's calendar."""
    text = one_line(str(complaint.get("text") or ""))
    return {"id": revisit_id(complaint["id"]), "customer_id": complaint["customer_id"],
            "rep_id": owner_id, "due": revisit_due(policy, now).isoformat(),
            "title": (REVISIT_PREFIX + text)[:200].rstrip() or REVISIT_PREFIX.strip(),
            "status": "open", "source": "revisit", "feedback_id": complaint["id"], "version": 1}


def oldest_first(complaints: list[dict]) -> list[dict]:
    return sorted(complaints, key=lambda c: (str(c.get("at") or ""), c.get("id") or ""))
