"""`fieldrep`: the TUI with no arguments, and headless commands for scripts, cron and tests.

Every command works offline (writes go to the outbox), takes ``--json``, exits 0 on success and on
failure prints one clear line on stderr and exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, NoReturn

from cache import Ambiguous, NotFound, Store, StoreError, ValidationFailed
from sync.protocol.dates import parse_date
from ui.i18n import OP_LABELS, _, default_language, error_text, rejection_text, set_language

EXIT_ERROR = 1
EXIT_USAGE = 2


class CliError(Exception):
    pass


# --------------------------------------------------------------------------- output
#
# Everything the CLI prints goes through ``say`` (or ``emit``), which makes control characters
# visible instead of handing them to the terminal: a customer named "\x1b]52;c;…\x07\x1b[2J"
# would otherwise write the reader's clipboard and clear their screen. C0 controls show as their
# control pictures (\x1b → ␛), DEL as ␡; C1 controls, bidirectional overrides and isolates, line
# separators and lone surrogates as �. A line break and a tab are kept between lines (``say``),
# never inside one cell of a table (``_cell``).

_UNSAFE = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_IN_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f{_UNSAFE}]")
_UNSAFE_IN_A_LINE = re.compile(f"[\x00-\x1f{_UNSAFE}]")
_UNSAFE_IN_JSON = re.compile(f"[{_UNSAFE}]")  # json.dumps escapes C0 itself (\u001b)


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def printable(text: Any, *, one_line: bool = False) -> str:
    """``text`` safe to print on a terminal: no control character reaches it (see above)."""
    text = "" if text is None else str(text)
    return (_UNSAFE_IN_A_LINE if one_line else _UNSAFE_IN_TEXT).sub(_visible, text)


def say(text: Any, *, err: bool = False) -> None:
    """Print one message (stdout, or stderr with ``err``), made printable."""
    print(printable(text), file=sys.stderr if err else sys.stdout)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def as_json(data: Any) -> str:
    """``data`` as JSON whose every control character is escaped (the same value once parsed):
    json.dumps escapes C0 (\u001b); DEL, C1, bidirectional controls and lone surrogates too."""
    text = json.dumps(data, ensure_ascii=False, default=_default, indent=1)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def emit(args: argparse.Namespace, data: Any, text: Callable[[], str] | str) -> None:
    if getattr(args, "json", False):
        print(as_json(data))
    else:
        say(text() if callable(text) else text)


def _cell(text: Any, width: int) -> str:
    from rich.cells import cell_len, set_cell_size

    text = printable(text, one_line=True)
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
        say(f"fieldrep: note: {notice}", err=True)
    for warning in store.warnings:  # e.g. a data folder other users can read
        say(f"fieldrep: warning: {warning}", err=True)
    return store


def _need_session(store: Store) -> dict:
    if not store.session:
        raise CliError(_("not logged in: run fieldrep login --server URL "
                         "(or make demo to try it)"))
    return store.session


def _engine(store: Store):
    from sync.engine import SyncEngine

    return SyncEngine(store)


# --------------------------------------------------------------------------- commands


LOOPBACK_NAMES = ("localhost", "localhost.")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 (an IPv4-mapped loopback too) or localhost: this machine only."""
    import ipaddress

    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def _server_url(text: str, *, insecure: bool) -> str:
    """The server's URL, checked: http(s) with a host; plain http only to this machine unless
    ``--insecure`` (then with a warning): the token would cross the network readable."""
    from urllib.parse import urlsplit

    if not text.startswith(("http://", "https://")):
        raise CliError(_("--server must be an http:// or https:// URL, not {url}",
                         url=repr(text)))
    try:
        parts = urlsplit(text)
        host = parts.hostname
        _port = parts.port  # a bad port raises here, not at the first request
    except ValueError:
        host = None
    if not host:
        raise CliError(_("--server {url} is not a URL with a host name", url=repr(text)))
    if parts.scheme == "http" and not is_loopback(host):
        if not insecure:
            raise CliError(_(
                "refusing to send your token unencrypted to {host} over plain http://: use "
                "https://, or add --insecure if this network is truly private", host=host))
        say("fieldrep: " + _("warning: --insecure: your token and your customers' data cross "
                             "the network to {host} unencrypted", host=host), err=True)
    return text


TOKEN_FLAG_WARNING = (
    "warning: a token given as --token TOKEN can be read by other users of this machine (in "
    "the process list) and stays in your shell history; leave --token out to be asked for it, "
    "or use --token - to read it from stdin"
)


