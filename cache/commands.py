"""The rep's writes, each checked before anything is written and then saved in one durable
journal write (``cache/journal.py``): visits, feedback, complaints resolved, follow-ups done,
dismissed or snoozed (generated queue entries too) and those undone, customer edits, claims, new
customers; and the forms' drafts.

The checks are the server's own rules (``sync/protocol/validation.py`` for sizes, text and date
windows; ``sync/protocol/rules.py`` for due dates, the satisfaction score, the pool, reach and
claims), so the rep hears now, in the same words and with the same code, what sync would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from pydantic import BaseModel

from cache import locations, overlay
from cache.documents import Documents
from cache.errors import NotFound, StoreError, ValidationFailed
from cache.ids import uuid7
from cache.journal import Change, Journal, Op, iso, now
from cache.queue import GENERATED_SOURCES, parse_generated_key
from cache.session import Session
from cache.storage import write_document
from cache.view import LocalView
from sync.protocol import rules, validation
from sync.protocol.models import CUSTOMER_EDITABLE_FIELDS, Customer, Feedback, FollowUp, Visit
from sync.protocol.refusals import Refusal
from sync.protocol.search_keys import pinyin_keys


def refused(refusal: Refusal, field: str = "customer") -> ValidationFailed:
    """A refusal of the shared rules as the one-line error the commands raise."""
    field = str(refusal.params.get("field") or field)
    return ValidationFailed(field, str(refusal).removeprefix(f"{field}: "), refusal)


def checked(model: type[BaseModel], record: dict, moment: datetime,
            carried: dict | None = None, stored: dict | None = None) -> dict:
    """``record`` by the server's own rule (sync/protocol/validation.py): sizes, counts,
    control characters, date windows and contact details (those ``stored`` already holds are
    carried over), so the rep hears now what sync would refuse."""
    try:
        return validation.validated(model, record, now=moment, carried=carried, stored=stored)
    except validation.Invalid as invalid:
        raise refused(invalid.refusal) from None


def due_day(field: str, value: date | str | None, today: date,
            rule: Callable[[str, date | str | None, date], date | None] = rules.due_date,
            ) -> date | None:
    """The due date the rep typed (``fri``, ``+3d``, …), None when empty, by ``rule``
    (``rules.due_date``, or ``rules.snooze_date``), as the one-line error the commands raise."""
    try:
        return rule(field, value, today)
    except validation.Invalid as invalid:
        raise refused(invalid.refusal, field) from None


class Commands:
    """The rep's writes on the journal, as the signed-in rep of ``session``."""

    def __init__(self, session: Session, journal: Journal, view: LocalView) -> None:
        self._session = session
        self._journal = journal
        self._view = view

    def _rep(self) -> str:
        rep_id = self._session.rep_id
        if not rep_id:
            raise StoreError("not logged in: run fieldrep login --server URL (or make demo to try it)")
        return rep_id

    def _customer(self, customer_id: str) -> dict:
        customer = self._view.customers.get(customer_id or "")
        if customer is None:
            raise ValidationFailed("customer", f"unknown customer {customer_id!r}")
        return customer

    def _save(self, change: Change, *touched: str) -> None:
        self._journal.commit(change)
        if touched:
            self._view.refresh(list(touched))

    # ------------------------------------------------------------------ visits and feedback

    def log_visit(self, customer_id: str, *, kind: str, outcome: str, notes: str,
                  next_step: str, due: date | str | None, amount: float | None,
                  at: datetime | None) -> dict:
        rep_id = self._rep()
        customer = self._customer(customer_id)
        moment = now()
        at = at or moment
        if at.tzinfo is None:
            raise ValidationFailed("at", "needs a time zone")
        if not (outcome or "").strip():
            raise ValidationFailed("outcome", "say what came of it (the outcome is empty)")
        if amount is not None:
            if isinstance(amount, bool) or not isinstance(amount, int | float):
                raise ValidationFailed("amount", "must be a number")
            if amount != amount or amount < 0:
                raise ValidationFailed("amount", "must be a positive number or empty")
        due = due_day("due", due, self._session.today(moment))
        next_step = (next_step or "").strip()
        if due is not None and not next_step:
            raise ValidationFailed("next_step", "a due date needs a next step to do")
        visit = checked(Visit, {
            "id": uuid7(), "customer_id": customer_id, "rep_id": rep_id, "at": at, "kind": kind,
            "outcome": outcome, "notes": (notes or "").replace("\r\n", "\n"),
            "next_step": next_step, "next_step_due": due, "amount": amount,
        }, moment)
        change = Change.create("visit", visit, at=moment)
        if next_step and due is not None:
            followup = checked(FollowUp, {
                "id": uuid7(), "customer_id": customer_id, "rep_id": rep_id, "due": due,
                "title": next_step[:200], "status": "open", "source": "visit_next_step",
            }, moment)
            later = Change.create("followup", followup)
            change.records += later.records
            change.ops += later.ops
        before = self._journal.doc["customers"].get(customer_id, {}).get("derived") or {}
        # what the server will make of this visit (the same rule), shown until it has
        effects = rules.visit_effects({**customer, **before}, rep_id=rep_id, at=at,
                                      amount=amount, now=moment, policy=self._session.policy)
        # as the wire writes a moment (``…Z``), like the visit's own ``at``
        derived = {**before, **{k: str(iso(rules.as_datetime(v))).replace("+00:00", "Z")
                                for k, v in effects.items()}}
        if customer.get("owner_id") == rep_id:
            derived["owner_id"] = rep_id
        change.layers[customer_id] = {"derived": derived,
                                      "base_version": customer.get("version", 0)}
        self._save(change, customer_id)
        return {**visit, "synced": False}

    def add_feedback(self, customer_id: str, *, kind: str, text: str, score: int | None,
                     severity: str | None) -> dict:
        rep_id = self._rep()
        self._customer(customer_id)
        if not (text or "").strip():
            raise ValidationFailed("text", "write what the customer said (the text is empty)")
        if score is not None and (
            isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5
        ):
            raise ValidationFailed("score", f"must be a whole number from 1 to 5, not {score!r}")
        refusal = rules.feedback_refusal(kind, score)
        if refusal is not None:
            raise refused(refusal, "score")
        moment = now()
        record = {
            "id": uuid7(), "customer_id": customer_id, "rep_id": rep_id, "at": moment,
            "kind": kind, "score": score, "severity": severity,
            "text": text.replace("\r\n", "\n"), "status": None,
        }
        record = checked(Feedback, {**record, **rules.complaint_defaults(record)}, moment)
        self._save(Change.create("feedback", record, at=moment))
        return {**record, "synced": False}

    def resolve_complaint(self, feedback_id: str, resolution: str) -> dict:
        self._rep()
        record = self._view.history("feedback").get(feedback_id)
        if record is None:
            raise NotFound(f"no feedback {feedback_id!r}")
        if record.get("kind") != "complaint":
            raise ValidationFailed("feedback", "only complaints are resolved")
        if record.get("status") == "resolved":
            raise ValidationFailed("feedback", "this complaint is already resolved")
        if not (resolution or "").strip():
            raise ValidationFailed("resolution", "say how it was resolved")
        fields = {"status": "resolved", "resolution": resolution.strip().replace("\r\n", "\n")}
        updated = checked(Feedback, {**record, **fields}, now(), carried=fields)
        self._save(Change.update("feedback", updated, fields, record.get("version")))
        return {**updated, "synced": False}

    # ------------------------------------------------------------------ follow-ups

    def add_followup(self, customer_id: str, *, title: str, due: date | str) -> dict:
        rep_id = self._rep()
        self._customer(customer_id)
        if not (title or "").strip():
            raise ValidationFailed("title", "say what to follow up (the title is empty)")
        if due is None or due == "":
            raise ValidationFailed("due", "a follow-up needs a due date")
        moment = now()
        record = checked(FollowUp, {
            "id": uuid7(), "customer_id": customer_id, "rep_id": rep_id,
            "due": due_day("due", due, self._session.today(moment)), "title": title,
            "status": "open", "source": "manual",
        }, moment)
        self._save(Change.create("followup", record, at=moment))
        return {**record, "synced": False}

    def update_followup(self, followup_id: str, fields: dict) -> dict:
        """Change a follow-up (or mark a generated queue entry, by its key) by ``fields``."""
        self._rep()
        generated = parse_generated_key(followup_id or "")
        if generated is not None:
            return self._mark_generated(generated, fields)
        record = self._view.history("followup").get(followup_id)
        if record is None:
            raise NotFound(f"no follow-up {followup_id!r}")
        updated = checked(FollowUp, {**record, **fields}, now(), carried=fields)
        self._save(Change.update("followup", updated, fields, record.get("version")))
        return {**updated, "synced": False}

    def _mark_generated(self, generated: tuple[str, str, str], fields: dict) -> dict:
        """Snooze/dismiss/complete a generated queue entry: a follow-up record with its source."""
        kind, customer_id, occurrence = generated
        customer = self._customer(customer_id)
        if kind == "complaint":
            complaint = self._view.history("feedback").get(occurrence)
            since = rules.as_datetime((complaint or {}).get("at"))
            if complaint is None or since is None:
                raise NotFound(f"no complaint {occurrence!r}")
            due = since.date().isoformat()
            title = validation.one_line(f"Complaint: {complaint.get('text', '')}")[:200]
        else:
            due = occurrence
            title = (
                "Visit due by cadence"
                if kind == "cadence"
                else "Protection ending: visit to extend"
            )
        record = checked(FollowUp, {
            "id": uuid7(), "customer_id": customer["id"], "rep_id": self._session.rep_id,
            "due": due, "title": title, "source": GENERATED_SOURCES[kind], **fields,
        }, now(), carried=fields)
        self._save(Change.create("followup", record))
        return {**record, "synced": False}

    def undo_followup(self, followup_id: str, before: dict | None,
                      today: date | None = None) -> dict:
        """Put a follow-up the rep just marked done or dismissed back as it was: ``before``
        holds its ``status`` and ``snoozed_until`` then (None for a snooze marker of a generated
        entry that the change created: the marker then stops hiding the entry from ``today``,
        the policy's today by default).

        The undo is one more ``followup.update``, sent after the first. A pending operation is
        never taken out of the outbox: it may be on its way in a push, and its mid is spent.
        So the undo is safe whether the change was sent or not (the server applies the two in
        order), and nothing is lost or sent twice."""
        self._rep()
        record = self._view.history("followup").get(followup_id)
        if record is None:
            raise NotFound(f"no follow-up {followup_id!r}")
        if record.get("status") not in ("done", "dismissed"):
            raise ValidationFailed("followup", "nothing to undo: this follow-up is not closed")
        fields: dict[str, str | None]
        if before is None:
            day = today or self._session.today()
            fields = {"status": "snoozed", "snoozed_until": day.isoformat()}
        else:
            fields = {"status": before.get("status") or "open",
                      "snoozed_until": before.get("snoozed_until")}
        return self.update_followup(followup_id, fields)

    def snooze_followup(self, followup_id: str, until: date | str) -> dict:
        day = due_day("until", until, self._session.today(), rules.snooze_date)
        assert day is not None  # snooze_date refuses an empty date
        return self.update_followup(
            followup_id, {"status": "snoozed", "snoozed_until": day.isoformat()}
        )

    # ------------------------------------------------------------------ customers

    def update_customer(self, customer_id: str, fields: dict) -> dict:
        rep_id = self._rep()
        customer = self._view.customers.get(customer_id)
        if customer is None:
            raise NotFound(f"no customer {customer_id!r}")
        for name in fields:
            if name not in CUSTOMER_EDITABLE_FIELDS:
                raise ValidationFailed(name, "cannot be changed here")
        refusal = rules.pool_edit_refusal(
            customer if not customer.get("claim_pending") else {**customer, "owner_id": rep_id},
            fields, role=(self._session.me or {}).get("role") or "rep")
        if refusal is not None:
            raise refused(refusal)
        merged = checked(Customer, {**customer, **fields}, now(), carried=fields, stored=customer)
        refusal = rules.move_refusal(customer, covered_before=self._session.covers(customer),
                                     covered_after=self._session.covers(merged))
        if refusal is not None:
            raise refused(refusal)
        changed = {name: merged[name] for name in fields if merged[name] != customer.get(name)}
        if "name" in changed:
            changed["search_keys"] = pinyin_keys(merged["name"])
        if not changed:
            return overlay.full(customer)
        op = Op("customer.update", customer_id, changed, customer.get("version"))
        self._save(Change(ops=[op], layers={customer_id: {}}), customer_id)
        return overlay.full(self._view.customers[customer_id])

    def claim(self, customer_id: str) -> dict:
        """Claim a pool customer: checked locally with the server's rules, queued, marked pending."""
        rep_id = self._rep()
        customer = self._view.customers.get(customer_id)
        if customer is None:
            raise NotFound(f"no customer {customer_id!r}")
        if customer.get("claim_pending"):
            raise refused(Refusal("claim.pending", {"name": customer.get("name", "")}))
        moment = now()
        policy = self._session.policy
        owned = self._view.index.member_set("owner", rep_id)
        customers = self._view.customers
        pending = sum(1 for op in self._journal.doc["outbox"] if op["kind"] == "customer.claim"
                      and op["record_id"] not in owned)
        count = rules.claim_count(
            len(owned), (customers[cid].get("claimed_at") for cid in owned),
            now=moment, policy=policy, pending=pending)
        reason = rules.claim_refusal(
            customer, rep_id, in_territory=self._session.in_territory(customer), now=moment,
            claims_today=count.today, held=count.held, policy=policy,
        )
        if reason is not None:
            raise ValidationFailed("customer", str(reason), reason)
        op = Op("customer.claim", customer_id, {}, customer.get("version"))
        self._save(Change(ops=[op], layers={customer_id: {}}, at=moment), customer_id)
        return overlay.full(self._view.customers[customer_id])

    def create_customer(self, fields: dict) -> dict:
        """A new prospect the rep found: owned by its creator once the server accepts it."""
        rep_id = self._rep()
        moment = now()
        record = {"customer_type": "B2B", "tier": "C", "stage": "prospect", **fields}
        unknown = set(fields) - CUSTOMER_EDITABLE_FIELDS
        if unknown:
            raise ValidationFailed(sorted(unknown)[0], "cannot be set on a new customer")
        record.update(
            rules.claim_fields(rep_id, (self._session.me or {}).get("name"), moment,
                               self._session.policy),
            id=uuid7(), version=0, updated_at=moment,
        )
        record["search_keys"] = pinyin_keys(str(record.get("name") or ""))
        customer = checked(Customer, record, moment, carried=fields)
        cid = customer["id"]
        change = Change(ops=[Op("customer.create", cid, customer)],
                        layers={cid: {"record": customer, "created": True}}, at=moment)
        self._save(change, cid)
        return overlay.full(self._view.customers[cid])


class Drafts:
    """What the rep half typed in a form, kept in ``drafts.json`` across a crash, by key."""

    def __init__(self, docs: Documents) -> None:
        self._docs = docs
        self._drafts: dict[str, dict] = {}

    def load(self) -> None:
        self._drafts = self._docs.read_small(locations.DRAFTS, dict, "Saved drafts") or {}

    def _write(self, drafts: dict[str, dict]) -> None:
        write_document(self._docs.path(locations.DRAFTS), drafts)
        self._drafts = drafts

    def save(self, key: str, data: dict) -> None:
        self._write({**self._drafts, key: data})

    def load_draft(self, key: str) -> dict | None:
        draft = self._drafts.get(key)
        return dict(draft) if draft is not None else None

    def clear(self, key: str) -> None:
        if key in self._drafts:
            self._write({k: v for k, v in self._drafts.items() if k != key})
