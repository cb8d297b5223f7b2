"""The store's files on disk: reading them at open (a damaged one set aside with a notice, what
fits kept, a newer format refused), atomic writes, the cursor slot and a first sync's pages.

Files (names in ``cache/locations.py``), each written atomically and fsynced (``cache/storage.py``):

* ``snapshot.json`` — what the server sent: customers, policy, reps, teams, territories, and the
  pull cursor, so a pulled page and its cursor land in one write. Rewritten only by sync.
* ``journal.json`` — the rep's own unsynced work: local copies of visits, feedback and
  follow-ups, local customer layers (``cache/overlay.py``), the outbox of operations with the
  device's mid counter, conflicts and rejections. Every rep action is ONE write of this small
  file: the record, its outbox operation and the new mid together (``cache/journal.py``).
* ``archive.json`` — synced history: records acknowledged by the server move here from the
  journal, so the journal stays small; pulled history lands here too, and the customers'
  ownership history (``ownership``: ``cache/ownership.py``).
* ``bootstrap/page-N.json`` — pages of an unfinished first sync, merged into the snapshot when it
  completes (so a 50,000-customer bootstrap is not 50 rewrites of a growing snapshot).

A cursor may be stored with any of the three data files: it carries a generation number and the
newest one wins, so an empty pull only rewrites the journal, and the cursor is never ahead of the
data it was written with.

Each data file carries ``format`` (:data:`FORMAT`); a file of a higher format was written by a
newer fieldrep and stops the opening with :class:`NewerFormat` before anything is set aside.

Shapes are checked entry by entry at open (``cache/shapes.py``), except the customers of a
snapshot this store can vouch for: every customer it writes is fitted first (``cache/overlay.py
prepare_customer``), and beside the snapshot it keeps the size and CRC-32 of the bytes it last
wrote or checked whole (``snapshot.checked.json``). A snapshot whose bytes still match has only
its small tables checked (~4 ms for the CRC of 25 MB instead of ~0.15 s for 50,000 customers, off
the first frame); any other — edited, copied from an older build, damaged — is checked whole.

A reader (``Documents(read_only=True)``: the CLI's read-only commands beside a running workspace)
reads the files as the writer last replaced them, without the lock: it deletes, sets aside and
writes nothing, reads the journal before the archive and the snapshot (the writer moves synced
records journal → archive writing the archive first, so a reader sees a record twice at worst,
and ``settle`` drops the copy), and reads again when a file was replaced while it read. A file
that looks damaged stops a reader with :class:`DamagedForReader`: the writer deals with it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from cache import locations, ownership, shapes
from cache.errors import DamagedFile, NewerFormat, Notice, StoreError
from cache.overlay import intern_shared
from cache.salvage import JOURNAL_ORDER
from cache.storage import atomic_write, dumps, parse_document, read_document, write_document
from sync.protocol.models import HISTORY

FORMAT = 1
"""The format this build writes and reads; a file of a higher one is refused at open."""
DATA_FILES = (locations.SNAPSHOT, locations.ARCHIVE, locations.JOURNAL)
SNAPSHOT_TABLES = ("customers", "reps", "teams", "territories")
JOURNAL_TABLES = ("records", "customers", "conflicts", "rejections")


def empty_journal() -> dict:
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


def in_journal_order(journal: dict) -> dict:
    """``journal`` with its keys in the written order (a journal of an older build had its
    outbox last); unknown keys are kept, after them."""
    ordered = {key: journal[key] for key in JOURNAL_ORDER if key in journal}
    ordered.update((key, value) for key, value in journal.items() if key not in ordered)
    return ordered


def empty_snapshot() -> dict:
    return {"format": FORMAT, **{table: {} for table in SNAPSHOT_TABLES}, "policy": None,
            "cursor": None, "next_mid": 0}


def empty_archive() -> dict:
    return {"format": FORMAT, **{kind: {} for kind in HISTORY}, ownership.KEY: {},
            "cursor": None, "next_mid": 0}


def check_shape(name: str, document: Any, dict_keys: tuple[str, ...],
                list_keys: tuple[str, ...] = ()) -> None:
    """DamagedFile unless ``document`` is an object whose ``dict_keys`` hold objects and whose
    ``list_keys`` hold arrays."""
    if not isinstance(document, dict):
        raise DamagedFile(f"{name} does not hold an object")
    for key in dict_keys:
        if not isinstance(document.get(key), dict):
            raise DamagedFile(f"{name} has no valid {key!r}")
    for key in list_keys:
        if not isinstance(document.get(key), list):
            raise DamagedFile(f"{name} has no valid {key!r}")


def check_format(name: str, document: Any, home: Path) -> None:
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


def _check_journal(document: Any) -> None:
    """The journal's overall shape; an entry of the wrong shape counts as damage too, so the
    whole journal goes the salvage way (``cache/recovery.py``), which keeps every entry that
    fits and says how many pending changes it kept."""
    check_shape("journal", document, JOURNAL_TABLES, ("outbox",))
    check_shape("journal", document["records"], HISTORY)
    problems = shapes.fit_journal(orjson.loads(dumps(document)))
    if problems:
        raise DamagedFile("; ".join(problems[:3]))


def fingerprint(raw: bytes) -> dict[str, int]:
    """What the snapshot's bytes are vouched for by: their size and CRC-32."""
    return {"size": len(raw), "crc32": zlib.crc32(raw)}


