"""Shared TUI fixtures: a store filled with fixed data and a frozen clock.

``store`` is a real ``cache.Store`` in a temporary FIELDREP_HOME, filled the way a first sync
fills it (one bootstrap page from "the server"), then given a few pending local writes, so every
screen has something true to show: Chinese and English customers, visits, follow-ups (overdue,
due today), an open complaint, a claim whose protection is about to run out, pool customers.
Everything is deterministic: fixed ids, fixed times, and ``frozen_now`` for the App's clock.

``make_app(store, lang="en")`` returns a ``FieldRepApp`` on that store with the frozen clock and
no sync engine (screens must work offline). ``Posted`` records the messages the App handles (a
``message_hook`` for ``run_test``), notifications among them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import pytest

FROZEN_NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
TODAY = FROZEN_NOW.date()

ME = {"id": "rep-0001", "name": "Wang Fang", "role": "rep", "team_id": "team-east",
      "territory_ids": ["terr-east", "terr-us"]}
OTHER_REP = {"id": "rep-0002", "name": "Li Wei", "role": "rep", "team_id": "team-east",
             "territory_ids": ["terr-east"]}
MANAGER = {"id": "rep-0009", "name": "Zhao Min", "role": "manager", "team_id": "team-east",
           "territory_ids": ["terr-east", "terr-us"]}
TEAM = {"id": "team-east", "name": "East", "grouping": "region",
        "member_ids": [ME["id"], OTHER_REP["id"], MANAGER["id"]]}
TERRITORIES = [
    {"id": "terr-east", "name": "华东", "provinces": ["上海", "江苏", "浙江"]},
    {"id": "terr-us", "name": "US North", "cities": ["Boston", "Chicago"]},
]

# name, industry, type, province, city, tier, stage, product lines, owner (None = pool)
_CUSTOMERS = [
    ("中国石化上海分公司", "能源", "B2B", "上海", "上海", "A", "active", ["润滑油"], "me"),
    ("上海振华重工", "制造", "B2B", "上海", "上海", "A", "active", ["工业设备"], "me"),
    ("苏州工业园区医院", "医疗", "B2B", "江苏", "苏州", "B", "new", ["医疗器械"], "me"),
    ("杭州娃哈哈集团", "食品", "B2B", "浙江", "杭州", "A", "at_risk", ["包装"], "me"),
    ("南京钢铁股份", "制造", "B2B", "江苏", "南京", "B", "active", ["工业设备"], "me"),
    ("宁波港集团", "物流", "B2B", "浙江", "宁波", "B", "prospect", ["软件"], None),
    ("无锡小天鹅电器", "制造", "B2C", "江苏", "无锡", "C", "prospect", ["包装"], None),
    ("上海交通大学", "教育", "B2B", "上海", "上海", "B", "new", ["软件"], "me"),
    ("阿里巴巴杭州", "互联网", "B2B", "浙江", "杭州", "A", "active", ["软件"], "other"),
    ("常州天合光能", "能源", "B2B", "江苏", "常州", "C", "prospect", ["工业设备"], None),
    ("绍兴黄酒厂", "食品", "B2C", "浙江", "绍兴", "C", "lost", ["包装"], "me"),
    ("温州眼镜城", "零售", "B2C", "浙江", "温州", "C", "active", ["包装"], "me"),
    ("上海浦东发展银行", "金融", "B2B", "上海", "上海", "A", "active", ["软件"], "me"),
    ("扬州老字号茶社", "食品", "B2C", "江苏", "扬州", "C", "new", ["包装"], None),
    ("嘉兴纺织有限公司", "制造", "B2B", "浙江", "嘉兴", "B", "at_risk", ["工业设备"], "me"),
    ("南通中远船务", "物流", "B2B", "江苏", "南通", "B", "active", ["润滑油"], "other"),
    ("上海华山医院", "医疗", "B2B", "上海", "上海", "A", "new", ["医疗器械"], "me"),
    ("徐州工程机械", "制造", "B2B", "江苏", "徐州", "B", "active", ["润滑油"], "me"),
    ("金华火腿食品", "食品", "B2C", "浙江", "金华", "C", "prospect", ["包装"], None),
    ("台州吉利汽车", "制造", "B2B", "浙江", "台州", "A", "active", ["润滑油", "工业设备"], "me"),
    ("Acme Robotics", "Manufacturing", "B2B", "MA", "Boston", "A", "active", ["Software"], "me"),
    ("Boston Children's Clinic", "Healthcare", "B2B", "MA", "Boston", "B", "new",
     ["Medical devices"], "me"),
    ("Charles River Foods", "Food", "B2C", "MA", "Boston", "C", "prospect", ["Packaging"], None),
    ("Chicago Steelworks", "Manufacturing", "B2B", "IL", "Chicago", "B", "at_risk",
     ["Lubricants"], "me"),
    ("Lakeshore Logistics", "Logistics", "B2B", "IL", "Chicago", "C", "prospect",
     ["Software"], None),
    ("Windy City Bank", "Finance", "B2B", "IL", "Chicago", "A", "active", ["Software"], "me"),
    ("Beacon Hill Books", "Retail", "B2C", "MA", "Boston", "C", "active", ["Packaging"], "me"),
    ("Great Lakes Energy", "Energy", "B2B", "IL", "Chicago", "B", "new", ["Lubricants"], "other"),
    ("Harbor Medical Group", "Healthcare", "B2B", "MA", "Boston", "A", "active",
     ["Medical devices"], "me"),
    ("Midway Packaging", "Manufacturing", "B2B", "IL", "Chicago", "C", "lost", ["Packaging"],
     "me"),
    ("New England Dairy", "Food", "B2C", "MA", "Boston", "C", "prospect", ["Packaging"], None),
    ("Prairie Software", "Internet", "B2B", "IL", "Chicago", "B", "active", ["Software"], "me"),
    ("Quincy Marine", "Logistics", "B2B", "MA", "Boston", "C", "new", ["Lubricants"], "me"),
    ("Riverside University", "Education", "B2B", "IL", "Chicago", "B", "active", ["Software"],
     "me"),
    ("Summit Hospital", "Healthcare", "B2B", "MA", "Boston", "A", "at_risk",
     ["Medical devices"], "me"),
    ("Tremont Textiles", "Manufacturing", "B2B", "MA", "Boston", "C", "active",
     ["Industrial equipment"], "me"),
    ("Union Station Cafe", "Food", "B2C", "IL", "Chicago", "C", "prospect", ["Packaging"], None),
    ("Wacker Drive Partners", "Finance", "B2B", "IL", "Chicago", "B", "new", ["Software"], "me"),
    ("Zhongguancun Tech US", "Internet", "B2B", "MA", "Boston", "B", "prospect", ["Software"],
     None),
    ("上海石化设备", "制造", "B2B", "上海", "上海", "C", "prospect", ["工业设备"], None),
]

CUSTOMER_IDS = [f"cust-{i:04d}" for i in range(1, len(_CUSTOMERS) + 1)]
SINOPEC = CUSTOMER_IDS[0]  # 中国石化上海分公司, owned, A tier, with history
EXPIRING = CUSTOMER_IDS[2]  # 苏州工业园区医院: protection ends in two days
POOL = CUSTOMER_IDS[5]  # 宁波港集团: in the shared pool, claimable
OTHERS = CUSTOMER_IDS[8]  # 阿里巴巴杭州: owned and protected by Li Wei
ACME = CUSTOMER_IDS[20]  # Acme Robotics: owned, an open complaint


def _at(days: float, hour: int = 2) -> str:
    """An ISO timestamp ``days`` from the frozen now (negative = past)."""
    return (FROZEN_NOW.replace(hour=hour) + timedelta(days=days)).isoformat()


def _customer(index: int) -> dict:
    name, industry, ctype, province, city, tier, stage, lines, owner = _CUSTOMERS[index]
    cid = CUSTOMER_IDS[index]
    record = {
        "id": cid, "name": name, "industry": industry, "customer_type": ctype,
        "province": province, "city": city, "address": f"{city} {index + 1}",
        "tier": tier, "stage": stage, "product_lines": lines,
        "contacts": [{"name": f"Contact {index + 1}", "title": "Purchasing",
                      "phone": f"+86 21 5555 {index:04d}", "email": f"buyer{index}@example.com"}],
        "owner_id": None, "owner_name": None, "claimed_at": None, "protected_until": None,
        "last_visit_at": _at(-(index % 25) - 3) if owner else None,
        "version": 3, "updated_at": _at(-30),
    }
    if owner:
        rep = ME if owner == "me" else OTHER_REP
        record.update(owner_id=rep["id"], owner_name=rep["name"], claimed_at=_at(-20),
                      protected_until=_at(8 + index % 5), deal_at=_at(-10) if tier == "A" else None)
    if cid == EXPIRING:
        record.update(protected_until=_at(2), deal_at=None, claimed_at=_at(-12))
    if cid == SINOPEC:
        record.update(last_visit_at=_at(-40), protected_until=_at(12))
    return record


def _records() -> list[dict]:
    """One bootstrap page's changes: policy, people, territories, customers and history."""
    changes: list[dict] = [{"entity": "policy", "id": "policy", "record": {
        "cadence_days": {"A": 14, "B": 30, "C": 90}, "protection_days": 10,
        "visit_extension_days": 3, "max_protection_days": 30, "warning_days": 3,
        "daily_claim_cap": 5, "max_held": 200, "cooloff_days": 14, "working_days_only": True,
        "timezone": "Asia/Shanghai", "version": 1}}]
    changes += [{"entity": "rep", "id": r["id"], "record": {**r, "version": 1}}
                for r in (ME, OTHER_REP, MANAGER)]
    changes.append({"entity": "team", "id": TEAM["id"], "record": {**TEAM, "version": 1}})
    changes += [{"entity": "territory", "id": t["id"], "record": {**t, "version": 1}}
                for t in TERRITORIES]
    changes += [{"entity": "customer", "id": CUSTOMER_IDS[i], "record": _customer(i)}
                for i in range(len(_CUSTOMERS))]
    changes.append({"entity": "visit", "id": "visit-0001", "record": {
        "id": "visit-0001", "customer_id": SINOPEC, "rep_id": ME["id"], "at": _at(-40),
        "kind": "visit", "outcome": "Met the buyer", "notes": "讨论了明年的润滑油框架协议",
        "next_step": "Send the quote", "next_step_due": (TODAY - timedelta(days=3)).isoformat(),
        "amount": None, "version": 1}})
    changes.append({"entity": "visit", "id": "visit-0002", "record": {
        "id": "visit-0002", "customer_id": ACME, "rep_id": ME["id"], "at": _at(-9),
        "kind": "call", "outcome": "Order placed", "notes": "Two robots, delivery in January",
        "next_step": "", "next_step_due": None, "amount": 120000.0, "version": 1}})
    changes.append({"entity": "feedback", "id": "fb-0001", "record": {
        "id": "fb-0001", "customer_id": ACME, "rep_id": ME["id"], "at": _at(-5),
        "kind": "complaint", "severity": "high", "score": None,
        "text": "Second robot arrived with a cracked housing", "status": "open",
        "resolution": "", "version": 1}})
    changes.append({"entity": "feedback", "id": "fb-0002", "record": {
        "id": "fb-0002", "customer_id": SINOPEC, "rep_id": ME["id"], "at": _at(-39),
        "kind": "satisfaction", "score": 4, "severity": None, "text": "服务及时", "status": None,
        "resolution": "", "version": 1}})
    followups = [
        ("fu-0001", SINOPEC, TODAY - timedelta(days=3), "Send the quote", "visit_next_step"),
        ("fu-0002", CUSTOMER_IDS[1], TODAY, "确认交货时间", "manual"),
        ("fu-0003", ACME, TODAY, "Call about the renewal", "manual"),
        ("fu-0004", CUSTOMER_IDS[12], TODAY + timedelta(days=4), "季度回访", "manual"),
    ]
    for fid, cid, due, title, source in followups:
        changes.append({"entity": "followup", "id": fid, "record": {
            "id": fid, "customer_id": cid, "rep_id": ME["id"], "due": due.isoformat(),
            "title": title, "status": "open", "snoozed_until": None, "source": source,
            "version": 1}})
    return [{"op": "upsert", "reason": None, **c} for c in changes]