def _read_token(flag: str | None) -> str:
    """The token: asked for without echo when ``--token`` is absent and stdin is a terminal,
    one line of stdin when it is absent (no terminal) or ``-``, else the flag's value."""
    if flag is not None and flag != "-":
        token = flag
    elif flag is None and sys.stdin is not None and sys.stdin.isatty():
        import getpass

        try:
            token = getpass.getpass(_("Token (from your admin; it is not shown as you type): "))
        except EOFError:
            token = ""
    else:
        token = (sys.stdin.readline() if sys.stdin is not None else "") or ""
    token = token.strip()
    if not token:
        raise CliError(_("no token given: paste the token your admin gave you when asked, or "
                         "pipe it in with --token -"))
    if any(ch.isspace() or not ch.isprintable() for ch in token):
        raise CliError(_("that is not a token: a token is one word without spaces"))
    return token


def cmd_login(args: argparse.Namespace, store: Store) -> int:
    from sync.client import SyncError
    from sync.engine import login

    server = _server_url(args.server, insecure=args.insecure)
    token = _read_token(args.token)
    try:
        me = login(store, server, token)
    except SyncError as error:
        raise CliError(_("login failed: {error}", error=error_text(error))) from None
    if args.token not in (None, "-"):
        say("fieldrep: " + _(TOKEN_FLAG_WARNING), err=True)
    rep = me["rep"]
    emit(args, {"rep": rep, "server": server, "device_id": store.device_id},
         _("logged in as {name} ({role}) on {server}; run fieldrep sync", name=rep["name"],
           role=_(str(rep["role"])), server=server))
    return 0


def cmd_logout(args: argparse.Namespace, store: Store) -> int:
    pending = store.pending_count()
    store.clear_session()
    kept = f"; {pending} pending operation(s) are kept and sync after the next login" \
        if pending else ""
    emit(args, {"logged_out": True, "pending": pending}, f"logged out{kept}")
    return 0


def sync_summary(report: Any) -> str:
    """One line on how a sync went, in the UI's language."""
    if not report.ok:
        return _("sync failed: {error}", error=report.error)
    parts = [_("pushed {n}", n=report.pushed), _("pulled {n}", n=report.pulled)]
    if report.conflicts:
        parts.append(_("{n} conflict(s) to resolve", n=report.conflicts))
    if report.rejected:
        parts.append(_("{n} refused (see fieldrep status)", n=report.rejected))
    return _("synced: {parts}", parts=_(", ").join(parts))


def cmd_sync(args: argparse.Namespace, store: Store) -> int:
    _need_session(store)
    before = {r["id"] for r in store.rejections()}
    report = _engine(store).sync()
    refused = [rejection_view(store, r) for r in store.rejections() if r["id"] not in before]
    if args.json:
        emit(args, {**report.to_dict(), "pending": store.pending_count(),
                    "refusals": refused}, "")
    elif report.ok:
        say("\n".join([sync_summary(report), *(f"  {refused_line(r)}" for r in refused)]))
    if not report.ok:
        say(f"fieldrep: {sync_summary(report)}", err=True)
        return EXIT_ERROR
    return 0




def _rejection_customer(store: Store, rejection: dict) -> tuple[str | None, str]:
    """(customer id, name) a rejection is about: the local customer record (of a customer's
    operation, or of the visit, feedback or follow-up it sent), else the name the laptop noted
    when the refusal came (a refused claim's customer is gone from the laptop after the next
    pull), else the refusal's own parameters."""
    params = rejection.get("params") if isinstance(rejection.get("params"), dict) else {}
    record_id = rejection.get("record_id")
    customer_id = rejection.get("customer_id")
    if not customer_id and str(rejection.get("kind") or "").startswith("customer."):
        customer_id = record_id
    if not customer_id:
        for record in (*store.visits(), *store.feedback(), *store.followups(include_closed=True)):
            if record.get("id") == record_id:
                customer_id = record.get("customer_id")
                break
    customer = store.customer(str(customer_id)) if customer_id else None
    name = ((customer or {}).get("name") or rejection.get("customer_name")
            or params.get("name") or "")
    return customer_id, str(name)


def rejection_view(store: Store, rejection: dict) -> dict:
    """A rejection as the CLI shows it: what, which customer, why (in the UI's language)."""
    customer_id, name = _rejection_customer(store, rejection)
    return {"id": rejection.get("id"), "kind": rejection.get("kind"),
            "record_id": rejection.get("record_id"), "customer_id": customer_id,
            "customer_name": name, "code": rejection.get("code"),
            "params": rejection.get("params") or {}, "reason": rejection.get("reason"),
            "text": rejection_text(rejection), "at": rejection.get("at")}


def refused_line(view: dict) -> str:
    kind = str(view.get("kind") or "")
    what = _(OP_LABELS.get(kind, kind)) if kind else _("change")
    about = f"{what} {view['customer_name']}" if view.get("customer_name") else what
    return (_label(_("refused:")) + _("{what} — {why}", what=about, why=view["text"])
            + f"  ({view['id']})")


