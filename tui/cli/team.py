"""``fieldrep team [--period week|month|quarter] [--json]``: the manager's team figures, a reader.

One row per rep of the manager's team (an admin: every rep) for the current week, month or
quarter, and the team's total: the same figures as the Team screen (``5``), from the same
function (``cache.team.team_figures``, which calls ``cache.figures.figures_of`` per rep), read
off this laptop's records, offline. Each figure beside its goal scaled to the period, with a
mark for how it stands (✓ met, ~ near or on pace, ! behind). A rep gets a one-line refusal.

``--json`` prints one object: ``{period, team, cap, reps: [...], total}``, each figure as
``{actual, goal, standing}``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cache import Store
from cache.figures import PERIOD_KINDS, period_of
from cache.team import COLUMNS, team_figures
from sync.protocol.rules import policy_day
from tui.cli.common import emit, need_session
from tui.cli.listing import add_header_flag, table
from ui.i18n import _
from ui.team_text import CLI_TITLES, cell_text, legend, period_text

WIDTHS = {"name": 16, "visits": 10, "a_coverage": 10, "new_customers": 8, "revenue": 20,
          "satisfaction": 10, "overdue": 8, "complaints": 10, "held": 10, "claims": 6,
          "last_sync": 0}


def _amount(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def cmd_team(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    now = datetime.now(UTC)
    period = period_of(args.period, policy_day(store.policy, now))
    team = team_figures(store, now, period)
    columns = [(CLI_TITLES[key], WIDTHS[key]) for key in COLUMNS]

    def line(row: Any) -> list[str]:
        name = row.name if row.rep_id is not None else _("Team total")
        return [name, *(cell_text(key, row.measures[key], _amount) for key in COLUMNS[1:])]

    def text() -> str:
        head = " · ".join(p for p in (team.team, period_text(team.period, team.today)) if p)
        if not team.rows:
            return head + "\n" + _("no reps of your team on this laptop yet: run fieldrep sync")
        rows = [*team.rows, team.total]
        return "\n".join([head, *table(columns, map(line, rows), header=args.header),
                          legend(team.cap)])

    emit(args, team.as_json(), text)
    return 0


def register(command: Callable[..., Any]) -> None:
    """Add ``team`` (a reader) through the parser's helper."""
    p = command("team", cmd_team, "each rep's figures for the period against their goals, and "
                                  "the team's total (managers)")
    p.set_defaults(writes=False)
    p.add_argument("--period", choices=PERIOD_KINDS, default="week",
                   help=_("the current week (default), month or quarter"))
    add_header_flag(p)
