"""``fieldrep-server suggestions [--team TEAM] [--json]``: the tier and stage suggestions from order
history, for an admin at the server (issue 12).

The same function as the laptops' (``sync.protocol.rfm.suggest``, whose doc has the rules), over
the server's records: with ``--team``, the customers of that team (owned by one of its reps, or
in the pool of its reps' territories), ranked among themselves, as the team's manager's laptop
ranks them; without it, every customer, ranked across the organisation. It lists the customers
whose suggestion differs from their tier or stage and changes nothing: a manager accepts on
their laptop (``fieldrep suggestions accept``), as an ordinary customer update. ``--json``
prints a list of ``{id, name, owner, current_tier, tier, current_stage, stage, r, f, m,
recency_days, frequency, monetary}``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from server import db
from server.clock import system_clock
from server.org import Org
from sync.protocol import rules
from sync.protocol.rfm import Suggestion, suggest, visit_orders


def team_customers(org: Org, customers: Sequence[dict], team_id: str) -> list[dict]:
    """The customers of a team: owned by one of its reps, or unowned in one's territory."""
    members = {r["id"] for r in org.team_members(team_id)}
    out = []
    for customer in customers:
        owner = customer.get("owner_id")
        if owner in members or (not owner and org.covering_reps(customer) & members):
            out.append(customer)
    return out


def team_suggestions(conn: Connection, team: str | None, today: date | None = None
                     ) -> list[tuple[dict, Suggestion]]:
    """(customer, suggestion) for every customer of ``team`` (a name or id; None: all) whose
    suggestion differs from its tier or stage, by name."""
    org = Org.load(conn)
    customers = db.all_records(conn, "customer")
    if team is not None:
        customers = team_customers(org, customers, org.find_team(team)["id"])
    today = today or rules.policy_day(org.policy, system_clock())
    found = suggest(customers, visit_orders(db.all_records(conn, "visit"), org.policy), today)
    rows = [(c, found[c["id"]]) for c in customers if found[c["id"]].disagrees]
    return sorted(rows, key=lambda row: (str(row[0].get("name") or "").casefold(), row[0]["id"]))


def as_row(customer: dict, suggestion: Suggestion) -> dict[str, Any]:
    row = {"id": customer["id"], "name": customer.get("name"), "owner": customer.get("owner_name"),
           **suggestion.as_json()}
    del row["customer_id"], row["disagrees"]
    return row


def _change(now: str, then: str | None) -> str:
    return f"{now} → {then}" if then is not None and then != now else now


def run(args: argparse.Namespace) -> int:
    from server.clikit import open_engine

    with db.reading(open_engine(args)) as conn:
        rows = team_suggestions(conn, args.team)
    if args.json:
        print(json.dumps([as_row(c, s) for c, s in rows], ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print("every customer with orders has the tier and stage its history suggests")
        return 0
    for customer, s in rows:
        print(f"{customer.get('name')}  ({customer.get('owner_name') or 'pool'})  "
              f"tier {_change(s.current_tier, s.tier)}  "
              f"stage {_change(s.current_stage, s.stage)}  R{s.r} F{s.f} M{s.m}  "
              f"last order {s.recency_days} days ago, {s.frequency} orders, "
              f"{s.monetary:,.0f} in 365 days")
    print(f"{len(rows)} customers' tier or stage differ from what their order history "
          "suggests; a manager accepts them with `fieldrep suggestions accept`")
    return 0


def add_parser(sub: Any) -> tuple[str, Any]:
    p = sub.add_parser("suggestions", help="customers whose order history suggests another tier "
                                           "or stage (read-only)",
                       description="List the customers whose order history (visits' order "
                                   "amounts and imported orders_12m/revenue_12m/last_order_at) "
                                   "suggests another tier or lifecycle stage, with their RFM "
                                   "scores. Changes nothing.")
    p.add_argument("--team", metavar="TEAM", help="one team (name or id), ranked within it")
    p.add_argument("--json", action="store_true")
    return "suggestions", run
