"""`fieldrep`: the TUI with no arguments, and headless commands for scripts, cron and tests.

Every command works offline (writes go to the outbox), takes ``--json``, exits 0 on success and on
failure prints one clear line on stderr and exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, NoReturn

from cache import Ambiguous, NotFound, Store, StoreError, ValidationFailed
from cache.dates import parse_date

EXIT_ERROR = 1
EXIT_USAGE = 2


class CliError(Exception):
    pass


# --------------------------------------------------------------------------- output


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def emit(args: argparse.Namespace, data: Any, text: Callable[[], str] | str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, default=_default, indent=1))
    else:
        print(text() if callable(text) else text)


def _cell(text: Any, width: int) -> str:
    from rich.cells import cell_len, set_cell_size

    text = "" if text is None else str(text)
    return set_cell_size(text, width) if cell_len(text) > width else text + " " * (
        width - cell_len(text))


def _short_date(value: Any) -> str:
    return str(value or "")[:10]


def _customer_line(c: dict) -> str:
    owner = c.get("owner_name") or ("pool" if not c.get("owner_id") else "")
    return "  ".join([_cell(c.get("name"), 36), _cell(c.get("tier"), 1), _cell(c.get("city"), 10),
                      _cell(c.get("stage"), 9), _cell(owner, 14), c.get("id", "")])


# --------------------------------------------------------------------------- store access


def open_store() -> Store:
    store = Store.open()
    for notice in store.notices:  # a damaged file set aside: say so once, where it is read
        print(f"fieldrep: note: {notice}", file=sys.stderr)
    for warning in store.warnings:  # e.g. a data folder other users can read
        print(f"fieldrep: warning: {warning}", file=sys.stderr)
    return store


def _need_session(store: Store) -> dict:
    if not store.session:
        raise CliError("not logged in: run fieldrep login --server URL --token TOKEN "
                       "(or make demo to try it)")
    return store.session


def _engine(store: Store):
    from sync.engine import SyncEngine

    return SyncEngine(store)


# --------------------------------------------------------------------------- commands


def cmd_login(args: argparse.Namespace, store: Store) -> int:
    from sync.client import SyncError
    from sync.engine import login

    if not args.server.startswith(("http://", "https://")):
        raise CliError(f"--server must be an http:// or https:// URL, not {args.server!r}")
    try:
        me = login(store, args.server, args.token)
    except SyncError as error:
        raise CliError(f"login failed: {error}") from None
    rep = me["rep"]
    emit(args, {"rep": rep, "server": args.server, "device_id": store.device_id},
         f"logged in as {rep['name']} ({rep['role']}) on {args.server}; run fieldrep sync")
    return 0


def cmd_logout(args: argparse.Namespace, store: Store) -> int:
    pending = store.pending_count()
    store.clear_session()
    kept = f"; {pending} pending operation(s) are kept and sync after the next login" \
        if pending else ""
    emit(args, {"logged_out": True, "pending": pending}, f"logged out{kept}")
    return 0


def cmd_sync(args: argparse.Namespace, store: Store) -> int:
    _need_session(store)
    report = _engine(store).sync()
    if args.json:
        emit(args, {**report.to_dict(), "pending": store.pending_count()}, "")
    elif report.ok:
        print(report.summary())
    if not report.ok:
        print(f"fieldrep: {report.summary()}", file=sys.stderr)
        return EXIT_ERROR
    return 0


def cmd_status(args: argparse.Namespace, store: Store) -> int:
    engine = _engine(store)
    if store.session:
        engine.check_online()
    else:
        engine.online = False  # nowhere to be online to
    status = engine.status()
    data = status.to_dict()

    def text() -> str:
        lines = [
            f"server:     {status.server or 'not logged in'}",
            f"online:     {'yes' if status.online else 'no'}",
            f"last sync:  {status.last_sync.astimezone().strftime('%Y-%m-%d %H:%M') if status.last_sync else 'never'}",
            f"pending:    {status.pending} operation(s) waiting to sync",
            f"conflicts:  {status.conflicts}",
        ]
        for rejection in status.rejections:
            lines.append(f"refused:    {rejection['reason']}  ({rejection['id']})")
        return "\n".join(lines)

    emit(args, data, text)
    return 0


def cmd_customers(args: argparse.Namespace, store: Store) -> int:
    if args.search:
        customers = store.search(args.search, limit=args.limit)
    else:
        customers = [store.customer(cid) for cid in store.all_customer_ids("name")[: args.limit]]
    customers = [c for c in customers if c]
    if args.group_by:
        groups = store.groups(args.group_by)
        if args.search:
            ids = {c["id"] for c in customers}
            data = []
            for value, _count in groups:
                members = [cid for cid in store.customers_in_group(args.group_by, value)
                           if cid in ids]
                if members:
                    data.append({"group": value, "count": len(members)})
        else:
            data = [{"group": value, "count": count} for value, count in groups]
        emit(args, data, lambda: "\n".join(f"{_cell(g['group'] or '—', 30)}  {g['count']}"
                                           for g in data) or "no customers")
        return 0
    emit(args, customers,
         lambda: "\n".join(_customer_line(c) for c in customers) or "no customers")
    return 0


def cmd_show(args: argparse.Namespace, store: Store) -> int:
    customer = store.resolve_customer(args.customer)
    timeline = store.timeline(customer["id"])
    data = {**customer, "timeline": timeline}

    def text() -> str:
        owner = customer.get("owner_name") or "pool (unowned)"
        lines = [f"{customer['name']}  [{customer.get('tier')}] {customer.get('stage')}",
                 f"{customer.get('city')}, {customer.get('province')} · {customer.get('industry')}",
                 f"owner: {owner}"
                 + (f", protected until {_short_date(customer.get('protected_until'))}"
                    if customer.get("protected_until") else "")]
        for contact in customer.get("contacts") or []:
            lines.append(f"contact: {contact.get('name')} {contact.get('title', '')} "
                         f"{contact.get('phone', '')} {contact.get('email', '')}".rstrip())
        lines.append("")
        for entry in timeline[:30]:
            record = entry["record"]
            what = (record.get("outcome") or record.get("text") or record.get("title") or "")
            mark = "" if entry.get("synced") else "  (not yet synced)"
            lines.append(f"{_short_date(entry.get('at'))}  {entry['type']:<9} {what}{mark}")
        return "\n".join(lines)

    emit(args, data, text)
    return 0


def cmd_visit_log(args: argparse.Namespace, store: Store) -> int:
    _need_session(store)
    customer = store.resolve_customer(args.customer)
    if args.next_step and not args.due:
        raise CliError("--next-step needs --due (e.g. --due fri)")
    due = _date(args.due, "--due") if args.due else None
    visit = store.log_visit(customer["id"], kind=args.kind, outcome=args.outcome,
                            notes=args.notes or "", next_step=args.next_step or "", due=due,
                            amount=args.amount)
    emit(args, visit, visit["id"])
    return 0


def cmd_visits(args: argparse.Namespace, store: Store) -> int:
    customer_id = store.resolve_customer(args.customer)["id"] if args.customer else None
    visits = sorted(store.visits(customer_id), key=lambda v: v.get("at") or "", reverse=True)
    names = {}

    def text() -> str:
        lines = []
        for v in visits:
            cid = v.get("customer_id")
            if cid not in names:
                names[cid] = (store.customer(cid) or {}).get("name", cid)
            mark = "" if v.get("synced") else "  (not yet synced)"
            lines.append(f"{_short_date(v.get('at'))}  {_cell(names[cid], 30)}  "
                         f"{v.get('kind'):<7} {v.get('outcome')}{mark}")
        return "\n".join(lines) or "no visits"

    emit(args, visits, text)
    return 0


def cmd_feedback(args: argparse.Namespace, store: Store) -> int:
    _need_session(store)
    customer = store.resolve_customer(args.customer)
    if args.kind == "satisfaction" and args.score is None:
        raise CliError("--kind satisfaction needs --score 1-5")
    record = store.add_feedback(customer["id"], kind=args.kind, text=args.text,
                                score=args.score, severity=args.severity)
    emit(args, record, record["id"])
    return 0


def cmd_claim(args: argparse.Namespace, store: Store) -> int:
    _need_session(store)
    customer = store.resolve_customer(args.customer)
    claimed = store.claim(customer["id"])
    emit(args, claimed, f"claim for {claimed['name']} queued; the server decides at the next sync")
    return 0


def cmd_queue(args: argparse.Namespace, store: Store) -> int:
    entries = store.queue(datetime.now(UTC))

    def text() -> str:
        return "\n".join(
            f"{_short_date(e.get('due')):<10}  {_cell(e.get('customer_name'), 30)}  "
            f"{e.get('tier') or ' '}  {e.get('reason')}"
            + (f"  ({e['followup_id']})" if e.get("followup_id") else "")
            for e in entries
        ) or "nothing in the queue"

    emit(args, entries, text)
    return 0


def _by_prefix(text: str, candidates: list[str], what: str) -> str:
    """The one candidate equal to ``text`` or starting with it (ids are long to type)."""
    if text in candidates:
        return text
    found = [c for c in dict.fromkeys(candidates) if c.startswith(text)] if len(text) >= 4 else []
    if len(found) > 1:
        raise CliError(f"{text!r} starts {len(found)} {what} ids; type more of it "
                       f"(e.g. {', '.join(found[:3])})")
    return found[0] if found else text  # unknown: the store says so clearly


def _followup(store: Store, text: str) -> str:
    """FOLLOWUP: a follow-up id (or its first letters), or a queue entry's key."""
    text = text.strip().removeprefix("followup:")
    ids = [f["id"] for f in store.followups(include_closed=True)]
    keys = [e["key"] for e in store.queue(datetime.now(UTC))
            if not e["key"].startswith("followup:")]
    return _by_prefix(text, ids + keys, "follow-up")


