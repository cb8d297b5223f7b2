"""Shared helpers for the sync tests that run against a real server process on loopback.

An :class:`Org` is a server subprocess (SQLite in a temporary directory) with a team, territories,
reps and customers seeded through the server's own admin CLI (the ``org`` fixture of
tests/sync/conftest.py builds one to each module's order). A :class:`Laptop` is one rep's client
home (``FIELDREP_HOME``), logged in through the real ``fieldrep login``; :func:`log_visits` writes
tagged visits on any store. The checks at the bottom compare what a laptop holds with what the server says that rep may see, and what the server
holds with what the laptops wrote.

Run as ``python -m tests.sync._harness sync HOME [--loops N]`` it is the small client process the
crash tests kill with SIGKILL at random moments.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from sync.protocol.models import SCHEMA_VERSION

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parents[2]

# Fields of a customer both sides must agree on after a sync (local bookkeeping keys excluded).
CUSTOMER_KEYS = (
    "id",
    "name",
    "industry",
    "customer_type",
    "province",
    "city",
    "address",
    "tier",
    "stage",
    "product_lines",
    "owner_id",
    "claimed_at",
    "protected_until",
    "last_visit_at",
    "version",
)
VISIT_KEYS = ("id", "customer_id", "rep_id", "at", "kind", "outcome", "notes", "amount")
FEEDBACK_KEYS = ("id", "customer_id", "rep_id", "kind", "score", "text", "status")
FOLLOWUP_KEYS = ("id", "customer_id", "rep_id", "due", "title", "status", "snoozed_until")


class HarnessError(AssertionError):
    """A step of the test set-up failed; the message says which and why."""


# --------------------------------------------------------------------------- processes


def run(args: list[str], *, env: dict[str, str] | None = None, what: str, timeout=120) -> str:
    """Run a command; its stdout, or HarnessError with the tail of its stderr."""
    done = subprocess.run(
        args, capture_output=True, text=True, env=env, timeout=timeout, check=False, cwd=ROOT
    )
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise HarnessError(f"{what} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


def server_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["FIELDREP_DATABASE_URL"] = database_url
    return env


def client_env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["FIELDREP_HOME"] = str(home)
    env.update(extra)
    return env


def csv_text(rows: list[dict[str, Any]]) -> str:
    columns = [
        "id",
        "name",
        "industry",
        "customer_type",
        "province",
        "city",
        "address",
        "tier",
        "stage",
        "product_lines",
        "contact_name",
        "contact_title",
        "contact_phone",
        "contact_email",
        "owner",
        "lat",
        "lon",
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue()


def make_customers(count: int, province: str, *, prefix: str = "Customer", start: int = 0):
    """``count`` customer CSV rows in ``province``, with ids we know."""
    tiers = "ABC"
    return [
        {
            "id": str(uuid.uuid4()),
            "name": f"{prefix} {province} {start + i:05d}",
            "industry": ("retail", "pharma", "machinery")[i % 3],
            "customer_type": "B2B",
            "province": province,
            "city": f"{province}-city-{i % 4}",
            "address": f"{i} Harness Road",
            "tier": tiers[i % 3],
            "stage": "prospect",
            "product_lines": "pumps;valves",
            "contact_name": f"Contact {i}",
        }
        for i in range(count)
    ]


@dataclass
class Rep:
    name: str
    token: str
    territories: list[str]
    role: str = "rep"
    id: str | None = None


@dataclass
class Org:
    """A real server subprocess and the organisation seeded into it."""

    root: Path
    database_url: str
    server: Any = None
    team: str = "Field"
    reps: dict[str, Rep] = field(default_factory=dict)
    territories: dict[str, list[str]] = field(default_factory=dict)
    customers: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def create(cls, root: Path, *, team: str = "Field") -> Org:
        root.mkdir(parents=True, exist_ok=True)
        org = cls(root=root, database_url=f"sqlite:///{root / 'server.db'}", team=team)
        org.admin("init")
        org.admin("add-team", team, "--grouping", "region")
        return org

    # --- admin CLI
    def admin(self, *args: str, timeout: float = 300) -> str:
        return run(
            [PYTHON, "-m", "server.cli", *args],
            env=server_env(self.database_url),
            what=f"fieldrep-server {' '.join(args[:2])}",
            timeout=timeout,
        )

    def add_territory(self, name: str, provinces: list[str]) -> None:
        self.admin("add-territory", name, "--provinces", ",".join(provinces))
        self.territories[name] = provinces

    def add_rep(self, name: str, territories: list[str], role: str = "rep") -> Rep:
        out = self.admin(
            "add-rep",
            name,
            "--team",
            self.team,
            "--territories",
            ",".join(territories),
            "--role",
            role,
        )
        token = out.strip().splitlines()[-1].strip()
        rep = Rep(name, token, territories, role)
        self.reps[name] = rep
        return rep

    def import_customers(self, rows: list[dict]) -> None:
        path = self.root / f"customers-{uuid.uuid4().hex[:8]}.csv"
        path.write_text(csv_text(rows), encoding="utf-8")
        self.admin("import-customers", str(path))
        for row in rows:
            self.customers[row["id"]] = row

    def export(self, what: str) -> list[dict]:
        return json.loads(self.admin("export", what, "--format", "json"))

    # --- the server process
    def start(self, port: int | None = None) -> Org:
        from server.process import ServerProcess

        self.server = ServerProcess.start(self.database_url, port=port)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url

    # --- the wire, as a test oracle
    def http(self, token: str, base_url: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=base_url or self.url,
            headers={
                "Authorization": f"Bearer {token}",
                "X-Fieldrep-Schema": str(SCHEMA_VERSION),
            },
            timeout=60,
        )

    def scope(self, token: str) -> dict[str, dict[str, dict]]:
        """What the server says this token's rep may see now: a full bootstrap, by entity and id."""
        return bootstrap_view(self.http(token))

    def me(self, token: str) -> dict:
        with self.http(token) as client:
            response = client.get("/v1/me")
            response.raise_for_status()
            return response.json()

    def last_mid(self, token: str, device_id: str) -> int:
        """The device's last applied sequence number, by an empty push (changes nothing)."""
        with self.http(token) as client:
            response = client.post(
                "/v1/sync/push",
                json={"device_id": device_id, "schema_version": SCHEMA_VERSION, "mutations": []},
            )
            response.raise_for_status()
            return int(response.json()["last_mid"])

    def transfer(self, manager_token: str, customer_id: str, to_rep_id: str) -> dict:
        with self.http(manager_token) as client:
            response = client.post(
                f"/v1/customers/{customer_id}/transfer", json={"to_rep_id": to_rep_id}
            )
            if response.status_code >= 400:
                raise HarnessError(f"transfer answered {response.status_code}: {response.text}")
            return response.json()

    def set_policy(self, admin_token: str, **changes: Any) -> dict:
        with self.http(admin_token) as client:
            policy = client.get("/v1/policy").json()
            policy.update(changes)
            response = client.put("/v1/policy", json=policy)
            if response.status_code >= 400:
                raise HarnessError(
                    f"PUT /v1/policy answered {response.status_code}: {response.text}"
                )
            return response.json()


