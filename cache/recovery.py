"""Pending work that comes back from a file: a damaged journal rebuilt from what is intact in it
(``cache/salvage.py`` reads the bytes), and the outbox exported to a file and imported on
another laptop (``fieldrep export-outbox`` / ``import-outbox``)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import orjson
from pydantic import ValidationError

from cache import locations, shapes
from cache.documents import Documents, empty_journal
from cache.errors import DamagedFile, Notice, Refused, StoreError
from cache.journal import Journal, iso, now
from cache.salvage import salvage_journal
from cache.session import Session
from cache.storage import read_document, write_document
from sync.protocol.models import HISTORY, Mutation

OUTBOX_EXPORT_FORMAT = "fieldrep-outbox"


def apply_op_locally(journal: dict, archive: dict, op: dict) -> None:
    """The local effect of an operation that came from a file (import or salvage)."""
    entity = op["kind"].split(".")[0]
    rid = op["record_id"]
    if entity in HISTORY:
        if op["kind"].endswith(".create"):
            journal["records"][entity][rid] = dict(op["fields"])
        else:
            base = journal["records"][entity].get(rid) or archive[entity].get(rid)
            if base is not None:
                journal["records"][entity][rid] = {**base, **op["fields"]}
    elif op["kind"] == "customer.create":
        journal["customers"][rid] = {"record": dict(op["fields"]), "created": True}
    else:
        journal["customers"].setdefault(rid, {})


def _highest_counter(docs: Documents, salvaged: int) -> int:
    """The device's mid counter as any file still knows it (never one the server has seen)."""
    try:
        sequence = read_document(docs.path(locations.SEQUENCE)) or {}
    except DamagedFile:
        sequence = {}
    return max(
        salvaged,
        docs.snap.get("next_mid") or 0,
        docs.archive.get("next_mid") or 0,
        (sequence.get("next_mid") or 0) if isinstance(sequence, dict) else 0,
    )


def recover_journal(docs: Documents, damaged: Path, why: str) -> None:
    """Rebuild ``docs.journal`` from what is intact in the damaged one (set aside at
    ``damaged``): every whole, valid operation, and the whole records, local customer
    layers, conflicts and rejections that fit. A record without its own intact copy is made
    again from its operation (which carries its fields). Says so in ``docs.notices``."""
    salvaged = salvage_journal(damaged.read_bytes())
    ops = salvaged["outbox"]
    journal = empty_journal()
    journal["next_mid"] = max([_highest_counter(docs, salvaged["next_mid"]), 1,
                               *(op["mid"] + 1 for op in ops)])
    journal["outbox"] = ops
    journal["conflicts"] = salvaged["conflicts"]
    journal["rejections"] = salvaged["rejections"]
    # a record or a local customer layer whose operation was lost is not kept: it would
    # read as synced (or as a change that will sync) when it never reached the server
    pending = {op["record_id"] for op in ops}
    journal["records"] = {
        kind: {rid: record for rid, record in salvaged["records"][kind].items()
               if rid in pending or record.get("rejected")}
        for kind in HISTORY
    }
    shapes.fit_journal(journal)
    ops = journal["outbox"]
    touched = pending | {
        record["customer_id"] for kind in HISTORY for record in journal["records"][kind].values()
    }
    journal["customers"] = {
        cid: layer for cid, layer in salvaged["customers"].items() if cid in touched
    }
    shapes.fit_journal(journal)
    intact = {(kind, rid) for kind in HISTORY for rid in journal["records"][kind]}
    intact |= {("customer", cid) for cid in journal["customers"]}
    for op in ops:
        if (op["kind"].split(".")[0], op["record_id"]) in intact:
            continue  # its own intact copy already holds every change made to it
        apply_op_locally(journal, docs.archive, op)
    docs.journal = journal
    docs.notices.append(Notice(
        "Your journal of unsynced work was damaged ({why}). It was moved to {moved}. Pending "
        "changes recovered from it, which will sync: {n}. If something you saved is missing, "
        "run `fieldrep import-outbox {moved}` (changes already recovered are not added twice).",
        why=why, moved=damaged, n=len(ops)))


