"""The follow-up queue, computed offline from the store's records and the cached policy.

Entries, overdue first: open follow-ups by due date (overdue, due today, upcoming), open
complaints, the rep's customers that went back to the pool (``pool_return``: the server reclaimed
them; an entry until the rep dismisses it, ``Store.dismiss_pool_return``, or the customer has an
owner again), owned customers whose protection ends within ``policy.warning_days``, and owned
customers past their tier's visit cadence. Each entry says why it is there: ``reason`` in English
with ISO dates (the ``--json`` listing), and ``params``, what a screen needs to say it in the UI's
language (``ui/queue_text.py``: the title, the complaint's text and day, the days left or since).

Generated entries (cadence, protection, complaint) can be snoozed or dismissed like follow-ups:
doing so writes a follow-up record with that ``source`` and the entry's occurrence date as
``due`` (the cadence due date, the protection end date, the complaint's date). That record hides
the entry until ``snoozed_until`` (or for good when dismissed/done). A new occurrence — the
customer is visited and the next cadence date moves — is a new entry; the old record no longer
matches it. Such "snooze markers" are never listed as follow-ups themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sync.protocol import rules
from sync.protocol.models import Policy, Tier

GENERATED_SOURCES = {
    "cadence": "cadence",
    "protection": "protection_expiring",
    "complaint": "complaint",
}
"""Queue-entry key prefix → the FollowUp.source a snooze of that entry is recorded with."""

_RANK = {
    "overdue": 0,
    "due_today": 1,
    "complaint": 2,
    "complaint_late": 2,
    "pool_return": 3,
    "protection_expiring": 4,
    "cadence": 5,
    "followup": 6,
}

POOL_RETURN = "pool"
RECYCLED = {"history.reclaimed.no_visit_days": "no_visit",
            "history.reclaimed.no_deal_days": "no_deal"}
"""A pool customer's ``pool_reason`` when the policy's recycle conditions took it: which one."""
"""The key prefix of a customer-back-in-the-pool entry: ``pool:<customer id>:<day>``."""


def kept_pool_returns(journal: dict) -> list[dict]:
    """The customers back in the pool the journal keeps (``pool_returns``, by customer id),
    oldest first; what is not of the right shape is passed over."""
    kept = journal.get("pool_returns")
    if not isinstance(kept, dict):
        return []
    return sorted((dict(e) for e in kept.values()
                   if isinstance(e, dict) and isinstance(e.get("customer_id"), str)),
                  key=lambda e: (str(e.get("at") or ""), e["customer_id"]))


def generated_key(kind: str, customer_id: str, occurrence: str) -> str:
    return f"{kind}:{customer_id}:{occurrence}"


def parse_generated_key(key: str) -> tuple[str, str, str] | None:
    """(kind, customer_id, occurrence) of a generated entry's key, else None."""
    parts = key.split(":", 2)
    if len(parts) == 3 and parts[0] in GENERATED_SOURCES:
        return parts[0], parts[1], parts[2]
    return None


def _entry(
    code: str,
    key: str,
    reason: str,
    customer: dict,
    due: date | None,
    followup_id: str | None = None,
    feedback_id: str | None = None,
    params: dict | None = None,
) -> dict:
    return {
        "key": key,
        "reason_code": code,
        "reason": reason,
        "customer_id": customer.get("id"),
        "customer_name": customer.get("name", ""),
        "tier": customer.get("tier"),
        "city": customer.get("city"),
        "due": due.isoformat() if due else None,
        "followup_id": followup_id,
        "feedback_id": feedback_id,
        "params": params or {},
    }


