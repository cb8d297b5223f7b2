"""Complaints from the command line (helper K, issue 10): ``fieldrep complaints [--all]`` (the
open complaints of the rep's scope — a manager's: the team's — oldest first, with severity, age,
the SLA's due times and whether one was missed: a reader, beside a running workspace) and
``fieldrep complaint respond|resolve ID --text TEXT`` (queued in the outbox; the server records
the time at the next sync, and a resolution schedules the owner's satisfaction re-visit) and, for
a manager, ``fieldrep complaint assign ID --to REP`` (gives it to a rep of the team, who may then
answer it; queued as ``feedback.assign``, judged by the server).

ID is a complaint's id or its first letters (``fieldrep complaints`` shows them).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cache import Store
from tui.cli.common import emit, need_session
from tui.cli.listing import add_header_flag, limit, table
from ui.complaint_text import age_text, severity_text, sla_state
from ui.i18n import _
from ui.times import SHORT, local_time

COLUMNS = [("SEVERITY", 8), ("AGE", 8), ("RESPOND BY", 11), ("RESOLVE BY", 11), ("SLA", 15),
           ("CUSTOMER", 16), ("OWNER", 10), ("ASSIGNED", 10), ("COMPLAINT", 24), ("ID", 0)]
"""The id comes last and whole: ids made within the same minute share their first letters."""


def cmd_complaints(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    rows = store.complaints(datetime.now(UTC), include_resolved=args.all)[:args.limit]
    policy = store.policy

    def row(c: dict) -> list:
        sla = c["sla"]
        return [severity_text(sla["severity"]), age_text(sla["age_hours"]),
                local_time(sla["respond_due"], policy, SHORT),
                local_time(sla["resolve_due"], policy, SHORT), sla_state(c),
                c.get("customer_name"), c.get("owner_name") or _("pool"),
                c.get("assignee_name") or "",
                " ".join(str(c.get("text") or "").split()), c["id"]]

    emit(args, rows, lambda: "\n".join(table(COLUMNS, map(row, rows), header=args.header))
         or (_("no complaints on this laptop") if args.all else _("no open complaints")))
    return 0


def cmd_respond(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    record = store.respond_to_complaint(args.complaint, args.text)
    customer = store.customer(record["customer_id"]) or {}
    emit(args, record, _("response to the complaint of {name} queued; the server records its "
                         "time at the next sync", name=customer.get("name") or record["customer_id"]))
    return 0


def cmd_resolve(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    record = store.resolve_named_complaint(args.complaint, args.text)
    customer = store.customer(record["customer_id"]) or {}
    emit(args, record, _(
        "resolution of the complaint of {name} queued; after the next sync its owner gets a "
        "satisfaction re-visit in {days} days", name=customer.get("name") or record["customer_id"],
        days=store.policy.revisit_days))
    return 0


def cmd_assign(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    record = store.assign_complaint(args.complaint, args.to)
    customer = store.customer(record["customer_id"]) or {}
    rep = store.reps.get(record["assignee_id"]) or {}
    emit(args, record, _("the complaint of {name} given to {rep}; the server decides at the next "
                         "sync", name=customer.get("name") or record["customer_id"],
                         rep=rep.get("name") or args.to))
    return 0


def register(command: Callable[..., Any]) -> None:
    """Add ``complaints`` (a reader) and ``complaint respond|resolve`` through ``command``."""
    p = command("complaints", cmd_complaints,
                "open complaints oldest first, with severity, age and the SLA (a manager: the "
                "team's)")
    p.set_defaults(writes=False)
    p.add_argument("--all", action="store_true", help=_("resolved complaints too"))
    p.add_argument("--limit", type=limit, default=200, metavar="N",
                   help=_("at most N complaints (default 200)"))
    add_header_flag(p)
    group = command("complaint", None, "respond to, resolve or assign a complaint",
                    json_flag=False)
    sub = group.add_subparsers(dest="complaint_command", metavar="COMMAND", required=True)
    for name, runner, help_text, text_help in (
            ("respond", cmd_respond, "add a response to a complaint; the first one meets the "
                                     "SLA's first response",
             "what you did or told the customer"),
            ("resolve", cmd_resolve, "resolve a complaint with what was done; its owner gets a "
                                     "satisfaction re-visit",
             "how it was resolved")):
        p = command(name, runner, help_text, parent=sub)
        p.add_argument("complaint", metavar="ID", help=_("a complaint id or its first letters"))
        p.add_argument("--text", required=True, help=_(text_help))
    p = command("assign", cmd_assign, "a manager gives a complaint to a rep of the team",
                parent=sub)
    p.add_argument("complaint", metavar="ID", help=_("a complaint id or its first letters"))
    p.add_argument("--to", required=True, metavar="REP", help=_("the rep's name or id"))
