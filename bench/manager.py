"""``python -m bench.manager --reps 200 --customers 50000 [--json FILE]``: the manager's desk.

A manager's laptop holding a team of ``--reps`` reps and ``--customers`` customers (a fifth of
them in the pool, the rest held by the reps, with a month of visits), filled through the
bootstrap path a sync uses; the App runs headless at 120×40. Beside each figure, the naive way
measured in the same run:

- ``team_first_paint_s``: a fresh Team screen until its table holds every rep and the total and
  a frame was rendered (median of 3). Naive: the same figures with each rep's records found by a
  scan of all of them (``figures_of`` per rep over every customer, visit and follow-up); the
  naive figures are the computing alone, no screen drawn: a lower bound of the naive way.
- ``team_period_switch_s``: ``p`` until the next frame (median of 6). Naive: as above.
- ``pool_first_paint_s``: a fresh Pool screen until its list holds every pool customer of the
  scope (median of 3). Naive: a DataTable filled with every pool row, every cell worked out.
- ``pool_filter_p95_ms``: a keystroke in the Pool screen's filter until the list holds the
  matches, over typed queries (pinyin, city, reason). Naive: each keystroke works out every
  row's text again and scans it.
- ``preview_5000_s``: ``store.plan_pool`` of 5,000 pool customers by round-robin and the
  preview screen painted with its 5,000 rows. Naive: the same plan with each rep's load counted
  again from every customer for each decision (measured on 250 customers, scaled ×20).
- ``transfer_5000_s``: a rep's book of 5,000 customers moved end to end through a real server
  process on loopback (SQLite): the manager queues it (one ``book.transfer``) and syncs, then
  the rep who gives and the two who take sync, until every cache agrees. Naive: the same 5,000
  moves as 5,000 ``customer.transfer`` operations.

Budgets (issue 10): first paint ≤ 0.5 s, filter ≤ 10 ms p95, preview ≤ 1 s, transfer ≤ 10 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._common import percentile, print_table, write_json

NOW = datetime(2026, 11, 23, 2, tzinfo=UTC)
BUDGETS = {"team_first_paint_s": 0.5, "pool_first_paint_s": 0.5, "pool_filter_p95_ms": 10.0,
           "preview_5000_s": 1.0, "transfer_5000_s": 10.0}
QUERIES = ("ningbo", "zgsh", "上海", "hangzhou", "returned", "li wei")
PROVINCES = {"上海": ["上海"], "江苏": ["南京", "苏州"], "浙江": ["杭州", "宁波"]}
_SYLLABLES = ["中国", "上海", "石化", "华东", "江苏", "浙江", "电子", "机械", "食品", "医药",
              "科技", "物流", "钢铁", "纺织", "能源", "建设", "银行", "港务", "汽车", "光能"]
PREVIEW = 5_000
NAIVE_PREVIEW_SAMPLE = 250


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def build_store(home: Path, reps: int, customers: int, seed: int = 7) -> None:
    """The manager's laptop: a team of ``reps``, ``customers`` (a fifth in the pool), visits."""
    from cache import Store
    from sync.protocol.search_keys import pinyin_keys

    rnd = random.Random(seed)
    team = [{"id": f"rep-{i:04d}", "name": f"Rep {i:04d}", "role": "rep",
             "team_id": "team-bench", "territory_ids": ["terr-bench"], "version": 1}
            for i in range(reps)]
    me = {"id": "rep-boss", "name": "Zhao Min", "role": "manager", "team_id": "team-bench",
          "territory_ids": ["terr-bench"]}
    head = [{"entity": "rep", "id": r["id"], "op": "upsert", "record": r}
            for r in [*team, {**me, "version": 1}]]
    head.append({"entity": "team", "id": "team-bench", "op": "upsert", "record": {
        "id": "team-bench", "name": "East", "member_ids": [r["id"] for r in team],
        "version": 1}})
    head.append({"entity": "territory", "id": "terr-bench", "op": "upsert", "record": {
        "id": "terr-bench", "name": "华东", "provinces": list(PROVINCES), "version": 1}})
    with Store.open(home) as store:
        store.save_session("http://127.0.0.1:9", me, "device-boss", "bench-token")
        page: list[dict] = list(head)

        def flush(last: bool = False) -> None:
            nonlocal page
            store.apply_bootstrap_page(page, None if last else "more", "cursor-bench", last)
            page = []

        for index in range(customers):
            name = "".join(rnd.choice(_SYLLABLES) for _ in range(3)) + f"{index}"
            province = rnd.choice(list(PROVINCES))
            owner = None if index % 5 == 0 else team[index % reps]
            record = {
                "id": f"cust-{index:06d}", "name": name, "province": province,
                "city": rnd.choice(PROVINCES[province]), "industry": rnd.choice(["制造", "能源"]),
                "customer_type": "B2B", "tier": rnd.choice("ABC"), "stage": "active",
                "search_keys": pinyin_keys(name), "version": 1,
                "owner_id": owner["id"] if owner else None,
                "owner_name": owner["name"] if owner else None,
                "claimed_at": (NOW - timedelta(days=20)).isoformat() if owner else None,
                "protected_until": (NOW + timedelta(days=10)).isoformat() if owner else None,
                "last_visit_at": (NOW - timedelta(days=rnd.randint(1, 60))).isoformat()
                if owner else None,
            }
            if owner is None and index % 2 == 0:  # returned by a rep, with its history
                giver = team[(index // 5) % reps]
                record["previous_owner_id"] = giver["id"]
                record["cooloff_until"] = (NOW + timedelta(days=5)).isoformat()
                page.append({"entity": "ownership", "id": f"own-{index}", "op": "upsert",
                             "record": {"id": f"own-{index}", "customer_id": record["id"],
                                        "customer_name": name, "n": 2, "kind": "return",
                                        "at": (NOW - timedelta(days=3)).isoformat(),
                                        "actor_id": giver["id"], "actor_name": giver["name"],
                                        "from_rep_id": giver["id"],
                                        "from_rep_name": giver["name"],
                                        "reason": "history.returned",
                                        "params": {"who": giver["name"],
                                                   "reason": "not_interested"},
                                        "version": 1}})
            page.append({"entity": "customer", "id": record["id"], "op": "upsert",
                         "record": record})
            if owner is not None and index % 2:
                at = NOW - timedelta(days=rnd.randint(0, 30), hours=rnd.randint(0, 8))
                page.append({"entity": "visit", "id": f"visit-{index}", "op": "upsert",
                             "record": {"id": f"visit-{index}", "customer_id": record["id"],
                                        "rep_id": owner["id"], "at": at.isoformat(),
                                        "kind": "visit", "outcome": "bench",
                                        "amount": 1000.0 if index % 7 == 0 else None,
                                        "version": 1}})
            if len(page) >= 2000:
                flush()
        flush(last=True)


# ---------------------------------------------------------------------------- the screens


def _frames(app) -> list[float]:
    from bench.tui import _watch_frames

    return _watch_frames(app)


async def _until(pilot, done, limit: float = 30.0) -> None:
    started = time.perf_counter()
    while not done():
        if time.perf_counter() - started > limit:
            raise SystemExit("bench.manager: a screen did not fill in time")
        await pilot.pause(0.001)


def _next_frame(frames: list[float], after: float) -> float:
    later = [moment for moment in frames if moment > after]
    return later[0] if later else time.perf_counter()


def run_screens(home: Path) -> dict[str, float]:
    from cache import Store
    from screens.pool import PoolScreen
    from screens.team import TeamScreen
    from tui.app import FieldRepApp
    from ui.widgets.list_table import ListTable
    from ui.widgets.pool_list import PoolList
    from ui.widgets.team_table import TeamTable

    figures: dict[str, float] = {}
    store = Store.open(home)
    reps = len([r for r in store.reps.values() if r.get("role") == "rep"])
    pool_ids = [c["id"] for c in store.manager_pool()]
    app = FieldRepApp(store, None, lang="en", clock=lambda: NOW)
    frames = _frames(app)

    async def autopilot(pilot) -> None:
        await pilot.pause()
        paints = []
        for _ in range(3):
            started = time.perf_counter()
            screen = TeamScreen()
            await app.push_screen(screen)
            await _until(pilot, lambda s=screen: s.query_one(TeamTable).row_count == reps + 1)
            done = time.perf_counter()
            await pilot.pause()
            paints.append(_next_frame(frames, done) - started)
            app.pop_screen()
            await pilot.pause()
        figures["team_first_paint_s"] = statistics.median(paints)
        screen = TeamScreen()
        await app.push_screen(screen)
        await _until(pilot, lambda: screen.query_one(TeamTable).row_count == reps + 1)
        switches = []
        for _ in range(6):
            started = time.perf_counter()
            await pilot.press("p")
            await pilot.pause()
            switches.append(_next_frame(frames, started) - started)
        figures["team_period_switch_s"] = statistics.median(switches)
        app.pop_screen()
        await pilot.pause()

        paints = []
        for _ in range(3):
            started = time.perf_counter()
            pool = PoolScreen()
            await app.push_screen(pool)
            await _until(pilot, lambda p=pool: p.query_one(PoolList).row_count == len(pool_ids))
            done = time.perf_counter()
            await pilot.pause()
            paints.append(_next_frame(frames, done) - started)
            if len(paints) < 3:
                app.pop_screen()
                await pilot.pause()
        figures["pool_first_paint_s"] = statistics.median(paints)
        figures["pool_customers"] = len(pool_ids)
        box = pool.query_one("#filter")
        box.focus()
        typed = []
        for query in QUERIES:
            for length in range(1, len(query) + 1):
                box.value = query[:length]
                await pilot.pause()
                typed.append(pool.last_filter_ms)
            box.value = ""
            await pilot.pause()
        figures["pool_filter_p50_ms"] = statistics.median(typed)
        figures["pool_filter_p95_ms"] = percentile(typed, 95)

        from screens.assign_preview import AssignPreview

        started = time.perf_counter()
        plan = store.plan_pool("round-robin", pool_ids[:PREVIEW])
        figures["preview_plan_s"] = time.perf_counter() - started
        preview = AssignPreview(plan)
        await app.push_screen(preview)
        await _until(pilot, lambda: preview.query_one("#preview-moves", ListTable).row_count
                     == len(plan["moves"]) + len(plan["stay"]))
        done = time.perf_counter()
        await pilot.pause()
        figures["preview_5000_s"] = _next_frame(frames, done) - started
        figures["preview_moves"] = len(plan["moves"])
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=autopilot)
    figures.update(_naive_screens(store, pool_ids))
    store.close()
    return figures


def _naive_team(store, period) -> float:
    """Each rep's figures with their records found by scanning all of them."""
    from cache.figures import figures_of, goals_of

    started = time.perf_counter()
    customers = [store.customer(cid) for cid in store.all_customer_ids()]
    visits, feedback, followups = store.visits(), store.feedback(), store.followups()
    for rep in [r for r in store.reps.values() if r.get("role") == "rep"]:
        rid = rep["id"]
        mine = [c for c in customers if c and c.get("owner_id") == rid]
        ids = {c["id"] for c in mine}
        figures_of(now=NOW, policy=store.policy, goals=goals_of(rep, period.start),
                   visits=[v for v in visits if v.get("rep_id") == rid
                           or v.get("customer_id") in ids],
                   feedback=[f for f in feedback if f.get("rep_id") == rid
                             or f.get("customer_id") in ids],
                   customers=mine, rep_id=rid, period=period,
                   followups=[f for f in followups if f.get("rep_id") == rid])
    return time.perf_counter() - started


def _naive_screens(store, pool_ids: list[str]) -> dict[str, float]:
    from cache.figures import period_of
    from sync.protocol import rules
    from ui.ownership import why_text
    from ui.times import SHORT, local_time

    out: dict[str, float] = {}
    today = rules.policy_day(store.policy, NOW)
    out["naive_team_first_paint_s"] = _naive_team(store, period_of("week", today))
    out["naive_team_period_switch_s"] = _naive_team(store, period_of("month", today))

    def cells(customer: dict) -> tuple[str, ...]:
        events = store.ownership_history(customer["id"])
        previous = customer.get("previous_owner_id")
        return (customer.get("name") or "", customer.get("city") or "",
                (store.reps.get(previous) or {}).get("name", "") if previous else "",
                local_time(customer.get("claimable_at"), store.policy, SHORT),
                local_time(customer.get("cooloff_until"), store.policy, SHORT),
                why_text(events[-1]) if events else "")

    started = time.perf_counter()
    rows = [cells(store.customer(cid)) for cid in pool_ids]
    out["naive_pool_first_paint_s"] = time.perf_counter() - started
    typed = []
    for query in QUERIES:
        for length in range(1, len(query) + 1):
            needle = query[:length].lower()
            started = time.perf_counter()
            rows = [cells(store.customer(cid)) for cid in pool_ids]
            [r for r in rows if any(needle in cell.lower() for cell in r)]
            typed.append((time.perf_counter() - started) * 1000)
    out["naive_pool_filter_p95_ms"] = percentile(typed, 95)

    # the plan, each rep's load counted again from every customer for each decision
    customers = [store.customer(cid) for cid in store.all_customer_ids()]
    reps = [r for r in store.reps.values() if r.get("role") == "rep"]
    sample = [store.customer(cid) for cid in pool_ids[:NAIVE_PREVIEW_SAMPLE]]
    given: dict[str, int] = defaultdict(int)
    started = time.perf_counter()
    for customer in sample:
        held = defaultdict(int)
        for c in customers:
            if c and c.get("owner_id"):
                held[c["owner_id"]] += 1
        for rep_id, n in given.items():
            held[rep_id] += n
        territories = {t["id"]: t for t in store.territories}
        covering = [r for r in reps if any(rules.territory_covers(territories[t], customer)
                                           for t in r.get("territory_ids") or []
                                           if t in territories)]
        choice = rules.choose_assignee("round-robin", covering, {r["id"]: given[r["id"]]
                                                                for r in reps},
                                       {r["id"]: held[r["id"]] for r in reps},
                                       store.policy.max_held)
        if choice is not None:
            given[choice[0]["id"]] += 1
    out["naive_preview_5000_s"] = (time.perf_counter() - started) * (
        PREVIEW / NAIVE_PREVIEW_SAMPLE)
    return out


# ---------------------------------------------------------------------------- end to end


def run_transfer(root: Path, book: int, *, naive: bool) -> float:
    """Seconds for ``book`` customers of Ana to reach Bo and Cy, every cache agreeing."""
    from tests.sync._harness import Laptop, Org, engine_for, make_customers, sync_until_settled

    org = Org.create(root / "server")
    org.add_territory("East", ["Zhejiang"])
    reps = {name: org.add_rep(name, ["East"]) for name in ("Ana", "Bo", "Cy")}
    reps["Mei"] = org.add_rep("Mei", ["East"], role="manager")
    org.admin("policy", "set", f"max_held={2 * book}")
    rows = make_customers(book, "Zhejiang", prefix="Book")
    org.import_customers([{**row, "owner": "Ana"} for row in rows])
    org.start()
    try:
        laptops = {n: Laptop(root / n, rep, org.url).login() for n, rep in reps.items()}
        for laptop in laptops.values():
            with laptop.open() as store:
                sync_until_settled(engine_for(store), store)
        started = time.perf_counter()
        with laptops["Mei"].open() as store:
            plan = store.plan_book("Ana", ["Bo", "Cy"], "even")
            if naive:
                store.transfer([(m["customer_id"], m["to_rep_id"]) for m in plan["moves"]],
                               "Ana leaves")
            else:
                store.transfer_book(plan, "Ana leaves")
            sync_until_settled(engine_for(store), store)
            if store.pending_count() or store.rejections():
                raise SystemExit("bench.manager: the transfer was not applied cleanly")
        for name in ("Ana", "Bo", "Cy"):
            with laptops[name].open() as store:
                sync_until_settled(engine_for(store), store)
        elapsed = time.perf_counter() - started
        with laptops["Ana"].open() as store:
            left = sum(1 for r in rows if store.customer(r["id"]))
        taken = 0
        for name in ("Bo", "Cy"):
            with laptops[name].open() as store:
                taken += sum(1 for r in rows if (store.customer(r["id"]) or {}).get("owner_name")
                             == name)
        if left or taken != book:
            raise SystemExit(f"bench.manager: caches disagree ({left} left, {taken} taken)")
        return elapsed
    finally:
        org.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.manager",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=200, metavar="N")
    parser.add_argument("--customers", type=int, default=50_000, metavar="N")
    parser.add_argument("--book", type=int, default=5_000, metavar="N",
                        help="customers in the book moved end to end (default 5,000)")
    parser.add_argument("--json", metavar="FILE", help="write the figures as one JSON object")
    args = parser.parse_args(argv)
    if args.reps < 1 or args.customers < 10:
        parser.error("give at least 1 rep and 10 customers")
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="fieldrep-bench-manager-") as tmp:
        root = Path(tmp)
        home = root / "boss"
        started = time.perf_counter()
        build_store(home, args.reps, args.customers)
        _say(f"built the manager's laptop ({args.reps} reps, {args.customers:,} customers) in "
             f"{time.perf_counter() - started:.1f} s")
        figures.update(run_screens(home))
        _say("screens measured; moving a book end to end")
        figures["transfer_5000_s"] = run_transfer(root / "ours", args.book, naive=False)
        figures["naive_transfer_5000_s"] = run_transfer(root / "naive", args.book, naive=True)
    rows = [("Team screen first paint", "team_first_paint_s", "s"),
            ("Team period switch", "team_period_switch_s", "s"),
            (f"Pool first paint ({int(figures['pool_customers']):,} pool)",
             "pool_first_paint_s", "s"),
            ("Pool filter keystroke p95", "pool_filter_p95_ms", "ms"),
            (f"preview of {PREVIEW:,} (plan + paint)", "preview_5000_s", "s"),
            (f"book of {args.book:,} end to end", "transfer_5000_s", "s")]
    print_table(f"bench.manager — {args.reps} reps, {args.customers:,} customers (budgets: "
                + ", ".join(f"{k} ≤ {v}" for k, v in BUDGETS.items()) + ")",
                [(label, figures.get(key), figures.get(f"naive_{key}"), unit)
                 for label, key, unit in rows])
    print(f"pool filter p50 {figures['pool_filter_p50_ms']:.2f} ms; the plan alone "
          f"{figures['preview_plan_s']:.3f} s ({int(figures['preview_moves']):,} moves)")
    write_json(args.json, figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
