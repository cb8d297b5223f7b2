"""Goals from the command line (O, issue 10): ``fieldrep goals [--rep REP] [--json]`` (the goals in
effect today and their history: a rep's own; a manager's, every rep of the team, or one) and
``fieldrep goals set REP --period P [--visits N] [--revenue N] [--coverage PCT]
[--new-customers N] [--satisfaction X]`` (a manager, for a rep of the team, from the period P
names on: a month ``2027-01``, a quarter ``2027-Q1``, a week ``2026-W50`` or a date; queued as
``rep.goals``, judged by the server, seen by the rep after their next sync). Earlier periods keep
their goals: the figures of December stay measured against December's.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from cache import Store
from cache.errors import Refused
from cache.team import MANAGING_ROLES, team_reps
from sync.protocol import goals as protocol_goals
from tui.cli.common import emit, need_session
from ui.i18n import _

SETTINGS = (("visits", "visits_per_week"), ("revenue", "revenue_per_month"),
            ("coverage", "a_coverage_pct"), ("new_customers", "new_customers_per_month"),
            ("satisfaction", "satisfaction_target"))
"""The flags of ``goals set`` and the goal each sets."""


def goal_lines(goals: dict) -> list[str]:
    """The goals as a person reads them, one a line, in the UI's language."""
    return [
        _("visits: {n} a week", n=goals["visits_per_week"]),
        _("A-customer coverage: {pct}%", pct=goals["a_coverage_pct"]),
        _("new customers: {n} a month", n=goals["new_customers_per_month"]),
        _("revenue: {amount} a month", amount=f"{goals['revenue_per_month']:,.0f}"),
        _("satisfaction: {score} of 5", score=f"{goals['satisfaction_target']:.1f}"),
    ]


def goals_view(store: Store, rep: dict) -> dict[str, Any]:
    """One rep's goals as ``fieldrep goals --json`` prints them."""
    today = store.today()
    return {"rep_id": rep["id"], "rep_name": rep.get("name"),
            "goals": protocol_goals.goals_at(rep, today).model_dump(mode="json"),
            "pending": bool(rep.get("pending_goals")),
            "history": [e.model_dump(mode="json") for e in protocol_goals.history_of(rep)
                        if e.effective > protocol_goals.ORIGIN]}


def _text(view: dict) -> str:
    head = view["rep_name"] or view["rep_id"]
    if view["pending"]:
        head += "  " + _("(changed here, not yet synced)")
    lines = [head, *("  " + line for line in goal_lines(view["goals"]))]
    if view["history"]:
        lines.append("  " + _("history:"))
        for entry in reversed(view["history"]):
            lines.append("    " + _("from {day}, set by {who}: {goals}", day=entry["effective"],
                                    who=entry.get("by_name") or "—",
                                    goals="; ".join(goal_lines(entry["goals"]))))
    return "\n".join(lines)


def cmd_goals(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    me = store.me or {}
    managing = me.get("role") in MANAGING_ROLES
    mine = store.reps.get(me.get("id") or "") or me
    if args.rep and managing:
        chosen = [store.team_rep(args.rep)]
    elif args.rep and args.rep not in (mine.get("id"), mine.get("name")):
        raise Refused("goals.own_team")  # a rep reads only their own
    else:
        chosen = team_reps(store) if managing else [mine]
    views = [goals_view(store, rep) for rep in chosen if rep.get("id")]
    data: Any = views[0] if len(views) == 1 and (args.rep or not managing) else views
    emit(args, data, lambda: "\n\n".join(map(_text, views)) or _("no reps on this laptop"))
    return 0


def cmd_goals_set(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    values = {goal: getattr(args, flag) for flag, goal in SETTINGS
              if getattr(args, flag) is not None}
    rep = store.set_goals(args.rep, values, args.period)
    view = goals_view(store, rep)
    emit(args, view, lambda: _("goals of {rep} queued; the server decides at the next sync",
                               rep=view["rep_name"]) + "\n" + _text(view))
    return 0


def register(command: Callable[..., Any]) -> None:
    """Add ``goals`` (a reader) and ``goals set`` (a manager's) through ``command``."""
    p = command("goals", cmd_goals, "goals in effect and their history (a manager: the team's)")
    p.set_defaults(writes=False)
    p.add_argument("--rep", metavar="REP", help=_("one rep, by name or id"))
    sub = p.add_subparsers(dest="goals_command", metavar="COMMAND", required=False)
    p = command("set", cmd_goals_set, "a manager sets a rep's goals from a period on",
                parent=sub)
    p.add_argument("rep", metavar="REP", help=_("the rep's name or id"))
    p.add_argument("--period", required=True, metavar="P", help=_(
        "the period they start with: a month 2027-01, a quarter 2027-Q1, a week 2026-W50 or a "
        "date (today, +1w, 2027-01-15); earlier periods keep theirs"))
    p.add_argument("--visits", type=int, metavar="N", help=_("visits a week"))
    p.add_argument("--revenue", type=float, metavar="N", help=_("revenue (order amounts) a month"))
    p.add_argument("--coverage", type=int, metavar="PCT",
                   help=_("share of A customers seen within their cadence, in %%"))
    p.add_argument("--new-customers", type=int, metavar="N", help=_("new customers a month"))
    p.add_argument("--satisfaction", type=float, metavar="X",
                   help=_("average satisfaction target, 1 to 5"))