def cmd_done(args: argparse.Namespace, store: Store) -> int:
    _need_session(store)
    record = store.complete_followup(_followup(store, args.followup))
    emit(args, record, f"done: {record.get('title')}")
    return 0


def cmd_snooze(args: argparse.Namespace, store: Store) -> int:
    _need_session(store)
    until = _date(args.until, "--until")
    record = store.snooze_followup(_followup(store, args.followup), until)
    emit(args, record, f"snoozed until {until.isoformat()}: {record.get('title')}")
    return 0


def cmd_conflicts(args: argparse.Namespace, store: Store) -> int:
    conflicts = store.conflicts()
    emit(args, conflicts, lambda: "\n".join(
        f"{c['id']}  {c.get('customer_name')}: {c['field']} — mine {c.get('mine')!r}, "
        f"theirs {c.get('theirs')!r}" for c in conflicts) or "no conflicts")
    return 0


def cmd_resolve(args: argparse.Namespace, store: Store) -> int:
    _need_session(store)
    conflict_id = _by_prefix(args.conflict.strip(), [c["id"] for c in store.conflicts()],
                             "conflict")
    if conflict_id not in {c["id"] for c in store.conflicts()}:
        raise CliError(f"no conflict {args.conflict!r} (fieldrep conflicts lists them)")
    store.resolve_conflict(conflict_id, args.keep)
    then = "it is sent again at the next sync" if args.keep == "mine" else "the server's stands"
    emit(args, {"id": conflict_id, "kept": args.keep}, f"kept {args.keep}; {then}")
    return 0


