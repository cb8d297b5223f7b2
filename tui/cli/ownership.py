"""Ownership from the command line: ``fieldrep history CUSTOMER`` (who owned it and why, oldest
first: a reader, so it works offline and beside a running workspace) and ``fieldrep return
CUSTOMER --reason CODE`` (the rep gives their own customer back to the pool; it goes to the
outbox, and the server decides at the next sync).

A CUSTOMER is an id or a search matching one customer, or, for a customer no longer on this
laptop (transferred or returned), the id or name its history names.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from cache import NotFound, Store
from sync.protocol.ownership import DEFAULT_RETURN_REASONS
from tui.cli.common import emit, need_session
from tui.cli.listing import add_header_flag, table
from ui.i18n import _
from ui.ownership import kind_text, reason_text, why_text
from ui.times import local_time

HISTORY_COLUMNS = [("WHEN", 16), ("KIND", 11), ("FROM", 12), ("TO", 12), ("WHY", 0)]


def _customer_of(store: Store, text: str) -> tuple[str, str]:
    """(id, name) of the customer ``text`` names: on this laptop, else by its history."""
    try:
        customer = store.resolve_customer(text)
        return customer["id"], customer.get("name") or ""
    except NotFound:
        cid = store.ownership_customer(text)
        if cid is None:
            raise
        events = store.ownership_history(cid)
        return cid, str(events[-1].get("customer_name") or cid)


def cmd_history(args: argparse.Namespace, store: Store) -> int:
    cid, name = _customer_of(store, args.customer)
    events = [{**event, "why": why_text(event)} for event in store.ownership_history(cid)]
    policy = store.policy
    pool = _("pool")

    def row(event: dict) -> list:
        return [local_time(event.get("at"), policy), kind_text(event.get("kind")),
                event.get("from_rep_name") or (pool if event.get("kind") in ("claim", "assign",
                                                                             "transfer") else ""),
                event.get("to_rep_name") or (pool if event.get("kind") in ("return", "reclaim")
                                             else ""),
                event["why"]]

    emit(args, events, lambda: "\n".join(table(HISTORY_COLUMNS, map(row, events),
                                               header=args.header))
         or _("no ownership history of {name} on this laptop yet (it comes with the next sync)",
              name=name))
    return 0


def cmd_return(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    customer = store.resolve_customer(args.customer)
    returned = store.return_customer(customer["id"], args.reason)
    emit(args, returned, _("return of {name} queued ({reason}); the server decides at the next "
                           "sync", name=returned["name"], reason=reason_text(args.reason)))
    return 0


def register(command: Callable[..., Any]) -> None:
    """Add ``history`` (a reader) and ``return`` to the parser through its ``command`` helper."""
    p = command("history", cmd_history,
                "who owned a customer and why: claims, returns, reclaims, assignments, transfers")
    p.set_defaults(writes=False)
    p.add_argument("customer", metavar="CUSTOMER")
    add_header_flag(p)
    p = command("return", cmd_return,
                "give a customer of yours back to the pool, with a reason (the server decides)")
    p.add_argument("customer", metavar="CUSTOMER")
    p.add_argument("--reason", required=True, metavar="CODE", help=_(
        "why: one of the policy's return reasons, e.g. {codes}",
        codes=", ".join(DEFAULT_RETURN_REASONS)))