class DamagedForReader(DamagedFile):
    """A reader found ``name`` damaged (``why``); it changed nothing and leaves it to the writer
    (the workspace, or any writing command), which sets the file aside and rebuilds it."""

    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"{name} looks damaged ({why}); nothing was changed: open fieldrep (or "
                         "run fieldrep sync) to set it aside and rebuild it")
        self.name = name
        self.why = why


class ReadOnly(StoreError):
    """A write asked of a store opened only to read (``Store.open(read_only=True)``)."""


READ_ATTEMPTS = 5
"""How often a reader reads the data files again when the writer replaced one meanwhile."""


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is replaced: inode, size, mtime (None: no file)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


@dataclass
class Opened:
    """What :meth:`Documents.load` found."""

    damaged_journal: Path | None = None
    """Where a damaged journal was moved (its pending work is salvaged from there)."""
    journal_damage: str = ""
    rewrite: bool = False
    """A file was set aside: every file is written clean once the open is done."""
    reordered: bool = False
    """The journal has an older build's key order: written again, outbox first."""


Read = tuple[Any, str]
"""A data file as read: (its document or None, why it is unreadable or '')."""


class Documents:
    """The three data files in memory (``snap``, ``archive``, ``journal``), the staged pages of a
    first sync, and every write of them. ``notices`` is the store's list of what was set aside."""

    def __init__(self, home: Path, notices: list[str], *, read_only: bool = False) -> None:
        self.home = home
        self.notices = notices
        self.read_only = read_only
        """A reader beside the writer: reads only (see the module doc)."""
        self.snap = empty_snapshot()
        self.archive = empty_archive()
        self.journal = empty_journal()
        self.journal_bytes = dumps(self.journal)
        """The journal as last written: what a failed change goes back to."""
        self.pages: list[dict] = []

    def path(self, name: str) -> Path:
        return self.home / name

    # ------------------------------------------------------------------ reading at open

    def load(self) -> Opened:
        """Read the data files and the staged pages (see the module doc for what is checked)."""
        if not self.read_only:
            for leftover in self.home.glob(".*.tmp"):  # a write cut short by a crash; we hold the lock
                with contextlib.suppress(OSError):
                    leftover.unlink()
        read, snapshot_raw = self._read_data_files()
        vouched = snapshot_raw is not None and self._vouched_for(snapshot_raw)
        snap, snap_bad, why, snap_kept = self._load_file(
            locations.SNAPSHOT, read[locations.SNAPSHOT], empty_snapshot,
            lambda d: check_shape("snapshot", d, SNAPSHOT_TABLES),
            lambda d: shapes.fit_snapshot(d, customers_fit=vouched),
        )
        if snap_bad:
            self.notices.append(Notice(
                "The territory snapshot was damaged ({why}); it was moved to {moved} and will "
                "be rebuilt by the next sync; what fits is shown until then. Your own pending "
                "work is not affected." if snap_kept else
                "The territory snapshot was damaged ({why}); it was moved to {moved} and will "
                "be rebuilt by the next sync. Your own pending work is not affected.",
                why=why, moved=snap_bad))
        elif snapshot_raw is not None and read[locations.SNAPSHOT][0] is not None and not vouched:
            self._vouch(snapshot_raw)  # checked whole, and it fits
        archive, archive_bad, why, archive_kept = self._load_file(
            locations.ARCHIVE, read[locations.ARCHIVE], empty_archive,
            lambda d: check_shape("archive", d, HISTORY),
            lambda d: shapes.fit_archive(d) + ownership.fit(d),
        )
        if archive_bad:
            self.notices.append(Notice(
                "The synced-history file was damaged ({why}); it was moved to {moved} and will "
                "be fetched again by the next sync.", why=why, moved=archive_bad))
        journal, journal_bad, why, _ = self._load_file(
            locations.JOURNAL, read[locations.JOURNAL], empty_journal, _check_journal
        )
        journal = in_journal_order(journal)
        written = read[locations.JOURNAL][0]
        opened = Opened(
            damaged_journal=journal_bad, journal_damage=why,
            rewrite=bool(snap_bad or archive_bad or journal_bad),
            reordered=not journal_bad and written is not None and list(journal) != list(written),
        )
        self.snap, self.archive, self.journal = snap, archive, journal
        if (snap_bad and not snap_kept) or (archive_bad and not archive_kept):
            # the server's view must be rebuilt as a whole: forget every cursor
            self.snap, self.archive = empty_snapshot(), empty_archive()
            self.journal["cursor"] = None
            self.clear_pages()
        elif snap_bad or archive_bad:
            # what fits stays on screen until a fresh copy replaces it as a whole
            for document in (self.snap, self.archive, self.journal):
                document["cursor"] = None
            self.clear_pages()
        for record in self.snap["customers"].values():
            intern_shared(record)
        self._load_pages()
        return opened

    def _read_data_files(self) -> tuple[dict[str, Read], bytes | None]:
        """The three data files as read, and the snapshot's bytes. A file of a newer format
        stops the opening here, before anything is set aside. A reader reads until no file was
        replaced while it read (at most READ_ATTEMPTS times)."""
        if not self.read_only:
            return self._read_once(DATA_FILES)
        names = DATA_FILES[::-1]  # the journal first: see the module doc
        for _attempt in range(READ_ATTEMPTS - 1):
            before = [_stamp(self.path(name)) for name in names]
            result = self._read_once(names)
            if before == [_stamp(self.path(name)) for name in names]:
                return result
        return self._read_once(names)

    def _read_once(self, names: tuple[str, ...]) -> tuple[dict[str, Read], bytes | None]:
        read: dict[str, Read] = {}
        snapshot_raw = None
        for name in names:
            try:
                raw = self.path(name).read_bytes()
            except FileNotFoundError:
                read[name] = (None, "")
                continue
            try:
                read[name] = (parse_document(raw, name), "")
            except DamagedFile as error:
                read[name] = (None, str(error))
                continue
            if name == locations.SNAPSHOT:
                snapshot_raw = raw
        for name, (document, _damage) in read.items():
            try:
                check_format(name, document, self.home)
            except DamagedFile as error:
                read[name] = (None, str(error))
        return read, snapshot_raw

    def _load_file(
        self,
        name: str,
        read: Read,
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
            if self.read_only:
                raise DamagedForReader(name, str(error)) from None
            return empty(), self.set_aside(name), str(error), False
        problems = fit(document) if fit is not None else []
        if not problems:
            return document, None, "", False
        why = "; ".join(problems[:3]) + (f"; {len(problems) - 3} more" if len(problems) > 3 else "")
        if self.read_only:
            raise DamagedForReader(name, why)
        return document, self.set_aside(name), why, True

    def set_aside(self, name: str) -> Path:
        """Move the file ``name`` to ``name.damaged-STAMP`` (kept for the rep); where it went."""
        self.refuse_if_read_only()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path(f"{name}.damaged-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path(f"{name}.damaged-{stamp}-{n}")
        os.replace(self.path(name), target)
        return target

    def read_small(self, name: str, kind: type, what: str) -> Any:
        """A small file (session, drafts, sync log), or None; a damaged one is set aside."""
        try:
            document = read_document(self.path(name))
            if document is not None and not isinstance(document, kind):
                raise DamagedFile(f"{name} has the wrong shape")
            return document
        except DamagedFile as error:
            if self.read_only:
                raise DamagedForReader(name, str(error)) from None
            moved = self.set_aside(name)
            self.notices.append(Notice(
                "{what} could not be read ({error}); it was moved to {moved}.",
                what=what, error=error, moved=moved))
            return None

    def _vouched_for(self, raw: bytes) -> bool:
        try:
            noted = read_document(self.path(locations.SNAPSHOT_CHECKED))
        except (DamagedFile, OSError):
            return False  # no note: the snapshot is checked whole
        return bool(noted == fingerprint(raw))

    def _vouch(self, raw: bytes) -> None:
        """Note that the snapshot with these bytes fits. Losing the note only costs a check."""
        if self.read_only:
            return  # a reader notes nothing: the writer checks it again at its next open
        with contextlib.suppress(OSError):
            atomic_write(self.path(locations.SNAPSHOT_CHECKED), dumps(fingerprint(raw)))

    # ------------------------------------------------------------------ writing

    def refuse_if_read_only(self) -> None:
        if self.read_only:
            raise ReadOnly(f"the store in {self.home} was opened only to read")

    def remember_journal(self) -> None:
        """Take the journal in memory as the one a failed change goes back to."""
        self.journal_bytes = dumps(self.journal)

    def write_journal(self) -> None:
        self.refuse_if_read_only()
        data = dumps(self.journal)
        atomic_write(self.path(locations.JOURNAL), data)
        self.journal_bytes = data

    def write_snapshot(self) -> None:
        self.refuse_if_read_only()
        self.snap["next_mid"] = self.journal.get("next_mid", 1)
        data = dumps(self.snap)
        atomic_write(self.path(locations.SNAPSHOT), data)
        self._vouch(data)  # every customer in it was fitted when it arrived

    def write_archive(self) -> None:
        self.refuse_if_read_only()
        self.archive["next_mid"] = self.journal.get("next_mid", 1)
        write_document(self.path(locations.ARCHIVE), self.archive)

    def write_all(self) -> None:
        self.write_archive()
        self.write_snapshot()
        self.write_journal()

    def reload(self) -> None:
        """After a failed write: the snapshot and archive as on disk, the journal as last written."""
        self.snap = read_document(self.path(locations.SNAPSHOT)) or empty_snapshot()
        self.archive = read_document(self.path(locations.ARCHIVE)) or empty_archive()
        ownership.fit(self.archive)
        self.journal = orjson.loads(self.journal_bytes)

    # ------------------------------------------------------------------ the cursor slot

    def cursor(self) -> tuple[int, str | None]:
        """(generation, value) of the newest cursor stored with any of the three files."""
        best: tuple[int, str | None] = (0, None)
        for document in (self.snap, self.archive, self.journal):
            slot = document.get("cursor")
            if isinstance(slot, dict) and slot.get("gen", 0) > best[0]:
                best = (slot["gen"], slot.get("value"))
        return best

    def next_cursor(self, value: str | None) -> dict:
        """A cursor slot newer than every stored one, holding ``value``."""
        return {"gen": self.cursor()[0] + 1, "value": value}

    # ------------------------------------------------------------------ a first sync's pages

    def _bootstrap_dir(self) -> Path:
        return self.path(locations.BOOTSTRAP_DIR)

    def _load_pages(self) -> None:
        self.pages = []
        directory = self._bootstrap_dir()
        if not directory.is_dir():
            return
        for page_file in sorted(directory.glob("page-*.json")):
            try:
                page = read_document(page_file)
                if not isinstance(page, dict) or not isinstance(page.get("changes"), list):
                    raise DamagedFile("not a bootstrap page")
            except DamagedFile as error:
                if self.read_only:
                    raise DamagedForReader(page_file.name, str(error)) from None
                self.notices.append(
                    Notice("An unfinished first sync was damaged; it will start again."))
                self.clear_pages()
                return
            self.pages.append(page)

    def stage_page(self, page: dict) -> None:
        """Keep one page of an unfinished first sync, durably, after the ones before it."""
        self.refuse_if_read_only()
        directory = self._bootstrap_dir()
        if not directory.is_dir():
            directory.mkdir(mode=0o700)
            os.chmod(directory, 0o700)
        write_document(directory / f"page-{len(self.pages) + 1:06d}.json", page)
        self.pages.append(page)

    def clear_pages(self) -> None:
        self.refuse_if_read_only()
        self.pages = []
        shutil.rmtree(self._bootstrap_dir(), ignore_errors=True)
