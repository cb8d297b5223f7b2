"""What the laptop reads: the effective customers (``cache/overlay.py``) with their indexes
(``cache/index.py``), the rep's history (synced and pending), the timeline and the queue."""

from __future__ import annotations

from datetime import UTC, datetime

from cache import overlay
from cache.documents import Documents
from cache.errors import Ambiguous, NotFound
from cache.index import CustomerIndex
from cache.journal import now as clock
from cache.queue import GENERATED_SOURCES, build_queue, kept_pool_returns
from cache.session import Session
from sync.protocol.models import HISTORY


class LocalView:
    """The customers the rep sees (``customers``: id → effective record, compacted) and every
    read of them and of the history. Kept up to date by :meth:`rebuild` (everything) and
    :meth:`refresh` (the customers a change touched)."""

    def __init__(self, docs: Documents, session: Session, index: CustomerIndex) -> None:
        self._docs = docs
        self._session = session
        self.index = index
        self.customers: dict[str, dict] = {}

    def rebuild(self) -> None:
        journal = self._docs.journal
        self.customers = overlay.effective_customers(
            self._docs.snap["customers"], journal["customers"], journal["outbox"])
        self.index.rebuild(self.customers)

    def refresh(self, cids: list[str]) -> None:
        journal = self._docs.journal
        pending = overlay.pending_by_record(journal["outbox"])
        snapshot, layers = self._docs.snap["customers"], journal["customers"]
        changes = []
        for cid in dict.fromkeys(cids):
            old = self.customers.get(cid)
            if cid in layers:
                new = overlay.effective_customer(snapshot.get(cid), layers[cid],
                                                 pending.get(cid, []))
            else:
                new = snapshot.get(cid)
            if new is None:
                self.customers.pop(cid, None)
            else:
                self.customers[cid] = new
            if old is not new:
                changes.append((cid, old, new))
        self.index.changed_many(changes)

    # ------------------------------------------------------------------ customers

    def customer(self, customer_id: str) -> dict | None:
        record = self.customers.get(customer_id)
        return overlay.full(record) if record is not None else None

    def search(self, query: str, limit: int = 200) -> list[dict]:
        return [overlay.full(self.customers[cid]) for cid in self.index.search(query, limit)]

    def resolve_customer(self, text: str) -> dict:
        """The customer ``text`` names: an id, or a search matching exactly one customer."""
        text = (text or "").strip()
        if not text:
            raise NotFound("no customer given")
        if text in self.customers:
            return overlay.full(self.customers[text])
        matches = self.search(text, limit=50)
        if not matches:
            raise NotFound(f"no customer matches {text!r}")
        if len(matches) == 1:
            return matches[0]
        exact = [m for m in matches if (m.get("name") or "").casefold() == text.casefold()]
        if len(exact) == 1:
            return exact[0]
        names = ", ".join(m.get("name", "") for m in matches[:5])
        more = "" if len(matches) <= 5 else f" and {len(matches) - 5} more"
        raise Ambiguous(f"{text!r} matches {len(matches)} customers: {names}{more}", matches)

    # ------------------------------------------------------------------ history

    def history(self, kind: str) -> dict[str, dict]:
        """Every record of ``kind`` by id: the archive's, with the journal's copies on top."""
        merged = dict(self._docs.archive[kind])
        merged.update(self._docs.journal["records"][kind])
        return merged

    def records(self, kind: str, customer_id: str | None) -> list[dict]:
        """Copies of the records of ``kind`` (of one customer, if given), each with ``synced``."""
        pending = {op["record_id"] for op in self._docs.journal["outbox"]}
        out = []
        for record in self.history(kind).values():
            if customer_id is not None and record.get("customer_id") != customer_id:
                continue
            copy = dict(record)
            copy["synced"] = record["id"] not in pending and not record.get("rejected")
            out.append(copy)
        return out

    def newest_first(self, kind: str, customer_id: str | None) -> list[dict]:
        return sorted(self.records(kind, customer_id), key=lambda r: r.get("at") or "",
                      reverse=True)

    def followups(self, customer_id: str | None, include_closed: bool) -> list[dict]:
        records = self.records("followup", customer_id)
        if not include_closed:  # a snoozed generated entry (cadence…) is a marker, not a task
            markers = set(GENERATED_SOURCES.values())
            records = [
                r
                for r in records
                if r.get("status") == "open"
                or (r.get("status") == "snoozed" and r.get("source") not in markers)
            ]
        return sorted(records, key=lambda r: (str(r.get("due")), r["id"]))

    def timeline(self, customer_id: str) -> list[dict]:
        items = []
        for kind in HISTORY:
            for r in self.records(kind, customer_id):
                at = str(r.get("due")) if kind == "followup" else r.get("at")
                items.append({"type": kind, "at": at, "record": r, "synced": r["synced"]})
        items.sort(key=lambda item: str(item["at"] or ""), reverse=True)
        return items

    def queue(self, moment: datetime | None) -> list[dict]:
        moment = moment or clock()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        rep_id = self._session.rep_id
        followups = [
            r
            for r in self.history("followup").values()
            if r.get("status") in ("open", "snoozed")
            or r.get("source") in GENERATED_SOURCES.values()
        ]
        if rep_id is not None:
            followups = [r for r in followups if r.get("rep_id") in (rep_id, None, "")]
        customers = self.customers
        complaints = [
            r
            for r in self.history("feedback").values()
            if r.get("kind") == "complaint"
            and r.get("status") in ("open", "in_progress")
            and r["customer_id"] in customers
            and customers[r["customer_id"]].get("owner_id") in (rep_id, None, "")
        ]
        mine = list(self.index.member_set("owner", rep_id)) if rep_id else []
        late: list[dict] = []
        if (self._session.public or {}).get("role") in ("manager", "admin"):
            from cache.complaints import listing  # a manager's: the team's, past their SLA

            taken = {c["id"] for c in complaints}
            late = [c for c in listing(self, self._session, moment)
                    if (c.get("sla") or {}).get("breached") and c["id"] not in taken]
        return build_queue(
            now=moment,
            today=self._session.today(moment),
            policy=self._session.policy,
            rep_id=rep_id,
            customers=customers,
            my_customer_ids=mine,
            followups=followups,
            complaints=complaints,
            pool_returns=kept_pool_returns(self._docs.journal),
            late_complaints=late,
        )
