"""The laptop's local store: one object, :class:`Store`, that the screens, the CLI and the sync
engine use. It holds the store's lock and reads as a table of contents; each job lives in its
own module:

* ``cache/documents.py`` — the files: loading (damaged ones set aside), atomic writes, the cursor
  slot, a first sync's pages, the format check; ``cache/shapes.py`` the shape of every entry;
* ``cache/recovery.py`` — a damaged journal salvaged, the outbox exported and imported;
* ``cache/overlay.py`` — the effective customer: the server's record with pending work on top;
* ``cache/journal.py`` — the ONE way to change the journal (``commit``), operations and mids;
* ``cache/session.py`` — the signed-in rep, token, device, policy and reach; the sync log;
* ``cache/view.py`` — reads: customers, search, groups, history, timeline, the queue
  (``cache/index.py`` the indexes, ``cache/queue.py`` the queue's entries);
* ``cache/commands.py`` — the rep's writes, checked by the server's rules; drafts;
* ``cache/apply.py`` — sync's answers applied: bootstrap and pull pages, push results,
  conflicts and rejections;
* ``cache/ownership.py`` — the customers' ownership history, and the rep's return to the pool.
* ``cache/manager.py`` — a manager's assign, transfer (a book split too) and pool.

Every public method takes the store's lock (a ``threading.RLock``): Textual runs workers in
threads, and one process owns the store at a time (``cache/lock.py``). ``Store.open(read_only=
True)`` is a reader beside that owner (the CLI's ``status``, ``customers``, ``show`` … while the
workspace is open): it takes no file lock, reads the files as the owner last wrote them, writes
nothing (each writing method refuses with ``ReadOnly``) and sets nothing aside (a damaged file is
``DamagedForReader``, left to the owner; see ``cache/documents.py``).

It runs past 500 lines because it is the store's one public face: a short method per job, each
handing over to its module, so callers (and ``SyncStore``) see one object.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from cache import complaints, goals, locations, ownership, recovery
from cache.apply import SyncApply, settle
from cache.commands import Commands, Drafts
from cache.documents import Documents
from cache.errors import Notice, StoreError
from cache.index import CustomerIndex
from cache.journal import Journal
from cache.lock import StoreLock
from cache.manager import Manager
from cache.session import Session
from cache.view import LocalView
from sync.protocol.models import Policy

P = ParamSpec("P")
R = TypeVar("R")


def _locked(method: Callable[P, R], *, writes: bool = False) -> Callable[P, R]:
    """The method under the store's lock; refused once the store is closed, and a writing one
    (``_writes``) refused with ReadOnly on a reader."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store = args[0]
        assert isinstance(store, Store)
        if writes:
            store._docs.refuse_if_read_only()
        with store._lock:
            if store._closed:
                raise StoreError("the local store is closed")
            return method(*args, **kwargs)

    return wrapper


_writes = functools.partial(_locked, writes=True)


