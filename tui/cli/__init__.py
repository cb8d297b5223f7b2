"""`fieldrep`: the TUI with no arguments, and headless commands for scripts, cron and tests.

Every command works offline (writes go to the outbox), takes ``--json``, exits 0 on success and on
failure prints one clear line on stderr and exits non-zero. This module is the entry point (the
parser and ``main``); the commands are in ``account`` (login, logout, sync, status) and
``records`` (everything about customers and their history), what they share in ``common``
and ``listing``.

Reading commands (``READ_ONLY``) open the store as a reader, beside a running workspace: no lock,
no writes (``Store.open(read_only=True)``). Writing commands take the lock and, while the
workspace holds it, say to close it or to do the thing there. Output cut short by its reader
(``| head``) ends quietly.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from cache import Ambiguous, NotFound, StoreError, ValidationFailed
from cache.documents import DamagedForReader
from cache.lock import StoreHeld
from cache.settings import LaptopSettings, SettingsError, laptop_settings
from tui.cli import complaints, goals, manager, ownership, suggestions, team
from tui.cli.account import cmd_login, cmd_logout, cmd_status, cmd_sync
from tui.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    held_since,
    open_store,
    printable,
    say,
    sync_engine,
)
from tui.cli.listing import add_header_flag, limit
from tui.cli.records import (
    cmd_claim,
    cmd_conflicts,
    cmd_customers,
    cmd_done,
    cmd_export_outbox,
    cmd_feedback,
    cmd_followup_add,
    cmd_import_outbox,
    cmd_queue,
    cmd_resolve,
    cmd_show,
    cmd_snooze,
    cmd_visit_log,
    cmd_visits,
)
from ui.i18n import _, default_language, error_text, set_language


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line on stderr (and say where help is)."""

    def error(self, message: str) -> NoReturn:
        say(f"{self.prog}: {message} (see {self.prog} --help)", err=True)
        raise SystemExit(EXIT_USAGE)


READ_ONLY = frozenset({"status", "customers", "show", "visits", "queue", "conflicts",
                       "export-outbox"})
"""The commands that only read: they run beside a running workspace (see the module doc)."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fieldrep",
        description="fieldrep: the offline-first workspace for field sales reps. "
                    "With no command, opens the workspace.",
    )
    parser.add_argument("--lang", choices=["en", "zh"], help=_("language of the output"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", choices=["en", "zh"], default=argparse.SUPPRESS,
                      help=_("language of the output"))

    def command(name: str, runner: Callable, help_text: str, *, json_flag: bool = True,
                parent: Any = sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=_(help_text), description=_(help_text), parents=[lang])
        p.set_defaults(runner=runner, writes=name not in READ_ONLY)
        if json_flag:
            p.add_argument("--json", action="store_true", help=_("machine-readable output"))
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
    p.add_argument("--count", action="store_true",
                   help=_("with --group-by: only how many customers each group holds"))
    p.add_argument("--limit", type=limit, default=200, metavar="N",
                   help=_("at most N customers (default 200)"))
    add_header_flag(p)
    p = command("show", cmd_show, "one customer with its timeline")
    p.add_argument("customer", metavar="CUSTOMER")
    visit = sub.add_parser("visit", help="log a visit (fieldrep visit log …)")
    visit_sub = visit.add_subparsers(dest="visit_command", metavar="COMMAND", required=True,
                                     parser_class=_Parser)
    p = command("log", cmd_visit_log, "log a visit, call, email or meeting", parent=visit_sub)
    p.add_argument("customer", metavar="CUSTOMER")
    p.add_argument("--kind", choices=["visit", "call", "email", "meeting"], default="visit")
    p.add_argument("--outcome", help=_("what came of it (default: as the visit form presets it, "
                                       "e.g. “Met the customer”)"))
    p.add_argument("--at", metavar="WHEN", help=_(
        "when it happened, if not now: 14:30 (today), \"yesterday 14:30\" or "
        "\"2026-11-20 14:30\", in the team's time zone"))
    p.add_argument("--notes", default="")
    p.add_argument("--next-step")
    p.add_argument("--due", metavar="DATE")
    p.add_argument("--amount", type=float)
    p = command("visits", cmd_visits, "visits, newest first, each marked synced or not")
    p.add_argument("--customer", metavar="CUSTOMER")
    add_header_flag(p)
    p = command("feedback", cmd_feedback, "record customer feedback")
    p.add_argument("customer", metavar="CUSTOMER")
    p.add_argument("--kind", required=True, choices=["satisfaction", "complaint", "suggestion"])
    p.add_argument("--score", type=int, choices=range(1, 6), metavar="1-5")
    p.add_argument("--severity", choices=["low", "medium", "high"])
    p.add_argument("--text", required=True)
    followup = sub.add_parser("followup", help="add a follow-up (fieldrep followup add …)")
    followup_sub = followup.add_subparsers(dest="followup_command", metavar="COMMAND",
                                           required=True, parser_class=_Parser)
    p = command("add", cmd_followup_add, "add a follow-up to a customer; prints its id",
                parent=followup_sub)
    p.add_argument("customer", metavar="CUSTOMER")
    p.add_argument("--title", required=True, help=_("what to do"))
    p.add_argument("--due", required=True, metavar="DATE",
                   help=_("when: 2026-12-01, today, tomorrow, fri, +3d, +2w"))
    p = command("claim", cmd_claim, "claim a pool customer (the server decides)")
    p.add_argument("customer", metavar="CUSTOMER")
    add_header_flag(command("queue", cmd_queue, "the follow-up queue, each entry with its reason"))
    p = command("done", cmd_done, "mark a follow-up done")
    p.add_argument("followup", metavar="FOLLOWUP",
                   help="a follow-up id (or its first letters) or a queue entry's key")
    p = command("snooze", cmd_snooze, "put a follow-up off")
    p.add_argument("followup", metavar="FOLLOWUP")
    p.add_argument("--until", required=True, metavar="DATE")
    add_header_flag(command("conflicts", cmd_conflicts, "fields changed here and on the server"))
    p = command("resolve", cmd_resolve, "resolve a conflict")
    p.add_argument("conflict", metavar="CONFLICT")
    p.add_argument("--keep", required=True, choices=["mine", "theirs"])
    p = command("export-outbox", cmd_export_outbox, "write pending operations to a file")
    p.add_argument("file", metavar="FILE")
    p = command("import-outbox", cmd_import_outbox, "queue operations exported elsewhere")
    p.add_argument("file", metavar="FILE")
    ownership.register(command)  # F: history, return
    complaints.register(command)  # K: complaints, complaint respond|resolve
    manager.register(command)  # I: assign, transfer, pool
    team.register(command)  # P: team
    goals.register(command)  # O: goals, goals set
    suggestions.register(command)  # issue 12: suggestions, suggestions accept
    return parser


def _language_of(argv: list[str], settings: LaptopSettings) -> str:
    """The language of the output: ``--lang`` (before or after the command), else
    FIELDREP_LANG, else the locale's."""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv) and argv[index + 1] in ("en", "zh"):
            return argv[index + 1]
        if arg in ("--lang=en", "--lang=zh"):
            return arg.removeprefix("--lang=")
    return default_language(settings.lang)


