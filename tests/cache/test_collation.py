"""Names and groups in the order people read them: Chinese by pinyin among the Latin names,
tiers A, B, C, stages in their lifecycle, the pool last (issue 16)."""

from __future__ import annotations

import random

import pytest

from cache.collation import collation_key
from cache.index import CustomerIndex
from sync.protocol.search_keys import pinyin_keys


def _customer(cid: str, name: str, **fields) -> dict:
    return {"id": cid, "name": name, "search_keys": pinyin_keys(name), "city": "", "contacts": [],
            **fields}


NAMES = ["苏州工业园区医院", "Acme Robotics", "上海振华重工", "阿里巴巴杭州", "南京钢铁股份",
         "Beacon Hill Books", "长城电力", "zeta Labs", "王芳贸易", "李伟科技"]
PINYIN_ORDER = ["Acme Robotics", "阿里巴巴杭州", "Beacon Hill Books", "长城电力", "李伟科技",
                "南京钢铁股份", "上海振华重工", "苏州工业园区医院", "王芳贸易", "zeta Labs"]


def _index(customers: list[dict]) -> CustomerIndex:
    index = CustomerIndex()
    index.rebuild({c["id"]: c for c in customers})
    return index


def _names(index: CustomerIndex, ids: list[str]) -> list[str]:
    return [index._customers[cid]["name"] for cid in ids]


def test_name_order_is_pinyin_mixed_with_latin_by_lowercase():
    """Was by code point: every Latin name first, then 上 (U+4E0A) before 南 before 苏…, and
    长城 (changcheng) placed by its phrase reading, not 长's first one (zhang)."""
    index = _index([_customer(f"c{i}", name) for i, name in enumerate(NAMES)])
    assert _names(index, index.sorted_ids("name")) == PINYIN_ORDER


def test_a_rename_after_the_search_index_is_built_moves_the_customer_to_its_pinyin_place():
    customers = [_customer(f"c{i}", name) for i, name in enumerate(NAMES)]
    index = _index(customers)
    assert index.search("上海")  # the search index is built; changes now move in place
    old = index._customers["c0"]
    new = _customer("c0", "北京协和医院")  # beijing: after Beacon, before 长城
    index._customers["c0"] = new
    index.changed("c0", old, new)
    added = _customer("c99", "Delta Foods")
    index._customers["c99"] = added
    index.changed("c99", None, added)
    assert index.search("北京") == ["c0"]  # a Chinese name's prefix is still found
    assert index.search("delta") == ["c99"]
    expected = ["Acme Robotics", "阿里巴巴杭州", "Beacon Hill Books", "北京协和医院", "长城电力",
                "Delta Foods", "李伟科技", "南京钢铁股份", "上海振华重工", "王芳贸易", "zeta Labs"]
    assert _names(index, index.sorted_ids("name")) == expected
    # and a rebuild from scratch agrees with the order moved into place
    assert _names(_index(list(index._customers.values())), index.sorted_ids("name")) == expected


def test_search_ranks_by_pinyin_name_within_a_rank():
    index = _index([_customer(f"c{i}", name) for i, name in enumerate(
        ["上海振华重工", "上海交通大学", "上海华山医院", "上海浦东发展银行"])])
    # every name starts with 上海: one rank, so the order is the names' pinyin order
    assert _names(index, index.search("shanghai")) == [
        "上海华山医院", "上海交通大学", "上海浦东发展银行", "上海振华重工"]


def test_tiers_are_grouped_a_b_c_and_stages_in_their_lifecycle():
    """Was by count: the biggest group first (C before A when there are more C customers)."""
    rng = random.Random(4)
    tiers = ["C"] * 6 + ["B"] * 3 + ["A"]
    stages = ["active"] * 5 + ["lost"] * 2 + ["prospect", "at_risk", "new"]
    customers = [_customer(f"c{i}", f"N{i}", tier=t, stage=s)
                 for i, (t, s) in enumerate(zip(tiers, rng.sample(stages, len(stages)),
                                                strict=True))]
    index = _index(customers)
    assert [value for value, _ in index.groups("tier")] == ["A", "B", "C"]
    assert [value for value, _ in index.groups("stage")] == [
        "prospect", "new", "active", "at_risk", "lost"]


def test_cities_and_owners_are_grouped_by_pinyin_with_the_pool_last():
    """Was by count, then code point: 上海 (the biggest) first, 苏州 before 南京."""
    cities = ["上海"] * 4 + ["苏州"] * 2 + ["南京", "Boston", "常州"]
    owners = [("r1", "王芳"), ("r2", "李伟"), ("r1", "王芳"), (None, None), ("r3", "Anna Lee"),
              ("r1", "王芳"), ("r2", "李伟"), (None, None), ("r1", "王芳")]
    customers = [_customer(f"c{i}", f"N{i}", city=city, owner_id=owner, owner_name=owner_name)
                 for i, (city, (owner, owner_name)) in enumerate(zip(cities, owners, strict=True))]
    index = _index(customers)
    assert [value for value, _ in index.groups("city")] == ["Boston", "常州", "南京", "上海",
                                                            "苏州"]
    assert [value for value, _ in index.groups("owner")] == ["r3", "r2", "r1", ""]
    # the name shown decides the order when the caller gives it (an industry's Chinese name)
    named = {"r1": "Zed", "r2": "Bob", "r3": "Carl"}
    assert [v for v, _ in index.groups("owner", lambda v: named.get(v, v))] == [
        "r2", "r3", "r1", ""]


@pytest.mark.parametrize("text", ["上海", "南京", "苏州", "王芳", "李伟", "制造业", "杭州", "常州"])
def test_the_packed_table_reads_group_names_as_pypinyin_does(text):
    assert collation_key(text) == pinyin_keys(text)[0]


def test_the_packed_table_is_what_pypinyin_generates():
    """cache/pinyin_table.py is generated; a stale table would sort places wrongly."""
    from pathlib import Path

    import cache.collation as collation

    table = Path(collation.__file__).with_name("pinyin_table.py").read_text(encoding="utf-8")
    assert table == collation.generate()


def test_latin_text_collates_as_its_lowercase_without_the_table():
    assert collation_key("Boston") == "boston"
    assert collation_key("") == ""


def test_places_read_otherwise_inside_a_word_sort_by_the_words_reading():
    """Was: 厦门 among the S's (厦 alone is sha), 重庆 among the Z's, 长沙 as zhangsha."""
    cities = ["厦门", "重庆", "成都", "长沙", "上海", "北京", "苏州", "西安", "郑州"]
    assert sorted(cities, key=collation_key) == [
        "北京", "长沙", "成都", "重庆", "上海", "苏州", "厦门", "西安", "郑州"]
    assert collation_key("中国银行") == "zhongguoyinhang"
    assert collation_key("金融行业") == "jinronghangye"
    assert collation_key("成都市") == "chengdushi"  # the word inside a longer text
