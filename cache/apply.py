"""What sync brings back, applied to the store: a first sync's pages, pulled pages, push answers
(acknowledged, conflicting, rejected), the rep's settling of conflicts and rejections.

A pulled page and its cursor land in one atomic write (the cursor slot, ``cache/documents.py``);
pending operations stay on top of what was pulled (``cache/overlay.py``). Whenever the server's
view of something arrives, :func:`settle` drops what the journal no longer needs to keep.

Ownership events (``cache/ownership.py``) are filed in the archive beside the history.
A customer the rep owned that comes back from the server in the pool (the server reclaimed it:
its protection lapsed; not one the rep returned) is news: :func:`returned_to_pool` finds it, the journal keeps it under
``pool_returns`` (the queue's entry, ``cache/queue.py``, until the rep dismisses or claims it) and
:meth:`SyncApply.take_pool_news` hands the ones of this process's syncs to the toast once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from cache import locations, ownership
from cache.conflicts import differences
from cache.documents import Documents, empty_archive, empty_snapshot
from cache.errors import NotFound, ValidationFailed
from cache.ids import uuid7
from cache.journal import Change, Journal, Op, iso, now
from cache.overlay import prepare_customer
from cache.queue import kept_pool_returns
from cache.session import Session
from cache.storage import dumps, write_document
from cache.view import LocalView
from sync.protocol import rules
from sync.protocol.models import CUSTOMER_EDITABLE_FIELDS, HISTORY
from sync.protocol.refusals import TEMPLATES, render

SNAPSHOT_ENTITIES = ("customer", "rep", "team", "territory", "policy")
ARCHIVED = (*HISTORY, ownership.ENTITY)
"""What a pulled page files in the archive: the history, and the ownership events."""
_TABLES = {"customer": "customers", "rep": "reps", "team": "teams", "territory": "territories"}


def plain(value: Any) -> dict:
    """A wire model (or a dict) as a plain dict."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return dict(value)


def apply_server_change(snap: dict, archive: dict, change: dict) -> str | None:
    """Apply one pulled change to ``snap``/``archive``; the customer id it touched, if any."""
    entity, rid, op = change.get("entity"), change.get("id"), change.get("op") or "upsert"
    record = change.get("record")
    if entity == "policy":
        if op == "upsert" and record:
            snap["policy"] = record
        return None
    if entity == ownership.ENTITY:
        ownership.apply_change(archive, change)
        return None
    if entity in HISTORY:
        if op == "delete" or not record:
            archive[entity].pop(rid, None)
        else:
            archive[entity][rid] = record
        return None
    if entity not in _TABLES:
        return None
    table = snap[_TABLES[entity]]
    stored = record if entity != "customer" or not record else prepare_customer(record)
    if op == "delete" or not stored:
        table.pop(rid, None)
    else:
        table[rid] = stored
    return rid if entity == "customer" else None


def returned_to_pool(before: dict[str, dict], after: dict[str, dict], rep_id: str | None,
                     moment: datetime, own: Collection[str] = ()) -> list[dict]:
    """The customers ``rep_id`` owned in ``before`` (the server's records, by id) that are in
    the pool in ``after``, but for those in ``own`` (the rep returned them: no news): one news
    entry each, with why (``protection_lapsed`` when the server set a cool-off or the
    protection had ended, else ``returned``)."""
    if not rep_id:
        return []
    news = []
    for cid, old in before.items():
        new = after.get(cid)
        if old.get("owner_id") != rep_id or new is None or new.get("owner_id") or cid in own:
            continue
        lapsed = bool(new.get("cooloff_until")) or rules.protection_lapsed(old, moment)
        news.append({"customer_id": cid, "name": new.get("name") or old.get("name", ""),
                     "reason": "protection_lapsed" if lapsed else "returned",
                     "protected_until": old.get("protected_until"),
                     "cooloff_until": new.get("cooloff_until"), "rep_id": rep_id,
                     # when the server returned it (a restored folder re-pulls old news)
                     "at": new.get("updated_at") or iso(moment)})
    return news