def build_queue(
    *,
    now: datetime,
    today: date,
    policy: Policy,
    rep_id: str | None,
    customers: dict[str, dict],
    my_customer_ids: list[str],
    followups: list[dict],
    complaints: list[dict],
    pool_returns: Sequence[dict] = (),
    late_complaints: Sequence[dict] = (),
) -> list[dict]:
    """The queue entries, ordered: overdue, due today, complaints, customers back in the pool,
    protection, cadence, upcoming. ``late_complaints`` (a manager's: the team's open complaints
    past their SLA, each with its ``sla`` and ``owner_name``) come with the complaints, as
    ``complaint_late`` entries: the manager chases them on the complaints board."""
    entries: list[dict] = []
    markers: dict[tuple[str, str, str], dict] = {}
    for followup in followups:
        source = followup.get("source")
        if source in GENERATED_SOURCES.values() and followup.get("status") != "open":
            markers[(followup["customer_id"], str(source), str(followup.get("due")))] = followup
            continue
        status = followup.get("status")
        due = date.fromisoformat(str(followup["due"]))
        if status == "snoozed":
            until = followup.get("snoozed_until")
            until_day = date.fromisoformat(str(until)) if until else due
            if until_day > today:
                continue
            due = max(due, until_day)
        elif status != "open":
            continue
        customer = customers.get(followup["customer_id"])
        if customer is None:
            continue
        title = followup.get("title", "")
        if due < today:
            code, reason = "overdue", f"{title} — overdue since {due.isoformat()}"
        elif due == today:
            code, reason = "due_today", f"{title} — due today"
        else:
            code, reason = "followup", f"{title} — due {due.isoformat()}"
        entries.append(
            _entry(
                code,
                f"followup:{followup['id']}",
                reason,
                customer,
                due,
                followup_id=followup["id"],
                params={"title": title, "source": followup.get("source")},
            )
        )

    def hidden(customer_id: str, source: str, occurrence: str) -> bool:
        marker = markers.get((customer_id, source, occurrence))
        if marker is None:
            return False
        if marker.get("status") in ("done", "dismissed"):
            return True
        until = marker.get("snoozed_until")
        return until is not None and date.fromisoformat(str(until)) > today

    for complaint in complaints:
        customer = customers.get(complaint["customer_id"])
        if customer is None:
            continue
        since = rules.as_datetime(complaint.get("at"))
        occurrence = complaint["id"]
        day = since.date() if since else today
        if hidden(customer["id"], "complaint", day.isoformat()):
            continue
        text = " ".join(str(complaint.get("text", "")).split())
        if len(text) > 60:
            text = text[:59] + "…"
        entries.append(
            _entry(
                "complaint",
                generated_key("complaint", customer["id"], occurrence),
                f"open complaint: {text}",
                customer,
                day,
                feedback_id=complaint["id"],
                params={"text": text, "days": max(0, (today - day).days)},
            )
        )

    for complaint in late_complaints:
        customer = customers.get(complaint["customer_id"])
        if customer is None:
            continue
        sla = complaint.get("sla") or {}
        missed = "resolve" if sla.get("resolution_breached") else "respond"
        text = " ".join(str(complaint.get("text", "")).split())
        if len(text) > 60:
            text = text[:59] + "…"
        since = rules.as_datetime(complaint.get("at"))
        day = since.date() if since else today
        owner = complaint.get("owner_name") or ""
        entries.append(
            _entry(
                "complaint_late", f"late:{complaint['id']}",
                f"complaint past its SLA ({missed}) of {owner or 'the pool'}: {text}",
                customer, day, feedback_id=complaint["id"],
                params={"text": text, "days": max(0, (today - day).days), "missed": missed,
                        "owner": owner, "severity": sla.get("severity")},
            )
        )

    for returned in pool_returns:
        customer = customers.get(returned["customer_id"])
        if (customer is None or customer.get("owner_id") or customer.get("claim_pending")
                or returned.get("rep_id") not in (None, rep_id)):  # another rep's, same folder
            continue
        at = rules.as_datetime(returned.get("at"))
        day = rules.policy_day(policy, at) if at else today
        lapsed = returned.get("reason") == "protection_lapsed"
        recycled = RECYCLED.get(str(customer.get("pool_reason") or ""))
        if recycled is not None:  # the policy's recycle conditions took it (J, issue 10)
            kind, days = recycled, getattr(policy, f"recycle_{recycled}_days")
            text = f"went back to the pool ({kind.replace('_', ' ')} in {days} days)"
            params: dict = {"lapsed": False, "recycled": kind, "days": days}
        else:
            text = ("went back to the pool (protection lapsed)" if lapsed
                    else "went back to the pool")
            params = {"lapsed": lapsed}
        entries.append(
            _entry("pool_return", f"{POOL_RETURN}:{customer['id']}:{day.isoformat()}", text,
                   customer, day, params=params)
        )

    for cid in my_customer_ids:
        customer = customers.get(cid)
        if customer is None or customer.get("owner_id") != rep_id:
            continue
        until = rules.as_datetime(customer.get("protected_until"))
        if until is not None and rules.protection_expiring(customer, now, policy):
            end = until.date()
            if not hidden(cid, "protection_expiring", end.isoformat()):
                left = rules.days_left(until, now) or 0
                when = "today" if left <= 0 else ("tomorrow" if left == 1 else f"in {left} days")
                entries.append(
                    _entry(
                        "protection_expiring",
                        generated_key("protection", cid, end.isoformat()),
                        f"protection ends {when} — visit to extend",
                        customer,
                        end,
                        params={"left": max(0, left)},
                    )
                )
        seen_by = rules.next_visit_due(customer, policy)
        if seen_by is not None and seen_by <= today and not hidden(cid, "cadence",
                                                                    seen_by.isoformat()):
            tier = customer.get("tier") or "C"
            cadence = policy.cadence_days.get(Tier(tier))
            last = rules.as_datetime(customer.get("last_visit_at"))
            ago = (now - last).days if last is not None else None
            if ago is not None:
                reason = f"{tier} customer: last visit {ago} days ago (cadence {cadence} days)"
            else:
                reason = f"{tier} customer: not visited since the claim (cadence {cadence} days)"
            entries.append(
                _entry(
                    "cadence", generated_key("cadence", cid, seen_by.isoformat()), reason, customer,
                    seen_by, params={"tier": tier, "ago": ago, "cadence": cadence},
                )
            )

    entries.sort(
        key=lambda e: (_RANK[e["reason_code"]], e["due"] or "", e["customer_name"], e["key"])
    )
    return entries