def bootstrap_view(client: httpx.Client, limit: int = 1000) -> dict[str, dict[str, dict]]:
    view: dict[str, dict[str, dict]] = {}
    token = None
    with client:
        while True:
            params: dict[str, Any] = {"limit": limit}
            if token:
                params["token"] = token
            response = client.get("/v1/sync/bootstrap", params=params)
            if response.status_code != 200:
                raise HarnessError(f"bootstrap answered {response.status_code}: {response.text}")
            page = response.json()
            for change in page["changes"]:
                bucket = view.setdefault(change["entity"], {})
                if change.get("op", "upsert") == "delete":
                    bucket.pop(change["id"], None)
                else:
                    bucket[change["id"]] = change["record"]
            token = page.get("next_token")
            if not page.get("has_more") or not token:
                return view


# --------------------------------------------------------------------------- laptops


@dataclass
class Laptop:
    """One rep's client data directory, logged in with the real ``fieldrep login``."""

    home: Path
    rep: Rep
    server_url: str

    def env(self, **extra: str) -> dict[str, str]:
        return client_env(self.home, **extra)

    def login(self) -> Laptop:
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)  # private, as fieldrep makes it
        run(
            [
                PYTHON,
                "-m",
                "tui.cli",
                "login",
                "--server",
                self.server_url,
                "--token",
                self.rep.token,
            ],
            env=self.env(),
            what=f"fieldrep login as {self.rep.name}",
        )
        return self

    def cli(self, *args: str, timeout: float = 120) -> str:
        return run(
            [PYTHON, "-m", "tui.cli", *args],
            env=self.env(),
            what=f"fieldrep {args[0]}",
            timeout=timeout,
        )

    def open(self):
        from cache import Store

        return Store.open(self.home)


def engine_for(store, **kwargs):
    from sync.engine import SyncEngine

    return SyncEngine(store, **kwargs)


def log_visits(store, n: int, tag: str, customers: list[str] | None = None) -> dict[str, str]:
    """``n`` visits logged offline, notes ``tag-0``, ``tag-1`` …, to ``customers`` in turn (by
    default every customer the laptop holds); id → notes, for :func:`assert_exactly_once`."""
    customers = customers or sorted(store.all_customer_ids())
    written = {}
    for i in range(n):
        visit = store.log_visit(customers[i % len(customers)], outcome="met", notes=f"{tag}-{i}")
        written[visit["id"]] = visit["notes"]
    return written