class Store:
    """fieldrep's local store. Open with :meth:`Store.open`; see the module docstring."""

    # ================================================================== open / close

    def __init__(self, home: Path, *, read_only: bool = False):
        self.home = Path(home)
        self.read_only = read_only
        """A reader beside the owner: no file lock, no writes (see the module docstring)."""
        self._lock = threading.RLock()
        self._closed = False
        self.notices: list[str] = []
        """What opening set aside or repaired: one line each, for the CLI and the TUI."""
        self.warnings: list[str] = []
        """Things the rep should fix (e.g. a data folder others can read): one line each, for
        the CLI and the TUI to show; unlike ``notices`` nothing was changed or set aside."""
        self._file_lock = StoreLock(self.home / locations.LOCK)
        self._docs = Documents(self.home, self.notices, read_only=read_only)
        self._journal = Journal(self._docs, rollback=lambda: self._view.rebuild())
        self._session = Session(self._docs, self._journal)
        self._index = CustomerIndex(next_due=self._session.next_due)
        self._view = LocalView(self._docs, self._session, self._index)
        self._commands = Commands(self._session, self._journal, self._view)
        self._drafts = Drafts(self._docs)
        self._sync = SyncApply(self._docs, self._session, self._journal, self._view)

    @classmethod
    def open(cls, home: Path | None = None, *, read_only: bool = False) -> Store:
        """Open (creating if needed) the store in ``home`` (default: the data dir); takes the lock.

        ``read_only``: read beside whoever holds the lock, taking none and creating nothing (a
        missing folder reads as an empty store)."""
        home = Path(home) if home is not None else locations.data_dir()
        created = not home.exists()
        if not read_only:
            home.mkdir(parents=True, exist_ok=True, mode=0o700)
            if created:
                os.chmod(home, 0o700)  # the rep's customers and token: theirs alone, whatever umask
        store = cls(home, read_only=read_only)
        if not created:
            store._warn_if_readable()
        if not read_only:
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

    def _load(self) -> None:
        docs = self._docs
        opened = docs.load()
        self._session.load()
        self._drafts.load()
        if opened.damaged_journal is not None:
            recovery.recover_journal(docs, opened.damaged_journal, opened.journal_damage)
        settle(docs.journal, docs.archive, docs.snap)
        docs.remember_journal()
        self._view.rebuild()
        if self.read_only:
            return  # the owner rewrites what needs it
        if opened.rewrite:
            docs.write_all()
        elif opened.reordered:
            docs.write_journal()  # an older build's layout: outbox first from now on

    def _warn_if_readable(self) -> None:
        with contextlib.suppress(OSError):
            mode = self.home.stat().st_mode & 0o777
            if mode & 0o077:
                self.warnings.append(Notice(
                    "your data folder {home} is readable by other users of this computer "
                    "(mode {mode}): run `chmod 700 {home}` to keep it private",
                    home=self.home, mode=f"{mode:04o}"))

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

    # ================================================================== session (session.py)

    @property
    def session(self) -> dict | None:
        with self._lock:
            return self._session.public

    @property
    def token(self) -> str | None:
        with self._lock:
            return self._session.token

    @_writes
    def save_session(self, server: str, rep: Any, device_id: str, token: str) -> None:
        """Remember the login: server, rep, this device's id, and the token (a 0600 file).

        A new device id starts a new mid sequence on the server, so pending operations are
        renumbered 1, 2, 3 … for it (in the same order) before anything is pushed.
        """
        self._session.save(server, rep, device_id, token)

    @_writes
    def clear_session(self) -> None:
        """Log out: forget the session and token. Pending operations are kept."""
        self._session.clear()

    @property
    def rep_id(self) -> str | None:
        return self._session.rep_id

    @property
    def device_id(self) -> str | None:
        return self._session.device_id

    @property
    def last_assigned_mid(self) -> int:
        """The highest mid this laptop has handed out on its device (0 for none). A server whose
        last mid for the device is above it has seen operations this laptop never made: the data
        folder was restored from a backup or copied, and its mids are taken (see the engine)."""
        with self._lock:
            return self._journal.last_assigned_mid

    @property
    def policy(self) -> Policy:
        with self._lock:
            return self._session.policy

    @property
    def me(self) -> dict | None:
        with self._lock:
            return self._session.me

    @property
    def territories(self) -> list[dict]:
        with self._lock:
            return self._session.territories

    @property
    def team(self) -> dict | None:
        with self._lock:
            return self._session.team

    @property
    def reps(self) -> dict[str, dict]:
        with self._lock:
            return self._session.reps

    def today(self, now: datetime | None = None) -> date:
        """The calendar day of ``now`` (default: the clock) in the policy's timezone: the day
        the queue's "due today" and "overdue" are counted in."""
        return self._session.today(now)

    # ================================================================== reads (view.py)

    @_locked
    def customer(self, customer_id: str) -> dict | None:
        return self._view.customer(customer_id)

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

    @property
    def search_ready(self) -> bool:
        """Is the search index built (by :meth:`warm_up` or a first search)?"""
        with self._lock:
            return self._index.search_built

    @_locked
    def customer_count(self) -> int:
        return len(self._view.customers)

    @_locked
    def search(self, query: str, limit: int = 200) -> list[dict]:
        """Customers matching ``query`` (substring, pinyin full/initials, fuzzy), best first."""
        return self._view.search(query, limit)

    @_locked
    def search_ids(self, query: str, limit: int = 200) -> list[str]:
        """Like :meth:`search` but only the ids (no record copies): for live filtering."""
        return self._index.search(query, limit)

    @_locked
    def all_customer_ids(self, sort: str = "name") -> list[str]:
        return self._index.sorted_ids(sort)

    @_locked
    def groups(self, grouping: str,
               label: Callable[[str], str] | None = None) -> list[tuple[str, int]]:
        """(value, count) per group, ordered as ``CustomerIndex.groups`` says (``label``: the
        name shown for a value, which the pinyin order follows)."""
        return self._index.groups(grouping, label)

    @_locked
    def held_records(self, rep_id: str) -> list[dict]:
        """The customers ``rep_id`` holds as the store keeps them (compact, not copies: read
        them, never change them): the Team screen's figures read 40,000 of them at once."""
        customers = self._view.customers
        return [customers[cid] for cid in self._index.members("owner", rep_id)
                if cid in customers]

    @_locked
    def customers_in_group(self, grouping: str, value: str) -> list[str]:
        return self._index.members(grouping, value)

    @_locked
    def resolve_customer(self, text: str) -> dict:
        """The customer ``text`` names: an id, or a search matching exactly one customer."""
        return self._view.resolve_customer(text)

    @_locked
    def visits(self, customer_id: str | None = None) -> list[dict]:
        """Visits, newest first, each with ``synced``."""
        return self._view.newest_first("visit", customer_id)

    @_locked
    def feedback(self, customer_id: str | None = None) -> list[dict]:
        return self._view.newest_first("feedback", customer_id)

    @_locked
    def followups(self, customer_id: str | None = None, include_closed: bool = False) -> list[dict]:
        """Follow-ups by due date; open and snoozed ones unless ``include_closed``."""
        return self._view.followups(customer_id, include_closed)

    @_locked
    def timeline(self, customer_id: str) -> list[dict]:
        """Visits, feedback and follow-ups of one customer, newest first."""
        return self._view.timeline(customer_id)

    @_locked
    def ownership_history(self, customer_id: str) -> list[dict]:
        """Who owned the customer and why, oldest first: the server's ownership events this
        laptop holds (``cache/ownership.py``; a customer that left it keeps the one event that
        took it away)."""
        return ownership.history(self._docs.archive, customer_id)

    @_locked
    def ownership_events(self) -> list[dict]:
        """Every ownership event this laptop holds (the Team screen counts claims from them)."""
        return list((self._docs.archive.get(ownership.ENTITY) or {}).values())

    @_locked
    def ownership_customer(self, text: str) -> str | None:
        """The id of the customer whose ownership history ``text`` names (its id or its one
        name), for a customer no longer on this laptop; None if none or several."""
        return ownership.find_customer(self._docs.archive, text.strip())

    @_locked
    def queue(self, now: datetime | None = None) -> list[dict]:
        """The follow-up queue (see ``cache/queue.py``), ordered overdue first."""
        return self._view.queue(now)

    # ================================================================== writes (commands.py)

    @_writes
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
        return self._commands.log_visit(customer_id, kind=kind, outcome=outcome, notes=notes,
                                        next_step=next_step, due=due, amount=amount, at=at)

    @_writes
    def add_feedback(self, customer_id: str, *, kind: str, text: str, score: int | None = None,
                     severity: str | None = None) -> dict:
        return self._commands.add_feedback(customer_id, kind=kind, text=text, score=score,
                                           severity=severity)

    @_writes
    def resolve_complaint(self, feedback_id: str, resolution: str) -> dict:
        return self._commands.resolve_complaint(feedback_id, resolution)

    @_writes
    def respond_to_complaint(self, complaint: str, text: str) -> dict:  # K: cache/complaints.py
        return complaints.respond(self._commands, self._session, self._view, complaint, text)

    @_writes
    def resolve_named_complaint(self, complaint: str, resolution: str) -> dict:  # K
        return complaints.resolve(self._commands, self._view, complaint, resolution)

    @_locked
    def complaints(self, now: datetime, include_resolved: bool = False) -> list[dict]:  # K
        return complaints.listing(self._view, self._session, now, include_resolved=include_resolved)

    @_writes
    def assign_complaint(self, complaint: str, rep: str) -> dict:  # N: feedback.assign
        return complaints.assign(self._commands, self._view, complaint, self._manager().rep(rep))

    @_locked
    def complaint(self, text: str) -> dict:  # K: by its id or first letters
        return dict(complaints.find(self._view, text))

    @_writes
    def add_followup(self, customer_id: str, *, title: str, due: date | str) -> dict:
        return self._commands.add_followup(customer_id, title=title, due=due)

    @_writes
    def complete_followup(self, followup_id: str) -> dict:
        """Mark a follow-up done (or a generated queue entry handled, by its key)."""
        return self._commands.update_followup(followup_id,
                                              {"status": "done", "snoozed_until": None})

    @_writes
    def dismiss_followup(self, followup_id: str) -> dict:
        return self._commands.update_followup(followup_id,
                                              {"status": "dismissed", "snoozed_until": None})

    @_writes
    def undo_followup(self, followup_id: str, before: dict | None,
                      today: date | None = None) -> dict:
        """Undo a done or dismissed follow-up: back to ``before`` (see ``cache/commands.py``)."""
        return self._commands.undo_followup(followup_id, before, today)

    @_writes
    def snooze_followup(self, followup_id: str, until: date | str) -> dict:
        """Hide a follow-up (or a generated queue entry, by its key) until ``until``."""
        return self._commands.snooze_followup(followup_id, until)

    @_writes
    def snooze_queue_entry(self, key: str, until: date | str) -> dict:
        """Snooze any queue entry by its ``key`` (follow-up or generated)."""
        return self._commands.snooze_followup(key.removeprefix("followup:"), until)

    @_writes
    def update_customer(self, customer_id: str, fields: dict) -> dict:
        """Change editable fields of a customer (merged per field by the server)."""
        return self._commands.update_customer(customer_id, fields)

    @_writes
    def claim(self, customer_id: str) -> dict:
        """Claim a pool customer: checked locally with the server's rules, queued, marked pending."""
        return self._commands.claim(customer_id)

    @_writes
    def return_customer(self, customer_id: str, reason: str) -> dict:
        """Give the rep's own customer back to the pool with a reason code of the policy's
        ``return_reasons``: checked by the server's rule, queued, marked ``return_pending``."""
        return ownership.return_customer(self._commands, self._session, self._view,
                                         customer_id, reason)

    @_locked
    def return_reasons(self) -> list[str]:
        """The reason codes a return may give (the policy's ``return_reasons``), in order."""
        return list(self._session.policy.return_reasons)

    def _manager(self) -> Manager:
        return Manager(self._commands, self._session, self._view, self._journal)

    @_writes
    def assign(self, customer_ids: list[str], rep: str) -> list[dict]:
        """Queue ``customer.assign`` of pool customers to a rep of the team (cache/manager.py)."""
        return self._manager().assign(customer_ids, rep)

    @_writes
    def transfer(self, moves: list[tuple[str, str]], reason: str | None = None) -> list[dict]:
        """Queue one ``customer.transfer`` per (customer id, rep), with the manager's reason."""
        return self._manager().transfer(moves, reason)

    @_writes
    def transfer_book(self, plan: dict, reason: str | None = None) -> dict:  # N: one operation
        """Queue a ``plan_book`` plan as one ``book.transfer`` (cache/manager.py)."""
        return self._manager().transfer_book(plan, reason)

    @_locked
    def plan_book(self, from_rep: str, to_reps: list[str], split: str = "even") -> dict:
        """Who gets which of a rep's customers, and each rep's load before and after."""
        return self._manager().plan_book(from_rep, to_reps, split)

    @_locked
    def plan_pool(self, strategy: str, customer_ids: list[str] | None = None,
                  to_reps: list[str] | None = None) -> dict:  # Q: the assignment's preview
        """Who of the team gets which pool customers by ``strategy`` (cache/manager.py)."""
        return self._manager().plan_pool(strategy, customer_ids, to_reps)

    @_writes
    def assign_plan(self, plan: dict) -> list[dict]:  # Q: the preview, queued
        """Queue a ``plan_pool`` plan as one ``customer.assign`` each, with its strategy."""
        return self._manager().assign_plan(plan)

    @_locked
    def pending_moves(self) -> dict[str, str]:  # Q: marked on the Pool screen
        """Customer id → the rep a move waiting in the outbox gives it to."""
        return self._manager().pending_moves()

    @_locked
    def held_counts(self) -> dict[str, int]:  # Q: each rep's load, the moves waiting counted
        """Customers held per rep id on this laptop, the moves waiting to sync counted."""
        return self._manager().held()

    @_locked
    def team_rep(self, text: str) -> dict:
        """The rep ``text`` names among the manager's team (any rep for an admin), or refused."""
        return self._manager().rep(text)

    @_writes
    def set_goals(self, rep: str, values: dict, period: str | date) -> dict:  # O: rep.goals
        """Queue the goals ``values`` for the rep ``rep`` names from ``period`` on (cache/goals.py);
        the rep's record with them, pending until sync."""
        return goals.set_goals(self._commands, self._manager(), self._session, rep, values,
                               period)

    @_locked
    def manager_pool(self) -> list[dict]:
        """The pool of the manager's scope with why each is there and when it is claimable."""
        return self._manager().pool(ownership.latest_events(self._docs.archive))

    @_writes
    def create_customer(self, fields: dict) -> dict:
        """A new prospect the rep found: owned by its creator once the server accepts it."""
        return self._commands.create_customer(fields)

    @_writes
    def save_draft(self, key: str, data: dict) -> None:
        self._drafts.save(key, data)

    @_locked
    def load_draft(self, key: str) -> dict | None:
        return self._drafts.load_draft(key)

    @_writes
    def clear_draft(self, key: str) -> None:
        self._drafts.clear(key)

    # ================================================================== sync side (apply.py)

    @_locked
    def outbox(self) -> list[dict]:
        """Pending operations (Mutation dicts), in mid order."""
        return self._journal.outbox()

    @_locked
    def pending_count(self) -> int:
        return len(self._journal.doc["outbox"])

    @property
    def pull_cursor(self) -> str | None:
        with self._lock:
            return self._docs.cursor()[1]

    @property
    def bootstrap_state(self) -> dict | None:
        """The unfinished first sync ({cursor, next_token, done: False, pages}) or None."""
        with self._lock:
            return self._sync.bootstrap_state

    @_writes
    def apply_bootstrap_page(self, changes: list, next_token: str | None, cursor: str,
                             done: bool) -> None:
        """Store one page of a first sync; the last page (``done``) replaces the server's view."""
        self._sync.apply_bootstrap_page(changes, next_token, cursor, done)

    @_writes
    def apply_pull_page(self, changes: list, next_cursor: str) -> None:
        """Apply pulled changes and the new cursor in one atomic write (pending ops stay on top)."""
        self._sync.apply_pull_page(changes, next_cursor)

    @_writes
    def apply_push_results(self, results: list) -> None:
        """Drop acknowledged operations, keep versions, record conflicts and rejections, and move
        synced history from the journal to the archive."""
        self._sync.apply_push_results(results)

    @_writes
    def reset_sync_state(self) -> None:
        """Forget the pull cursor so the next sync re-bootstraps; the outbox is kept.

        The current snapshot stays visible until the new bootstrap completes and replaces it.
        """
        self._sync.reset_sync_state()

    @_locked
    def conflicts(self) -> list[dict]:
        return self._sync.conflicts()

    @_writes
    def resolve_conflict(self, conflict_id: str, keep: str) -> None:
        """Settle a field conflict: keep "theirs" (the server's) or "mine" (sent again)."""
        self._sync.resolve_conflict(conflict_id, keep)

    @_locked
    def rejections(self) -> list[dict]:
        return self._sync.rejections()

    @_writes
    def dismiss_rejection(self, rejection_id: str) -> None:
        self._sync.dismiss_rejection(rejection_id)

    @_locked
    def pool_returns(self) -> list[dict]:
        """The rep's customers that went back to the pool (reclaimed by the server), not yet
        dismissed or claimed: ``{customer_id, name, reason, protected_until, cooloff_until, at}``."""
        return self._sync.pool_returns()

    @_locked
    def take_pool_news(self) -> list[dict]:
        """The pool returns this process's syncs brought, each handed out once (for the toast)."""
        return self._sync.take_pool_news()

    @_writes
    def dismiss_pool_return(self, customer_id: str) -> None:
        """The rep has read that ``customer_id`` went back to the pool: its queue entry goes."""
        self._sync.dismiss_pool_return(customer_id)

    @_writes
    def record_sync_run(self, run: dict) -> None:
        """Append one sync run (the engine's report as a dict) to the sync log."""
        self._session.record_sync_run(run)

    @_locked
    def sync_runs(self) -> list[dict]:
        return self._session.sync_runs()

    @property
    def last_sync_at(self) -> datetime | None:
        """When the last successful sync finished."""
        with self._lock:
            return self._session.last_sync_at

    # ================================================================== moving pending work (recovery.py)

    @_locked
    def export_outbox(self, path: str | os.PathLike) -> int:
        """Write the pending operations to ``path`` (to import on another machine)."""
        return recovery.export_outbox(Path(path), self._session, self._journal)

    @_writes
    def import_outbox(self, path: str | os.PathLike) -> int:
        """Add the operations in ``path`` (an export, or a damaged journal) to the outbox: new
        mids on this device, ones already here skipped, another rep's work refused. Returns how
        many were added."""
        added = recovery.import_outbox(Path(path), self._docs, self._session, self._journal)
        if added:
            self._view.rebuild()
        return added