def _signed_in(store: Store) -> bool | None:
    """Whether the server still accepts this laptop's login: True, False (revoked, unknown or
    missing token), or None when it cannot be asked (not logged in, offline, trouble)."""
    from sync.client import AuthError, Client, SyncError

    session = store.session
    if not session:
        return None
    token = store.token
    if not token:
        return False
    try:
        with Client(session["server"], token, attempts=1) as client:
            client.me()
    except AuthError:
        return False
    except SyncError:
        return None
    return True


def _label(text: str) -> str:
    from rich.cells import cell_len

    return text + " " * max(1, 12 - cell_len(text))


def cmd_status(args: argparse.Namespace, store: Store) -> int:
    engine = _engine(store)
    if store.session:
        engine.check_online()
    else:
        engine.online = False  # nowhere to be online to
    signed_in = _signed_in(store) if engine.online else None
    status = engine.status()
    rejections = [rejection_view(store, r) for r in store.rejections()]
    data = {**status.to_dict(), "signed_in": signed_in, "rejections": rejections}

    def text() -> str:
        server = status.server or _("not logged in")
        if signed_in is False:
            online = _("signed out: log in again (fieldrep login --server {server})",
                       server=status.server)
        else:
            online = _("yes") if status.online else _("no")
        last = (status.last_sync.astimezone().strftime("%Y-%m-%d %H:%M") if status.last_sync
                else _("never"))
        lines = [
            _label(_("server:")) + server,
            _label(_("online:")) + online,
            _label(_("last sync:")) + last,
            _label(_("pending:")) + _("{n} operation(s) waiting to sync", n=status.pending),
            _label(_("conflicts:")) + str(status.conflicts),
        ]
        lines.extend(refused_line(view) for view in rejections)
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
    emit(args, claimed, _("claim for {name} queued; the server decides at the next sync",
                          name=claimed["name"]))
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
        say(f"{self.prog}: {message} (see {self.prog} --help)", err=True)
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

    p = command("login", cmd_login, _(
        "register this laptop with the team's server; it asks for the token your admin gave "
        "you (not shown as you type)"))
    p.add_argument("--server", required=True, metavar="URL",
                   help=_("the server, https://… (plain http:// only to this machine, or with "
                          "--insecure)"))
    p.add_argument("--token", metavar="TOKEN", help=_(
        "- reads the token from stdin (e.g. from a password manager). For scripts only: a "
        "token written here can be read by other users in the process list and stays in your "
        "shell history. Without --token you are asked for it (or, with no terminal, it is "
        "read from stdin)"))
    p.add_argument("--insecure", action="store_true", help=_(
        "allow plain http:// to another machine: the token and your data travel unencrypted"))
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


def _language_of(argv: list[str]) -> str:
    """The language of the output: ``--lang`` (before the command), else the environment's."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv) and argv[index + 1] in ("en", "zh"):
            return argv[index + 1]
        if arg in ("--lang=en", "--lang=zh"):
            return arg.removeprefix("--lang=")
        if not arg.startswith("-"):
            break  # the command: --lang belongs before it
    return default_language()


def run_tui(lang: str | None) -> int:
    from ui.i18n import default_language

    store = open_store()
    with store:
        if not store.session:
            say("fieldrep: " + _("not logged in: log in with `fieldrep login --server "
                                 "https://your-server` (it asks for your token), or try it on "
                                 "a seeded team with `make demo` (fieldrep demo)"), err=True)
            return EXIT_ERROR
        from tui.app import run_app

        return run_app(store, _engine(store), lang or default_language()) or 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "demo":
        from tui.demo import main as demo_main

        return demo_main(argv[1:])
    set_language(_language_of(argv))
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
        say(f"fieldrep: {error_text(error)}", err=True)
        for match in error.matches[:10]:
            say(f"  {printable(match.get('name'), one_line=True)}  "
                f"({printable(match.get('city'), one_line=True)})  {match.get('id')}", err=True)
        return EXIT_ERROR
    except (CliError, StoreError, NotFound, ValidationFailed) as error:
        say(f"fieldrep: {printable(error_text(error), one_line=True)}", err=True)
        return EXIT_ERROR
    except OSError as error:
        say(f"fieldrep: {error.strerror or error}: {error.filename or ''}".rstrip(": "),
            err=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug: one line, the traceback only on request
        if os.environ.get("FIELDREP_DEBUG"):
            raise
        say(f"fieldrep: unexpected problem ({type(error).__name__}: {error}); "
              "run again with FIELDREP_DEBUG=1 for the details", err=True)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
