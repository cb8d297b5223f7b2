"""`fieldrep`: the TUI with no arguments, and headless commands for scripts, cron and tests.

Every command works offline (writes go to the outbox), takes ``--json``, exits 0 on success and on
failure prints one clear line on stderr and exits non-zero. This module is the entry point (the
parser and ``main``); the commands are in ``account`` (login, logout, sync, status) and
``records`` (everything about customers and their history), what they share in ``common``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from cache import Ambiguous, NotFound, StoreError, ValidationFailed
from cache.settings import LaptopSettings, SettingsError, laptop_settings
from tui.cli.account import cmd_login, cmd_logout, cmd_status, cmd_sync
from tui.cli.common import (
    EXIT_ERROR,
    EXIT_USAGE,
    CliError,
    open_store,
    printable,
    say,
    sync_engine,
)
from tui.cli.records import (
    cmd_claim,
    cmd_conflicts,
    cmd_customers,
    cmd_done,
    cmd_export_outbox,
    cmd_feedback,
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


def _language_of(argv: list[str], settings: LaptopSettings) -> str:
    """The language of the output: ``--lang`` (before the command), else FIELDREP_LANG, else
    the locale's."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv) and argv[index + 1] in ("en", "zh"):
            return argv[index + 1]
        if arg in ("--lang=en", "--lang=zh"):
            return arg.removeprefix("--lang=")
        if not arg.startswith("-"):
            break  # the command: --lang belongs before it
    return default_language(settings.lang)


def run_tui(lang: str | None, settings: LaptopSettings) -> int:
    store = open_store()
    with store:
        if not store.session:
            say("fieldrep: " + _("not logged in: log in with `fieldrep login --server "
                                 "https://your-server` (it asks for your token), or try it on "
                                 "a seeded team with `make demo` (fieldrep demo)"), err=True)
            return EXIT_ERROR
        from tui.app import run_app

        return run_app(store, sync_engine(store), lang or default_language(settings.lang),
                       theme=settings.theme) or 0


def main(argv: list[str] | None = None) -> int:
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
        if settings.debug:
            raise
        say(f"fieldrep: unexpected problem ({type(error).__name__}: {error}); "
              "run again with FIELDREP_DEBUG=1 for the details", err=True)
        return EXIT_ERROR
