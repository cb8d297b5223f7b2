"""The sync engine: push the outbox, then bootstrap or pull, one sync at a time.

It never raises for network or server trouble: a failed sync is a report with ``ok`` False and an
error in plain words, and everything it had not finished is simply done again next time (the
server applies each operation once, by the device's sequence number; pulled pages are stored with
their cursor in one atomic write).

The store is anything shaped like :class:`sync.store_protocol.SyncStore` (on a laptop,
``cache.Store``); the engine uses nothing of it beyond that Protocol. How big a push may be is
``sync/push_limits.py``. Over 500 lines because the engine is one class whose steps (push with
its mid recovery, pull, bootstrap) share one sync's state; the login and the sync log's reading
are beside it.
"""

from __future__ import annotations

import hashlib
import logging
import platform
import random
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sync.client import (
    AuthError,
    Client,
    CursorExpired,
    MidGapError,
    MidReused,
    Offline,
    SyncError,
    TooLarge,
    backoff_delay,
)
from sync.protocol.models import MAX_PUSH_BATCH
from sync.protocol.words import Notice
from sync.push_limits import PUSH_BYTES, ChangeTooLarge, fitting, push_size, wire
from sync.store_protocol import MutationJSON, ResultJSON, SyncStore

log = logging.getLogger("fieldrep.sync")

PULL_PAGE = 1000
BOOTSTRAP_PAGE = 2000

SIGNED_OUT = "signed out: log in again"
"""The one line a rep reads when the server turned this laptop's login down (a revoked or unknown
token); the TUI and the CLI translate it from the catalogue."""


@dataclass
class SyncReport:
    ok: bool = True
    error: str | None = None
    pushed: int = 0
    applied: int = 0
    conflicts: int = 0
    rejected: int = 0
    pulled: int = 0
    bootstrapped: bool = False
    signed_out: bool = False
    """The server turned the login down: nothing was sent, the pending work is kept."""
    token_mark: str | None = None
    """With ``signed_out``: which token was turned down (see ``token_mark``), so a new login
    is not taken for signed out."""
    too_large: int | None = None
    """One pending change alone is over the server's body limit (this many bytes): nothing
    after it can be sent until the admin raises the limit (FIELDREP_MAX_BODY_BYTES)."""
    pool_returns: list[dict[str, Any]] = field(default_factory=list)
    """Customers of the rep's this sync found back in the shared pool (``take_pool_news``):
    the sync that brought the news carries it, so whoever ran it (the TUI's toast, ``fieldrep
    sync``) says it, once; the queue keeps an entry each until dismissed or claimed."""
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return data


@dataclass
class SyncStatus:
    online: bool | None
    server: str | None
    last_sync: datetime | None
    pending: int
    conflicts: int
    rejections: list[dict[str, Any]]
    last_error: str | None
    signed_out: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["last_sync"] = self.last_sync.isoformat() if self.last_sync else None
        return data


class NotLoggedIn(SyncError):
    pass





def token_mark(token: str | None) -> str | None:
    """A short, one-way mark of a token for the sync log: it tells two tokens apart and gives
    nothing of the secret away (12 hex digits of its SHA-256)."""
    if not token:
        return None
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def signed_out_in_log(runs: list[dict[str, Any]], token: str | None) -> bool:
    """Whether the sync log says the current login is signed out: the latest run that reached
    a verdict (a success, or the server turning the login down) turned down this very token.
    Runs that failed for other reasons (offline, server trouble) say nothing about the login."""
    for run in reversed(runs):
        if run.get("ok"):
            return False
        if run.get("signed_out"):
            return run.get("token_mark") == token_mark(token)
    return False


