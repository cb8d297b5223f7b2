"""`fieldrep-server seed-demo`: a realistic made-up sales organisation, deterministic by seed.

Two teams (one grouped by region, one by industry), a manager each, an admin, N reps with
territories; customers with Chinese and English names, cities, industries, tiers, stages, product
lines and contacts; most owned, some in the pool, some claims about to expire; months of visits,
feedback (with open complaints) and follow-ups (some overdue).
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server import db
from server.clock import system_clock
from server.org import Denied, Org, add_rep, add_team, add_territory, ensure_policy, set_policy
from sync.protocol import rules
from sync.protocol.refusals import Refusal
from sync.protocol.search_keys import pinyin_keys

REGIONS: dict[str, list[str]] = {
    "上海": ["上海"],
    "江苏": ["南京", "苏州", "无锡", "常州"],
    "浙江": ["杭州", "宁波", "温州", "绍兴"],
    "广东": ["广州", "深圳", "东莞", "佛山"],
    "北京": ["北京"],
    "山东": ["济南", "青岛", "烟台"],
    "四川": ["成都", "绵阳"],
    "湖北": ["武汉", "宜昌"],
}
ABROAD = {"International": ["Singapore", "Hamburg", "Osaka", "Milan"]}
INDUSTRIES = ["Manufacturing", "Chemicals", "Electronics", "Logistics", "Retail", "Healthcare",
              "Energy", "Automotive"]
CN_INDUSTRY_WORDS = {
    "Manufacturing": ["精密机械", "重工", "装备制造", "模具"], "Chemicals": ["化工", "新材料", "涂料"],
    "Electronics": ["电子", "科技", "半导体", "光电"], "Logistics": ["物流", "供应链", "运输"],
    "Retail": ["商贸", "百货", "零售"], "Healthcare": ["医疗器械", "生物", "医药"],
    "Energy": ["能源", "电力", "新能源"], "Automotive": ["汽车零部件", "汽配", "动力系统"],
}
CN_BRANDS = ["华东", "恒信", "金泰", "宏达", "瑞丰", "中天", "永康", "博远", "鑫源", "海润", "天成", "凯达",
             "联创", "正泰", "东方", "明辉", "盛世", "华信", "嘉诚", "远航", "新锐", "同仁", "嘉禾", "长城",
             "龙腾", "安泰", "汇通", "星河", "德信", "伟业"]
EN_BRANDS = ["Acme", "Northwind", "Bluefield", "Summit", "Harbor", "Keystone", "Pioneer", "Vertex",
             "Evergreen", "Silverline", "Brightway", "Ironbridge", "Redwood", "Clearwater", "Oakridge",
             "Sterling", "Lakeside", "Granite", "Westport", "Highland"]
EN_SUFFIX = {"Manufacturing": ["Machining", "Industrial", "Tooling"], "Chemicals": ["Chemicals",
             "Materials"], "Electronics": ["Electronics", "Devices", "Semiconductor"],
             "Logistics": ["Logistics", "Freight"], "Retail": ["Trading", "Retail"],
             "Healthcare": ["Medical", "Life Sciences"], "Energy": ["Energy", "Power"],
             "Automotive": ["Auto Parts", "Mobility"]}
CN_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
CN_GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "杰", "军", "勇", "涛", "明", "超", "秀英",
            "丽", "华", "建国", "晓东"]
EN_FIRST = ["Anna", "Ben", "Chloe", "David", "Emma", "Felix", "Grace", "Henry", "Iris", "Jack",
            "Laura", "Marco", "Nina", "Oliver", "Paul", "Sara", "Tom", "Vera"]
EN_LAST = ["Smith", "Müller", "Rossi", "Tanaka", "Lee", "Brown", "Garcia", "Schmidt", "Wong"]
TITLES_CN = ["采购经理", "总经理", "技术总监", "设备主管", "副总", "采购专员"]
TITLES_EN = ["Purchasing Manager", "CEO", "Plant Manager", "Head of Procurement", "CTO"]
PRODUCTS = ["Pumps", "Valves", "Sensors", "Controllers", "Service contract", "Spare parts"]
VALUE_LABELS = {  # the Chinese names the demo organisation gives its values (Policy.value_labels)
    "industry": {"Manufacturing": "制造业", "Chemicals": "化工", "Electronics": "电子",
                 "Logistics": "物流", "Retail": "零售", "Healthcare": "医疗",
                 "Energy": "能源", "Automotive": "汽车"},
    "product_line": {"Pumps": "泵", "Valves": "阀门", "Sensors": "传感器", "Controllers": "控制器"},
}
OUTCOMES = ["met the buyer", "demo given", "quote requested", "price negotiation", "no decision yet",
            "order placed", "技术交流", "拜访采购经理", "报价已发送", "客户有新需求"]
NOTES = ["Wants a quote for 20 units before month end.", "客户对交期比较关注，需要确认库存。",
         "New plant opens in Q2; follow up with engineering.", "竞争对手报价低10%，需要申请特价。",
         "Happy with service; asked about the new sensor line.", "老板出差，下周再约。", ""]
COMPLAINTS = ["交货延迟两周", "Invoice had the wrong VAT rate", "售后响应太慢",
              "Spare parts arrived damaged", "安装调试不到位"]
SUGGESTIONS = ["希望提供线上订货平台", "Would like quarterly business reviews", "建议增加本地库存"]
FOLLOWUPS = ["Send the quote", "发送报价单", "Book a demo with engineering", "确认交期",
             "Call about the renewal", "催收货款", "Bring samples"]
STAGES = ["prospect"] * 2 + ["new"] * 2 + ["active"] * 5 + ["at_risk", "lost"]


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _person(rng: random.Random, chinese: bool) -> tuple[str, str]:
    if chinese:
        return rng.choice(CN_SURNAMES) + rng.choice(CN_GIVEN), rng.choice(TITLES_CN)
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}", rng.choice(TITLES_EN)


ANCHORS = [  # well-known names first, so the demo's pinyin search has something to find
    (["中国", "石化", "上海", "分公司"], "上海", "上海", "Energy"),
    (["中国", "石化", "江苏", "分公司"], "江苏", "南京", "Energy"),
    (["上海", "振华", "重工"], "上海", "上海", "Manufacturing"),
    (["苏州", "汇川", "技术", "有限公司"], "江苏", "苏州", "Electronics"),
]


def make_customer(rng: random.Random, index: int, now: datetime) -> dict:
    industry = rng.choice(INDUSTRIES)
    abroad = rng.random() < 0.06
    province = "International" if abroad else rng.choice(list(REGIONS))
    city = rng.choice((ABROAD if abroad else REGIONS)[province])
    chinese = not abroad and rng.random() < 0.7
    if chinese:
        parts = [city if rng.random() < 0.5 else "", rng.choice(CN_BRANDS),
                 rng.choice(CN_INDUSTRY_WORDS[industry]), "有限公司"]
        parts = [p for p in parts if p]
        name = "".join(parts)
    else:
        parts = [rng.choice(EN_BRANDS), rng.choice(EN_SUFFIX[industry]),
                 rng.choice(["Co.", "Ltd.", "GmbH", "Group", "Inc."])]
        name = " ".join(parts)
    if index >= 200:  # keep names unique enough to search for: a branch number on the rest
        suffix = f" ({index % 97 + 1})" if not chinese else f"（{city}{index % 89 + 1}号）"
        name += suffix
    if index < len(ANCHORS):
        parts, province, city, industry = ANCHORS[index]
        chinese, name = True, "".join(parts)
    contact, title = _person(rng, chinese)
    tier = rng.choices("ABC", weights=(15, 35, 50))[0]
    return {
        "id": _id(rng), "name": name, "search_keys": pinyin_keys(name) if chinese else [],
        "industry": industry, "customer_type": "B2B" if rng.random() < 0.85 else "B2C",
        "province": province, "city": city,
        "address": f"{city}{rng.randint(1, 999)}号" if chinese else f"{rng.randint(1, 300)} Harbour Road",
        "lat": None, "lon": None, "tier": tier, "stage": rng.choice(STAGES),
        "product_lines": sorted(rng.sample(PRODUCTS, rng.randint(1, 3))),
        "contacts": [{"name": contact, "title": title,
                      "phone": f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}",
                      "email": f"buyer{index}@example.com"}],
        "owner_id": None, "owner_name": None, "claimed_at": None, "protected_until": None,
        "deal_at": None, "last_visit_at": None, "previous_owner_id": None, "cooloff_until": None,
        "version": 1, "updated_at": now.isoformat(),
    }


def seed(engine: sa.Engine, *, reps: int, customers: int, seed_value: int,
         now: datetime) -> list[dict]:
    """Seed the organisation as of ``now``; returns [{name, role, team, token}] (tokens shown
    only now)."""
    rng = random.Random(seed_value)
    people: list[dict] = []
    with db.writing(engine) as conn:
        ensure_policy(conn)
        if Org.load(conn).teams:
            raise Denied(Refusal("seed.not_empty"))
        set_policy(conn, Org.load(conn).policy.model_copy(update={"value_labels": VALUE_LABELS}),
                   "seed")
        regional = add_team(conn, "East & South 华东华南", "region")
        industrial = add_team(conn, "Key Industries 重点行业", "industry")
        provinces = list(REGIONS)
        n_region = max(1, (reps + 1) // 2)
        n_industry = max(0, reps - n_region)
        names = iter(["王芳", "李伟", "Anna Schmidt", "张敏", "陈静", "Marco Rossi", "刘洋", "赵磊",
                      "Laura Brown", "周杰", "吴军", "Tom Lee"])

        def next_name(i: int) -> str:
            return next(names, None) or f"Rep {i + 1:03d}"

        region_territories = []
        for i in range(n_region):
            mine = provinces[i % len(provinces):][:2] if n_region < len(provinces) else [
                provinces[i % len(provinces)]]
            if i == 0:
                mine = sorted({*mine, "上海", "江苏"})
            t = add_territory(conn, f"Region {i + 1}: {'/'.join(mine)}", provinces=mine)
            region_territories.append(t["name"])
        industry_territories = []
        for i in range(n_industry):
            mine = [INDUSTRIES[(2 * i) % len(INDUSTRIES)], INDUSTRIES[(2 * i + 1) % len(INDUSTRIES)]]
            t = add_territory(conn, f"Industry {i + 1}: {'/'.join(mine)}", industries=mine)
            industry_territories.append(t["name"])
        add_territory(conn, "All of East & South", provinces=provinces)
        add_territory(conn, "All industries", industries=INDUSTRIES)

        def person(name: str, role: str, team: dict | None, territories: list[str]) -> None:
            rep, token = add_rep(conn, name, team=team["name"] if team else None,
                                 territories=territories, role=role)
            people.append({"id": rep["id"], "name": name, "role": role,
                           "team": team["name"] if team else "", "token": token})

        counter = 0
        for territory in region_territories:
            person(next_name(counter), "rep", regional, [territory])
            counter += 1
        for territory in industry_territories:
            person(next_name(counter), "rep", industrial, [territory])
            counter += 1
        person("Li Wei 李伟经理", "manager", regional, ["All of East & South"])
        person("Sarah Chen", "manager", industrial, ["All industries"])
        person("Admin", "admin", None, [])

    with db.writing(engine) as conn:
        org = Org.load(conn)
        _seed_customers(conn, org, rng, customers, now)
    return [{k: p[k] for k in ("name", "role", "team", "token")} for p in people]


def _seed_customers(conn: Connection, org: Org, rng: random.Random, count: int,
                    now: datetime) -> None:
    policy = org.policy
    field_reps = [r for r in org.reps.values() if r["role"] == "rep"]
    field_reps.sort(key=lambda r: r["name"])
    customers: list[tuple[dict, set[str]]] = []
    visits: list[dict] = []
    feedback: list[dict] = []
    followups: list[dict] = []
    for index in range(count):
        customer = make_customer(rng, index, now)
        covering = sorted((r for r in org.covering_reps(customer) if org.reps[r]["role"] == "rep"),
                          key=lambda r: org.reps[r]["name"])
        if covering and rng.random() < 0.75:
            owner = org.reps[rng.choice(covering)]
            claimed = now - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23))
            roll = rng.random()
            if roll < 0.06:  # about to expire: in the queue as a warning
                until = now + timedelta(days=rng.randint(0, 2), hours=rng.randint(1, 20))
            elif roll < 0.08:  # lapsed: the next reclaim returns it to the pool
                until = now - timedelta(hours=rng.randint(1, 48))
            else:
                until = min(rules.protection_cap(claimed, policy),
                            now + timedelta(days=rng.randint(4, 20)))
                if until <= now:
                    until = now + timedelta(days=rng.randint(4, 12))
            customer.update(owner_id=owner["id"], owner_name=owner["name"],
                            claimed_at=claimed.isoformat(), protected_until=until.isoformat())
            _history(rng, customer, owner, now, visits, feedback, followups)
        customers.append((customer, org.customer_audience(customer)))
    db.put_many(conn, "customer", customers, reason="seeded")
    by_id = {c["id"]: c for c, _ in customers}
    for entity, records in (("visit", visits), ("feedback", feedback), ("followup", followups)):
        db.put_many(conn, entity, [(r, org.history_audience(r, by_id.get(r["customer_id"])))
                                   for r in records], reason="seeded")


def _history(rng: random.Random, customer: dict, owner: dict, now: datetime,
             visits: list[dict], feedback: list[dict], followups: list[dict]) -> None:
    last = None
    for _ in range(rng.choices((0, 1, 2, 3, 5), weights=(20, 30, 25, 15, 10))[0]):
        at = now - timedelta(days=rng.randint(1, 150), hours=rng.randint(0, 10))
        amount = round(rng.uniform(2_000, 120_000), -2) if rng.random() < 0.18 else None
        visits.append({"id": _id(rng), "customer_id": customer["id"], "rep_id": owner["id"],
                       "at": at.isoformat(), "kind": rng.choice(["visit", "visit", "call",
                                                                 "meeting", "email"]),
                       "outcome": rng.choice(OUTCOMES), "notes": rng.choice(NOTES),
                       "next_step": "", "next_step_due": None, "amount": amount,
                       "non_owner": False, "version": 1})
        last = max(last or at, at)
        if amount and not customer.get("deal_at"):
            customer["deal_at"] = at.isoformat()
    customer["last_visit_at"] = last.isoformat() if last else None
    roll = rng.random()
    if roll < 0.25:
        feedback.append({"id": _id(rng), "customer_id": customer["id"], "rep_id": owner["id"],
                         "at": (now - timedelta(days=rng.randint(1, 90))).isoformat(),
                         "kind": "satisfaction", "score": rng.choices((2, 3, 4, 5),
                                                                      weights=(1, 3, 6, 5))[0],
                         "severity": None, "text": "季度满意度回访 / quarterly check-in",
                         "status": None, "resolution": "", "version": 1})
    elif roll < 0.29:
        feedback.append({"id": _id(rng), "customer_id": customer["id"], "rep_id": owner["id"],
                         "at": (now - timedelta(days=rng.randint(1, 20))).isoformat(),
                         "kind": "complaint", "score": None,
                         "severity": rng.choice(["low", "medium", "high"]),
                         "text": rng.choice(COMPLAINTS), "status": "open", "resolution": "",
                         "version": 1})
    elif roll < 0.31:
        feedback.append({"id": _id(rng), "customer_id": customer["id"], "rep_id": owner["id"],
                         "at": (now - timedelta(days=rng.randint(1, 60))).isoformat(),
                         "kind": "suggestion", "score": None, "severity": None,
                         "text": rng.choice(SUGGESTIONS), "status": None, "resolution": "",
                         "version": 1})
    if rng.random() < 0.3:
        due = (now + timedelta(days=rng.randint(-6, 14))).date()
        followups.append({"id": _id(rng), "customer_id": customer["id"], "rep_id": owner["id"],
                          "due": due.isoformat(), "title": rng.choice(FOLLOWUPS), "status": "open",
                          "snoozed_until": None, "source": "visit_next_step", "version": 1})


def run(args: argparse.Namespace) -> int:
    from server.clikit import CliError, open_engine

    if not 1 <= args.reps <= 2000:
        raise CliError("--reps must be between 1 and 2000")
    if not 0 <= args.customers <= 500_000:
        raise CliError("--customers must be between 0 and 500000")
    engine = open_engine(args, create=True)
    try:
        people = seed(engine, reps=args.reps, customers=args.customers, seed_value=args.seed,
                      now=system_clock())
    except ValueError as error:
        raise CliError(str(error)) from None
    if args.json:
        print(json.dumps(people, ensure_ascii=False))
        return 0
    width = max(len(p["name"]) for p in people)
    for p in people:
        print(f"{p['name']:<{width}}  {p['role']:<7}  {p['team'] or '-':<24}  {p['token']}")
    print(f"seeded {args.customers} customers; give each person their token for `fieldrep login`")
    return 0


def add_parser(sub: Any) -> tuple[str, Any]:
    p = sub.add_parser("seed-demo", help="seed a realistic made-up organisation",
                       description="Seed a realistic made-up organisation (deterministic by "
                                   "--seed) and print each person's token.")
    p.add_argument("--reps", type=int, default=6)
    p.add_argument("--customers", type=int, default=2000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true", help="print people as a JSON list")
    return "seed-demo", run
