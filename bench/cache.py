"""Benchmark the local store against the naive way: ``python -m bench.cache --customers N``.

Builds a synthetic territory of N customers (Chinese and English names, so pinyin matters),
then measures, ours vs. naive (TinyDB's default JSONStorage, everything in one file, ``Query``
full scans):

* saving a visit durably (ours: one fsynced journal write; naive: ``insert`` into the one file);
* search per keystroke while a query is typed char by char — plain substring, a typo (fuzzy)
  and pinyin (``zgsh``, ``zhongguo``);
* opening the store and building its indexes (measured in a fresh interpreter, cold), and the
  resident memory after open.

Prints a table with the ratio naive/ours and, with ``--json FILE``, writes the flat figures.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from bench._common import percentile, print_table, rss_mb, write_json

CITIES_CN = [("上海", "上海"), ("江苏", "南京"), ("江苏", "苏州"), ("浙江", "杭州"),
             ("浙江", "宁波"), ("广东", "广州"), ("广东", "深圳"), ("北京", "北京"),
             ("四川", "成都"), ("湖北", "武汉"), ("山东", "青岛"), ("福建", "厦门")]
CITIES_EN = [("MA", "Boston"), ("IL", "Chicago"), ("NY", "New York"), ("CA", "San Jose"),
             ("TX", "Austin"), ("WA", "Seattle"), ("GA", "Atlanta"), ("CO", "Denver")]
CORE_CN = ["中国石化", "中国", "振华", "华山", "天合", "娃哈哈", "吉利", "远洋", "长城", "东方", "金鹰",
           "宏达", "恒信", "新华", "光明", "海天", "美的", "格力", "永辉", "万达", "鸿运",
           "石化", "钢铁", "交通", "建设", "华润", "招商", "平安", "中信", "国泰", "安居"]
TRADE_CN = [("重工", "制造"), ("医院", "医疗"), ("食品", "食品"), ("物流", "物流"),
            ("电器", "制造"), ("银行", "金融"), ("软件", "互联网"), ("能源", "能源"),
            ("纺织", "制造"), ("药业", "医疗"), ("商贸", "零售"), ("教育", "教育")]
SUFFIX_CN = ["有限公司", "集团", "股份有限公司", "分公司", ""]
WORDS_EN = ["Acme", "Beacon", "Summit", "Harbor", "Prairie", "Lakeshore", "Granite", "Maple",
            "Riverside", "Pioneer", "Liberty", "Evergreen", "Northwind", "Bluebird", "Cobalt",
            "Keystone", "Redwood", "Silverline", "Tremont", "Union", "Windy", "Golden", "Atlas"]
TRADE_EN = [("Robotics", "Manufacturing"), ("Medical Group", "Healthcare"), ("Foods", "Food"),
            ("Logistics", "Logistics"), ("Bank", "Finance"), ("Software", "Internet"),
            ("Energy", "Energy"), ("Textiles", "Manufacturing"), ("Hospital", "Healthcare"),
            ("Books", "Retail"), ("Partners", "Finance"), ("Steelworks", "Manufacturing")]
SUFFIX_EN = ["Inc", "LLC", "Co", "Group", ""]
SURNAMES_CN = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN_CN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明"]
FIRST_EN = ["James", "Mary", "Robert", "Linda", "Michael", "Susan", "David", "Karen", "Emily"]
LAST_EN = ["Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Clark", "Lewis", "Young"]
LINES = ["润滑油", "工业设备", "医疗器械", "包装", "软件", "Lubricants", "Software", "Packaging"]

QUERIES = {
    "plain": ["robotics", "上海振华", "hospital", "beacon summit", "chicago"],
    "fuzzy": ["robtics", "hospitel", "lakshore", "evergren"],
    "pinyin": ["zgsh", "zhongguo", "shanghai", "hzwhh", "jili"],
}


def _customer(i: int, rng: random.Random, me: str, now: datetime) -> dict:
    if i % 2 == 0:
        province, city = rng.choice(CITIES_CN)
        trade, industry = rng.choice(TRADE_CN)
        name = f"{city}{rng.choice(CORE_CN)}{trade}{rng.choice(SUFFIX_CN)}"
        contact = rng.choice(SURNAMES_CN) + rng.choice(GIVEN_CN)
    else:
        province, city = rng.choice(CITIES_EN)
        trade, industry = rng.choice(TRADE_EN)
        name = f"{rng.choice(WORDS_EN)} {rng.choice(WORDS_EN)} {trade} {rng.choice(SUFFIX_EN)}".strip()
        contact = f"{rng.choice(FIRST_EN)} {rng.choice(LAST_EN)}"
    owned = i % 250 == 0
    return {
        "id": f"c{i:07d}", "name": f"{name} {i}" if i % 7 == 0 else name,
        "industry": industry, "customer_type": "B2C" if i % 5 == 0 else "B2B",
        "province": province, "city": city, "address": f"{city} road {i}",
        "tier": "ABC"[i % 3], "stage": ["prospect", "new", "active", "at_risk", "lost"][i % 5],
        "product_lines": [rng.choice(LINES)],
        "contacts": [{"name": contact, "title": "Buyer", "phone": f"+86 21 {i:08d}",
                      "email": f"buyer{i}@example.com"}],
        "owner_id": me if owned else None, "owner_name": "Bench Rep" if owned else None,
        "claimed_at": (now - timedelta(days=5)).isoformat() if owned else None,
        "protected_until": (now + timedelta(days=8)).isoformat() if owned else None,
        "last_visit_at": (now - timedelta(days=i % 60)).isoformat() if i % 3 else None,
        "version": 1, "updated_at": (now - timedelta(days=30)).isoformat(),
    }


def build_customers(count: int, seed: int = 7) -> list[dict]:
    from sync.protocol.search_keys import pinyin_keys

    rng = random.Random(seed)
    now = datetime.now(UTC)
    customers = [_customer(i, rng, "rep-bench", now) for i in range(count)]
    keys: dict[str, list[str]] = {}
    for customer in customers:  # what the server sends: search_keys precomputed
        name = customer["name"]
        if name not in keys:
            keys[name] = pinyin_keys(name)
        customer["search_keys"] = keys[name]
    return customers


def build_ours(home: Path, customers: list[dict]) -> None:
    from cache import Store

    with Store.open(home) as store:
        store.save_session("http://127.0.0.1:9", {"id": "rep-bench", "name": "Bench Rep",
                                                  "role": "rep", "territory_ids": []},
                           "device-bench", "token")
        changes = [{"entity": "customer", "id": c["id"], "op": "upsert", "record": c}
                   for c in customers]
        store.apply_bootstrap_page(changes, None, "cursor-bench", True)


def build_naive(path: Path, customers: list[dict]) -> None:
    """Everything in one TinyDB JSON file, written the way TinyDB's JSONStorage writes it."""
    import json

    table = {str(n + 1): c for n, c in enumerate(customers)}
    path.write_text(json.dumps({"customers": table, "visits": {}}))