def cmd_export_outbox(args: argparse.Namespace, store: Store) -> int:
    count = store.export_outbox(args.file)
    emit(args, {"exported": count, "file": args.file},
         f"wrote {count} pending operation(s) to {args.file}")
    return 0


def cmd_import_outbox(args: argparse.Namespace, store: Store) -> int:
    _need_session(store)
    count = store.import_outbox(args.file)
    emit(args, {"imported": count, "file": args.file},
         f"queued {count} operation(s) from {args.file}; they sync next time")
    return 0


def _date(text: str, flag: str) -> date:
    try:
        return parse_date(text)
    except ValueError as error:
        raise CliError(f"{flag}: {error}") from None


# --------------------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line on stderr (and say where help is)."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fieldrep",
        description="fieldrep: the offline-first workspace for field sales reps. "
                    "With no command, opens the workspace.",
    )
    parser.add_argument("--lang", choices=["en", "zh"], help="language of the workspace")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, runner: Callable, help_text: str, *, json_flag: bool = True,
                parent: Any = sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(runner=runner)
        if json_flag:
            p.add_argument("--json", action="store_true", help="machine-readable output")
        return p

    demo = sub.add_parser("demo", help="a seeded team on this machine, in the workspace",
                          add_help=False)
    demo.set_defaults(runner=None)

    p = command("login", cmd_login, "register this laptop with the team's server")
    p.add_argument("--server", required=True, metavar="URL")
    p.add_argument("--token", required=True)
    command("logout", cmd_logout, "forget the login (pending work is kept)")
    command("sync", cmd_sync, "push pending work, then pull changes")
    command("status", cmd_status, "online, last sync, pending, conflicts, refusals")
    p = command("customers", cmd_customers, "list or search customers")
    p.add_argument("--search", metavar="Q")
    p.add_argument("--group-by", choices=["region", "city", "tier", "stage", "industry",
                                          "customer_type", "product_line", "owner"])
    p.add_argument("--limit", type=int, default=200, metavar="N",
                   help="at most N customers (default 200)")
    p = command("show", cmd_show, "one customer with its timeline")
    p.add_argument("customer", metavar="CUSTOMER")
    visit = sub.add_parser("visit", help="log a visit (fieldrep visit log …)")
    visit_sub = visit.add_subparsers(dest="visit_command", metavar="COMMAND", required=True,
                                     parser_class=_Parser)
    p = command("log", cmd_visit_log, "log a visit, call, email or meeting", parent=visit_sub)
    p.add_argument("customer", metavar="CUSTOMER")
    p.add_argument("--kind", choices=["visit", "call", "email", "meeting"], default="visit")
    p.add_argument("--outcome", required=True)
    p.add_argument("--notes", default="")
    p.add_argument("--next-step")
    p.add_argument("--due", metavar="DATE")
    p.add_argument("--amount", type=float)
    p = command("visits", cmd_visits, "visits, newest first, each marked synced or not")
    p.add_argument("--customer", metavar="CUSTOMER")
    p = command("feedback", cmd_feedback, "record customer feedback")
    p.add_argument("customer", metavar="CUSTOMER")
    p.add_argument("--kind", required=True, choices=["satisfaction", "complaint", "suggestion"])
    p.add_argument("--score", type=int, choices=range(1, 6), metavar="1-5")
    p.add_argument("--severity", choices=["low", "medium", "high"])
    p.add_argument("--text", required=True)
    p = command("claim", cmd_claim, "claim a pool customer (the server decides)")
    p.add_argument("customer", metavar="CUSTOMER")
    command("queue", cmd_queue, "the follow-up queue, each entry with its reason")
    p = command("done", cmd_done, "mark a follow-up done")
    p.add_argument("followup", metavar="FOLLOWUP",
                   help="a follow-up id (or its first letters) or a queue entry's key")
    p = command("snooze", cmd_snooze, "put a follow-up off")
    p.add_argument("followup", metavar="FOLLOWUP")
    p.add_argument("--until", required=True, metavar="DATE")
    command("conflicts", cmd_conflicts, "fields changed here and on the server")
    p = command("resolve", cmd_resolve, "resolve a conflict")
    p.add_argument("conflict", metavar="CONFLICT")
    p.add_argument("--keep", required=True, choices=["mine", "theirs"])
    p = command("export-outbox", cmd_export_outbox, "write pending operations to a file")
    p.add_argument("file", metavar="FILE")
    p = command("import-outbox", cmd_import_outbox, "queue operations exported elsewhere")
    p.add_argument("file", metavar="FILE")
    return parser