def fill_store(store) -> None:
    """Fill ``store`` with the fixed data set: one bootstrap page, then pending local writes."""
    store.save_session("http://127.0.0.1:9", ME, "device-0001", "test-token")
    store.apply_bootstrap_page(_records(), None, "cursor-1", True)
    # logged on the frozen clock too: the visit extends protection from the moment it is
    # saved, and a snapshot must not change with the day the suite runs
    with patch("cache.commands.now", lambda: FROZEN_NOW):
        store.log_visit(CUSTOMER_IDS[1], kind="visit", outcome="Demo of the new crane",
                        notes="客户对交货期有疑问", at=FROZEN_NOW - timedelta(hours=20))


@pytest.fixture
def frozen_now() -> datetime:
    """The App's clock in every TUI test: Monday 2026-11-23 10:00 Asia/Shanghai."""
    return FROZEN_NOW


@pytest.fixture
def store(fieldrep_home):
    """A real cache.Store in a temporary FIELDREP_HOME, filled with the fixed data set."""
    from cache import Store

    opened = Store.open(fieldrep_home)
    fill_store(opened)
    yield opened
    opened.close()


def make_app(store, lang: str = "en", engine=None, clock=None, **kwargs):
    """A FieldRepApp on ``store`` with the frozen clock (or ``clock``) and (by default) no sync
    engine."""
    from tui.app import FieldRepApp

    return FieldRepApp(store, engine, lang=lang, clock=clock or (lambda: FROZEN_NOW), **kwargs)


class Posted:
    """A ``message_hook`` for ``App.run_test``: every message the App's nodes handled, in order.

    ``async with app.run_test(message_hook=posted)``; then ``posted.of(StoreChanged)`` are the
    messages of one kind and ``posted.toasts`` the text of every notification (``App.notify``
    posts a ``Notify`` message), read through Textual's public test hook, not the App's state.
    """

    def __init__(self) -> None:
        self.messages: list = []

    def __call__(self, message) -> None:
        self.messages.append(message)

    def of(self, kind: type) -> list:
        return [m for m in self.messages if isinstance(m, kind)]

    @property
    def toasts(self) -> list[str]:
        from textual.notifications import Notify

        return [str(m.notification.message) for m in self.of(Notify)]