def export_outbox(path: Path, session: Session, journal: Journal) -> int:
    """Write the pending operations to ``path`` (to import on another machine); how many."""
    ops = journal.outbox()
    write_document(path, {
        "format": OUTBOX_EXPORT_FORMAT,
        "version": 1,
        "exported_at": iso(now()),
        "device_id": session.device_id,
        "rep_id": session.rep_id,
        "rep_name": session.rep_name,
        "ops": ops,
    })
    return len(ops)


def _read_operations(raw: bytes) -> tuple[list[dict], dict | None]:
    """The operations in a file's bytes (an export, or else a journal, damaged or not), and
    the export document when it is one."""
    ops: list[dict] = []
    export: dict | None = None
    with contextlib.suppress(orjson.JSONDecodeError):
        document = orjson.loads(raw)
        if isinstance(document, dict) and document.get("format") == OUTBOX_EXPORT_FORMAT:
            export = document
            for op in document.get("ops") or []:
                try:
                    ops.append(Mutation.model_validate(op).model_dump(mode="json"))
                except (ValidationError, TypeError, ValueError):
                    continue
    if not ops:
        ops = [Mutation.model_validate(op).model_dump(mode="json")
               for op in salvage_journal(raw)["outbox"]]
    return ops, export


def operations_in(path: Path) -> int:
    """How many operations the file at ``path`` holds (an export or a journal; 0 for none, or
    for a file that is neither); an unreadable file raises StoreError."""
    try:
        return len(_read_operations(path.read_bytes())[0])
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror or error}") from None


def _check_owner(path: Path, home: Path, session: Session, export: dict | None,
                 ops: list[dict]) -> None:
    """Refuse pending work that is not this rep's (Refused ``import.other_rep``).

    Whose it is: the export's ``rep_id``, and the ``rep_id`` each visit, feedback and
    follow-up carries. Any of them naming another rep refuses the file. A file naming no
    rep at all (an export written while logged out, or a journal, whose customer edits and
    claims carry no rep) is refused (``import.unknown_rep``) unless it is this laptop's own
    journal, set aside in this data folder.
    """
    me = session.rep_id
    if not me:
        raise StoreError("not logged in: run fieldrep login --server URL (or make demo to try it)")
    named = export.get("rep_id") if export else None
    if export is not None and named is not None and named != me:
        raise Refused("import.other_rep",
                      rep=session.rep_name_of(str(named), export.get("rep_name")))
    makers = {op["fields"].get("rep_id") for op in ops} - {None, ""}
    others = sorted(str(maker) for maker in makers - {me})
    if others:
        raise Refused("import.other_rep", rep=session.rep_name_of(others[0]))
    if named is None and not makers:
        with contextlib.suppress(OSError):
            if path.resolve().parent == home.resolve() and export is None:
                return  # this laptop's own damaged journal
        raise Refused("import.unknown_rep")


def import_outbox(path: Path, docs: Documents, session: Session, journal: Journal) -> int:
    """Add the operations in ``path`` (an export, or a damaged journal) to the outbox.

    Imported operations get new mids on this device; ones already here (same op_id) are
    skipped. Returns how many were added. Another rep's work is refused (see
    :func:`_check_owner`): it would be sent, and stored, as this rep's.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror or error}") from None
    ops, export = _read_operations(raw)
    if not ops:
        return 0
    _check_owner(path, docs.home, session, export, ops)
    known = journal.pending_op_ids()
    fresh = [op for op in sorted(ops, key=lambda op: op["mid"]) if op["op_id"] not in known]
    if not fresh:
        return 0

    def change(document: dict) -> None:
        for op in fresh:
            apply_op_locally(document, docs.archive, op)
            op["mid"] = document["next_mid"]
            document["next_mid"] += 1
            document["outbox"].append(op)

    journal.commit(change)
    return len(fresh)