def sync_until_settled(engine, store, *, attempts: int = 200, pause: float = 0.0) -> list:
    """Sync until one run succeeds with an empty outbox; the reports. Fails after ``attempts``."""
    reports = []
    for _ in range(attempts):
        report = engine.sync()
        reports.append(report)
        if report.ok and store.pending_count() == 0:
            return reports
        if pause:
            time.sleep(pause)
    errors = Counter(str(r.error) for r in reports if not r.ok)
    raise HarnessError(
        f"sync did not settle in {attempts} runs; pending {store.pending_count()}; "
        f"errors {errors.most_common(5)}"
    )


# --------------------------------------------------------------------------- comparisons


def _pick(record: dict | None, keys: tuple[str, ...]) -> dict:
    record = record or {}
    return {k: _norm(record.get(k)) for k in keys}


def _norm(value: Any) -> Any:
    """Timestamps compare as instants whatever their spelling (Z / +00:00, microseconds)."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        from sync.protocol.rules import as_datetime

        try:
            return as_datetime(value).isoformat()
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def laptop_view(store) -> dict[str, dict[str, dict]]:
    """What a laptop holds, by entity and id, as plain records."""
    customers = {cid: store.customer(cid) for cid in store.all_customer_ids()}
    return {
        "customer": customers,
        "visit": {v["id"]: v for v in store.visits()},
        "feedback": {f["id"]: f for f in store.feedback()},
        "followup": {f["id"]: f for f in store.followups(include_closed=True)},
    }


def differences(laptop: dict, server: dict, *, limit: int = 8) -> list[str]:
    """Where a laptop's records differ from the server's view of that rep's scope."""
    problems: list[str] = []
    for entity, keys in (
        ("customer", CUSTOMER_KEYS),
        ("visit", VISIT_KEYS),
        ("feedback", FEEDBACK_KEYS),
        ("followup", FOLLOWUP_KEYS),
    ):
        mine, theirs = laptop.get(entity, {}), server.get(entity, {})
        only_mine = sorted(set(mine) - set(theirs))
        only_theirs = sorted(set(theirs) - set(mine))
        if only_mine:
            problems.append(f"{entity}: {len(only_mine)} on the laptop only, e.g. {only_mine[:3]}")
        if only_theirs:
            problems.append(
                f"{entity}: {len(only_theirs)} on the server only, e.g. {only_theirs[:3]}"
            )
        for record_id in sorted(set(mine) & set(theirs)):
            a, b = _pick(mine[record_id], keys), _pick(theirs[record_id], keys)
            if a != b:
                diff = {k: (a[k], b[k]) for k in keys if a[k] != b[k]}
                problems.append(f"{entity} {record_id}: laptop≠server {diff}")
                if len(problems) >= limit:
                    return problems
    return problems


def assert_converged(store, org: Org, token: str, who: str = "") -> None:
    problems = differences(laptop_view(store), org.scope(token))
    assert not problems, f"{who} cache differs from the server's view:\n" + "\n".join(problems)


def assert_exactly_once(server_visits: list[dict], written: dict[str, str]) -> None:
    """Every visit written (id → unique notes tag) is on the server once, and nothing else is."""
    by_id = Counter(v["id"] for v in server_visits)
    by_tag = Counter(v.get("notes") for v in server_visits)
    missing = [vid for vid in written if by_id[vid] == 0]
    doubled = [vid for vid, n in by_id.items() if n > 1]
    tag_doubled = [tag for tag in written.values() if by_tag[tag] > 1]
    assert not missing, f"{len(missing)} visits never reached the server, e.g. {missing[:5]}"
    assert not doubled, f"{len(doubled)} visits stored twice, e.g. {doubled[:5]}"
    assert not tag_doubled, (
        f"{len(tag_doubled)} visits stored twice under new ids: {tag_doubled[:5]}"
    )


# --------------------------------------------------------------------------- the killable client


def _driver(argv: list[str]) -> int:
    """``sync HOME [--loops N]``: open the store and sync, N times, printing one line per run."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.sync._harness")
    sub = parser.add_subparsers(dest="command", required=True)
    sync_cmd = sub.add_parser("sync")
    sync_cmd.add_argument("home")
    sync_cmd.add_argument("--loops", type=int, default=1)
    args = parser.parse_args(argv)

    from cache import Store
    from sync.engine import SyncEngine

    with Store.open(Path(args.home)) as store:
        engine = SyncEngine(store)
        for _ in range(args.loops):
            report = engine.sync()
            print(json.dumps({"ok": report.ok, "error": report.error}), flush=True)
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(_driver(sys.argv[1:]))
