"""O (issue 10): a manager sets a rep's goals from a period on, offline, through the outbox.

``set_goals`` checks what the laptop knows in the server's words (a manager or an admin; a rep
of the manager's team; values within the model's bounds; a period within reach) and queues one
``rep.goals`` operation carrying only the goals given, so the server merges them over what it
has (another manager's change of another goal is kept). Until the answer comes, the rep's record
on this laptop shows the pending goals (``pending_reps``, read by ``Session.reps``), with the
same history entry the server will write (``sync/protocol/goals.set_goals``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from cache.commands import refused
from cache.journal import Change, Op, now
from sync.protocol import goals as protocol_goals
from sync.protocol.models import Goals
from sync.protocol.refusals import Refusal

if TYPE_CHECKING:
    from cache.commands import Commands
    from cache.manager import Manager
    from cache.session import Session

KIND = "rep.goals"


def pending_reps(reps: dict[str, dict], outbox: list[dict], today: date,
                 me: Mapping[str, Any] | None) -> dict[str, dict]:
    """``reps`` with the goals of the ``rep.goals`` operations waiting in ``outbox`` applied in
    order (one the rules now refuse shows nothing: the server will refuse it too)."""
    for op in outbox:
        if op.get("kind") != KIND or op.get("record_id") not in reps:
            continue
        fields = op.get("fields") or {}
        try:
            effective = date.fromisoformat(str(fields.get("effective")))
        except ValueError:
            continue
        rep = reps[op["record_id"]]
        found = protocol_goals.checked(rep, fields.get("goals") or {}, effective, today)
        if isinstance(found, Goals):
            reps[rep["id"]] = {**protocol_goals.set_goals(
                rep, found, effective, by=(me or {}).get("id"), by_name=(me or {}).get("name"),
                at=now(), today=today), "pending_goals": True}
    return reps


def set_goals(commands: Commands, manager: Manager, session: Session, rep_text: str,
              values: Mapping[str, Any], period: str | date) -> dict:
    """Queue the goals ``values`` (some of ``Goals``' fields) for the rep ``rep_text`` names,
    from the period ``period`` names on (``2027-01``, ``2027-Q1``, ``2026-W50``, a date); the
    rep's record as this laptop now shows it. Refused at once, in the server's words, for what
    the server would refuse."""
    rep = manager.rep(rep_text)
    me = session.me or {}
    if me.get("role") == "manager" and rep.get("role") != "rep":
        raise refused(Refusal("goals.own_team"), "rep")
    today = session.today()
    if isinstance(period, date):
        effective = period
    else:
        try:
            effective = protocol_goals.period_start(period, today)
        except ValueError:
            raise refused(Refusal("goals.period", {"text": str(period)[:40]}), "period") from None
    given = {k: v for k, v in values.items() if v is not None}
    found = protocol_goals.checked(rep, given, effective, today)
    if isinstance(found, Refusal):
        raise refused(found, "period" if found.code == "goals.effective_range" else "goals")
    fields = {"goals": found.model_dump(mode="json", include=set(given)),
              "effective": effective.isoformat()}
    commands._save(Change(ops=[Op(KIND, rep["id"], fields, rep.get("version"))], at=now()))
    return session.reps.get(rep["id"]) or rep
