"""``python -m bench.tui --customers N [--json FILE]``: the TUI's figures at N customers.

- first_frame_s: a fresh process (interpreter, imports, opening the store, the App) until the
  territory's customer list is first painted with rows;
- filter_keystroke_p50_ms / filter_keystroke_p95_ms: per keystroke in the territory filter, the
  time from the Input's change to the list holding the new matches (store.search + the list
  update), over typed queries including pinyin; filter_paint_p95_ms is the time from the change
  until the next frame with the new list has been rendered for the terminal (the App's
  ``_display``), which adds Textual's layout, rendering and frame pacing (up to 1/60 s);
- rss_mb: that process's resident memory after the run;
- naive_*: the same, the plain way, in the same run: a DataTable filled with every customer, and
  a filter that clears it and re-adds the matching rows found by a full scan.

The budgets (DESIGN.md): first frame ≤ 1.0 s, keystroke p95 ≤ 10 ms, RSS ≤ 250 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

QUERIES = ("zgsh", "zhongguo", "上海", "shanghai", "acme", "hzwh")
BUDGETS = {"first_frame_s": 1.0, "filter_keystroke_p95_ms": 10.0, "rss_mb": 250.0}

_SYLLABLES = ["中国", "上海", "石化", "华东", "江苏", "浙江", "电子", "机械", "食品", "医药",
              "科技", "物流", "钢铁", "纺织", "能源", "建设", "银行", "港务", "汽车", "光能"]
_ENGLISH = ["Acme", "Harbor", "Summit", "Prairie", "Lakeshore", "Beacon", "Union", "Windy",
            "Great", "Charles", "Quincy", "Tremont", "Midway", "Riverside", "Wacker"]
_SUFFIX = ["Robotics", "Foods", "Bank", "Logistics", "Clinic", "Textiles", "Partners", "Energy"]
_PLACES = [("上海", "上海"), ("江苏", "南京"), ("江苏", "苏州"), ("浙江", "杭州"), ("浙江", "宁波"),
           ("MA", "Boston"), ("IL", "Chicago")]


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def build_store(home: Path, customers: int, seed: int = 5, owned_every: int = 100) -> None:
    """A store with ``customers`` customers, filled through the bootstrap path a sync uses.

    The bench rep owns one customer in ``owned_every`` (500 of 50,000 by default: a policy's
    ``max_held`` is 200 by default, so a rep's own book is hundreds, not tens of thousands);
    six in seven of the others belong to a teammate, the rest are the shared pool.
    """
    other = {"id": "rep-mate", "name": "Li Wei"}
    from cache import Store

    rnd = random.Random(seed)
    now = datetime(2026, 11, 23, 2, tzinfo=UTC)
    me = {"id": "rep-bench", "name": "Bench Rep", "role": "rep", "team_id": "team-bench",
          "territory_ids": ["terr-bench"]}
    head = [
        {"entity": "rep", "id": me["id"], "op": "upsert", "record": {**me, "version": 1}},
        {"entity": "territory", "id": "terr-bench", "op": "upsert",
         "record": {"id": "terr-bench", "name": "All", "version": 1}},
    ]
    with Store.open(home) as store:
        store.save_session("http://127.0.0.1:9", me, "device-bench", "bench-token")
        page: list[dict] = list(head)
        for index in range(customers):
            if index % 3 == 2:
                name = f"{rnd.choice(_ENGLISH)} {rnd.choice(_SUFFIX)} {index}"
            else:
                name = "".join(rnd.choice(_SYLLABLES) for _ in range(3)) + f"{index}"
            province, city = rnd.choice(_PLACES)
            owner = me if index % owned_every == 0 else (other if index % 7 else None)
            owned = owner is not None
            record = {
                "id": f"cust-{index:06d}", "name": name, "province": province, "city": city,
                "industry": rnd.choice(["制造", "能源", "食品", "Finance", "Healthcare"]),
                "customer_type": "B2B", "tier": rnd.choice("ABC"),
                "stage": rnd.choice(["prospect", "new", "active", "at_risk", "lost"]),
                "product_lines": [rnd.choice(["软件", "包装", "Lubricants"])],
                "contacts": [{"name": f"Contact {index}", "phone": f"+86 {index:08d}"}],
                "owner_id": owner["id"] if owned else None,
                "owner_name": owner["name"] if owned else None,
                "claimed_at": (now - timedelta(days=20)).isoformat() if owned else None,
                "protected_until": (now + timedelta(days=rnd.randint(-3, 20))).isoformat()
                if owned else None,
                "last_visit_at": (now - timedelta(days=rnd.randint(1, 120))).isoformat()
                if owned else None,
                "version": 1,
            }
            page.append({"entity": "customer", "id": record["id"], "op": "upsert",
                         "record": record})
            if len(page) >= 2000:
                store.apply_bootstrap_page(page, "more", "cursor-bench", False)
                page = []
        store.apply_bootstrap_page(page, None, "cursor-bench", True)


# ---------------------------------------------------------------------------- children


def _watch_frames(app) -> list[float]:
    """The times (perf_counter) at which ``app`` hands a rendered frame to its terminal."""
    frames: list[float] = []
    display = app._display

    def displayed(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is not None:
            frames.append(time.perf_counter())

    app._display = displayed
    return frames


async def _type_queries(pilot, on_key, frames: list[float] | None = None):
    """Type every query char by char; (handler ms, change-to-frame ms) per keystroke.

    Pilot's pause waits until the process has been idle for a slice of 20 ms, so the time a
    pause takes is not the time the screen took: the frame time comes from ``frames``.
    """
    handler: list[float] = []
    painted: list[float] = []
    for query in QUERIES:
        for length in range(1, len(query) + 1):
            started = time.perf_counter()
            ms = await on_key(query[:length])
            await pilot.pause()
            handler.append(ms)
            if frames is not None:  # the first frame after the list was updated
                done = started + ms / 1000
                after = [moment for moment in frames if moment > done]
                if after:
                    painted.append((after[0] - started) * 1000)
    return handler, painted


def _child_ours(home: Path, t0: float) -> dict:
    from cache import Store
    from tui.app import FieldRepApp
    from ui.widgets.customer_list import CustomerList

    result: dict = {}
    store = Store.open(home)
    app = FieldRepApp(store, None, lang="en")

    frames = _watch_frames(app)

    async def autopilot(pilot) -> None:
        await pilot.press("2")
        while True:
            lists = app.screen.query(CustomerList)
            if lists and lists.first().row_count:
                break
            await pilot.pause()
        await pilot.pause()
        result["first_frame_s"] = time.time() - t0
        if os.environ.get("FIELDREP_BENCH_WARM_UP"):
            store.warm_up()  # what the TUI gets if it warms the search index after its first frame
        screen = app.screen
        filter_input = screen.query_one("#filter")
        filter_input.focus()

        async def on_key(text: str) -> float:
            filter_input.value = text
            await pilot.pause()
            return screen.last_filter_ms

        handler, painted = await _type_queries(pilot, on_key, frames)
        result["filter_keystroke_p50_ms"] = statistics.median(handler)
        result["filter_keystroke_p95_ms"] = _pct(handler, 0.95)
        result["filter_paint_p95_ms"] = _pct(painted, 0.95)
        result["rss_mb"] = _rss_mb()
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=autopilot)
    store.close()
    return result


def _child_naive(home: Path, t0: float) -> dict:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Input

    from cache import Store

    result: dict = {}
    store = Store.open(home)
    customers = [store.customer(cid) for cid in store.all_customer_ids(sort="name")]
    columns = ("name", "tier", "stage", "city", "owner_name", "last_visit_at")

    def row(customer: dict) -> tuple:
        return tuple(str(customer.get(col) or "") for col in columns)

    class NaiveApp(App):
        def compose(self) -> ComposeResult:
            yield Input(id="filter")
            yield DataTable(id="table")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns(*columns)
            table.add_rows(row(c) for c in customers)

        def refill(self, text: str) -> float:
            started = time.perf_counter()
            table = self.query_one(DataTable)
            table.clear()
            needle = text.lower()
            table.add_rows(row(c) for c in customers if needle in c["name"].lower()
                           or needle in (c.get("city") or "").lower())
            return (time.perf_counter() - started) * 1000

    app = NaiveApp()

    async def autopilot(pilot) -> None:
        await pilot.pause()
        await pilot.pause()
        result["naive_first_frame_s"] = time.time() - t0

        async def on_key(text: str) -> float:
            return app.refill(text)

        handler, _painted = await _type_queries(pilot, on_key)
        result["naive_filter_keystroke_p95_ms"] = _pct(handler, 0.95)
        result["naive_rss_mb"] = _rss_mb()
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=autopilot)
    store.close()
    return result


def _compile_the_app() -> None:
    """Byte-compile fieldrep's packages, as pip does when it installs them: a checkout run
    with PYTHONDONTWRITEBYTECODE would otherwise compile every module at each start, which
    an installed fieldrep never does (~45 ms of the first frame here)."""
    import compileall

    root = Path(__file__).resolve().parents[1]
    for package in ("cache", "sync", "ui", "screens", "tui"):
        compileall.compile_dir(root / package, quiet=1)


def _run_child(kind: str, home: Path) -> dict:
    env = dict(os.environ, FIELDREP_BENCH_T0=repr(time.time()))
    done = subprocess.run(
        [sys.executable, "-m", "bench.tui", "--child", kind, "--home", str(home)],
        capture_output=True, text=True, env=env, check=False,
    )
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"bench.tui: the {kind} run failed: {tail}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tui", description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=50_000, metavar="N")
    parser.add_argument("--owned-every", type=int, default=100, metavar="K",
                        help="the rep owns one customer in K (default 100; 1 = all of them)")
    parser.add_argument("--json", metavar="FILE", help="write the figures as one JSON object")
    parser.add_argument("--warm-up", action="store_true",
                        help="call store.warm_up() after the first frame, before typing (what the "
                        "TUI would get by doing so in a worker)")
    parser.add_argument("--child", choices=("ours", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        t0 = float(os.environ["FIELDREP_BENCH_T0"])
        child = _child_ours if args.child == "ours" else _child_naive
        print(json.dumps(child(Path(args.home), t0)))
        return 0

    if args.warm_up:
        os.environ["FIELDREP_BENCH_WARM_UP"] = "1"
    _compile_the_app()
    with tempfile.TemporaryDirectory(prefix="fieldrep-bench-tui-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        started = time.perf_counter()
        build_store(home, args.customers, owned_every=max(1, args.owned_every))
        print(f"built a store of {args.customers:,} customers in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
        figures = {**_run_child("ours", home), **_run_child("naive", home)}

    figures = {key: round(value, 3) for key, value in figures.items()}
    rows = [
        ("first frame (s)", "first_frame_s", "naive_first_frame_s"),
        ("filter keystroke p50 (ms)", "filter_keystroke_p50_ms", None),
        ("filter keystroke p95 (ms)", "filter_keystroke_p95_ms", "naive_filter_keystroke_p95_ms"),
        ("filter keystroke + paint p95 (ms)", "filter_paint_p95_ms", None),
        ("RSS (MB)", "rss_mb", "naive_rss_mb"),
    ]
    owned = len(range(0, args.customers, max(1, args.owned_every)))
    warmed = ", search index warmed after the first frame" if args.warm_up else ""
    print(f"bench.tui — {args.customers:,} customers ({owned:,} owned by the rep{warmed})")
    print(f"{'figure':<36}{'ours':>10}{'naive':>10}{'ratio':>9}{'budget':>9}")
    for label, ours, naive in rows:
        mine = figures.get(ours)
        other = figures.get(naive) if naive else None
        ratio = f"{other / mine:.1f}x" if other and mine else ""
        budget = BUDGETS.get(ours)
        print(f"{label:<36}{mine:>10}{other if other is not None else '':>10}{ratio:>9}"
              f"{budget if budget is not None else '':>9}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