def keep_pool_news(journal: dict, news: list[dict], customers: dict[str, dict]) -> None:
    """File ``news`` under the journal's ``pool_returns`` and forget the entries whose customer
    has an owner again (claimed, by the rep or another) or is gone from the laptop."""
    kept = journal.setdefault("pool_returns", {})
    if not isinstance(kept, dict):
        kept = journal["pool_returns"] = {}
    for entry in news:
        kept[entry["customer_id"]] = entry
    for cid in [c for c, entry in kept.items()
                if not isinstance(entry, dict) or (customers.get(c) or {}).get("owner_id")
                or c not in customers]:
        del kept[cid]
    if not kept:
        journal.pop("pool_returns")


def settle(journal: dict, archive: dict, snapshot: dict, customer_ids: Iterable[str] = ()) -> None:
    """Drop what the server's view now holds from ``journal``: a journal copy of a visit,
    feedback or follow-up that is archived and neither pending nor rejected; and the local
    layer of each customer of ``customer_ids`` (whose server record just arrived) that no
    pending operation needs (the rep's new customer stays until the server sends it back)."""
    pending = {op["record_id"] for op in journal["outbox"]}
    for kind in HISTORY:
        local = journal["records"][kind]
        for rid in [r for r, record in local.items()
                    if r not in pending and not record.get("rejected") and r in archive[kind]]:
            del local[rid]
    for cid in list(customer_ids):
        layer = journal["customers"].get(cid)
        if layer is None or cid in pending:
            continue
        if layer.get("created") and cid not in snapshot["customers"]:
            continue  # our new customer, not pulled back yet
        del journal["customers"][cid]