def _typed(query: str) -> list[str]:
    return [query[: n + 1] for n in range(len(query)) if query[n] != " "]


# ---------------------------------------------------------------- measured in a fresh interpreter


def _open_ours(home: str) -> dict:
    start = time.perf_counter()
    from cache import Store

    store = Store.open(Path(home))
    opened = time.perf_counter() - start
    store.warm_up()  # the search index is ready, as at the first keystroke
    seconds = time.perf_counter() - start
    figures = {"open_s": seconds, "open_lazy_s": opened, "rss_mb": rss_mb(),
               "count": store.customer_count()}
    store.close()
    return figures


def _open_naive(path: str) -> dict:
    start = time.perf_counter()
    from tinydb import TinyDB

    db = TinyDB(path)
    rows = db.table("customers").all()
    seconds = time.perf_counter() - start
    return {"open_s": seconds, "rss_mb": rss_mb(), "count": len(rows)}


def _in_fresh_process(mode: str, target: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.cache", mode, str(target)],
                         check=True, capture_output=True, text=True)
    return orjson.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the run


def measure(count: int, workdir: Path, saves: int, naive_budget_s: float) -> tuple[dict, str]:
    rng = random.Random(11)
    print(f"building {count:,} customers …", file=sys.stderr, flush=True)
    customers = build_customers(count)
    home = workdir / "ours"
    naive_path = workdir / "naive.json"
    build_ours(home, customers)
    build_naive(naive_path, customers)
    ids = [c["id"] for c in customers]
    del customers

    ours_open = _in_fresh_process("--measure-open-ours", home)
    naive_open = _in_fresh_process("--measure-open-naive", naive_path)

    from cache import Store

    store = Store.open(home)
    # durable visit saves
    save_ms = []
    for n in range(saves):
        cid = rng.choice(ids)
        start = time.perf_counter()
        store.log_visit(cid, outcome="Met the buyer", notes=f"bench visit {n}", kind="visit")
        save_ms.append((time.perf_counter() - start) * 1000)
    # search per keystroke
    search_ms: dict[str, list[float]] = {kind: [] for kind in QUERIES}
    hits: dict[str, int] = {}
    for _round in range(3):
        for kind, queries in QUERIES.items():
            for query in queries:
                store.search("")  # a new query starts from scratch
                for typed in _typed(query):
                    start = time.perf_counter()
                    found = store.search(typed, limit=200)
                    search_ms[kind].append((time.perf_counter() - start) * 1000)
                hits[query] = len(found)
    store.close()

    # naive: TinyDB default storage, one file, Query full scans
    from tinydb import Query, TinyDB

    naive_save_ms: list[float] = []
    naive_search_ms: list[float] = []
    db = TinyDB(naive_path)
    visits = db.table("visits")
    deadline = time.perf_counter() + naive_budget_s
    for n in range(saves):
        start = time.perf_counter()
        visits.insert({"customer_id": rng.choice(ids), "outcome": "Met the buyer",
                       "notes": f"naive visit {n}",
                       "at": datetime.now(UTC).isoformat()})
        naive_save_ms.append((time.perf_counter() - start) * 1000)
        if naive_save_ms[-1] > 1000 and len(naive_save_ms) >= 5:
            break
        if time.perf_counter() > deadline and len(naive_save_ms) >= 5:
            break
    table = db.table("customers")
    row = Query()
    deadline = time.perf_counter() + naive_budget_s
    for query in [q for qs in QUERIES.values() for q in qs]:
        for typed in _typed(query):
            needle = typed.lower()
            start = time.perf_counter()
            table.clear_cache()
            table.search(row.name.test(lambda v, s=needle: s in v.lower())
                         | row.city.test(lambda v, s=needle: s in (v or "").lower())
                         | row.contacts.test(lambda cs, s=needle: any(
                             s in (c.get("name") or "").lower() for c in cs)))
            naive_search_ms.append((time.perf_counter() - start) * 1000)
            if time.perf_counter() > deadline and len(naive_search_ms) >= 5:
                break
        if time.perf_counter() > deadline and len(naive_search_ms) >= 5:
            break
    db.close()

    every = [v for values in search_ms.values() for v in values]
    figures = {
        "customers": count,
        "save_visit_p50_ms": percentile(save_ms, 50),
        "save_visit_p95_ms": percentile(save_ms, 95),
        "search_p50_ms": percentile(every, 50),
        "search_p95_ms": percentile(every, 95),
        "plain_search_p50_ms": percentile(search_ms["plain"], 50),
        "plain_search_p95_ms": percentile(search_ms["plain"], 95),
        "fuzzy_search_p50_ms": percentile(search_ms["fuzzy"], 50),
        "fuzzy_search_p95_ms": percentile(search_ms["fuzzy"], 95),
        "pinyin_search_p50_ms": percentile(search_ms["pinyin"], 50),
        "pinyin_search_p95_ms": percentile(search_ms["pinyin"], 95),
        "open_s": ours_open["open_s"],
        "open_without_search_index_s": ours_open["open_lazy_s"],
        "rss_mb": ours_open["rss_mb"],
        "naive_save_visit_p50_ms": percentile(naive_save_ms, 50),
        "naive_save_visit_p95_ms": percentile(naive_save_ms, 95),
        "naive_search_p50_ms": percentile(naive_search_ms, 50),
        "naive_search_p95_ms": percentile(naive_search_ms, 95),
        "naive_open_s": naive_open["open_s"],
        "naive_rss_mb": naive_open["rss_mb"],
        "naive_saves_measured": len(naive_save_ms),
        "naive_keystrokes_measured": len(naive_search_ms),
        "saves_measured": len(save_ms),
        "keystrokes_measured": len(every),
    }
    nan = float("nan")
    table_text = print_table(
        f"bench.cache — {count:,} customers (saves: {len(save_ms)} ours, "
        f"{len(naive_save_ms)} naive; keystrokes: {len(every)} ours, {len(naive_search_ms)} naive)",
        [
            ("save visit p50", figures["save_visit_p50_ms"], figures["naive_save_visit_p50_ms"], "ms"),
            ("save visit p95", figures["save_visit_p95_ms"], figures["naive_save_visit_p95_ms"], "ms"),
            ("search/keystroke p50 (all)", figures["search_p50_ms"], figures["naive_search_p50_ms"], "ms"),
            ("search/keystroke p95 (all)", figures["search_p95_ms"], figures["naive_search_p95_ms"], "ms"),
            ("  plain substring p95", figures["plain_search_p95_ms"], nan, "ms"),
            ("  fuzzy (typo) p95", figures["fuzzy_search_p95_ms"], nan, "ms"),
            ("  pinyin p95", figures["pinyin_search_p95_ms"], nan, "ms"),
            ("open + all indexes (cold)", figures["open_s"], figures["naive_open_s"], "s"),
            ("  open, search index deferred", figures["open_without_search_index_s"], nan, "s"),
            ("RSS after open", figures["rss_mb"], figures["naive_rss_mb"], "MB"),
        ],
    )
    checks = ", ".join(f"{q!r}→{n}" for q, n in hits.items())
    print(f"matches at the last keystroke: {checks}", flush=True)
    return figures, table_text


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] in ("--measure-open-ours", "--measure-open-naive"):
        opener = _open_ours if argv[0] == "--measure-open-ours" else _open_naive
        print(orjson.dumps(opener(argv[1])).decode())
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.cache", description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--saves", type=int, default=300, help="visit saves to time (ours)")
    parser.add_argument("--naive-budget", type=float, default=20.0,
                        help="seconds the naive saves and searches may take each (min 5 samples)")
    parser.add_argument("--json", metavar="FILE", help="write the figures as one JSON object")
    parser.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    args = parser.parse_args(argv)
    if args.customers < 1:
        parser.error("--customers must be at least 1")
    with tempfile.TemporaryDirectory(prefix="fieldrep-bench-") as tmp:
        workdir = args.dir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        figures, _ = measure(args.customers, workdir, args.saves, args.naive_budget)
    write_json(args.json, figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