class SyncEngine:
    """``SyncEngine(store).sync()``; safe to call from a worker thread, one sync at a time."""

    def __init__(self, store: SyncStore, *, client_factory: Callable[..., Client] | None = None,
                 attempts: int = 3) -> None:
        self.store = store
        self._client_factory = client_factory or Client
        self._attempts = attempts
        self._lock = threading.Lock()
        self._kept: tuple[tuple[str, str | None, int], Client] | None = None
        self._kept_lock = threading.Lock()
        self.online: bool | None = None
        self.last_error: str | None = None
        self.failures = 0  # syncs failed in a row, for the caller's backoff
        self.push_bytes = PUSH_BYTES
        """The body size a push stays under; lowered to what a server's 413 says its limit is."""
        self._verdict: tuple[str | None, bool] | None = None
        """(the token's mark, signed out?) as this process last learnt it; None: read the log."""

    @property
    def signed_out(self) -> bool:
        """True when the server turned this laptop's login down (the token was revoked or is
        unknown) and nobody has logged in since: say ``SIGNED_OUT``, offer a login, keep the
        pending work. A fresh process (``fieldrep status``) knows it from the sync log without
        asking the server; a successful sync or a new token ends it."""
        mark = token_mark(self.store.token)
        if self._verdict is None or self._verdict[0] != mark:  # first asked, or a new login
            self._verdict = (mark, signed_out_in_log(self.store.sync_runs(), self.store.token))
        return self._verdict[1]

    def _learn(self, signed_out: bool) -> None:
        self._verdict = (token_mark(self.store.token), signed_out)

    def check_signed_in(self) -> bool | None:
        """Ask the server whether it still accepts this login (``GET /v1/me``): True, False
        (revoked, unknown or missing token: ``signed_out`` becomes True), or None when it cannot
        be asked (not logged in, offline, server trouble)."""
        if not self.store.session:
            return None
        if not self.store.token:
            self._learn(True)
            return False
        try:
            self._client().me()
        except AuthError:
            self.online = True  # the server answered
            self._learn(True)
            return False
        except SyncError:
            return None
        self.online = True
        self._learn(False)
        return True

    # ----------------------------------------------------------------- helpers

    def _client(self) -> Client:
        """The HTTP client for the current login, kept between syncs (its connection too: a
        new client costs more than an empty sync); a new login gets a new one."""
        session = self.store.session
        server = session.get("server") if session else None
        if not server:
            raise NotLoggedIn("not logged in: run fieldrep login --server URL (or make demo to try it)")
        key = (server, self.store.token, self._attempts)
        with self._kept_lock:
            if self._kept is not None and self._kept[0] == key:
                return self._kept[1]
            if self._kept is not None:
                self._kept[1].close()
            client = self._client_factory(key[0], key[1], attempts=self._attempts)
            self._kept = (key, client)
            return client

    def log_in(self, server: str, token: str) -> dict[str, Any]:
        """``login`` (the one ``fieldrep login`` runs) through this engine's client; a new token
        ends ``signed_out`` at once. Raises SyncError (``OtherRepsWork`` among them) with the
        reason; pending work is kept either way."""
        return login(self.store, server, token, client_factory=self._client_factory)

    def close(self) -> None:
        """Let go of the kept connection (the engine still works: the next call opens one)."""
        with self._kept_lock:
            if self._kept is not None:
                self._kept[1].close()
                self._kept = None

    def check_online(self) -> bool:
        """A cheap health check with a short timeout."""
        try:
            self._client().health()
            self.online = True
        except SyncError:
            self.online = False
        return self.online

    def retry_in(self, rng: Callable[[], float] | None = None) -> float:
        """Seconds an automatic caller should wait before the next sync: 0 after a success,
        else exponential backoff with full jitter over the failures in a row (1 s … 5 min)."""
        if not self.failures:
            return 0.0
        return backoff_delay(self.failures - 1, rng=rng or random.random)

    def status(self) -> SyncStatus:
        session = self.store.session or {}
        return SyncStatus(
            online=self.online,
            server=session.get("server"),
            last_sync=self.store.last_sync_at,
            pending=self.store.pending_count(),
            conflicts=len(self.store.conflicts()),
            rejections=[{"id": r["id"], "reason": r.get("reason")}
                        for r in self.store.rejections()],
            last_error=self.last_error,
            signed_out=self.signed_out,
        )

    # ----------------------------------------------------------------- sync

    def sync(self) -> SyncReport:
        with self._lock:
            report = SyncReport()
            try:
                client = self._client()
                self._push(client, report)
                self._pull(client, report)
                report.pool_returns = self.store.take_pool_news()
                self.online = True
                self.last_error = None
                self.failures = 0
                self._learn(False)
            except AuthError:
                server = (self.store.session or {}).get("server") or "URL"
                report.ok = False
                report.signed_out = True
                report.token_mark = token_mark(self.store.token)
                report.error = f"{SIGNED_OUT} (fieldrep login --server {server})"
                self.online = True  # the server answered: the network is fine
                self._learn(True)
                self.last_error = report.error
                self.failures += 1
            except SyncError as error:
                report.ok = False
                report.error = str(error)
                if isinstance(error, ChangeTooLarge):
                    report.too_large = error.max_bytes
                self.online = False if isinstance(error, Offline) else self.online
                self.last_error = report.error
                self.failures += 1
            except OSError as error:  # the laptop's disk: full, read-only, gone
                log.warning("sync could not write locally: %s", error)
                report.ok = False
                report.error = ("could not save the synced data on this laptop "
                                f"({error.strerror or error}); your pending work is safe")
                self.last_error = report.error
                self.failures += 1
            except Exception as error:  # a bug must not take the app down with it
                log.exception("sync failed unexpectedly")
                report.ok = False
                report.error = f"sync stopped by an unexpected problem: {error}"
                self.last_error = report.error
                self.failures += 1
            report.finished_at = datetime.now(UTC)
            try:
                run = report.to_dict()
                run.pop("pool_returns")  # the news is the rep's to read, not the log's
                self.store.record_sync_run(run)
            except Exception:
                log.exception("could not record the sync run")
            return report

    def _push(self, client: Client, report: SyncReport) -> None:
        device_id = self.store.device_id
        if device_id is None:
            raise NotLoggedIn("this laptop has no device on the server: run fieldrep login again")
        renumbered = False
        below: int | None = None  # send only the operations below this mid (see 409 below)
        while True:
            batch = fitting(self.store.outbox()[:MAX_PUSH_BATCH], device_id, self.push_bytes)
            if not batch:
                return
            if below is not None:
                batch = [op for op in batch if op["mid"] < below] or batch
            try:
                answer = client.push(device_id, [wire(op) for op in batch])
            except TooLarge as refused:
                # over the server's body limit: send fewer changes per push, down to one
                size = push_size([wire(op) for op in batch], device_id)
                if len(batch) == 1:
                    raise ChangeTooLarge(refused.max_bytes or size) from None
                self.push_bytes = min(self.push_bytes, refused.max_bytes or size, size // 2)
                continue
            except MidReused:
                # This data folder was restored from a backup or copied: its mids stand for
                # other operations on the server. Send everything again on a fresh device.
                if renumbered:
                    raise SyncError(
                        "the server keeps finding this laptop's changes numbered like others; "
                        "export your pending work (fieldrep export-outbox FILE) and log in again"
                    ) from None
                device_id = self._new_device(client, "reused")
                renumbered = True
                below = None
                continue
            except MidGapError as gap:
                if gap.expected_mid > batch[0]["mid"]:
                    if below != gap.expected_mid:
                        # A hole after these operations: first get the server's answers for
                        # the ones below it (it kept them), then deal with the hole.
                        below = gap.expected_mid
                        continue
                    # Asked for exactly those and still a gap: the server applied them (it
                    # only advances past a mid by applying it) but kept no answers.
                    self.store.apply_push_results([_acknowledged(op) for op in batch])
                    report.pushed += len(batch)
                    report.applied += len(batch)
                    below = None
                    continue
                if renumbered:
                    raise SyncError(
                        f"the server expects operation {gap.expected_mid} from this laptop but "
                        f"the next one here is {batch[0]['mid']}; export your pending work "
                        "(fieldrep export-outbox FILE) and log in again"
                    ) from None
                # The server never saw any pending operation (it applies mids strictly in
                # order and is still below the first one), e.g. its database was restored
                # from a backup, or operations here were lost: start a fresh sequence on a
                # new device and send them all.
                device_id = self._new_device(client)
                renumbered = True
                below = None
                continue
            below = None
            results = answer.get("results") or []
            if not results:
                raise SyncError("the server accepted nothing from the outbox; try again later")
            before = self.store.pending_count()
            self.store.apply_push_results(results)  # takes only answers naming our op_id
            ours = {op["op_id"] for op in batch}
            for result in results:
                if not isinstance(result, dict) or result.get("op_id") not in ours:
                    continue
                report.pushed += 1
                status = result.get("status")
                if status == "applied":
                    report.applied += 1
                elif status == "conflict":
                    report.conflicts += 1
                elif status == "rejected":
                    report.rejected += 1
            if _reused(batch, results, answer, self.store.last_assigned_mid):
                # An answer for one of our mids names another operation, or the server has
                # seen mids this laptop never handed out (an older server answers a restored
                # or copied data folder so): those mids are not ours to use. What is still
                # pending goes out again on a fresh device, once.
                if renumbered:
                    raise SyncError(
                        "the server keeps finding this laptop's changes numbered like others; "
                        "export your pending work (fieldrep export-outbox FILE) and log in again"
                    )
                device_id = self._new_device(client, "reused")
                renumbered = True
                continue
            if self.store.pending_count() >= before:
                raise SyncError("the server's answer matched none of the pending changes; "
                                "try again later")

    def _new_device(self, client: Client, why: str = "lost") -> str:
        session = self.store.session or {}
        rep = client.me()["rep"]
        device_id = client.register_device(f"{platform.node() or 'laptop'}")["device_id"]
        if why == "reused":
            log.warning("device %s: this data folder was restored or copied (its sequence "
                        "numbers are taken); pending work goes out as device %s",
                        session.get("device_id"), device_id)
        else:
            log.warning("the server lost track of device %s: pending work goes out as device %s",
                        session.get("device_id"), device_id)
        self.store.save_session(session.get("server") or client.server, rep, device_id,
                                self.store.token or "")
        return device_id

    def _pull(self, client: Client, report: SyncReport) -> None:
        for _attempt in range(2):
            try:
                if self.store.pull_cursor is None:
                    self._bootstrap(client, report)
                cursor = self.store.pull_cursor
                while cursor is not None:
                    page = client.pull(cursor, PULL_PAGE)
                    if page["changes"] or page["next_cursor"] != cursor:  # else nothing to store
                        self.store.apply_pull_page(page["changes"], page["next_cursor"])
                    report.pulled += len(page["changes"])
                    cursor = page["next_cursor"]
                    if not page.get("has_more"):
                        return
                return
            except CursorExpired:
                log.info("cursor expired: starting a fresh copy")
                self.store.reset_sync_state()
        raise SyncError("the server keeps turning down this copy; try again later")

    def _bootstrap(self, client: Client, report: SyncReport) -> None:
        report.bootstrapped = True
        state = self.store.bootstrap_state
        token = state.get("next_token") if state else None
        while True:
            page = client.bootstrap(token, BOOTSTRAP_PAGE)
            done = not page.get("has_more") or not page.get("next_token")
            self.store.apply_bootstrap_page(page["changes"], page.get("next_token"),
                                            page["cursor"], done)
            report.pulled += len(page["changes"])
            if done:
                return
            token = page["next_token"]


def _reused(batch: list[MutationJSON], results: list[object], answer: dict[str, Any],
            last_assigned: int) -> bool:
    """Does this push answer show that our mids stand for other operations on the server?"""
    ours = {op["mid"]: op["op_id"] for op in batch}
    for result in results:
        if isinstance(result, dict) and result.get("mid") in ours and (
            result.get("op_id") != ours[result["mid"]]
        ):
            return True
    last_mid = answer.get("last_mid")
    return isinstance(last_mid, int) and last_mid > last_assigned


def _acknowledged(op: MutationJSON) -> ResultJSON:
    """A result for an operation the server applied without keeping its answer."""
    return {"op_id": op["op_id"], "mid": op["mid"], "status": "applied",
            "entity": op["kind"].split(".")[0], "record_id": op["record_id"], "version": None,
            "record": None}


class OtherRepsWork(SyncError):
    """The laptop holds unsynced work of another rep: logging in as someone else would send it
    under the wrong name."""


def login(store: SyncStore, server: str, token: str, *,
          client_factory: Callable[..., Client] | None = None) -> dict[str, Any]:
    """Register this laptop with the server (or keep its device when it is still known there).

    Logging in as another rep, or to another server, starts a fresh copy (the next sync
    re-bootstraps); pending work is never dropped, and pending work of another rep refuses the
    login until it is synced or exported.
    """
    factory = client_factory or Client
    server = server.rstrip("/")
    with factory(server, token, attempts=2) as client:
        me = client.me()
        rep = me["rep"]
        session = store.session or {}
        same_rep = session.get("rep_id") == rep["id"]
        same_server = (session.get("server") or "").rstrip("/") == server
        if session and not same_rep and store.pending_count():
            raise OtherRepsWork(Notice(
                "this laptop holds unsynced work of {rep} (waiting to sync: {n}): sync it "
                "first, or move it with fieldrep export-outbox FILE before logging in as "
                "someone else", rep=session.get("rep_name") or session.get("rep_id"),
                n=store.pending_count()))
        device_id = None
        known_device = session.get("device_id") if same_rep else None
        if known_device:
            try:
                known = client.push(known_device, [])
                device_id = known_device  # this server knows the device: keep its mids
                last_mid = known.get("last_mid")
                if isinstance(last_mid, int) and last_mid > store.last_assigned_mid:
                    device_id = None  # … but it has seen mids this copy never made: a new one
            except SyncError:
                device_id = None
        if device_id is None:
            device_id = client.register_device(f"{platform.node() or 'laptop'}")["device_id"]
    forget_copy = bool(session) and not (same_rep and same_server)
    store.save_session(server, rep, device_id, token)
    if forget_copy:
        store.reset_sync_state()  # another rep's or another server's view: fetch a fresh one
    return me
