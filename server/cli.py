"""`fieldrep-server`: run the server and administer the organisation.

Every command exits 0 on success; on failure it prints one clear line on stderr and exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from server import admin_cli, csv_import, db, export, seed, serve, settings, suggestions
from server.clikit import (
    CliError,
    customer_list,
    database_url,
    open_engine,
    safe_url,
    split_list,
)
from server.clock import system_clock
from server.domain import ownership
from server.org import Denied, Org, add_rep, add_team, add_territory
from server.tokens import replace_token, revoke_tokens
from sync.protocol import rules
from sync.protocol.models import Grouping
from sync.protocol.words import counted

log = logging.getLogger("fieldrep.server")


# --------------------------------------------------------------------------- commands


def cmd_init(args: argparse.Namespace) -> int:
    open_engine(args, create=True)
    print(f"database ready: {safe_url(database_url(args))}")
    return 0


def cmd_add_team(args: argparse.Namespace) -> int:
    engine = open_engine(args)
    with db.writing(engine) as conn:
        team = add_team(conn, args.name, args.grouping)
    print(f"team {team['name']} ({team['grouping']}): {team['id']}")
    return 0


def cmd_add_territory(args: argparse.Namespace) -> int:
    if not (args.provinces or args.cities or args.industries or args.customer_types):
        print("note: a territory with no provinces, cities, industries or customer types "
              "covers every customer", file=sys.stderr)
    engine = open_engine(args)
    with db.writing(engine) as conn:
        territory = add_territory(
            conn, args.name, provinces=split_list(args.provinces), cities=split_list(args.cities),
            industries=split_list(args.industries), customer_types=split_list(args.customer_types),
        )
    print(f"territory {territory['name']}: {territory['id']}")
    return 0


def cmd_add_rep(args: argparse.Namespace) -> int:
    engine = open_engine(args)
    with db.writing(engine) as conn:
        rep, token = add_rep(conn, args.name, team=args.team,
                             territories=split_list(args.territories), role=args.role)
    _print_token(rep, token)
    return 0


def _print_token(rep: dict, token: str, note: str = "") -> None:
    """Who the token is for, then the token alone on its last line (scripts read that line)."""
    print(f"{rep['role']} {rep['name']}: {rep['id']}{note}")
    print("token (shown only now; give it to them for `fieldrep login`):")
    print(token)


def cmd_revoke_token(args: argparse.Namespace) -> int:
    engine = open_engine(args)
    with db.writing(engine) as conn:
        count = revoke_tokens(conn, Org.load(conn).find_rep(args.rep))
    print(f"revoked {counted(count, 'token')} of {args.rep}; give them a new one with "
          f"`fieldrep-server new-token {args.rep}`")
    return 0


def cmd_new_token(args: argparse.Namespace) -> int:
    engine = open_engine(args)
    with db.writing(engine) as conn:
        rep = Org.load(conn).find_rep(args.rep)
        token, revoked = replace_token(conn, rep)
    _print_token(rep, token, f" (revoked {counted(revoked, 'older token')})" if revoked else "")
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    engine = open_engine(args)
    with db.writing(engine) as conn:
        summary = ownership.assign(conn, {"id": "admin", "role": "admin", "name": "admin"},
                                   args.strategy, args.team, system_clock())
        pool = [c for c in db.all_records(conn, "customer") if not c.get("owner_id")]
        summary["uncovered"] = Org.load(conn).uncovered(pool)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0
    for decision in summary["decisions"]:
        print(f"{decision['customer']} → {decision['rep']}  ({decision['why']})")
    shares = ", ".join(f"{name} {count}" for name, count in summary["per_rep"].items())
    uncovered = summary["uncovered"]
    outside = (f"; {len(uncovered)} outside every territory (add a territory that covers them)"
               if uncovered else "")
    print(f"assigned {counted(summary['assigned'], 'customer')} by {summary['strategy']}; "
          f"{summary['skipped']} left in the pool (no eligible rep){outside}. Per rep: {shares}")
    if uncovered:
        print(f"outside every territory: {customer_list(uncovered, limit=50)}")
    return 0


def cmd_reclaim(args: argparse.Namespace) -> int:
    engine = open_engine(args)
    with db.writing(engine) as conn:
        returned = ownership.reclaim(conn, system_clock())
    for customer in returned:
        print(f"{customer['name']}: back to the pool")
    print(f"{counted(len(returned), 'customer')} returned to the pool")
    return 0


# --------------------------------------------------------------------------- parser


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Callable]]:
    parser = argparse.ArgumentParser(
        prog="fieldrep-server",
        description="The fieldrep team server: sync, the organisation and the sales rules.",
    )
    parser.add_argument("--database", metavar="URL",
                        help="sqlite:///path or postgresql+psycopg://… "
                             "(default: FIELDREP_DATABASE_URL, else sqlite:///fieldrep.db)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    runners: dict[str, Callable] = {}

    def command(name: str, runner: Callable, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        runners[name] = runner
        return p

    command("init", cmd_init, "create the database schema (safe to run again)")
    p = command("serve", serve.cmd_serve, "run the HTTP API (and return lapsed claims to the pool)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p = command("add-team", cmd_add_team, "add a team")
    p.add_argument("name")
    p.add_argument("--grouping", choices=[g.value for g in Grouping], default="region")
    p = command("add-territory", cmd_add_territory, "add a territory")
    p.add_argument("name")
    p.add_argument("--provinces", metavar="A,B")
    p.add_argument("--cities", metavar="A,B")
    p.add_argument("--industries", metavar="A,B")
    p.add_argument("--customer-types", metavar="A,B")
    p = command("add-rep", cmd_add_rep, "add a rep and print their token once")
    p.add_argument("name")
    p.add_argument("--team")
    p.add_argument("--territories", metavar="A,B", default="")
    p.add_argument("--role", choices=["rep", "manager", "admin"], default="rep")
    p = command("revoke-token", cmd_revoke_token, "revoke every token of a rep")
    p.add_argument("rep", metavar="REP")
    p = command("new-token", cmd_new_token,
                "give a rep a new token and print it once, on the last line; it replaces "
                "every older token of theirs (they revoke), so it also lets a rep whose token "
                "was revoked back in, and locks out a lost laptop")
    p.add_argument("rep", metavar="REP", help="the rep's name or id")
    p = command("assign", cmd_assign, "share the pool out to a team's reps")
    p.add_argument("--strategy", required=True, choices=list(rules.STRATEGIES))
    p.add_argument("--team")
    p.add_argument("--json", action="store_true")
    command("reclaim", cmd_reclaim, "return customers whose protection lapsed to the pool")

    runners.update(admin_cli.add_parsers(sub))
    for module in (seed, csv_import, export, suggestions):
        name, runner = module.add_parser(sub)
        runners[name] = runner
    return parser, runners


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser, runners = build_parser()
    args = parser.parse_args(argv)
    try:
        return runners[args.command](args) or 0
    except (CliError, Denied, settings.SettingsError, OSError) as error:
        print(f"fieldrep-server: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).splitlines()[0]
        print(f"fieldrep-server: database error: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
