"""The laptop's local store: durable files, in-memory indexes, the rep's writes and the sync side.

Files (names in ``cache/locations.py``), each written atomically and fsynced (``cache/storage.py``):

* ``snapshot.json`` — what the server sent: customers, policy, reps, teams, territories, and the
  pull cursor, so a pulled page and its cursor land in one write. Rewritten only by sync.
* ``journal.json`` — the rep's own unsynced work: local copies of visits, feedback and
  follow-ups, local customer changes (an overlay on the snapshot), the outbox of operations with
  the device's mid counter, conflicts and rejections. Every rep action is ONE write of this small
  file: the record, its outbox operation and the new mid together.
* ``archive.json`` — synced history: records acknowledged by the server move here from the
  journal, so the journal stays small; pulled history lands here too.
* ``bootstrap/page-N.json`` — pages of an unfinished first sync, merged into the snapshot when it
  completes (so a 50,000-customer bootstrap is not 50 rewrites of a growing snapshot).

A cursor may be stored with any of the three data files: it carries a generation number and the
newest one wins, so an empty pull only rewrites the journal, and the cursor is never ahead of the
data it was written with.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import shutil
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from pydantic import ValidationError

from cache import locations, shapes
from cache.errors import (
    Ambiguous,
    DamagedFile,
    NewerFormat,
    NotFound,
    Refused,
    StoreError,
    ValidationFailed,
)
from cache.ids import uuid7
from cache.index import CustomerIndex
from cache.lock import StoreLock
from cache.queue import GENERATED_SOURCES, build_queue, parse_generated_key
from cache.salvage import JOURNAL_ORDER, salvage_journal
from cache.search_keys import has_han, pinyin_keys
from cache.storage import atomic_write, dumps, read_document, write_document
from sync.protocol import rules, validation
from sync.protocol.dates import parse_date
from sync.protocol.models import (
    CUSTOMER_EDITABLE_FIELDS,
    Customer,
    Feedback,
    FollowUp,
    Mutation,
    Policy,
    Visit,
)
from sync.protocol.refusals import Refusal

FORMAT = 1
HISTORY = ("visit", "feedback", "followup")
SNAPSHOT_ENTITIES = ("customer", "rep", "team", "territory", "policy")
_PLURAL = {"customer": "customers", "rep": "reps", "team": "teams", "territory": "territories"}
MAX_SYNC_RUNS = 100
OUTBOX_EXPORT_FORMAT = "fieldrep-outbox"


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


CUSTOMER_DEFAULTS: dict[str, Any] = {
    name: orjson.loads(orjson.dumps(field.get_default(call_default_factory=True), default=str))
    for name, field in Customer.model_fields.items()
    if not field.is_required()
}
"""What a customer field reads as when the snapshot leaves it out (None, '' or [])."""
_SHARED_FIELDS = ("industry", "customer_type", "province", "city", "tier", "stage", "owner_id",
                  "owner_name", "previous_owner_id")


def _compact(record: dict) -> dict:
    out = {k: v for k, v in record.items() if v is not None and v != "" and v != []}
    for key in _SHARED_FIELDS:
        value = out.get(key)
        if type(value) is str:
            out[key] = sys.intern(value)
    return out


def _full(record: dict) -> dict:
    """A customer as callers see it: every field present (fresh lists, safe to change)."""
    return {**CUSTOMER_DEFAULTS, "search_keys": [], "product_lines": [], "contacts": [], **record}


def _later(a: Any, b: Any) -> bool:
    """Is timestamp ``a`` set and later than ``b`` (ISO strings or datetimes; None is earliest)?"""
    first, second = rules.as_datetime(a), rules.as_datetime(b)
    return first is not None and (second is None or first > second)


def _locked(method: Callable) -> Callable:
    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            if self._closed:
                raise StoreError("the local store is closed")
            return method(self, *args, **kwargs)

    return wrapper


def _validation_failed(error: ValidationError) -> ValidationFailed:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or "input"
    message = first.get("msg", "is not valid")
    message = message.removeprefix("Value error, ")
    return ValidationFailed(field, message[:1].lower() + message[1:])


def _validate(model: type, record: dict) -> dict:
    try:
        return model.model_validate(record).model_dump(mode="json")
    except ValidationError as error:
        raise _validation_failed(error) from None


def _empty_journal() -> dict:
    """A journal with nothing in it, its keys in the order they are written: the outbox first,
    so that a journal cut short still holds its oldest pending operations whole (see
    ``cache/salvage.py``)."""
    return {
        "format": FORMAT,
        "next_mid": 1,
        "outbox": [],
        "records": {kind: {} for kind in HISTORY},
        "customers": {},
        "conflicts": {},
        "rejections": {},
        "cursor": None,
    }


def _in_journal_order(journal: dict) -> dict:
    """``journal`` with its keys in the written order (a journal of an older build had its
    outbox last); unknown keys are kept, after them."""
    ordered = {key: journal[key] for key in JOURNAL_ORDER if key in journal}
    ordered.update((key, value) for key, value in journal.items() if key not in ordered)
    return ordered


def _empty_snapshot() -> dict:
    return {
        "format": FORMAT,
        "customers": {},
        "reps": {},
        "teams": {},
        "territories": {},
        "policy": None,
        "cursor": None,
        "next_mid": 0,
    }


def _empty_archive() -> dict:
    return {"format": FORMAT, **{kind: {} for kind in HISTORY}, "cursor": None, "next_mid": 0}


def _check_shape(name: str, document: Any, dict_keys: tuple[str, ...], list_keys=()) -> None:
    if not isinstance(document, dict):
        raise DamagedFile(f"{name} does not hold an object")
    for key in dict_keys:
        if not isinstance(document.get(key), dict):
            raise DamagedFile(f"{name} has no valid {key!r}")
    for key in list_keys:
        if not isinstance(document.get(key), list):
            raise DamagedFile(f"{name} has no valid {key!r}")


def _check_format(name: str, document: Any, home: Path) -> None:
    """A file written by a newer fieldrep is not damaged: say so, and touch nothing."""
    if not isinstance(document, dict):
        return
    written = document.get("format", FORMAT)
    if type(written) is int and written > FORMAT:
        raise NewerFormat(
            f"{name} in {home} was written by a newer fieldrep (format {written}; this one "
            f"reads format {FORMAT}): update fieldrep. Nothing was changed."
        )
    if type(written) is not int:
        raise DamagedFile(f"{name} has no valid format number")


def salvage_operations(raw: bytes) -> tuple[list[dict], int]:
    """Outbox operations readable in a damaged journal's bytes, and the highest mid counter seen
    (every operation whose bytes are intact, from any prefix: see ``cache/salvage.py``)."""
    salvaged = salvage_journal(raw)
    return salvaged["outbox"], salvaged["next_mid"]


class Store:
    """fieldrep's local store. Open with :meth:`Store.open`; see the module docstring for files."""

    # ================================================================== open / close

    def __init__(self, home: Path):
        self.home = Path(home)
        self._lock = threading.RLock()
        self._closed = False
        self.notices: list[str] = []
        self.warnings: list[str] = []
        """Things the rep should fix (e.g. a data folder others can read): one line each, for
        the CLI and the TUI to show; unlike ``notices`` nothing was changed or set aside."""
        self._file_lock = StoreLock(self.home / locations.LOCK)
        self._index = CustomerIndex(next_due=self._next_due)

    @classmethod
    def open(cls, home: Path | None = None) -> Store:
        """Open (creating if needed) the store in ``home`` (default: the data dir); takes the lock."""
        home = Path(home) if home is not None else locations.data_dir()
        created = not home.exists()
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        if created:
            os.chmod(home, 0o700)  # the rep's customers and token: theirs alone, whatever umask
        store = cls(home)
        if not created:
            store._warn_if_readable()
        store._file_lock.acquire()
        collecting = gc.isenabled()
        gc.disable()  # 50,000 records are all alive: collecting them midway only costs time
        try:
            store._load()
        except BaseException:
            store._file_lock.release()
            raise
        finally:
            if collecting:
                gc.enable()
        gc.freeze()  # the loaded records need no cyclic collection: keep them out of it
        return store

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._file_lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _path(self, name: str) -> Path:
        return self.home / name

    def _warn_if_readable(self) -> None:
        with contextlib.suppress(OSError):
            mode = self.home.stat().st_mode & 0o777
            if mode & 0o077:
                self.warnings.append(
                    f"your data folder {self.home} is readable by other users of this computer "
                    f"(mode {mode:04o}): run `chmod 700 {self.home}` to keep it private"
                )

    def _set_aside(self, name: str, reason: str) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self._path(f"{name}.damaged-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self._path(f"{name}.damaged-{stamp}-{n}")
        os.replace(self._path(name), target)
        return target

    def _load_file(
        self,
        name: str,
        read: tuple[Any, str],
        empty: Callable[[], dict],
        check: Callable[[Any], None],
        fit: Callable[[dict], list[str]] | None = None,
    ) -> tuple[dict, Path | None, str, bool]:
        """(document, where a bad file was moved, why, whether what fits was kept).

        Unreadable or of the wrong overall shape: set aside, an empty document in its place.
        Entries of the wrong shape (``fit`` names them): set aside, the entries that fit kept.
        """
        document, damage = read
        try:
            if damage:
                raise DamagedFile(damage)
            if document is None:
                return empty(), None, "", False
            check(document)
        except DamagedFile as error:
            return empty(), self._set_aside(name, str(error)), str(error), False
        problems = fit(document) if fit is not None else []
        if not problems:
            return document, None, "", False
        why = "; ".join(problems[:3]) + (f"; {len(problems) - 3} more" if len(problems) > 3 else "")
        return document, self._set_aside(name, why), why, True

    def _read_data_files(self) -> dict[str, tuple[Any, str]]:
        """The three data files as read: (document or None, why it is unreadable or ''). A file
        of a newer format stops the opening here, before anything is set aside."""
        read: dict[str, tuple[Any, str]] = {}
        for name in (locations.SNAPSHOT, locations.ARCHIVE, locations.JOURNAL):
            try:
                read[name] = (read_document(self._path(name)), "")
            except DamagedFile as error:
                read[name] = (None, str(error))
        for name, (document, _damage) in read.items():
            try:
                _check_format(name, document, self.home)
            except DamagedFile as error:
                read[name] = (None, str(error))
        return read

    def _load(self) -> None:
        for leftover in self.home.glob(".*.tmp"):  # a write cut short by a crash; we hold the lock
            with contextlib.suppress(OSError):
                leftover.unlink()
        read = self._read_data_files()
        snap, snap_bad, why, snap_kept = self._load_file(
            locations.SNAPSHOT,
            read[locations.SNAPSHOT],
            _empty_snapshot,
            lambda d: _check_shape("snapshot", d, ("customers", "reps", "teams", "territories")),
            shapes.fit_snapshot,
        )
        if snap_bad:
            until = "; what fits is shown until then" if snap_kept else ""
            self.notices.append(
                f"The territory snapshot was damaged ({why}); it was moved to {snap_bad} and "
                f"will be rebuilt by the next sync{until}. Your own pending work is not affected."
            )
        archive, archive_bad, why, archive_kept = self._load_file(
            locations.ARCHIVE,
            read[locations.ARCHIVE],
            _empty_archive,
            lambda d: _check_shape("archive", d, HISTORY),
            shapes.fit_archive,
        )
        if archive_bad:
            self.notices.append(
                f"The synced-history file was damaged ({why}); it was moved to {archive_bad} and "
                "will be fetched again by the next sync."
            )
        journal_problems: list[str] = []

        def check_journal(d: Any) -> None:
            _check_shape(
                "journal", d, ("records", "customers", "conflicts", "rejections"), ("outbox",)
            )
            _check_shape("journal", d["records"], HISTORY)
            # entries of the wrong shape: the whole journal goes the salvage way, which keeps
            # every entry that fits (and says how many pending changes it kept)
            journal_problems.extend(shapes.fit_journal(orjson.loads(dumps(d))))
            if journal_problems:
                raise DamagedFile("; ".join(journal_problems[:3]))

        journal, journal_bad, why, _ = self._load_file(
            locations.JOURNAL, read[locations.JOURNAL], _empty_journal, check_journal
        )
        journal = _in_journal_order(journal)
        reordered = not journal_bad and read[locations.JOURNAL][0] is not None and (
            list(journal) != list(read[locations.JOURNAL][0])
        )
        self._snap, self._archive, self._journal = snap, archive, journal
        if (snap_bad and not snap_kept) or (archive_bad and not archive_kept):
            # the server's view must be rebuilt as a whole: forget every cursor
            self._snap = _empty_snapshot()
            self._archive = _empty_archive()
            self._journal["cursor"] = None
            self._clear_bootstrap_pages()
        elif snap_bad or archive_bad:
            # what fits stays on screen until a fresh copy replaces it as a whole
            for document in (self._snap, self._archive, self._journal):
                document["cursor"] = None
            self._clear_bootstrap_pages()
        customers = self._snap["customers"]
        for record in customers.values():
            for key in _SHARED_FIELDS:
                value = record.get(key)
                if type(value) is str:
                    record[key] = sys.intern(value)
        self._load_bootstrap_pages()
        self._session = self._read_small(locations.SESSION, dict, "the login session")
        self._drafts_doc = self._read_small(locations.DRAFTS, dict, "saved drafts") or {}
        self._runs = self._read_small(locations.SYNC_RUNS, list, "the sync log") or []
        if journal_bad:
            self._recover_journal(journal_bad, why)
        self._dedupe_history()
        self._journal_bytes = dumps(self._journal)
        self._policy_cache: Policy | None = None
        self._rebuild_customers()
        if snap_bad or archive_bad or journal_bad:
            self._write_all()
        elif reordered:
            self._write_journal()  # an older build's layout: outbox first from now on

    def _read_small(self, name: str, kind: type, what: str) -> Any:
        try:
            document = read_document(self._path(name))
            if document is not None and not isinstance(document, kind):
                raise DamagedFile(f"{name} has the wrong shape")
            return document
        except DamagedFile as error:
            moved = self._set_aside(name, str(error))
            self.notices.append(
                f"{what.capitalize()} could not be read ({error}); it was moved to {moved}."
            )
            return None

    def _recover_journal(self, damaged: Path, why: str) -> None:
        """Rebuild the journal from what is intact in the damaged one (set aside at
        ``damaged``): every whole, valid operation, and the whole records, local customer
        layers, conflicts and rejections that fit. A record without its own intact copy is made
        again from its operation (which carries its fields)."""
        salvaged = salvage_journal(damaged.read_bytes())
        ops = salvaged["outbox"]
        try:
            sequence = read_document(self._path(locations.SEQUENCE)) or {}
        except DamagedFile:
            sequence = {}
        counter = max(
            salvaged["next_mid"],
            self._snap.get("next_mid") or 0,
            self._archive.get("next_mid") or 0,
            sequence.get("next_mid") or 0 if isinstance(sequence, dict) else 0,
        )
        journal = _empty_journal()
        journal["next_mid"] = max([counter, 1, *(op["mid"] + 1 for op in ops)])
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
            cid: overlay for cid, overlay in salvaged["customers"].items() if cid in touched
        }
        shapes.fit_journal(journal)
        intact = {(kind, rid) for kind in HISTORY for rid in journal["records"][kind]}
        intact |= {("customer", cid) for cid in journal["customers"]}
        for op in ops:
            if (op["kind"].split(".")[0], op["record_id"]) in intact:
                continue  # its own intact copy already holds every change made to it
            self._apply_op_locally(journal, op)
        self._journal = journal
        self.notices.append(
            f"Your journal of unsynced work was damaged ({why}). It was moved to {damaged}. "
            f"{len(ops)} pending change(s) were recovered from it and will sync. If something you "
            f"saved is missing, run `fieldrep import-outbox {damaged}` (changes already "
            "recovered are not added twice)."
        )

    def _write_all(self) -> None:
        self._write_archive()
        self._write_snapshot()
        self._write_journal()

    # ------------------------------------------------------------------ writing the files

    def _write_journal(self) -> None:
        data = dumps(self._journal)
        atomic_write(self._path(locations.JOURNAL), data)
        self._journal_bytes = data

    def _write_snapshot(self) -> None:
        self._snap["next_mid"] = self._journal.get("next_mid", 1)
        write_document(self._path(locations.SNAPSHOT), self._snap)

    def _write_archive(self) -> None:
        self._archive["next_mid"] = self._journal.get("next_mid", 1)
        write_document(self._path(locations.ARCHIVE), self._archive)

    def _commit_journal(self, change: Callable[[dict], Any]) -> Any:
        """Apply ``change`` to the journal and write it durably; on any failure, nothing changed."""
        try:
            result = change(self._journal)
            self._write_journal()
        except BaseException as error:
            self._journal = orjson.loads(self._journal_bytes)
            self._rebuild_customers()
            if isinstance(error, OSError):  # a full disk, a read-only home: say so in one line
                raise StoreError(
                    f"not saved: {error.strerror or error} in {self.home}; nothing was changed"
                ) from error
            raise
        return result

    # ------------------------------------------------------------------ bootstrap pages

    def _bootstrap_dir(self) -> Path:
        return self._path(locations.BOOTSTRAP_DIR)

    def _load_bootstrap_pages(self) -> None:
        self._pages: list[dict] = []
        directory = self._bootstrap_dir()
        if not directory.is_dir():
            return
        for page_file in sorted(directory.glob("page-*.json")):
            try:
                page = read_document(page_file)
                if not isinstance(page, dict) or not isinstance(page.get("changes"), list):
                    raise DamagedFile("not a bootstrap page")
            except DamagedFile:
                self.notices.append("An unfinished first sync was damaged; it will start again.")
                self._clear_bootstrap_pages()
                return
            self._pages.append(page)

    def _clear_bootstrap_pages(self) -> None:
        self._pages = []
        shutil.rmtree(self._bootstrap_dir(), ignore_errors=True)

    # ------------------------------------------------------------------ effective records

    def _pending_by_record(self) -> dict[str, list[dict]]:
        pending: dict[str, list[dict]] = {}
        for op in self._journal["outbox"]:
            pending.setdefault(op["record_id"], []).append(op)
        return pending

    def _effective_customer(
        self, cid: str, pending: dict[str, list[dict]] | None = None
    ) -> dict | None:
        base = self._snap["customers"].get(cid)
        overlay = self._journal["customers"].get(cid)
        if overlay is None:
            return base
        ops = (pending if pending is not None else self._pending_by_record()).get(cid, [])
        own = overlay.get("record")
        if own is not None and (
            (base is None and overlay.get("created"))
            or (base is not None and own.get("version", 0) >= base.get("version", 0))
        ):
            base = own
        if base is None:
            return None
        merged = dict(base)
        derived = overlay.get("derived") or {}
        if derived and (ops or merged.get("version", 0) <= overlay.get("base_version", 0)):
            if _later(derived.get("last_visit_at"), merged.get("last_visit_at")):
                merged["last_visit_at"] = derived["last_visit_at"]
            if merged.get("owner_id") == derived.get("owner_id") and _later(
                derived.get("protected_until"), merged.get("protected_until")
            ):
                merged["protected_until"] = derived["protected_until"]
        for op in ops:
            if op["kind"] == "customer.update":
                merged.update(op["fields"])
            elif op["kind"] == "customer.claim":
                merged["claim_pending"] = True
        return merged

    def _rebuild_customers(self) -> None:
        pending = self._pending_by_record()
        customers = dict(self._snap["customers"])
        for cid in self._journal["customers"]:
            record = self._effective_customer(cid, pending)
            if record is None:
                customers.pop(cid, None)
            else:
                customers[cid] = record
        self._customers = customers
        self._index.rebuild(customers)

    def _refresh_customers(self, cids: list[str]) -> None:
        pending = self._pending_by_record()
        changes = []
        for cid in dict.fromkeys(cids):
            old = self._customers.get(cid)
            new = self._effective_customer(cid, pending)
            if new is None:
                self._customers.pop(cid, None)
            else:
                self._customers[cid] = new
            if old is not new:
                changes.append((cid, old, new))
        self._index.changed_many(changes)

    def _dedupe_history(self) -> None:
        """Journal copies that are neither pending nor rejected and already archived: drop."""
        pending = self._pending_by_record()
        for kind in HISTORY:
            local = self._journal["records"][kind]
            for rid in [
                r
                for r in local
                if r not in pending and r in self._archive[kind] and not local[r].get("rejected")
            ]:
                del local[rid]

    def _history(self, kind: str) -> dict[str, dict]:
        merged = dict(self._archive[kind])
        merged.update(self._journal["records"][kind])
        return merged

    # ================================================================== session

    @property
    def session(self) -> dict | None:
        with self._lock:
            if not self._session:
                return None
            keys = ("server", "rep_id", "rep_name", "role", "device_id")
            return {key: self._session.get(key) for key in keys}

    @property
    def token(self) -> str | None:
        with self._lock:
            try:
                return self._path(locations.TOKEN).read_text().strip() or None
            except FileNotFoundError:
                return None

    @_locked
    def save_session(self, server: str, rep: Any, device_id: str, token: str) -> None:
        """Remember the login: server, rep, this device's id, and the token (a 0600 file).

        A new device id starts a new mid sequence on the server, so pending operations are
        renumbered 1, 2, 3 … for it (in the same order) before anything is pushed.
        """
        rep = rep.model_dump(mode="json") if hasattr(rep, "model_dump") else dict(rep)
        previous = (self._session or {}).get("device_id")
        session = {
            "server": server,
            "rep_id": rep.get("id"),
            "rep_name": rep.get("name"),
            "role": str(rep.get("role") or "rep"),
            "device_id": device_id,
            "rep": rep,
        }
        atomic_write(self._path(locations.TOKEN), (token or "").encode())
        os.chmod(self._path(locations.TOKEN), 0o600)
        write_document(self._path(locations.SESSION), session)
        self._session = session
        if previous != device_id:

            def renumber(journal: dict) -> None:
                for mid, op in enumerate(journal["outbox"], start=1):
                    op["mid"] = mid
                journal["next_mid"] = len(journal["outbox"]) + 1

            self._commit_journal(renumber)

    @_locked
    def clear_session(self) -> None:
        """Log out: forget the session and token. Pending operations are kept."""
        for name in (locations.SESSION, locations.TOKEN):
            with contextlib.suppress(FileNotFoundError):
                self._path(name).unlink()
        self._session = None

    @property
    def rep_id(self) -> str | None:
        return (self._session or {}).get("rep_id")

    @property
    def device_id(self) -> str | None:
        return (self._session or {}).get("device_id")

    @property
    def last_assigned_mid(self) -> int:
        """The highest mid this laptop has handed out on its device (0 for none). A server whose
        last mid for the device is above it has seen operations this laptop never made: the data
        folder was restored from a backup or copied, and its mids are taken (see the engine)."""
        with self._lock:
            return max(0, int(self._journal.get("next_mid") or 1) - 1)

    # ================================================================== reference data

    @property
    def policy(self) -> Policy:
        with self._lock:
            if self._policy_cache is None:
                raw = self._snap.get("policy")
                try:
                    self._policy_cache = Policy.model_validate(raw) if raw else Policy()
                except ValidationError:
                    self._policy_cache = Policy()
            return self._policy_cache

    @property
    def me(self) -> dict | None:
        with self._lock:
            rid = self.rep_id
            if rid is None:
                return None
            return dict(self._snap["reps"].get(rid) or (self._session or {}).get("rep") or {})

    @property
    def territories(self) -> list[dict]:
        with self._lock:
            return [dict(t) for t in self._snap["territories"].values()]

    @property
    def team(self) -> dict | None:
        with self._lock:
            me = self.me or {}
            team = self._snap["teams"].get(me.get("team_id") or "")
            return dict(team) if team else None

    @property
    def reps(self) -> dict[str, dict]:
        with self._lock:
            return {rid: dict(rep) for rid, rep in self._snap["reps"].items()}

    def _tz(self) -> ZoneInfo | Any:
        try:
            return ZoneInfo(self.policy.timezone)
        except Exception:
            return UTC

    def today(self, now: datetime | None = None) -> date:
        """The calendar day of ``now`` (default: the clock) in the policy's timezone: the day
        the queue's "due today" and "overdue" are counted in."""
        return (now or _now()).astimezone(self._tz()).date()

    def _next_due(self, customer: dict) -> date | None:
        try:
            return rules.next_visit_due(customer, self.policy)
        except (ValueError, TypeError):
            return None

    # ================================================================== reads

    @_locked
    def customer(self, customer_id: str) -> dict | None:
        record = self._customers.get(customer_id)
        return _full(record) if record is not None else None

    def warm_up(self) -> None:
        """Build the search index now rather than at the first keystroke (call it from a
        worker after the first frame; open() leaves it out to start faster).

        The slow part runs on a copy of the customers without the store's lock, so the UI
        thread never waits for it; a customer changed meanwhile is put in its place at the
        next search, and a search that comes first simply builds the index itself.
        """
        with self._lock:
            if self._closed:
                return
            build = self._index.begin_build()
        if build is not None:
            CustomerIndex.run_build(build)
            with self._lock:
                if not self._closed:
                    self._index.finish_build(build)

    @_locked
    def customer_count(self) -> int:
        return len(self._customers)

    @_locked
    def search(self, query: str, limit: int = 200) -> list[dict]:
        """Customers matching ``query`` (substring, pinyin full/initials, fuzzy), best first."""
        return [_full(self._customers[cid]) for cid in self._index.search(query, limit)]

    @_locked
    def search_ids(self, query: str, limit: int = 200) -> list[str]:
        """Like :meth:`search` but only the ids (no record copies): for live filtering."""
        return self._index.search(query, limit)

    @_locked
    def all_customer_ids(self, sort: str = "name") -> list[str]:
        return self._index.sorted_ids(sort)

    @_locked
    def groups(self, grouping: str) -> list[tuple[str, int]]:
        return self._index.groups(grouping)

    @_locked
    def customers_in_group(self, grouping: str, value: str) -> list[str]:
        return self._index.members(grouping, value)

    @_locked
    def resolve_customer(self, text: str) -> dict:
        """The customer ``text`` names: an id, or a search matching exactly one customer."""
        text = (text or "").strip()
        if not text:
            raise NotFound("no customer given")
        if text in self._customers:
            return _full(self._customers[text])
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

    def _records(self, kind: str, customer_id: str | None) -> list[dict]:
        pending = self._pending_by_record()
        out = []
        for record in self._history(kind).values():
            if customer_id is not None and record.get("customer_id") != customer_id:
                continue
            copy = dict(record)
            copy["synced"] = record["id"] not in pending and not record.get("rejected")
            out.append(copy)
        return out

    @_locked
    def visits(self, customer_id: str | None = None) -> list[dict]:
        """Visits, newest first, each with ``synced``."""
        return sorted(
            self._records("visit", customer_id), key=lambda r: r.get("at") or "", reverse=True
        )

    @_locked
    def feedback(self, customer_id: str | None = None) -> list[dict]:
        return sorted(
            self._records("feedback", customer_id), key=lambda r: r.get("at") or "", reverse=True
        )

    @_locked
    def followups(self, customer_id: str | None = None, include_closed: bool = False) -> list[dict]:
        """Follow-ups by due date; open and snoozed ones unless ``include_closed``."""
        records = self._records("followup", customer_id)
        if not include_closed:  # a snoozed generated entry (cadence…) is a marker, not a task
            markers = set(GENERATED_SOURCES.values())
            records = [
                r
                for r in records
                if r.get("status") == "open"
                or (r.get("status") == "snoozed" and r.get("source") not in markers)
            ]
        return sorted(records, key=lambda r: (str(r.get("due")), r["id"]))

    @_locked
    def timeline(self, customer_id: str) -> list[dict]:
        """Visits, feedback and follow-ups of one customer, newest first."""
        items = [
            {"type": "visit", "at": r.get("at"), "record": r, "synced": r["synced"]}
            for r in self._records("visit", customer_id)
        ]
        items += [
            {"type": "feedback", "at": r.get("at"), "record": r, "synced": r["synced"]}
            for r in self._records("feedback", customer_id)
        ]
        items += [
            {"type": "followup", "at": str(r.get("due")), "record": r, "synced": r["synced"]}
            for r in self._records("followup", customer_id)
        ]
        items.sort(key=lambda item: str(item["at"] or ""), reverse=True)
        return items

    @_locked
    def queue(self, now: datetime | None = None) -> list[dict]:
        """The follow-up queue (see ``cache/queue.py``), ordered overdue first."""
        now = now or _now()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        rep_id = self.rep_id
        followups = [
            r
            for r in self._history("followup").values()
            if r.get("status") in ("open", "snoozed")
            or r.get("source") in GENERATED_SOURCES.values()
        ]
        if rep_id is not None:
            followups = [r for r in followups if r.get("rep_id") in (rep_id, None, "")]
        complaints = [
            r
            for r in self._history("feedback").values()
            if r.get("kind") == "complaint"
            and r.get("status") in ("open", "in_progress")
            and r["customer_id"] in self._customers
            and self._customers[r["customer_id"]].get("owner_id") in (rep_id, None, "")
        ]
        mine = list(self._index.member_set("owner", rep_id)) if rep_id else []
        return build_queue(
            now=now,
            today=self.today(now),
            policy=self.policy,
            rep_id=rep_id,
            customers=self._customers,
            my_customer_ids=mine,
            followups=followups,
            complaints=complaints,
        )

    # ================================================================== writes

    def _require_rep(self) -> str:
        rep_id = self.rep_id
        if not rep_id:
            raise StoreError("not logged in: run `fieldrep login --server URL --token TOKEN` first")
        return rep_id

    def _require_customer(self, customer_id: str) -> dict:
        customer = self._customers.get(customer_id or "")
        if customer is None:
            raise ValidationFailed("customer", f"unknown customer {customer_id!r}")
        return customer

    def _due(self, field: str, value: date | str | None, today: date) -> date | None:
        if value is None or value == "":
            return None
        try:
            day = parse_date(value, today)
        except ValueError as error:
            raise ValidationFailed(field, str(error)) from None
        if day < today:
            raise ValidationFailed(field, f"{day.isoformat()} is in the past")
        return day

    @staticmethod
    def _refused(refusal: Refusal, field: str = "customer") -> ValidationFailed:
        """A refusal of the shared rules as the one-line error the commands raise."""
        field = str(refusal.params.get("field") or field)
        return ValidationFailed(field, str(refusal).removeprefix(f"{field}: "), refusal)

    def _checked(self, model: type, record: dict, now: datetime,
                 carried: dict | None = None) -> dict:
        """``record`` by the server's own rule (sync/protocol/validation.py): sizes, counts,
        control characters and date windows, so the rep hears now what sync would refuse."""
        try:
            return validation.validated(model, record, now=now, carried=carried)
        except validation.Invalid as invalid:
            raise self._refused(invalid.refusal) from None

    def _covers(self, customer: dict) -> bool:
        """Is ``customer`` within this rep's reach, as the server judges an edit: a rep's own
        territories; a manager's team (owned by a member, or a member's territory covers it)."""
        me = self.me or {}
        if me.get("role") in (None, "rep"):
            return self._in_territory(customer)
        team = me.get("team_id")
        reps = self.reps
        owner = customer.get("owner_id")
        if owner:
            return owner == me.get("id") or (reps.get(owner) or {}).get("team_id") == team
        territories = self._snap["territories"]
        members = [r for r in reps.values() if r.get("team_id") == team] or [me]
        known = [territories[t] for r in members for t in r.get("territory_ids") or []
                 if t in territories]
        if not known:
            return True  # territories unknown offline: the server decides
        return any(rules.territory_covers(t, customer) for t in known)

    @staticmethod
    def _queue_op(
        journal: dict,
        kind: str,
        record_id: str,
        fields: dict,
        base_version: int | None = None,
        at: datetime | None = None,
    ) -> dict:
        op = {
            "op_id": uuid7(),
            "mid": journal["next_mid"],
            "kind": kind,
            "record_id": record_id,
            "fields": fields,
            "base_version": base_version,
            "client_time": _iso(at or _now()),
        }
        journal["next_mid"] += 1
        journal["outbox"].append(op)
        return op

    @_locked
    def log_visit(
        self,
        customer_id: str,
        *,
        kind: str = "visit",
        outcome: str,
        notes: str = "",
        next_step: str = "",
        due: date | str | None = None,
        amount: float | None = None,
        at: datetime | None = None,
    ) -> dict:
        """Save a visit durably (record + outbox op in one write); a next step with a due date
        also creates a follow-up. Updates the customer's last visit and, for the owner, its
        protection (the server decides authoritatively)."""
        rep_id = self._require_rep()
        customer = self._require_customer(customer_id)
        now = _now()
        at = at or now
        if at.tzinfo is None:
            raise ValidationFailed("at", "needs a time zone")
        if not (outcome or "").strip():
            raise ValidationFailed("outcome", "say what came of it (the outcome is empty)")
        if amount is not None:
            if isinstance(amount, bool) or not isinstance(amount, int | float):
                raise ValidationFailed("amount", "must be a number")
            if amount != amount or amount < 0:
                raise ValidationFailed("amount", "must be a positive number or empty")
        today = self.today(now)
        due_day = self._due("due", due, today)
        next_step = (next_step or "").strip()
        if due_day is not None and not next_step:
            raise ValidationFailed("next_step", "a due date needs a next step to do")
        visit = self._checked(
            Visit,
            {
                "id": uuid7(),
                "customer_id": customer_id,
                "rep_id": rep_id,
                "at": at,
                "kind": kind,
                "outcome": outcome,
                "notes": (notes or "").replace("\r\n", "\n"),
                "next_step": next_step,
                "next_step_due": due_day,
                "amount": amount,
            },
            now,
        )
        followup = None
        if next_step and due_day is not None:
            followup = self._checked(
                FollowUp,
                {
                    "id": uuid7(),
                    "customer_id": customer_id,
                    "rep_id": rep_id,
                    "due": due_day,
                    "title": next_step[:200],
                    "status": "open",
                    "source": "visit_next_step",
                },
                now,
            )
        derived = {"last_visit_at": visit["at"]}
        if _later(customer.get("last_visit_at"), visit["at"]):
            derived["last_visit_at"] = customer["last_visit_at"]
        if customer.get("owner_id") == rep_id:
            until = rules.protection_after_owner_visit(
                rules.as_datetime(customer.get("claimed_at")),
                rules.as_datetime(customer.get("protected_until")),
                now,
                bool(customer.get("deal_at")) or bool(amount),
                self.policy,
            )
            derived.update(protected_until=_iso(until), owner_id=rep_id)

        def change(journal: dict) -> None:
            journal["records"]["visit"][visit["id"]] = visit
            self._queue_op(journal, "visit.create", visit["id"], visit, at=now)
            if followup is not None:
                journal["records"]["followup"][followup["id"]] = followup
                self._queue_op(journal, "followup.create", followup["id"], followup, at=now)
            overlay = journal["customers"].setdefault(customer_id, {})
            old = overlay.get("derived") or {}
            if _later(old.get("last_visit_at"), derived["last_visit_at"]):
                derived["last_visit_at"] = old["last_visit_at"]
            overlay["derived"] = {**old, **derived}
            overlay["base_version"] = customer.get("version", 0)

        self._commit_journal(change)
        self._refresh_customers([customer_id])
        return {**visit, "synced": False}

    @_locked
    def add_feedback(
        self,
        customer_id: str,
        *,
        kind: str,
        text: str,
        score: int | None = None,
        severity: str | None = None,
    ) -> dict:
        rep_id = self._require_rep()
        self._require_customer(customer_id)
        if not (text or "").strip():
            raise ValidationFailed("text", "write what the customer said (the text is empty)")
        if score is not None and (
            isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5
        ):
            raise ValidationFailed("score", f"must be a whole number from 1 to 5, not {score!r}")
        if kind == "satisfaction" and score is None:
            raise ValidationFailed("score", "a satisfaction rating needs a score from 1 to 5")
        if kind == "complaint" and severity is None:
            severity = "medium"
        now = _now()
        record = self._checked(
            Feedback,
            {
                "id": uuid7(),
                "customer_id": customer_id,
                "rep_id": rep_id,
                "at": now,
                "kind": kind,
                "score": score,
                "severity": severity,
                "text": text.replace("\r\n", "\n"),
                "status": "open" if kind == "complaint" else None,
            },
            now,
        )

        def change(journal: dict) -> None:
            journal["records"]["feedback"][record["id"]] = record
            self._queue_op(journal, "feedback.create", record["id"], record, at=now)

        self._commit_journal(change)
        return {**record, "synced": False}

    @_locked
    def resolve_complaint(self, feedback_id: str, resolution: str) -> dict:
        self._require_rep()
        record = self._history("feedback").get(feedback_id)
        if record is None:
            raise NotFound(f"no feedback {feedback_id!r}")
        if record.get("kind") != "complaint":
            raise ValidationFailed("feedback", "only complaints are resolved")
        if record.get("status") == "resolved":
            raise ValidationFailed("feedback", "this complaint is already resolved")
        if not (resolution or "").strip():
            raise ValidationFailed("resolution", "say how it was resolved")
        fields = {"status": "resolved", "resolution": resolution.strip().replace("\r\n", "\n")}
        updated = self._checked(Feedback, {**record, **fields}, _now(), carried=fields)

        def change(journal: dict) -> None:
            journal["records"]["feedback"][feedback_id] = updated
            self._queue_op(
                journal, "feedback.update", feedback_id, fields, base_version=record.get("version")
            )

        self._commit_journal(change)
        return {**updated, "synced": False}

    @_locked
    def add_followup(self, customer_id: str, *, title: str, due: date | str) -> dict:
        rep_id = self._require_rep()
        self._require_customer(customer_id)
        if not (title or "").strip():
            raise ValidationFailed("title", "say what to follow up (the title is empty)")
        if due is None or due == "":
            raise ValidationFailed("due", "a follow-up needs a due date")
        now = _now()
        due_day = self._due("due", due, self.today(now))
        record = self._checked(
            FollowUp,
            {
                "id": uuid7(),
                "customer_id": customer_id,
                "rep_id": rep_id,
                "due": due_day,
                "title": title,
                "status": "open",
                "source": "manual",
            },
            now,
        )

        def change(journal: dict) -> None:
            journal["records"]["followup"][record["id"]] = record
            self._queue_op(journal, "followup.create", record["id"], record, at=now)

        self._commit_journal(change)
        return {**record, "synced": False}

    def _update_followup(self, followup_id: str, fields: dict) -> dict:
        self._require_rep()
        generated = parse_generated_key(followup_id or "")
        if generated is not None:
            return self._mark_generated(generated, fields)
        record = self._history("followup").get(followup_id)
        if record is None:
            raise NotFound(f"no follow-up {followup_id!r}")
        updated = self._checked(FollowUp, {**record, **fields}, _now(), carried=fields)

        def change(journal: dict) -> None:
            journal["records"]["followup"][followup_id] = updated
            self._queue_op(
                journal, "followup.update", followup_id, fields, base_version=record.get("version")
            )

        self._commit_journal(change)
        return {**updated, "synced": False}

    def _mark_generated(self, generated: tuple[str, str, str], fields: dict) -> dict:
        """Snooze/dismiss/complete a generated queue entry: a follow-up record with its source."""
        kind, customer_id, occurrence = generated
        customer = self._require_customer(customer_id)
        if kind == "complaint":
            complaint = self._history("feedback").get(occurrence)
            if complaint is None:
                raise NotFound(f"no complaint {occurrence!r}")
            due = rules.as_datetime(complaint["at"]).date().isoformat()
            title = validation.one_line(f"Complaint: {complaint.get('text', '')}")[:200]
        else:
            due = occurrence
            title = (
                "Visit due by cadence"
                if kind == "cadence"
                else "Protection ending: visit to extend"
            )
        record = self._checked(
            FollowUp,
            {
                "id": uuid7(),
                "customer_id": customer["id"],
                "rep_id": self.rep_id,
                "due": due,
                "title": title,
                "source": GENERATED_SOURCES[kind],
                **fields,
            },
            _now(),
            carried=fields,
        )

        def change(journal: dict) -> None:
            journal["records"]["followup"][record["id"]] = record
            self._queue_op(journal, "followup.create", record["id"], record)

        self._commit_journal(change)
        return {**record, "synced": False}

    @_locked
    def complete_followup(self, followup_id: str) -> dict:
        """Mark a follow-up done (or a generated queue entry handled, by its key)."""
        return self._update_followup(followup_id, {"status": "done", "snoozed_until": None})

    @_locked
    def dismiss_followup(self, followup_id: str) -> dict:
        return self._update_followup(followup_id, {"status": "dismissed", "snoozed_until": None})

    @_locked
    def snooze_followup(self, followup_id: str, until: date | str) -> dict:
        """Hide a follow-up (or a generated queue entry, by its key) until ``until``."""
        day = self._due("until", until, self.today())
        if day is None or day <= self.today():
            raise ValidationFailed("until", "snooze until a day after today")
        return self._update_followup(
            followup_id, {"status": "snoozed", "snoozed_until": day.isoformat()}
        )

    @_locked
    def snooze_queue_entry(self, key: str, until: date | str) -> dict:
        """Snooze any queue entry by its ``key`` (follow-up or generated)."""
        if key.startswith("followup:"):
            key = key.removeprefix("followup:")
        return self.snooze_followup(key, until)

    @_locked
    def update_customer(self, customer_id: str, fields: dict) -> dict:
        """Change editable fields of a customer (merged per field by the server)."""
        rep_id = self._require_rep()
        customer = self._customers.get(customer_id)
        if customer is None:
            raise NotFound(f"no customer {customer_id!r}")
        for name in fields:
            if name not in CUSTOMER_EDITABLE_FIELDS:
                raise ValidationFailed(name, "cannot be changed here")
        refusal = rules.pool_edit_refusal(
            customer if not customer.get("claim_pending") else {**customer, "owner_id": rep_id},
            fields, role=(self.me or {}).get("role") or "rep")
        if refusal is not None:
            raise self._refused(refusal)
        merged = self._checked(Customer, {**customer, **fields}, _now(), carried=fields)
        refusal = rules.move_refusal(customer, covered_before=self._covers(customer),
                                     covered_after=self._covers(merged))
        if refusal is not None:
            raise self._refused(refusal)
        changed = {name: merged[name] for name in fields if merged[name] != customer.get(name)}
        if "name" in changed:
            changed["search_keys"] = pinyin_keys(merged["name"])
        if not changed:
            return _full(customer)

        def change(journal: dict) -> None:
            journal["customers"].setdefault(customer_id, {})
            self._queue_op(
                journal,
                "customer.update",
                customer_id,
                changed,
                base_version=customer.get("version"),
            )

        self._commit_journal(change)
        self._refresh_customers([customer_id])
        return _full(self._customers[customer_id])

    def _in_territory(self, customer: dict) -> bool:
        me = self.me or {}
        territories = self._snap["territories"]
        mine = [territories[t] for t in me.get("territory_ids") or [] if t in territories]
        if not mine:
            return True  # territories unknown offline: the server decides
        return any(rules.territory_covers(t, customer) for t in mine)

    @_locked
    def claim(self, customer_id: str) -> dict:
        """Claim a pool customer: checked locally with the server's rules, queued, marked pending."""
        rep_id = self._require_rep()
        customer = self._customers.get(customer_id)
        if customer is None:
            raise NotFound(f"no customer {customer_id!r}")
        if customer.get("claim_pending"):
            raise ValidationFailed(
                "customer", f"{customer.get('name')}: claim already waiting to sync"
            )
        now = _now()
        today = self.today(now)
        tz = self._tz()
        claims_today = sum(1 for op in self._journal["outbox"] if op["kind"] == "customer.claim")
        held = 0
        for cid in self._index.member_set("owner", rep_id):
            held += 1
            claimed = rules.as_datetime(self._customers[cid].get("claimed_at"))
            if claimed is not None and claimed.astimezone(tz).date() == today:
                claims_today += 1
        reason = rules.claim_refusal(
            customer,
            rep_id,
            in_territory=self._in_territory(customer),
            now=now,
            claims_today=claims_today,
            held=held + claims_today,
            policy=self.policy,
        )
        if reason is not None:
            raise ValidationFailed("customer", str(reason), reason)

        def change(journal: dict) -> None:
            journal["customers"].setdefault(customer_id, {})
            self._queue_op(
                journal,
                "customer.claim",
                customer_id,
                {},
                base_version=customer.get("version"),
                at=now,
            )

        self._commit_journal(change)
        self._refresh_customers([customer_id])
        return _full(self._customers[customer_id])

    @_locked
    def create_customer(self, fields: dict) -> dict:
        """A new prospect the rep found: owned by its creator once the server accepts it."""
        rep_id = self._require_rep()
        now = _now()
        record = {"customer_type": "B2B", "tier": "C", "stage": "prospect", **fields}
        unknown = set(fields) - CUSTOMER_EDITABLE_FIELDS
        if unknown:
            raise ValidationFailed(sorted(unknown)[0], "cannot be set on a new customer")
        record.update(
            id=uuid7(),
            owner_id=rep_id,
            owner_name=(self.me or {}).get("name"),
            claimed_at=now,
            protected_until=rules.protection_on_claim(now, self.policy),
            version=0,
            updated_at=now,
        )
        record["search_keys"] = pinyin_keys(str(record.get("name") or ""))
        customer = self._checked(Customer, record, now, carried=fields)

        def change(journal: dict) -> None:
            journal["customers"][customer["id"]] = {"record": customer, "created": True}
            self._queue_op(journal, "customer.create", customer["id"], customer, at=now)

        self._commit_journal(change)
        self._refresh_customers([customer["id"]])
        return _full(self._customers[customer["id"]])

    # ================================================================== drafts

    @_locked
    def save_draft(self, key: str, data: dict) -> None:
        drafts = {**self._drafts_doc, key: data}
        write_document(self._path(locations.DRAFTS), drafts)
        self._drafts_doc = drafts

    @_locked
    def load_draft(self, key: str) -> dict | None:
        draft = self._drafts_doc.get(key)
        return dict(draft) if draft is not None else None

    @_locked
    def clear_draft(self, key: str) -> None:
        if key in self._drafts_doc:
            drafts = {k: v for k, v in self._drafts_doc.items() if k != key}
            write_document(self._path(locations.DRAFTS), drafts)
            self._drafts_doc = drafts

    # ================================================================== sync side

    @_locked
    def outbox(self) -> list[dict]:
        """Pending operations (Mutation dicts), in mid order."""
        return [dict(op) for op in sorted(self._journal["outbox"], key=lambda op: op["mid"])]

    @_locked
    def pending_count(self) -> int:
        return len(self._journal["outbox"])

    def _cursor_slot(self) -> tuple[int, str | None]:
        best = (0, None)
        for document in (self._snap, self._archive, self._journal):
            slot = document.get("cursor")
            if isinstance(slot, dict) and slot.get("gen", 0) > best[0]:
                best = (slot["gen"], slot.get("value"))
        return best

    @property
    def pull_cursor(self) -> str | None:
        with self._lock:
            return self._cursor_slot()[1]

    @property
    def bootstrap_state(self) -> dict | None:
        """The unfinished first sync ({cursor, next_token, done: False, pages}) or None."""
        with self._lock:
            if not self._pages:
                return None
            last = self._pages[-1]
            return {
                "cursor": last["cursor"],
                "next_token": last["next_token"],
                "done": False,
                "pages": len(self._pages),
            }

    @staticmethod
    def _plain(change: Any) -> dict:
        if hasattr(change, "model_dump"):
            return change.model_dump(mode="json")
        return dict(change)

    @staticmethod
    def _prepare_customer(record: dict) -> dict:
        """A pulled customer as the snapshot keeps it: pinyin keys filled in, empty fields left
        out (they come back as defaults on read) and repeated values shared, to save memory."""
        if not record.get("search_keys") and has_han(record.get("name") or ""):
            record = {**record, "search_keys": pinyin_keys(record["name"])}
        return _compact(record)

    def _apply_server_change(self, snap: dict, archive: dict, change: dict) -> str | None:
        """Apply one pulled change to ``snap``/``archive``; the customer id it touched, if any."""
        entity, rid, op = change.get("entity"), change.get("id"), change.get("op") or "upsert"
        record = change.get("record")
        if entity == "policy":
            if op == "upsert" and record:
                snap["policy"] = record
            return None
        if entity in HISTORY:
            if op == "delete" or not record:
                archive[entity].pop(rid, None)
            else:
                archive[entity][rid] = record
            return None
        if entity not in _PLURAL:
            return None
        table = snap[_PLURAL[entity]]
        if op == "delete" or not record:
            table.pop(rid, None)
        else:
            table[rid] = self._prepare_customer(record) if entity == "customer" else record
        return rid if entity == "customer" else None

    def _settle_overlays(self, journal: dict, cids: list[str]) -> None:
        """After the server's view of ``cids`` arrived: drop local layers nothing still needs."""
        pending = {op["record_id"] for op in journal["outbox"]}
        for cid in cids:
            overlay = journal["customers"].get(cid)
            if overlay is None or cid in pending:
                continue
            if overlay.get("created") and cid not in self._snap["customers"]:
                continue  # our new customer, not pulled back yet
            del journal["customers"][cid]

    def _settle_history(self, journal: dict) -> None:
        pending = {op["record_id"] for op in journal["outbox"]}
        for kind in HISTORY:
            local = journal["records"][kind]
            for rid in [
                r
                for r, rec in local.items()
                if r not in pending and not rec.get("rejected") and r in self._archive[kind]
            ]:
                del local[rid]

    def _reload_server_view(self) -> None:
        """After a failed write: memory back to what is on disk."""
        self._snap = read_document(self._path(locations.SNAPSHOT)) or _empty_snapshot()
        self._archive = read_document(self._path(locations.ARCHIVE)) or _empty_archive()
        self._journal = orjson.loads(self._journal_bytes)
        self._policy_cache = None
        self._rebuild_customers()

    @_locked
    def apply_bootstrap_page(
        self, changes: list, next_token: str | None, cursor: str, done: bool
    ) -> None:
        """Store one page of a first sync; the last page (``done``) replaces the server's view."""
        changes = [self._plain(c) for c in changes]
        if self._pages and self._pages[0]["cursor"] != cursor:
            self._clear_bootstrap_pages()  # a new bootstrap, pinned elsewhere
        page = {"changes": changes, "next_token": next_token, "cursor": cursor}
        if not done:
            directory = self._bootstrap_dir()
            if not directory.is_dir():
                directory.mkdir(mode=0o700)
                os.chmod(directory, 0o700)
            write_document(directory / f"page-{len(self._pages) + 1:06d}.json", page)
            self._pages.append(page)
            return
        snap, archive = _empty_snapshot(), _empty_archive()
        for staged in [*self._pages, page]:
            for change in staged["changes"]:
                self._apply_server_change(snap, archive, change)
        gen = self._cursor_slot()[0] + 1
        snap["cursor"] = {"gen": gen, "value": cursor}
        try:
            self._archive = archive
            self._write_archive()
            self._snap = snap
            self._write_snapshot()
            self._policy_cache = None
            self._clear_bootstrap_pages()

            def settle(journal: dict) -> None:
                self._settle_overlays(journal, list(journal["customers"]))
                self._settle_history(journal)
                journal["cursor"] = None

            self._commit_journal(settle)
        except BaseException:
            self._reload_server_view()
            raise
        self._rebuild_customers()

    @_locked
    def apply_pull_page(self, changes: list, next_cursor: str) -> None:
        """Apply pulled changes and the new cursor in one atomic write (pending ops stay on top)."""
        changes = [self._plain(c) for c in changes]
        server_side = [c for c in changes if c.get("entity") in SNAPSHOT_ENTITIES]
        history = [c for c in changes if c.get("entity") in HISTORY]
        gen = self._cursor_slot()[0] + 1
        slot = {"gen": gen, "value": next_cursor}
        touched: list[str] = []
        try:
            for change in history:
                self._apply_server_change(self._snap, self._archive, change)
            for change in server_side:
                cid = self._apply_server_change(self._snap, self._archive, change)
                if cid:
                    touched.append(cid)
            if any(c.get("entity") == "policy" for c in server_side):
                self._policy_cache = None
            if server_side:
                if history:
                    self._write_archive()
                self._snap["cursor"] = slot
                self._write_snapshot()
            elif history:
                self._archive["cursor"] = slot
                self._write_archive()

            def settle(journal: dict) -> None:
                if not server_side and not history:
                    journal["cursor"] = slot
                self._settle_overlays(journal, touched)
                self._settle_history(journal)

            if not server_side and not history:
                self._commit_journal(settle)
            else:
                before = self._journal_bytes
                settle(self._journal)
                if dumps(self._journal) != before:
                    self._write_journal()
        except BaseException:
            self._reload_server_view()
            raise
        self._refresh_customers(touched)

    @_locked
    def apply_push_results(self, results: list) -> None:
        """Drop acknowledged operations, keep versions, record conflicts and rejections, and move
        synced history from the journal to the archive."""
        results = [self._plain(r) for r in results]
        touched: list[str] = []
        archive_changed = False

        def change(journal: dict) -> None:
            nonlocal archive_changed
            # An answer counts only for the operation it names: a result for one of our mids
            # with another op_id is another operation's (a restored or copied data folder
            # reusing mids); taking it would drop ours unsent. The engine handles that case.
            by_id = {op["op_id"]: op for op in journal["outbox"]}
            now = _iso(_now())
            for result in results:
                op = by_id.get(result.get("op_id"))
                if op is None or op not in journal["outbox"]:
                    continue
                journal["outbox"].remove(op)
                entity = op["kind"].split(".")[0]
                rid = op["record_id"]
                status = result.get("status")
                server_record = result.get("record")
                if isinstance(server_record, dict) and server_record.get("id") not in (None, rid):
                    server_record = None  # never file one record under another's id
                still_pending = any(o["record_id"] == rid for o in journal["outbox"])
                if entity in HISTORY:
                    local = journal["records"][entity].get(rid)
                    if status in ("applied", "conflict"):
                        record = server_record or (
                            {**local, "version": result.get("version") or local.get("version", 0)}
                            if local
                            else None
                        )
                        if record is not None:
                            record = {k: v for k, v in record.items() if k != "rejected"}
                            self._archive[entity][rid] = record
                            archive_changed = True
                        if not still_pending:
                            journal["records"][entity].pop(rid, None)
                    elif local is not None:
                        if op["kind"].endswith(".create"):
                            journal["records"][entity][rid] = {
                                **local,
                                "rejected": result.get("reason") or "rejected",
                            }
                        elif not still_pending and rid in self._archive[entity]:
                            journal["records"][entity].pop(rid, None)
                else:
                    touched.append(rid)
                    overlay = journal["customers"].setdefault(rid, {})
                    if server_record:
                        overlay["record"] = self._prepare_customer(server_record)
                        if op["kind"] == "customer.create" and status == "applied":
                            overlay["created"] = True
                if status == "conflict":
                    customer = self._customers.get(
                        rid if entity == "customer" else (server_record or {}).get("customer_id"),
                        {},
                    )
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
                            "at": now,
                            "op_id": op["op_id"],
                            "entity": entity,
                        }
                elif status == "rejected":
                    rej = uuid7()
                    # the customer it was about, named now: a refused claim's customer leaves
                    # this laptop at the next pull (it is someone else's), its name with it
                    about = rid if entity == "customer" else (op.get("fields") or {}).get(
                        "customer_id") or (journal["records"].get(entity, {}).get(rid) or {}
                                           ).get("customer_id")
                    journal["rejections"][rej] = {
                        "id": rej,
                        "op_id": op["op_id"],
                        "kind": op["kind"],
                        "record_id": rid,
                        "customer_id": about,
                        "customer_name": (self._customers.get(about) or {}).get("name", "")
                        if isinstance(about, str) else "",
                        "reason": result.get("reason") or "refused by the server",
                        "code": result.get("code"),  # to say it in the UI's language
                        "params": result.get("params") or {},
                        "at": now,
                    }
            if archive_changed:
                self._write_archive()

        try:
            self._commit_journal(change)
            if results:
                write_document(
                    self._path(locations.SEQUENCE),
                    {"device_id": self.device_id, "next_mid": self._journal["next_mid"]},
                )
        except BaseException:
            self._reload_server_view()
            raise
        self._refresh_customers(touched)

    @_locked
    def reset_sync_state(self) -> None:
        """Forget the pull cursor so the next sync re-bootstraps; the outbox is kept.

        The current snapshot stays visible until the new bootstrap completes and replaces it.
        """
        self._clear_bootstrap_pages()
        gen = self._cursor_slot()[0] + 1

        def change(journal: dict) -> None:
            journal["cursor"] = {"gen": gen, "value": None}

        self._commit_journal(change)

    @_locked
    def conflicts(self) -> list[dict]:
        return sorted(
            (dict(c) for c in self._journal["conflicts"].values()), key=lambda c: (c["at"], c["id"])
        )

    @_locked
    def resolve_conflict(self, conflict_id: str, keep: str) -> None:
        """Settle a field conflict: keep "theirs" (the server's) or "mine" (sent again)."""
        if keep not in ("mine", "theirs"):
            raise ValidationFailed("keep", "choose mine or theirs")
        conflict = self._journal["conflicts"].get(conflict_id)
        if conflict is None:
            raise NotFound(f"no conflict {conflict_id!r}")
        cid = conflict["customer_id"]
        customer = self._customers.get(cid)
        resend = (
            keep == "mine"
            and conflict.get("entity", "customer") == "customer"
            and customer is not None
            and conflict.get("field") in CUSTOMER_EDITABLE_FIELDS
        )

        def change(journal: dict) -> None:
            del journal["conflicts"][conflict_id]
            if resend:
                journal["customers"].setdefault(cid, {})
                self._queue_op(
                    journal,
                    "customer.update",
                    cid,
                    {conflict["field"]: conflict["mine"]},
                    base_version=customer.get("version"),
                )

        self._commit_journal(change)
        self._refresh_customers([cid])

    @_locked
    def rejections(self) -> list[dict]:
        return sorted(
            (dict(r) for r in self._journal["rejections"].values()),
            key=lambda r: (r["at"], r["id"]),
        )

    @_locked
    def dismiss_rejection(self, rejection_id: str) -> None:
        if rejection_id not in self._journal["rejections"]:
            raise NotFound(f"no rejection {rejection_id!r}")
        self._commit_journal(lambda journal: journal["rejections"].pop(rejection_id))

    @_locked
    def record_sync_run(self, run: dict) -> None:
        """Append one sync run (the engine's report as a dict) to the sync log."""
        runs = [*self._runs, orjson.loads(dumps(run))][-MAX_SYNC_RUNS:]
        write_document(self._path(locations.SYNC_RUNS), runs)
        self._runs = runs

    @_locked
    def sync_runs(self) -> list[dict]:
        return [dict(run) for run in self._runs]

    @property
    def last_sync_at(self) -> datetime | None:
        """When the last successful sync finished."""
        with self._lock:
            for run in reversed(self._runs):
                if run.get("ok"):
                    with contextlib.suppress(TypeError, ValueError):
                        return rules.as_datetime(run.get("finished_at") or run.get("at"))
            return None

    # ------------------------------------------------------------------ moving pending work

    @_locked
    def export_outbox(self, path: str | os.PathLike) -> int:
        """Write the pending operations to ``path`` (to import on another machine)."""
        ops = self.outbox()
        write_document(
            Path(path),
            {
                "format": OUTBOX_EXPORT_FORMAT,
                "version": 1,
                "exported_at": _iso(_now()),
                "device_id": self.device_id,
                "rep_id": self.rep_id,
                "rep_name": (self._session or {}).get("rep_name"),
                "ops": ops,
            },
        )
        return len(ops)

    def _apply_op_locally(self, journal: dict, op: dict) -> None:
        """The local effect of an operation that came from a file (import or salvage)."""
        entity = op["kind"].split(".")[0]
        rid = op["record_id"]
        if entity in HISTORY:
            if op["kind"].endswith(".create"):
                journal["records"][entity][rid] = dict(op["fields"])
            else:
                base = journal["records"][entity].get(rid) or self._archive[entity].get(rid)
                if base is not None:
                    journal["records"][entity][rid] = {**base, **op["fields"]}
        elif op["kind"] == "customer.create":
            journal["customers"][rid] = {"record": dict(op["fields"]), "created": True}
        else:
            journal["customers"].setdefault(rid, {})

    def _rep_name(self, rep_id: str, named: str | None = None) -> str:
        rep = self._snap["reps"].get(rep_id) or {}
        return str(rep.get("name") or named or rep_id)

    def _check_import_owner(self, path: Path, document: dict | None, ops: list[dict]) -> None:
        """Refuse pending work that is not this rep's (Refused ``import.other_rep``).

        Whose it is: the export's ``rep_id``, and the ``rep_id`` each visit, feedback and
        follow-up carries. Any of them naming another rep refuses the file. A file naming no
        rep at all (an export written while logged out, or a journal, whose customer edits and
        claims carry no rep) is refused (``import.unknown_rep``) unless it is this laptop's own
        journal, set aside in this data folder.
        """
        me = self._require_rep()
        named = document.get("rep_id") if document else None
        if named is not None and named != me:
            raise Refused("import.other_rep", rep=self._rep_name(str(named),
                                                                 document.get("rep_name")))
        makers = {op["fields"].get("rep_id") for op in ops} - {None, ""}
        others = sorted(str(maker) for maker in makers - {me})
        if others:
            raise Refused("import.other_rep", rep=self._rep_name(others[0]))
        if named is None and not makers:
            with contextlib.suppress(OSError):
                if path.resolve().parent == self.home.resolve() and document is None:
                    return  # this laptop's own damaged journal
            raise Refused("import.unknown_rep")

    @_locked
    def import_outbox(self, path: str | os.PathLike) -> int:
        """Add the operations in ``path`` (an export, or a damaged journal) to the outbox.

        Imported operations get new mids on this device; ones already here (same op_id) are
        skipped. Returns how many were added. Another rep's work is refused (see
        :meth:`_check_import_owner`): it would be sent, and stored, as this rep's.
        """
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise StoreError(f"cannot read {path}: {error.strerror or error}") from None
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
        if not ops:
            return 0
        self._check_import_owner(path, export, ops)
        known = {op["op_id"] for op in self._journal["outbox"]}
        fresh = [op for op in sorted(ops, key=lambda op: op["mid"]) if op["op_id"] not in known]
        if not fresh:
            return 0

        def change(journal: dict) -> None:
            for op in fresh:
                self._apply_op_locally(journal, op)
                op["mid"] = journal["next_mid"]
                journal["next_mid"] += 1
                journal["outbox"].append(op)

        self._commit_journal(change)
        self._rebuild_customers()
        return len(fresh)