def run_tui(lang: str | None) -> int:
    from tui.i18n import default_language

    store = open_store()
    with store:
        if not store.session:
            print("fieldrep: not logged in: log in with `fieldrep login --server "
                  "https://your-server --token YOUR_TOKEN`, or try it on a seeded team with "
                  "`make demo` (fieldrep demo)", file=sys.stderr)
            return EXIT_ERROR
        from tui.app import run_app

        return run_app(store, _engine(store), lang or default_language()) or 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "demo":
        from tui.demo import main as demo_main

        return demo_main(argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help (0) or a usage error (2), already printed
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    try:
        if args.command is None:
            return run_tui(args.lang)
        with open_store() as store:
            return args.runner(args, store) or 0
    except Ambiguous as error:
        print(f"fieldrep: {error}", file=sys.stderr)
        for match in error.matches[:10]:
            print(f"  {match.get('name')}  ({match.get('city')})  {match.get('id')}",
                  file=sys.stderr)
        return EXIT_ERROR
    except (CliError, StoreError, NotFound, ValidationFailed) as error:
        print(f"fieldrep: {error}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        print(f"fieldrep: {error.strerror or error}: {error.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug: one line, the traceback only on request
        if os.environ.get("FIELDREP_DEBUG"):
            raise
        print(f"fieldrep: unexpected problem ({type(error).__name__}: {error}); "
              "run again with FIELDREP_DEBUG=1 for the details", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
