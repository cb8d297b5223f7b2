"""Who is signed in on this laptop: the session and token, this device's ids, what the snapshot
says about the rep (policy, me, team, reps, territories, and so what is within their reach),
the policy's calendar day, and the log of sync runs."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import orjson
from pydantic import ValidationError

from cache import locations
from cache.documents import Documents
from cache.journal import Journal, now, renumber
from cache.storage import atomic_write, dumps, write_document
from sync.protocol import rules
from sync.protocol.models import Policy

MAX_SYNC_RUNS = 100
SESSION_KEYS = ("server", "rep_id", "rep_name", "role", "device_id")


class Session:
    """The signed-in rep, read from ``session.json``, ``token`` and the snapshot of ``docs``."""

    def __init__(self, docs: Documents, journal: Journal) -> None:
        self._docs = docs
        self._journal = journal
        self.doc: dict | None = None
        self._runs: list[dict] = []
        self._policy: Policy | None = None

    def load(self) -> None:
        self.doc = self._docs.read_small(locations.SESSION, dict, "The login session")
        self._runs = self._docs.read_small(locations.SYNC_RUNS, list, "The sync log") or []
        self._policy = None

    # ------------------------------------------------------------------ session and token

    @property
    def public(self) -> dict | None:
        """The session as callers see it (no copy of the rep's record), or None."""
        if not self.doc:
            return None
        return {key: self.doc.get(key) for key in SESSION_KEYS}

    @property
    def token(self) -> str | None:
        try:
            return self._docs.path(locations.TOKEN).read_text().strip() or None
        except FileNotFoundError:
            return None

    def save(self, server: str, rep: Any, device_id: str, token: str) -> None:
        """Remember the login (the token in a 0600 file). A new device id starts a new mid
        sequence on the server, so pending operations are renumbered 1, 2, 3 … for it."""
        rep = rep.model_dump(mode="json") if hasattr(rep, "model_dump") else dict(rep)
        previous = (self.doc or {}).get("device_id")
        session = {
            "server": server,
            "rep_id": rep.get("id"),
            "rep_name": rep.get("name"),
            "role": str(rep.get("role") or "rep"),
            "device_id": device_id,
            "rep": rep,
        }
        token_path = self._docs.path(locations.TOKEN)
        atomic_write(token_path, (token or "").encode())
        os.chmod(token_path, 0o600)
        write_document(self._docs.path(locations.SESSION), session)
        self.doc = session
        if previous != device_id:
            self._journal.commit(renumber)

    def clear(self) -> None:
        """Log out: forget the session and token. Pending operations are kept."""
        for name in (locations.SESSION, locations.TOKEN):
            with contextlib.suppress(FileNotFoundError):
                self._docs.path(name).unlink()
        self.doc = None

    @property
    def rep_id(self) -> str | None:
        return (self.doc or {}).get("rep_id")

    @property
    def device_id(self) -> str | None:
        return (self.doc or {}).get("device_id")

    @property
    def rep_name(self) -> str | None:
        return (self.doc or {}).get("rep_name")

    # ------------------------------------------------------------------ reference data

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            raw = self._docs.snap.get("policy")
            try:
                self._policy = Policy.model_validate(raw) if raw else Policy()
            except ValidationError:
                self._policy = Policy()
        return self._policy

    def forget_policy(self) -> None:
        """The snapshot's policy changed: read it again when next asked."""
        self._policy = None

    @property
    def me(self) -> dict | None:
        rid = self.rep_id
        if rid is None:
            return None
        return dict(self._docs.snap["reps"].get(rid) or (self.doc or {}).get("rep") or {})

    @property
    def territories(self) -> list[dict]:
        return [dict(t) for t in self._docs.snap["territories"].values()]

    @property
    def team(self) -> dict | None:
        me = self.me or {}
        team = self._docs.snap["teams"].get(me.get("team_id") or "")
        return dict(team) if team else None

    @property
    def reps(self) -> dict[str, dict]:
        """Every rep of the snapshot, with the goals a manager set here and not yet synced."""
        from cache.goals import KIND, pending_reps

        reps = {rid: dict(rep) for rid, rep in self._docs.snap["reps"].items()}
        outbox = self._journal.doc["outbox"]
        if any(op.get("kind") == KIND for op in outbox):
            reps = pending_reps(reps, outbox, self.today(), self.me)
        return reps

    def rep_name_of(self, rep_id: str, named: str | None = None) -> str:
        """A rep's name as the snapshot knows it, else ``named``, else the id."""
        rep = self._docs.snap["reps"].get(rep_id) or {}
        return str(rep.get("name") or named or rep_id)

    def today(self, moment: datetime | None = None) -> date:
        """The calendar day of ``moment`` (default: the clock) in the policy's time zone."""
        return rules.policy_day(self.policy, moment or now())

    def next_due(self, customer: dict) -> date | None:
        """When the customer's cadence says it is next due (None if unknown)."""
        try:
            return rules.next_visit_due(customer, self.policy)
        except (ValueError, TypeError):
            return None

    # ------------------------------------------------------------------ reach

    def in_territory(self, customer: dict) -> bool:
        """Do the rep's own territories cover ``customer`` (True when unknown offline)?"""
        me = self.me or {}
        territories = self._docs.snap["territories"]
        mine = [territories[t] for t in me.get("territory_ids") or [] if t in territories]
        if not mine:
            return True  # territories unknown offline: the server decides
        return any(rules.territory_covers(t, customer) for t in mine)

    def covers(self, customer: dict) -> bool:
        """Is ``customer`` within this rep's reach, as the server judges an edit: a rep's own
        territories; a manager's team (owned by a member, or a member's territory covers it)."""
        return self.coverage()(customer)

    def coverage(self) -> Callable[[dict], bool]:
        """``covers`` with the team and its territories looked up once, for many customers."""
        me = self.me or {}
        if me.get("role") in (None, "rep"):
            return self.in_territory
        team = me.get("team_id")
        reps = self.reps
        territories = self._docs.snap["territories"]
        members = [r for r in reps.values() if r.get("team_id") == team] or [me]
        known = list({t: territories[t] for r in members for t in r.get("territory_ids") or []
                      if t in territories}.values())
        me_id = me.get("id")

        def covers(customer: dict) -> bool:
            owner = customer.get("owner_id")
            if owner:
                return owner == me_id or (reps.get(owner) or {}).get("team_id") == team
            if not known:
                return True  # territories unknown offline: the server decides
            return any(rules.territory_covers(t, customer) for t in known)

        return covers

    # ------------------------------------------------------------------ the sync log

    def record_sync_run(self, run: dict) -> None:
        """Append one sync run (the engine's report as a dict) to the sync log."""
        runs = [*self._runs, orjson.loads(dumps(run))][-MAX_SYNC_RUNS:]
        write_document(self._docs.path(locations.SYNC_RUNS), runs)
        self._runs = runs

    def sync_runs(self) -> list[dict]:
        return [dict(run) for run in self._runs]

    @property
    def last_sync_at(self) -> datetime | None:
        """When the last successful sync finished."""
        for run in reversed(self._runs):
            if run.get("ok"):
                with contextlib.suppress(TypeError, ValueError):
                    return rules.as_datetime(run.get("finished_at") or run.get("at"))
        return None