class SyncApply:
    """Applies the engine's answers to the documents, the journal and the view."""

    def __init__(self, docs: Documents, session: Session, journal: Journal,
                 view: LocalView) -> None:
        self._docs = docs
        self._session = session
        self._journal = journal
        self._view = view
        self._news: list[dict] = []
        """Customers returned to the pool by this process's syncs, not yet told (the toast)."""

    def _reload(self) -> None:
        """After a failed write: memory back to what is on disk."""
        self._docs.reload()
        self._session.forget_policy()
        self._view.rebuild()

    # ------------------------------------------------------------------ bootstrap and pull

    @property
    def bootstrap_state(self) -> dict | None:
        pages = self._docs.pages
        if not pages:
            return None
        last = pages[-1]
        return {"cursor": last["cursor"], "next_token": last["next_token"], "done": False,
                "pages": len(pages)}

    def apply_bootstrap_page(self, changes: list, next_token: str | None, cursor: str,
                             done: bool) -> None:
        docs = self._docs
        page = {"changes": [plain(c) for c in changes], "next_token": next_token,
                "cursor": cursor}
        if docs.pages and docs.pages[0]["cursor"] != cursor:
            docs.clear_pages()  # a new bootstrap, pinned elsewhere
        if not done:
            docs.stage_page(page)
            return
        snap, archive = empty_snapshot(), empty_archive()
        for staged in [*docs.pages, page]:
            for change in staged["changes"]:
                apply_server_change(snap, archive, change)
        snap["cursor"] = docs.next_cursor(cursor)
        news = returned_to_pool(docs.snap["customers"], snap["customers"],
                                self._session.rep_id, now(),
                                ownership.own_returns(archive, self._session.rep_id))

        def settled(journal: dict) -> None:
            settle(journal, docs.archive, docs.snap, journal["customers"])
            keep_pool_news(journal, news, docs.snap["customers"])
            journal["cursor"] = None

        try:
            docs.archive = archive
            docs.write_archive()
            docs.snap = snap
            docs.write_snapshot()
            self._session.forget_policy()
            docs.clear_pages()
            self._journal.commit(settled)
        except BaseException:
            self._reload()
            raise
        self._news += news
        self._view.rebuild()

    def apply_pull_page(self, changes: list, next_cursor: str) -> None:
        docs = self._docs
        plain_changes = [plain(c) for c in changes]
        server_side = [c for c in plain_changes if c.get("entity") in SNAPSHOT_ENTITIES]
        history = [c for c in plain_changes if c.get("entity") in ARCHIVED]
        slot = docs.next_cursor(next_cursor)
        touched: list[str] = []
        customers = docs.snap["customers"]
        previous = {c["id"]: customers[c["id"]] for c in server_side
                    if c.get("entity") == "customer" and c.get("id") in customers}
        news: list[dict] = []

        def settled(journal: dict) -> None:
            if not server_side and not history:
                journal["cursor"] = slot
            settle(journal, docs.archive, docs.snap, touched)
            if news or journal.get("pool_returns"):
                keep_pool_news(journal, news, docs.snap["customers"])

        try:
            for change in history:
                apply_server_change(docs.snap, docs.archive, change)
            for change in server_side:
                cid = apply_server_change(docs.snap, docs.archive, change)
                if cid:
                    touched.append(cid)
            news += returned_to_pool(previous, docs.snap["customers"], self._session.rep_id,
                                     now(), ownership.own_returns(docs.archive,
                                                                  self._session.rep_id))
            if any(c.get("entity") == "policy" for c in server_side):
                self._session.forget_policy()
            if server_side:
                if history:
                    docs.write_archive()
                docs.snap["cursor"] = slot
                docs.write_snapshot()
            elif history:
                docs.archive["cursor"] = slot
                docs.write_archive()
            if not server_side and not history:
                self._journal.commit(settled)  # the cursor alone: the small file takes it
            else:
                before = docs.journal_bytes
                settled(docs.journal)
                if dumps(docs.journal) != before:
                    docs.write_journal()
        except BaseException:
            self._reload()
            raise
        self._news += news
        self._view.refresh(touched)

    def reset_sync_state(self) -> None:
        self._docs.clear_pages()
        slot = self._docs.next_cursor(None)

        def forget(journal: dict) -> None:
            journal["cursor"] = slot

        self._journal.commit(forget)

    # ------------------------------------------------------------------ push answers

    def apply_push_results(self, results: list) -> None:
        answers = [plain(r) for r in results]
        touched: list[str] = []

        def change(journal: dict) -> None:
            # An answer counts only for the operation it names: a result for one of our mids
            # with another op_id is another operation's (a restored or copied data folder
            # reusing mids); taking it would drop ours unsent. The engine handles that case.
            by_id = {op["op_id"]: op for op in journal["outbox"]}
            moment = iso(now())
            archived = False
            for result in answers:
                op = by_id.get(result.get("op_id"))
                if op is None or op not in journal["outbox"]:
                    continue
                journal["outbox"].remove(op)
                record = result.get("record")
                if isinstance(record, dict) and record.get("id") not in (None, op["record_id"]):
                    record = None  # never file one record under another's id
                if op["kind"] == "book.transfer":  # N: one answer, an outcome per customer
                    self._answered_book(journal, op, result, moment)
                    continue
                if op["kind"] == "rep.goals":  # O: the rep's record as the server now has it
                    if result.get("status") == "applied" and isinstance(record, dict):
                        self._docs.snap["reps"][op["record_id"]] = record
                    self._keep_refusal(journal, op, result, None, moment)
                    continue
                if op["kind"].split(".")[0] in HISTORY:
                    archived |= self._answered_history(journal, op, result, record)
                else:
                    touched.append(op["record_id"])
                    self._answered_customer(journal, op, result, record)
                self._keep_refusal(journal, op, result, record, moment)
            if archived:
                self._docs.write_archive()

        try:
            self._journal.commit(change)
            if answers:
                write_document(self._docs.path(locations.SEQUENCE), {
                    "device_id": self._session.device_id,
                    "next_mid": self._journal.doc["next_mid"],
                })
        except BaseException:
            self._reload()
            raise
        self._view.refresh(touched)

    def _answered_history(self, journal: dict, op: dict, result: dict,
                          record: dict | None) -> bool:
        """A visit, feedback or follow-up answered: archived when taken (True), kept marked
        when its creation was refused. Its journal copy goes once nothing is pending on it."""
        entity, rid = op["kind"].split(".")[0], op["record_id"]
        local = journal["records"][entity].get(rid)
        still_pending = any(o["record_id"] == rid for o in journal["outbox"])
        archived = False
        if result.get("status") in ("applied", "conflict"):
            if not record:
                record = {**local, "version": result.get("version") or local.get("version", 0)
                          } if local else None
            if record is not None:
                self._docs.archive[entity][rid] = {k: v for k, v in record.items()
                                                   if k != "rejected"}
                archived = True
            if not still_pending:
                journal["records"][entity].pop(rid, None)
        elif local is not None:
            if op["kind"].endswith(".create"):
                journal["records"][entity][rid] = {
                    **local, "rejected": result.get("reason") or "rejected"}
            elif not still_pending and rid in self._docs.archive[entity]:
                journal["records"][entity].pop(rid, None)
        return archived

    def _answered_book(self, journal: dict, op: dict, result: dict, moment: str | None) -> None:
        """N (issue 10): a ``book.transfer`` answered: refused whole, one rejection; applied,
        one rejection per customer the server did not move (moved meanwhile, a limit), so the
        manager reads each in their language. The moves themselves arrive by pull."""
        if result.get("status") != "applied":
            self._keep_refusal(journal, op, result, None, moment)
            return
        for item in (result.get("params") or {}).get("refused") or []:
            if not isinstance(item, dict):
                continue
            cid = str(item.get("customer_id") or "")
            found = item.get("params")
            params: dict = found if isinstance(found, dict) else {}
            rej = uuid7()
            journal["rejections"][rej] = {
                "id": rej, "op_id": op["op_id"], "kind": op["kind"], "record_id": cid,
                "customer_id": cid,
                "customer_name": item.get("name") or (self._view.customers.get(cid) or {}
                                                      ).get("name", ""),
                "reason": render(TEMPLATES.get(str(item.get("code")), "refused by the server"),
                                 params),
                "code": item.get("code"), "params": params, "at": moment}

    @staticmethod
    def _answered_customer(journal: dict, op: dict, result: dict, record: dict | None) -> None:
        """A customer operation answered: the server's record (if sent) becomes its layer's."""
        layer = journal["customers"].setdefault(op["record_id"], {})
        prepared = prepare_customer(record) if record else None
        if prepared:
            layer["record"] = prepared
            if op["kind"] == "customer.create" and result.get("status") == "applied":
                layer["created"] = True

    def _keep_refusal(self, journal: dict, op: dict, result: dict, record: dict | None,
                      moment: str | None) -> None:
        """A conflict (one row a field) or a rejection, kept for the rep to settle."""
        entity, rid = op["kind"].split(".")[0], op["record_id"]
        customers = self._view.customers
        if result.get("status") == "conflict":
            about = rid if entity == "customer" else str((record or {}).get("customer_id"))
            customer = customers.get(about, {})
            for conflict in result.get("conflicts") or [{"field": "*"}]:
                cid = uuid7()
                journal["conflicts"][cid] = {
                    "id": cid,
                    "customer_id": customer.get("id") or rid,
                    "customer_name": customer.get("name", ""),
                    "field": conflict.get("field"),
                    "mine": conflict.get("mine"),
                    "theirs": conflict.get("theirs"),
                    "base": conflict.get("base"),
                    "at": moment,
                    "op_id": op["op_id"],
                    "entity": entity,
                }
        elif result.get("status") == "rejected":
            rej = uuid7()
            # the customer it was about, named now: a refused claim's customer leaves this
            # laptop at the next pull (it is someone else's), its name with it
            about_id = rid if entity == "customer" else (op.get("fields") or {}).get(
                "customer_id") or (journal["records"].get(entity, {}).get(rid) or {}
                                   ).get("customer_id")
            journal["rejections"][rej] = {
                "id": rej,
                "op_id": op["op_id"],
                "kind": op["kind"],
                "record_id": rid,
                "customer_id": about_id,
                "customer_name": (customers.get(about_id) or {}).get("name", "")
                if isinstance(about_id, str) else "",
                "reason": result.get("reason") or "refused by the server",
                "code": result.get("code"),  # to say it in the UI's language
                "params": result.get("params") or {},
                "at": moment,
            }

    # ------------------------------------------------------------------ conflicts, rejections

    def conflicts(self) -> list[dict]:
        """The conflicts to settle, oldest first, each with its ``differences`` (what differs,
        sub-field by sub-field: ``cache/conflicts.py``)."""
        return sorted(({**c, "differences": differences(str(c.get("field") or ""),
                                                         c.get("mine"), c.get("theirs"))}
                       for c in self._journal.doc["conflicts"].values()),
                      key=lambda c: (c["at"], c["id"]))

    def resolve_conflict(self, conflict_id: str, keep: str) -> None:
        if keep not in ("mine", "theirs"):
            raise ValidationFailed("keep", "choose mine or theirs")
        conflict = self._journal.doc["conflicts"].get(conflict_id)
        if conflict is None:
            raise NotFound(f"no conflict {conflict_id!r}")
        cid = conflict["customer_id"]
        customer = self._view.customers.get(cid)
        resend = None
        if (keep == "mine" and conflict.get("entity", "customer") == "customer"
                and customer is not None and conflict.get("field") in CUSTOMER_EDITABLE_FIELDS):
            resend = Change(ops=[Op("customer.update", cid, {conflict["field"]: conflict["mine"]},
                                    customer.get("version"))], layers={cid: {}})

        def change(journal: dict) -> None:
            del journal["conflicts"][conflict_id]
            if resend is not None:
                resend(journal)

        self._journal.commit(change)
        self._view.refresh([cid])

    def rejections(self) -> list[dict]:
        return sorted((dict(r) for r in self._journal.doc["rejections"].values()),
                      key=lambda r: (r["at"], r["id"]))

    def dismiss_rejection(self, rejection_id: str) -> None:
        if rejection_id not in self._journal.doc["rejections"]:
            raise NotFound(f"no rejection {rejection_id!r}")
        self._journal.commit(lambda journal: journal["rejections"].pop(rejection_id))

    # ------------------------------------------------------------------ customers back in the pool

    def pool_returns(self) -> list[dict]:
        """The customers of the rep's that went back to the pool, not yet dismissed or claimed,
        oldest first: ``{customer_id, name, reason, protected_until, cooloff_until, at}``."""
        return kept_pool_returns(self._journal.doc)

    def take_pool_news(self) -> list[dict]:
        """The pool returns this process's syncs brought that were not handed out yet (each
        once: for the toast), oldest first."""
        news, self._news = self._news, []
        kept = self._journal.doc.get("pool_returns") or {}
        # one line per customer, and none that a later page of the same sync gave an owner again
        return list({n["customer_id"]: n for n in news if n["customer_id"] in kept}.values())

    def dismiss_pool_return(self, customer_id: str) -> None:
        """The rep has read that ``customer_id`` went back to the pool: its queue entry goes."""
        kept = self._journal.doc.get("pool_returns")
        if not isinstance(kept, dict) or customer_id not in kept:
            raise NotFound(f"no customer {customer_id!r} returned to the pool")

        def change(journal: dict) -> None:
            journal["pool_returns"].pop(customer_id)
            if not journal["pool_returns"]:
                journal.pop("pool_returns")

        self._journal.commit(change)
