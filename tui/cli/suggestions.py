"""``fieldrep suggestions [--json]`` and ``fieldrep suggestions accept (CUSTOMER…|--all) [--json]``.

The first lists every customer on this laptop whose order history suggests another tier or
lifecycle stage than the one it has (``cache.suggestions``; the rules are
``sync/protocol/rfm.py``), with the scores behind it: a reader, offline, beside a running
workspace. ``--json`` prints a list of objects: ``{id, name, owner, current_tier, tier,
current_stage, stage, r, f, m, recency_days, frequency, monetary}``.

``accept`` (a manager or an admin) queues the suggestion of each CUSTOMER (an id or a search
matching one), or of every listed customer with ``--all``, as an ordinary ``customer.update``
of tier and stage, sent at the next sync. It prints how many were queued; each refused one is a
line on stderr and the exit code is 1. ``--json``: ``{queued: [id…], refused: [{id, reason}]}``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cache import Store
from cache.suggestions import accept, disagreements, need_manager, suggestions_of
from sync.protocol.rfm import Suggestion
from sync.protocol.rules import policy_day
from tui.cli.common import EXIT_ERROR, EXIT_USAGE, CliError, emit, need_session, say
from tui.cli.listing import add_header_flag, table
from ui.i18n import _, _n, error_text
from ui.suggestion_text import scores_text, stage_change, tier_change

COLUMNS = [("Customer", 24), ("Owner", 12), ("Tier", 7), ("Stage", 20), ("Scores", 10),
           ("Last order", 12), ("Orders", 7), ("Amount", 0)]


def _listed(store: Store) -> list[Suggestion]:
    today = policy_day(store.policy, datetime.now(UTC))
    return disagreements(suggestions_of(store, today), store)


def _owner(customer: dict) -> str:
    return customer.get("owner_name") or (_("pool") if not customer.get("owner_id") else "?")


def cmd_suggestions(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    rows = _listed(store)
    customers = {s.customer_id: store.customer(s.customer_id) or {} for s in rows}

    def data() -> list[dict]:
        out = []
        for s in rows:
            customer = customers[s.customer_id]
            item = {"id": s.customer_id, "name": customer.get("name"),
                    "owner": customer.get("owner_name"), **s.as_json()}
            del item["customer_id"], item["disagrees"]
            out.append(item)
        return out

    def line(s: Suggestion) -> list[str]:
        customer = customers[s.customer_id]
        return [customer.get("name") or s.customer_id, _owner(customer), tier_change(s),
                stage_change(s), scores_text(s),
                _n("{n} day ago", "{n} days ago", s.recency_days or 0), str(s.frequency),
                f"{s.monetary:,.0f}"]

    def text() -> str:
        if not rows:
            return _("Every customer with orders has the tier and stage its history suggests")
        return "\n".join(table(COLUMNS, map(line, rows), header=args.header))

    emit(args, data(), text)
    return 0


def cmd_accept(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    if bool(args.customers) == bool(args.all):
        say("fieldrep suggestions accept: " + _(
            "name the customers to accept, or --all (not both) (see fieldrep suggestions accept "
            "--help)"), err=True)
        return EXIT_USAGE
    need_manager(store)
    rows = _listed(store)
    if args.all:
        chosen = rows
    else:
        by_id = {s.customer_id: s for s in rows}
        chosen = []
        for text in args.customers:
            customer = store.resolve_customer(text)
            if customer["id"] not in by_id:
                raise CliError(_("{name}: its tier and stage are what its order history "
                                 "suggests; nothing to accept", name=customer.get("name")))
            if by_id[customer["id"]] not in chosen:
                chosen.append(by_id[customer["id"]])
    done = accept(store, chosen)
    names = {s.customer_id: (store.customer(s.customer_id) or {}).get("name") or s.customer_id
             for s in chosen}
    refused = [{"id": cid, "reason": error_text(error)} for cid, error in done.refused]
    emit(args, {"queued": done.queued, "refused": refused},
         lambda: _n("{n} suggestion accepted: a customer update each, sent at the next sync",
                    "{n} suggestions accepted: a customer update each, sent at the next sync",
                    len(done.queued)))
    for item in refused:
        say(f"fieldrep: {names.get(item['id'], item['id'])}: {item['reason']}", err=True)
    return EXIT_ERROR if refused else 0


def register(command: Callable[..., Any]) -> None:
    """Add ``suggestions`` (a reader) and ``suggestions accept`` (a manager's)."""
    p = command("suggestions", cmd_suggestions, "customers whose order history suggests "
                                                 "another tier or stage")
    p.set_defaults(writes=False)
    add_header_flag(p)
    sub = p.add_subparsers(dest="suggestions_command", metavar="COMMAND", required=False)
    p = command("accept", cmd_accept, "accept suggestions: a customer update each (managers)",
                parent=sub)
    p.add_argument("customers", nargs="*", metavar="CUSTOMER",
                   help=_("a customer's id or a search matching one"))
    p.add_argument("--all", action="store_true", help=_("every customer listed"))
