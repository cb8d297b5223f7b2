"""Benchmark the day plan's route against plain nearest neighbour: ``python -m bench.plan``.

For a day of 12 (the exact solver's largest), 25 and 200 stops (customers scattered over a city
in a few clusters, as a territory is), measures, ours vs. naive (plain nearest neighbour from
the start), each the median of ``--runs`` days (a different day each run, the same days for
both):

* the time to order the stops, the distance matrix included (``route(distance_matrix(…))``);
* the length of the route in km, and ours/naive (below 1: ours is shorter);
* the whole plan of 25 stops (``plan_day``: route, legs, times) and its two exports.

Prints a table with the ratio naive/ours and, with ``--json FILE``, writes the flat figures.
The budgets (issue 12): 25 stops ≤ 20 ms, 200 stops ≤ 1 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime

from bench._common import write_json

SIZES = (12, 25, 200)
BUDGET_MS = {25: 20.0, 200: 1000.0}


def day_points(stops: int, seed: int) -> list[tuple[float, float]]:
    """A start and ``stops`` customers: a home at the edge of a city (Shanghai's size) and the
    customers in 2–6 districts, a few of them far out."""
    rng = random.Random(seed)
    lat0, lon0 = 31.23, 121.47
    centres = [(lat0 + rng.uniform(-.25, .25), lon0 + rng.uniform(-.3, .3))
               for _ in range(rng.randint(2, 6))]
    points = [(lat0 + rng.uniform(-.3, .3), lon0 + rng.uniform(-.3, .3))]
    for _ in range(stops):
        if rng.random() < 0.1:
            points.append((lat0 + rng.uniform(-.4, .4), lon0 + rng.uniform(-.5, .5)))
        else:
            lat, lon = rng.choice(centres)
            points.append((lat + rng.gauss(0, .03), lon + rng.gauss(0, .03)))
    return points


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, result


def measure_route(stops: int, runs: int, seed: int) -> dict[str, float]:
    from cache.route import distance_matrix, nearest_neighbour, path_length, route

    def ours(points):
        return route(distance_matrix(points))[0]

    def naive(points):
        return nearest_neighbour(distance_matrix(points))

    ours_ms, naive_ms, ours_km, naive_km, ratios = [], [], [], [], []
    for run in range(runs):
        points = day_points(stops, seed * 1000 + run)
        dist = distance_matrix(points)
        ms, order = _timed(ours, points)
        ours_ms.append(ms)
        ms, plain = _timed(naive, points)
        naive_ms.append(ms)
        length, plain_length = path_length(dist, order), path_length(dist, plain)
        ours_km.append(length)
        naive_km.append(plain_length)
        ratios.append(length / plain_length if plain_length else 1.0)
    med = statistics.median
    return {f"route_{stops}_ms": med(ours_ms), f"naive_route_{stops}_ms": med(naive_ms),
            f"route_{stops}_max_ms": max(ours_ms),
            f"route_{stops}_km": med(ours_km), f"naive_route_{stops}_km": med(naive_km),
            f"length_ratio_{stops}": med(ratios), f"length_ratio_{stops}_worst": max(ratios)}


def _export(plan) -> tuple[str, str]:
    from cache.plan import plan_ical, plan_text

    return plan_text(plan), plan_ical(plan, stamp=datetime(2026, 3, 11, tzinfo=UTC))


def measure_plan(stops: int, runs: int, seed: int) -> dict[str, float]:
    from cache.plan import PlanSettings, plan_day

    settings = PlanSettings()
    plan_ms, export_ms = [], []
    for run in range(runs):
        points = day_points(stops, seed * 1000 + run)
        customers = [{"id": f"c{k:04d}", "name": f"上海客户 {k}", "address": f"浦东新区 {k} 号",
                      "city": "上海", "lat": lat, "lon": lon}
                     for k, (lat, lon) in enumerate(points[1:])]
        ms, plan = _timed(plan_day, customers, date(2026, 3, 12), start=points[0],
                          settings=settings)
        plan_ms.append(ms)
        ms, _ = _timed(_export, plan)
        export_ms.append(ms)
    return {f"plan_day_{stops}_ms": statistics.median(plan_ms),
            f"export_{stops}_ms": statistics.median(export_ms)}


def print_rows(title: str, rows: list[tuple[str, float, float | None, str]]) -> str:
    """Print rows of (figure, ours, naive, unit) with the ratio ours/naive (below 1: ours is
    shorter or faster; ``bench._common.print_table`` gives naive/ours, which rounds a naive
    time a hundred times shorter to 0.0×); return the text."""
    cells = [("figure", "ours", "naive", "ours/naive")]
    for label, ours, naive, unit in rows:
        ratio = "—" if not naive else f"{ours / naive:.3f}" if ours < 10 * naive else \
            f"{ours / naive:,.0f}×"
        cells.append((label, _fmt(ours, unit), "—" if naive is None else _fmt(naive, unit), ratio))
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    lines = [title]
    for n, row in enumerate(cells):
        lines.append("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                               for i, cell in enumerate(row)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def _fmt(value: float, unit: str) -> str:
    return f"{value:.2f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.plan",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="days measured per size (median)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--json", metavar="FILE", help="write the figures as one JSON object")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    figures: dict[str, float] = {"runs": args.runs}
    for stops in SIZES:
        figures.update(measure_route(stops, args.runs, args.seed))
    figures.update(measure_plan(25, args.runs, args.seed))
    for stops, budget in BUDGET_MS.items():
        figures[f"route_{stops}_budget_ms"] = budget
    rows: list[tuple[str, float, float | None, str]] = []
    for stops in SIZES:
        exact = " (exact)" if stops <= 12 else ""
        rows += [
            (f"order {stops} stops{exact}", figures[f"route_{stops}_ms"],
             figures[f"naive_route_{stops}_ms"], "ms"),
            (f"  route length, {stops} stops", figures[f"route_{stops}_km"],
             figures[f"naive_route_{stops}_km"], "km"),
        ]
    rows += [("plan_day 25 stops (route, legs, times)", figures["plan_day_25_ms"], None, "ms"),
             ("  text + iCalendar export", figures["export_25_ms"], None, "ms")]
    print_rows(f"bench.plan — median of {args.runs} days per size; naive: plain nearest "
               "neighbour", rows)
    ratios = ", ".join(f"{stops} stops {figures[f'length_ratio_{stops}']:.3f} "
                       f"(worst {figures[f'length_ratio_{stops}_worst']:.3f})" for stops in SIZES)
    print(f"length ours/naive, median of the days: {ratios}")
    verdicts = []
    for stops, budget in BUDGET_MS.items():
        took = figures[f"route_{stops}_ms"]
        verdicts.append(f"{stops} stops {took:.1f} ms of {budget:.0f} ms "
                        f"({'ok' if took <= budget else 'OVER'})")
    print("budgets: " + "; ".join(verdicts), flush=True)
    write_json(args.json, figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
