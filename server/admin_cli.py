"""The admin's look at the organisation and its rules: `list reps|teams|territories [--json]`,
`goals show|set REP`, `policy show|set KEY=VALUE`.

Listings have a header row and align in a terminal (Chinese names take two cells a character);
``--json`` prints the records. A change is validated by the models (server/policy.py) and a bad
one is refused in one line; what changed is printed as ``key: old → new``.
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from server import db
from server.clikit import CliError, open_engine
from server.clock import system_clock
from server.org import Org, set_goals, set_policy
from server.policy import changed, check_handoffs, flat
from sync.protocol import goals as protocol_goals
from sync.protocol import rules
from sync.protocol.models import Goals, Policy


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(header: list[str], rows: Iterable[list[str]]) -> str:
    """``rows`` under ``header``, each column as wide as its widest cell, two spaces apart."""
    lines = [header, *rows]
    widths = [max(_width(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell + " " * (widths[i] - _width(cell))
                               for i, cell in enumerate(line)).rstrip() for line in lines)


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


# --------------------------------------------------------------------------- list


def _reps(org: Org) -> list[dict]:
    return [{**rep, "team": (org.teams.get(rep.get("team_id") or "") or {}).get("name"),
             "territories": [t["name"] for t in org.rep_territories(rep["id"])]}
            for rep in sorted(org.reps.values(), key=lambda r: (r["name"], r["id"]))]


def _by_name(records: dict[str, dict]) -> list[dict]:
    return sorted(records.values(), key=lambda r: (r["name"], r["id"]))


def cmd_list(args: argparse.Namespace) -> int:
    with db.reading(open_engine(args)) as conn:
        org = Org.load(conn)
    if args.what == "reps":
        reps = _reps(org)
        if args.json:
            _print_json(reps)
        else:
            print(table(["NAME", "ROLE", "TEAM", "TERRITORIES"],
                        ([r["name"], r["role"], r["team"] or "-", ",".join(r["territories"]) or "-"]
                         for r in reps)))
    elif args.what == "teams":
        teams = [{**t, "members": [org.reps[m]["name"] for m in t.get("member_ids") or []
                                   if m in org.reps]} for t in _by_name(org.teams)]
        if args.json:
            _print_json(teams)
        else:
            print(table(["NAME", "GROUPING", "MEMBERS"],
                        ([t["name"], t["grouping"], str(len(t["members"]))] for t in teams)))
    else:
        territories = _by_name(org.territories)
        if args.json:
            _print_json(territories)
        else:
            lists = ("provinces", "cities", "industries", "customer_types")
            print(table(["NAME", "PROVINCES", "CITIES", "INDUSTRIES", "CUSTOMER TYPES"],
                        ([t["name"], *(",".join(t.get(k) or []) or "any" for k in lists)]
                         for t in territories)))
    return 0


# --------------------------------------------------------------------------- goals and policy


def _show(values: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _print_json(values)
        return
    for key, value in flat(values).items():
        print(f"{key} = {json.dumps(value, ensure_ascii=False)}")


def _print_changes(before: dict[str, Any], after: dict[str, Any]) -> None:
    old, new = flat(before), flat(after)
    differences = [f"{key}: {old.get(key)} → {new.get(key)}" for key in dict.fromkeys([*new, *old])
                   if old.get(key) != new.get(key)]
    print("\n".join(differences) if differences else "nothing changed")


def _need_settings(args: argparse.Namespace) -> None:
    if args.action == "set" and not args.settings:
        raise CliError(f"{args.command} set: give at least one KEY=VALUE")
    if args.action == "show" and args.settings:
        raise CliError(f"{args.command} show takes no KEY=VALUE (did you mean set?)")


def cmd_goals(args: argparse.Namespace) -> int:
    _need_settings(args)
    engine = open_engine(args)
    if args.action == "show":
        with db.reading(engine) as conn:
            org = Org.load(conn)
            rep = org.find_rep(args.rep)
            today = rules.policy_day(org.policy, system_clock())
        current = protocol_goals.goals_at(rep, today).model_dump(mode="json")
        if args.json:
            _print_json({**current, "history": [e.model_dump(mode="json") for e in
                                                protocol_goals.history_of(rep)]})
            return 0
        _show(current, False)
        for entry in protocol_goals.history_of(rep):
            who = entry.by_name or "—"
            print(f"from {entry.effective.isoformat()} ({who}): " + ", ".join(
                f"{k}={v}" for k, v in entry.goals.model_dump(mode="json").items()))
        return 0
    now = system_clock()
    with db.writing(engine) as conn:
        org = Org.load(conn)
        rep = org.find_rep(args.rep)
        today = rules.policy_day(org.policy, now)
        try:
            effective = protocol_goals.period_start(args.period, today)
        except ValueError as error:
            raise CliError(str(error)) from None
        refusal = protocol_goals.effective_refusal(effective, today)
        if refusal is not None:
            raise CliError(refusal.text)
        before = protocol_goals.goals_at(rep, effective).model_dump(mode="json")
        after = changed(Goals, before, args.settings)
        set_goals(conn, rep, Goals.model_validate(after), "admin", effective, now, today)
    print(f"from {effective.isoformat()}:")
    _print_changes(before, after)
    return 0


def cmd_policy(args: argparse.Namespace) -> int:
    _need_settings(args)
    engine = open_engine(args)
    if args.action == "show":
        with db.reading(engine) as conn:
            policy = Org.load(conn).policy
        _show(policy.model_dump(mode="json", exclude={"version"}), args.json)
        return 0
    with db.writing(engine) as conn:
        before = Org.load(conn).policy.model_dump(mode="json", exclude={"version"})
        after = changed(Policy, before, args.settings)
        policy = Policy.model_validate(after)
        check_handoffs(policy, Org.load(conn).teams)
        set_policy(conn, policy, "admin")
    _print_changes(before, after)
    return 0


# --------------------------------------------------------------------------- parser


def add_parsers(sub: Any) -> dict[str, Callable[[argparse.Namespace], int]]:
    p = sub.add_parser("list", help="list the reps, teams or territories",
                       description="List the reps, teams or territories, with a header row.")
    p.add_argument("what", choices=["reps", "teams", "territories"])
    p.add_argument("--json", action="store_true", help="print the records as JSON")

    p = sub.add_parser("goals", help="show or set a rep's goals",
                       description="Show or set a rep's goals: " + ", ".join(Goals.model_fields)
                                   + " (visits a week; the rest a month).")
    p.add_argument("action", choices=["show", "set"])
    p.add_argument("rep", metavar="REP", help="the rep's name or id")
    p.add_argument("settings", nargs="*", metavar="KEY=VALUE",
                   help="for set: e.g. visits_per_week=12 revenue_per_month=250000")
    p.add_argument("--from", dest="period", default="today", metavar="PERIOD",
                   help="set: the period they start with: a month 2027-01, a quarter 2027-Q1, "
                        "a week 2026-W50 or a date (default today); earlier periods keep theirs")
    p.add_argument("--json", action="store_true",
                   help="show: print the goals and their history as JSON")

    p = sub.add_parser("policy", help="show or set the sales rules",
                       description="Show or set the policy every laptop reads at sync "
                                   "(as PUT /v1/policy does).")
    p.add_argument("action", choices=["show", "set"])
    p.add_argument("settings", nargs="*", metavar="KEY=VALUE",
                   help="for set: e.g. protection_days=12 cadence_days.A=14 "
                        "working_days_only=false")
    p.add_argument("--json", action="store_true", help="show: print the policy as JSON")
    return {"list": cmd_list, "goals": cmd_goals, "policy": cmd_policy}
