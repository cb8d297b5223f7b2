"""Complaints on the laptop (helper K, issue 10): those in the rep's scope with their SLA, and
the rep's response to one.

``listing`` reads the complaints this laptop holds in the signed-in rep's scope — a rep: those of
their own customers and those they logged; a manager or an admin: every one the server sent them
(their team's) — open ones (or all, with ``include_resolved``), oldest first, each with its
customer's name and owner and its SLA (``sync/protocol/complaints.sla_of``, the policy's hours).

``find`` names one complaint by its id or its first letters. ``assign`` (helper N) queues a
manager's ``feedback.assign``: the complaint shows its new assignee at once, the server decides. ``respond`` queues a response as a
``feedback.update`` carrying ``{"response": {id, text}}``: the id is made here, so the server
keeps it once however often it is sent; the local copy shows the response at once, and the
server's copy (with its time and ``responded_at``) replaces it at the next sync. A resolution is
``Store.resolve_complaint`` (``cache/commands.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from cache.errors import Refused
from cache.ids import uuid7
from sync.protocol import complaints

if TYPE_CHECKING:
    from cache.commands import Commands
    from cache.session import Session
    from cache.view import LocalView

MANAGING_ROLES = ("manager", "admin")


def _in_scope(complaint: dict, customer: dict | None, rep_id: str | None, role: str) -> bool:
    if role in MANAGING_ROLES:
        return True
    return rep_id in (complaint.get("rep_id"), complaint.get("assignee_id"),
                      (customer or {}).get("owner_id"))


def listing(view: LocalView, session: Session, now: datetime, *,
            include_resolved: bool = False) -> list[dict]:
    """The complaints of the rep's scope, oldest first, each a copy with ``customer_name``,
    ``owner_name``, ``synced`` and ``sla`` (``ComplaintSla.as_json``)."""
    rep_id = session.rep_id
    role = str((session.public or {}).get("role") or "rep")
    policy = session.policy
    reps = session.reps
    out = []
    for record in view.records("feedback", None):
        if record.get("kind") != "complaint":
            continue
        if not include_resolved and not complaints.is_open(record):
            continue
        customer = view.customers.get(record.get("customer_id") or "")
        if not _in_scope(record, customer, rep_id, role):
            continue
        sla = complaints.sla_of(record, policy, now)
        if sla is None:
            continue
        assignee = record.get("assignee_id")
        out.append({**record, "customer_name": (customer or {}).get("name") or "",
                    "owner_name": (customer or {}).get("owner_name") or "",
                    "assignee_name": (reps.get(assignee or "") or {}).get("name")
                    or assignee or "",
                    "sla": sla.as_json()})
    return complaints.oldest_first(out)


def find(view: LocalView, text: str) -> dict:
    """The complaint ``text`` names: its id, or the first letters (4 or more) of one id."""
    text = (text or "").strip()
    held = {rid: r for rid, r in view.history("feedback").items() if r.get("kind") == "complaint"}
    if text in held:
        return held[text]
    found = [rid for rid in held if len(text) >= 4 and rid.startswith(text)]
    if len(found) > 1:
        raise Refused("complaint.ambiguous", id=text, count=len(found))
    if not found:
        raise Refused("complaint.unknown", id=text)
    return held[found[0]]


def respond(commands: Commands, session: Session, view: LocalView, text_id: str,
            text: str) -> dict:
    """Queue a response to the complaint ``text_id`` names; refused now (a resolved complaint,
    empty or hostile text) in the words sync would use."""
    from cache.commands import checked, refused
    from cache.journal import Change, now
    from sync.protocol.models import Feedback

    rep_id = commands._rep()
    record = find(view, text_id)
    refusal = complaints.respond_refusal(record, text)
    if refusal is not None:
        raise refused(refusal, "response")
    moment = now()
    response = {"id": uuid7(), "text": text.strip().replace("\r\n", "\n")}
    local = complaints.response_fields(record, response_id=response["id"], text=response["text"],
                                       rep={"id": rep_id, "name": session.rep_name or ""},
                                       now=moment)
    local.pop("responded_at", None)  # the server's time, at the next sync
    updated = checked(Feedback, {**record, **local}, moment,
                      carried={"response": response})
    commands._save(Change.update("feedback", updated, {"response": response},
                                 record.get("version")))
    return {**updated, "synced": False}


def resolve(commands: Commands, view: LocalView, text_id: str, resolution: str) -> dict:
    """Queue the resolution of the complaint ``text_id`` names (``Commands.resolve_complaint``),
    refused first by the shared rule in the words sync would use."""
    from cache.commands import refused

    record = find(view, text_id)
    refusal = complaints.resolve_refusal(record, resolution)
    if refusal is not None:
        raise refused(refusal, "resolution")
    return commands.resolve_complaint(record["id"], resolution)


def assign(commands: Commands, view: LocalView, text_id: str, rep: dict) -> dict:
    """N (issue 10): queue ``feedback.assign`` of the complaint ``text_id`` names to ``rep`` (a
    rep of the manager's team, ``Manager.rep``); a resolved one is refused now."""
    from cache.commands import refused
    from cache.journal import Change, Op, now
    from sync.protocol.refusals import Refusal

    commands._rep()
    record = find(view, text_id)
    if not complaints.is_open(record):
        raise refused(Refusal("complaint.assign_resolved"), "assignee")
    updated = {**record, "assignee_id": rep["id"]}
    commands._save(Change(records=[("feedback", updated)],
                          ops=[Op("feedback.assign", record["id"], {"assignee_id": rep["id"]},
                                  record.get("version"))], at=now()))
    return {**updated, "synced": False}
