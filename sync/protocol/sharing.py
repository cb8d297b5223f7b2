"""Sharing customers out among reps, one pure function for the server and the laptop: the pool
assigned by a strategy (``server/domain/ownership.assign``) and a rep's book split among other
reps (``fieldrep transfer --from A --to B,C --split even|region``, previewed on the laptop and
then queued as one ``customer.transfer`` each). The same inputs give the same plan on both sides,
so what the preview shows is what the queued operations do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sync.protocol import rules

SPLITS = {"even": "round-robin", "region": "region"}
"""A book's split (``--split``) as the assignment strategy it runs."""


@dataclass
class Move:
    customer: dict
    rep: dict
    why: str
    count: int
    """How many this rep had been given this round before this one."""
    eligible: int
    """How many reps under max_held could have taken it."""


@dataclass
class Plan:
    moves: list[Move] = field(default_factory=list)
    uncovered: list[dict] = field(default_factory=list)
    """Customers no territory of the reps covers: they stay."""
    unmatched: list[dict] = field(default_factory=list)
    """Customers the strategy gives to none of the covering reps (no region match): they stay."""
    full: list[dict] = field(default_factory=list)
    """Customers whose eligible reps are all at max_held: they stay."""
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    """Customers held per rep id, before and after the plan."""


def plan(strategy: str, customers: Sequence[dict], reps: Sequence[dict],
         covers: Callable[[dict, dict], bool],
         territories_of: Callable[[str], Sequence[dict]], held: dict[str, int],
         max_held: int, covering: Callable[[dict], list[dict]] | None = None) -> Plan:
    """Give each of ``customers`` (in order) to one of ``reps`` by ``strategy``: only to a rep
    who ``covers(rep, customer)``, by ``rules.eligible_for`` and ``rules.choose_assignee``, the
    customers fewest reps may take first, never a rep beyond ``max_held`` (``held`` per rep id
    counts what they hold now). ``covering(customer)``, when given, is the reps of ``reps``
    (in order) who cover it: the same as asking ``covers`` of each, done faster by a caller
    that knows many reps share their territories."""
    result = Plan(before={r["id"]: held.get(r["id"], 0) for r in reps})
    load = dict(result.before)
    this_round = {r["id"]: 0 for r in reps}
    work = []
    for customer in customers:
        covering_reps = (covering(customer) if covering is not None
                         else [r for r in reps if covers(r, customer)])
        if not covering_reps:
            result.uncovered.append(customer)
            continue
        work.append((customer, rules.eligible_for(strategy, customer, covering_reps,
                                                  territories_of)))
    work.sort(key=lambda item: len(item[1]))
    for customer, eligible in work:
        if not eligible:
            result.unmatched.append(customer)
            continue
        choice = rules.choose_assignee(strategy, eligible, this_round, load, max_held)
        if choice is None:
            result.full.append(customer)
            continue
        chosen, why = choice
        result.moves.append(Move(customer, chosen, why, this_round[chosen["id"]],
                                 sum(1 for r in eligible if load[r["id"]] < max_held)))
        this_round[chosen["id"]] += 1
        load[chosen["id"]] += 1
    result.after = load
    return result
