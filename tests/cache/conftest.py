"""Fixtures for the local store's tests: a logged-in store filled by one bootstrap page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cache import Store

ME = {"id": "rep-me", "name": "Wang Fang", "role": "rep", "team_id": "team-1",
      "territory_ids": ["terr-east"]}
OTHER = {"id": "rep-other", "name": "Li Wei", "role": "rep", "team_id": "team-1",
         "territory_ids": ["terr-east"]}
TERRITORY = {"id": "terr-east", "name": "华东", "provinces": ["上海", "江苏", "浙江", "MA"]}
POLICY = {"cadence_days": {"A": 14, "B": 30, "C": 90}, "protection_days": 10,
          "visit_extension_days": 3, "max_protection_days": 30, "warning_days": 3,
          "daily_claim_cap": 5, "max_held": 200, "cooloff_days": 14,
          "working_days_only": False, "timezone": "UTC", "version": 1}


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(days: float) -> str:
    return (now() + timedelta(days=days)).isoformat()


def customer(cid: str, name: str, *, owner: dict | None = None, tier: str = "B",
             province: str = "上海", city: str = "上海", industry: str = "制造",
             contact: str = "Zhang San", keys: list[str] | None = None, **extra) -> dict:
    record = {
        "id": cid, "name": name, "industry": industry, "customer_type": "B2B",
        "province": province, "city": city, "tier": tier, "stage": "active",
        "product_lines": ["软件"], "contacts": [{"name": contact, "title": "Buyer"}],
        "owner_id": owner["id"] if owner else None, "owner_name": owner["name"] if owner else None,
        "claimed_at": iso(-5) if owner else None, "protected_until": iso(6) if owner else None,
        "last_visit_at": iso(-2) if owner else None, "version": 1,
    }
    if keys is not None:
        record["search_keys"] = keys
    record.update(extra)
    return record


def base_changes(customers: list[dict]) -> list[dict]:
    changes = [{"entity": "policy", "id": "policy", "record": POLICY},
               {"entity": "rep", "id": ME["id"], "record": ME},
               {"entity": "rep", "id": OTHER["id"], "record": OTHER},
               {"entity": "territory", "id": TERRITORY["id"], "record": TERRITORY}]
    changes += [{"entity": "customer", "id": c["id"], "record": c} for c in customers]
    return [{"op": "upsert", **c} for c in changes]


SINOPEC = "c-sinopec"
ACME = "c-acme"
POOL = "c-pool"
THEIRS = "c-theirs"


def default_customers() -> list[dict]:
    return [
        customer(SINOPEC, "中国石化上海分公司", owner=ME, tier="A",
                 keys=["zhongguoshihuashanghaifengongsi", "zgshshfgs"]),
        customer(ACME, "Acme Robotics", owner=ME, tier="A", province="MA", city="Boston",
                 industry="Manufacturing", contact="Mary Smith"),
        customer(POOL, "宁波港集团", province="浙江", city="宁波", industry="物流",
                 keys=["ningbogangjituan", "nbgjt"]),
        customer(THEIRS, "阿里巴巴杭州", owner=OTHER, province="浙江", city="杭州",
                 keys=["alibabahangzhou", "albbhz"]),
        customer("c-harbor", "Harbor Medical Group", owner=ME, tier="C", province="MA",
                 city="Boston", industry="Healthcare"),
    ]


def open_filled(home, customers: list[dict] | None = None) -> Store:
    store = Store.open(home)
    store.save_session("http://127.0.0.1:9", ME, "device-1", "secret-token")
    store.apply_bootstrap_page(base_changes(customers or default_customers()), None, "cur-1", True)
    return store


@pytest.fixture
def store(fieldrep_home):
    opened = open_filled(fieldrep_home)
    yield opened
    opened.close()
