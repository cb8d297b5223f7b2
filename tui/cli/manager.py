"""A manager's commands: ``fieldrep assign CUSTOMER… --to REP`` (pool customers to a rep of the
team), ``fieldrep transfer CUSTOMER --to REP [--reason TEXT]`` (one customer), ``fieldrep
transfer --from REP --to REP[,REP…] [--split even|region] [--preview]`` (a rep's whole book:
the preview says who gets what and each rep's load before and after; without it the moves are
queued as one ``book.transfer`` operation) and ``fieldrep pool`` (the pool of the manager's scope,
why each customer is there and when it is claimable; a reader).

Everything is queued in the outbox and judged again by the server at the next sync
(``cache/manager.py``); a rep running them gets a one-line refusal.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from cache import Store
from sync.protocol.ownership import STRATEGY_LABELS
from sync.protocol.rules import STRATEGIES
from tui.cli.common import CliError, emit, need_session
from tui.cli.listing import add_header_flag, table
from ui.i18n import _, _n
from ui.ownership import why_text
from ui.pool_text import STAY_WHY as POOL_STAY_WHY
from ui.pool_text import rule_text
from ui.times import local_time

POOL_COLUMNS = [("CUSTOMER", 24), ("CITY", 10), ("PREVIOUS", 12), ("CLAIMABLE", 16), ("WHY", 0)]
MOVE_COLUMNS = [("CUSTOMER", 28), ("TO", 0)]
RULE_COLUMNS = [("CUSTOMER", 24), ("TO", 12), ("RULE", 0)]
LOAD_COLUMNS = [("REP", 16), ("BEFORE", 7), ("AFTER", 0)]
SPLIT_LABELS = {"even": "evenly", "region": "by region"}
STAY_WHY = {"uncovered": "no territory of the reps named covers it",
            "unmatched": "no rep named matches its region",
            "full": "every rep who could take it is at the limit"}


def _ids(store: Store, texts: list[str]) -> list[str]:
    return [store.resolve_customer(text)["id"] for text in texts]


def cmd_assign(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    if args.strategy:
        return _assign_by_strategy(args, store)
    if args.preview or args.apply:
        raise CliError(_("--preview and --apply are for an assignment by --strategy"))
    if not args.customers or not args.to:
        raise CliError(_("name the CUSTOMERs and --to REP, or share the pool out with "
                         "--strategy S --preview|--apply"))
    queued = store.assign(_ids(store, args.customers), args.to)
    emit(args, queued, lambda: _n_queued(queued, "assignment"))
    return 0


def _assign_by_strategy(args: argparse.Namespace, store: Store) -> int:
    """Q (issue 10): ``--strategy S --preview`` says who gets which pool customers (those named,
    or the whole pool of the scope) and why; ``--apply`` queues exactly that."""
    if args.preview == args.apply:
        raise CliError(_("say --preview (nothing is queued) or --apply (queue the plan)"))
    to = [t.strip() for t in (args.to or "").split(",") if t.strip()] or None
    plan = store.plan_pool(args.strategy, _ids(store, args.customers) if args.customers else None,
                           to)
    if args.preview:
        emit(args, plan, lambda: _pool_plan_text(plan, args.header))
        return 0
    queued = store.assign_plan(plan)
    emit(args, {**plan, "queued": len(queued)}, lambda: _n_queued(queued, "assignment"))
    return 0


def _pool_plan_text(plan: dict, header: bool) -> str:
    lines = table(RULE_COLUMNS, ([m["customer"], m["to_rep"], rule_text(m)]
                                 for m in plan["moves"]), header=header)
    lines += [_("{name} stays: {why}", name=s["customer"], why=_(POOL_STAY_WHY[s["why"]]))
              for s in plan["stay"]]
    lines += table(LOAD_COLUMNS, ([r["rep"], r["before"], r["after"]] for r in plan["load"]),
                   header=header)
    lines.append(_n("{n} pool customer would move ({strategy}); nothing is queued yet: run "
                    "it again with --apply",
                    "{n} pool customers would move ({strategy}); nothing is queued yet: run "
                    "it again with --apply", len(plan["moves"]), n=len(plan["moves"]),
                    strategy=_(STRATEGY_LABELS[plan["strategy"]])))
    return "\n".join(lines)


def _n_queued(queued: list[dict], what: str) -> str:
    lines = [f"{row['name']} → {row['to_rep']}" for row in queued]
    if what == "assignment":
        head = _n("{n} assignment queued; the server decides at the next sync",
                  "{n} assignments queued; the server decides at the next sync", len(queued))
    else:
        head = _n("{n} transfer queued; the server decides at the next sync",
                  "{n} transfers queued; the server decides at the next sync", len(queued))
    return "\n".join([*lines, head])


def _plan_text(plan: dict, header: bool) -> str:
    lines = table(MOVE_COLUMNS, ([m["customer"], m["to_rep"]] for m in plan["moves"]),
                  header=header)
    lines += [_("{name} stays: {why}", name=s["customer"], why=_(STAY_WHY[s["why"]]))
              for s in plan["stay"]]
    lines += table(LOAD_COLUMNS, ([r["rep"], r["before"], r["after"]] for r in plan["load"]),
                   header=header)
    lines.append(_("{moved} of {name}'s customers move ({split}); nothing is queued yet: "
                   "run it again without --preview", moved=len(plan["moves"]),
                   name=plan["from"], split=_(SPLIT_LABELS[plan["split"]])))
    return "\n".join(lines)


def cmd_transfer(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    to = [t.strip() for t in args.to.split(",") if t.strip()]
    if args.from_rep:
        if args.customer:
            raise CliError(_("give CUSTOMER or --from REP, not both"))
        plan = store.plan_book(args.from_rep, to, args.split or "even")
        if args.preview:
            emit(args, plan, lambda: _plan_text(plan, args.header))
            return 0
        if not plan["moves"]:
            raise CliError(_("none of {name}'s customers can move to the reps named",
                             name=plan["from"]))
        store.transfer_book(plan, args.reason)  # N: the whole book as one operation
        queued = [{"name": m["customer"], "to_rep": m["to_rep"]} for m in plan["moves"]]
        emit(args, {**plan, "queued": queued}, lambda: _n_queued(queued, "transfer"))
        return 0
    if not args.customer:
        raise CliError(_("name a CUSTOMER, or a rep's whole book with --from REP"))
    if args.preview or args.split:
        raise CliError(_("--preview and --split are for a book: --from REP"))
    if len(to) != 1:
        raise CliError(_("one customer goes to one rep: --to REP"))
    queued = store.transfer([(store.resolve_customer(args.customer)["id"], to[0])], args.reason)
    emit(args, queued, lambda: _n_queued(queued, "transfer"))
    return 0


def cmd_pool(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    rows = [{**row, "why": why_text(row["event"]) if row["event"] else ""}
            for row in store.manager_pool()]
    policy = store.policy
    reps = store.reps

    def line(row: dict) -> list:
        previous = row.get("previous_owner_id")
        return [row.get("name"), row.get("city"),
                (reps.get(previous) or {}).get("name") or previous or "",
                local_time(row.get("claimable_at"), policy, empty=_("now")), row["why"]]

    emit(args, rows, lambda: "\n".join(table(POOL_COLUMNS, map(line, rows), header=args.header))
         or _("no pool customers in your scope on this laptop"))
    return 0


def register(command: Callable[..., Any]) -> None:
    """Add ``assign``, ``transfer`` and ``pool`` (a reader) through the parser's helper."""
    p = command("assign", cmd_assign, "give pool customers to a rep of your team, or share "
                "the pool out by a strategy (managers)")
    p.add_argument("customers", nargs="*", metavar="CUSTOMER")
    p.add_argument("--to", metavar="REP[,REP…]")
    p.add_argument("--strategy", choices=list(STRATEGIES))
    p.add_argument("--preview", action="store_true")
    p.add_argument("--apply", action="store_true")
    add_header_flag(p)
    p = command("transfer", cmd_transfer,
                "move a customer, or a rep's whole book, to other reps (managers)")
    p.add_argument("customer", nargs="?", metavar="CUSTOMER")
    p.add_argument("--from", dest="from_rep", metavar="REP")
    p.add_argument("--to", required=True, metavar="REP[,REP…]")
    p.add_argument("--split", choices=["even", "region"])
    p.add_argument("--reason", metavar="TEXT")
    p.add_argument("--preview", action="store_true")
    add_header_flag(p)
    p = command("pool", cmd_pool, "the pool of your team's territories: why each is there")
    p.set_defaults(writes=False)
    add_header_flag(p)