def run_tui(lang: str | None, settings: LaptopSettings) -> int:
    store = open_store()
    with store:
        at_a_terminal = sys.stdin.isatty() and sys.stdout.isatty()
        if not store.session and not at_a_terminal:
            say("fieldrep: " + _("not logged in: open fieldrep in a terminal and press L, or log "
                                 "in with `fieldrep login --server https://your-server` (it asks "
                                 "for your token), or try it on a seeded team with `make demo` "
                                 "(fieldrep demo)"), err=True)
            return EXIT_ERROR
        from tui.app import run_app

        # a laptop never logged in opens too: L logs in from the App (no engine until then)
        engine = sync_engine(store) if store.session else None
        return run_app(store, engine, lang or default_language(settings.lang),
                       theme=settings.theme) or 0


def main(argv: list[str] | None = None) -> int:
    """``fieldrep ARGS``; output cut short by its reader (``| head``) ends quietly, exit 0."""
    try:
        code = _main(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader has all it wanted: nothing more to say, and nowhere to say it
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    return code


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "demo":
        from tui.demo import main as demo_main

        return demo_main(argv[1:])
    try:
        settings = laptop_settings()
    except SettingsError as error:
        say(f"fieldrep: {printable(error, one_line=True)}", err=True)
        return EXIT_ERROR
    set_language(_language_of(argv, settings))
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help (0) or a usage error (2), already printed
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    try:
        if args.command is None:
            return run_tui(args.lang, settings)
        with open_store(read_only=not args.writes) as store:
            return args.runner(args, store) or 0
    except Ambiguous as error:
        _say_matches(error, getattr(args, "customer", None) or "")
        return EXIT_ERROR
    except StoreHeld as error:
        pid, since = error.holder.get("pid", "?"), held_since(error)
        if args.command is None:  # a second workspace
            host = error.holder.get("host")
            where = _(" on {host}", host=host) if host and host != socket.gethostname() else ""
            say("fieldrep: " + printable(_(
                "fieldrep is already open (pid {pid}{where}, `{command}`, since {since}); close "
                "it first", pid=pid, where=where, since=since,
                command=error.holder.get("command") or "fieldrep"), one_line=True), err=True)
            return EXIT_ERROR
        say("fieldrep: " + _(
            "the workspace has this laptop's data open (pid {pid}, since {since}): close the "
            "workspace or log it there; reading commands (status, customers, show, queue …) "
            "work beside it", pid=pid, since=since), err=True)
        return EXIT_ERROR
    except DamagedForReader as error:
        say("fieldrep: " + printable(_(
            "{file} looks damaged ({why}); nothing was changed: open fieldrep (or run fieldrep "
            "sync) to set it aside and rebuild it", file=error.name, why=error.why),
            one_line=True), err=True)
        return EXIT_ERROR
    except BrokenPipeError:
        raise  # main ends it quietly
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
        if settings.debug:
            raise
        say(f"fieldrep: unexpected problem ({type(error).__name__}: {error}); "
              "run again with FIELDREP_DEBUG=1 for the details", err=True)
        return EXIT_ERROR


def _say_matches(error: Ambiguous, text: str) -> None:
    """A CUSTOMER that matches several: how many, each with what tells them apart, and how to
    name one."""
    say("fieldrep: " + printable(_(
        "“{text}” matches {n} customers; name one by its full name or its id:",
        text=text, n=len(error.matches)), one_line=True), err=True)
    for match in error.matches[:10]:
        owner = match.get("owner_name") or (_("pool") if not match.get("owner_id") else "")
        say("  " + "  ".join(printable(value, one_line=True) for value in (
            match.get("name"), f"({match.get('city')})", owner, match.get("id")) if value),
            err=True)
