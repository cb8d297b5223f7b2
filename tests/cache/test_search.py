"""Search as you type (substring, fuzzy, pinyin), the group indexes, and an open that never
computes pinyin."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cache import build_customers
from cache import Ambiguous, NotFound, Store
from cache.index import _SEP, _WORD_BREAKS, CustomerIndex
from tests.cache.conftest import ACME, ME, POOL, SINOPEC, THEIRS, base_changes, customer

ROOT = Path(__file__).resolve().parents[2]


def names(results: list[dict]) -> list[str]:
    return [r["name"] for r in results]


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("acme", ACME),                # name prefix
        ("robot", ACME),               # a word of the name
        ("ROBOTICS", ACME),            # any case
        ("mary smi", ACME),            # a contact
        ("石化", SINOPEC),             # Chinese substring
        ("宁波", POOL),                # city
        ("zgsh", SINOPEC),             # pinyin initials
        ("zhongguoshihua", SINOPEC),   # full pinyin
        ("zhongguo", SINOPEC),         # full pinyin, half typed
        ("nbgjt", POOL),
        ("albb", THEIRS),
        ("acme robotcs", ACME),        # a typo (fuzzy)
        ("harbr medical", "c-harbor"),  # a typo in a multi-word query
        ("robtics", ACME),
    ],
)
def test_search_finds_customers_by_name_city_contact_pinyin_and_typos(store, query, expected_first):
    assert store.search(query)[0]["id"] == expected_first


def test_search_ranks_prefix_matches_before_substring_ones(store):
    store.create_customer({"name": "Boston Harbor Supply", "city": "Boston", "province": "MA"})
    found = names(store.search("harbor"))
    assert found.index("Harbor Medical Group") < found.index("Boston Harbor Supply")


def test_search_by_city_finds_every_customer_there(store):
    assert set(names(store.search("boston"))) == {"Acme Robotics", "Harbor Medical Group"}


def test_a_query_that_matches_nothing_returns_nothing(store):
    assert store.search("xqzvw") == []
    assert store.search("") == []


def test_search_follows_edits_and_new_customers(store):
    store.update_customer(ACME, {"name": "Apex Automation"})
    assert store.search("acme robotics") == [] or store.search("acme robotics")[0]["id"] != ACME
    assert store.search("apex")[0]["id"] == ACME
    created = store.create_customer({"name": "杭州娃哈哈食品", "city": "杭州", "province": "浙江"})
    assert created["search_keys"] == ["hangzhouwahahashipin", "hzwhhsp"]
    assert store.search("whh")[0]["id"] == created["id"]


def test_typing_char_by_char_narrows_and_backspace_widens_again(store):
    assert SINOPEC in [r["id"] for r in store.search("z")]
    for typed in ["zg", "zgs", "zgsh"]:
        assert store.search(typed)[0]["id"] == SINOPEC
    wide = {r["id"] for r in store.search("b")}
    assert {ACME, "c-harbor"} <= wide  # 'b' again after 'zgsh': not narrowed from the old query


def test_fuzzy_search_still_works_after_group_queries(store):
    """Regression: listing a group used to break the fuzzy search that followed."""
    assert store.customers_in_group("tier", "A") == [ACME, SINOPEC]
    assert store.search("acme robotcs")[0]["id"] == ACME


def test_groups_count_customers_and_list_them_by_name(store):
    assert dict(store.groups("region")) == {"上海": 1, "MA": 2, "浙江": 2}
    assert dict(store.groups("owner"))[ME["id"]] == 3
    assert store.customers_in_group("city", "Boston") == [ACME, "c-harbor"]
    assert store.customers_in_group("owner", "") == [POOL]  # the pool
    assert dict(store.groups("product_line")) == {"软件": 5}
    with pytest.raises(ValueError, match="unknown grouping"):
        store.groups("colour")


def test_groups_follow_a_claim_and_an_edit(store):
    store.update_customer(ACME, {"tier": "B"})
    assert ACME in store.customers_in_group("tier", "B")
    assert ACME not in store.customers_in_group("tier", "A")


def test_sorted_ids_cover_every_customer(store):
    for sort in ("name", "last_visit", "next_due", "tier"):
        assert sorted(store.all_customer_ids(sort)) == sorted(
            [SINOPEC, ACME, POOL, THEIRS, "c-harbor"])
    assert store.all_customer_ids("tier")[:2] in ([SINOPEC, ACME], [ACME, SINOPEC])


def test_resolve_customer_by_id_by_unique_search_or_says_what_matched(store):
    assert store.resolve_customer(ACME)["name"] == "Acme Robotics"
    assert store.resolve_customer("zgsh")["id"] == SINOPEC
    with pytest.raises(NotFound, match="no customer matches"):
        store.resolve_customer("xqzvw")
    with pytest.raises(Ambiguous, match="matches 2 customers") as caught:
        store.resolve_customer("boston")
    assert {m["id"] for m in caught.value.matches} == {ACME, "c-harbor"}


def test_pulled_customers_without_keys_get_pinyin_keys_when_written(store):
    record = customer("c-new", "青岛啤酒", province="山东", city="青岛")
    assert "search_keys" not in record
    store.apply_pull_page([{"op": "upsert", "entity": "customer", "id": "c-new",
                            "record": record}], "cur-2")
    assert store.search("qdpj")[0]["id"] == "c-new"
    assert store.search("qingdao")[0]["id"] == "c-new"


POLYPHONE_NAMES = [  # (name, a reading pypinyin's phrase choice may not give, its initials)
    ("苏州长城电器", "changcheng", "szcc"),
    ("苏州长城电器", "zhangcheng", "szzc"),
    ("长沙银行", "changshayinhang", "csyh"),
    ("中国银行上海分行", "yinhang", "zgyh"),
    ("重庆钢铁", "chongqing", "cqgt"),
    ("重庆钢铁", "zhongqing", "zqgt"),
    ("乐山电力", "leshan", "lsdl"),
    ("欢乐谷旅游", "huanlegu", "hlg"),
    ("厦门航空", "xiamen", "xmhk"),
    ("单县食品", "shanxian", "sxsp"),
    ("朝阳重工", "chaoyang", "cyzg"),
    ("朝阳重工", "zhonggong", "cyzg"),
]


@pytest.mark.parametrize(("name", "reading", "initials"), POLYPHONE_NAMES)
def test_a_polyphonic_name_is_found_by_each_common_reading(store, name, reading, initials):
    """Issue 12: 苏州长城 is found by changcheng as well as by zhangcheng (pypinyin reads 州长
    as a word), 银行 by yinhang; every common reading of a polyphonic character is a key."""
    from sync.protocol.search_keys import pinyin_keys

    keys = pinyin_keys(name)
    assert any(reading in k for k in keys), keys
    assert any(initials in k for k in keys), keys
    record = {**customer("c-poly", name, province="上海", city="上海"), "search_keys": keys}
    store.apply_pull_page([{"op": "upsert", "entity": "customer", "id": "c-poly",
                            "record": record}], "cur-3")
    assert "c-poly" in [c["id"] for c in store.search(reading)]
    assert "c-poly" in [c["id"] for c in store.search(initials)]


def test_polyphone_keys_stay_bounded_and_the_first_key_is_the_phrase_reading():
    from sync.protocol.search_keys import MAX_VARIANTS, pinyin_keys

    keys = pinyin_keys("长行重乐厦长行重乐厦")
    assert len(keys) <= 2 * (MAX_VARIANTS + 1)
    assert pinyin_keys("长沙重工")[0] == "changshazhonggong"  # what the name order sorts by
    assert pinyin_keys("Acme Ltd") == []
    assert pinyin_keys("中国石化") == ["zhongguoshihua", "zgsh"]  # nothing polyphonic


OPEN_WITHOUT_PYPINYIN = """
import sys
sys.modules["pypinyin"] = None  # any import of pypinyin now fails
from cache import Store
store = Store.open(sys.argv[1])
store.warm_up()
print(store.search("zgsh")[0]["id"], store.search("qdpj")[0]["id"], store.customer_count())
"""


def test_opening_and_searching_never_compute_pinyin(fieldrep_home):
    with Store.open(fieldrep_home) as store:
        store.save_session("http://127.0.0.1:9", ME, "device-1", "token")
        pulled = customer("c-new", "青岛啤酒", province="山东", city="青岛")
        store.apply_bootstrap_page(base_changes([
            customer(SINOPEC, "中国石化上海分公司", keys=["zhongguoshihuashanghaifengongsi",
                                                         "zgshshfgs"]),
            pulled,  # no keys from the server: computed now, when written
        ]), None, "cur-1", True)
    done = subprocess.run(
        [sys.executable, "-c", OPEN_WITHOUT_PYPINYIN, str(fieldrep_home)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [SINOPEC, "c-new", "2"]


def _reference_search(customers: list[dict], query: str, limit: int) -> list[str]:
    """The ranking search() promises, computed the slow, obvious way (exact matches only)."""
    terms = query.lower().split()
    ranked: dict[int, list[tuple[str, str, str]]] = {1: [], 2: [], 3: []}
    for c in customers:
        name = c["name"].lower()
        keys = c.get("search_keys") or []
        hay = _SEP.join([name, c["city"].lower(), *(x["name"].lower() for x in c["contacts"]),
                         *keys])
        if not all(t in hay for t in terms):
            continue
        words = [*name.translate(_WORD_BREAKS).split(_SEP), *keys]
        if name.startswith(terms[0]) or any(k.startswith(terms[0]) for k in keys):
            tier = 1
        elif any(w.startswith(terms[0]) for w in words):
            tier = 2
        else:
            tier = 3
        # by name within a rank, in pinyin order (a Chinese name by its first pinyin key)
        ranked[tier].append((keys[0] if keys else name, name, c["id"]))
    return [cid for tier in (1, 2, 3) for *_, cid in sorted(ranked[tier])][:limit]


def test_search_typed_char_by_char_ranks_exactly_like_the_obvious_full_scan():
    """The fast paths (bisect, early stop, narrowing by the last keystroke, cached words) must
    never change what is found or its order."""
    customers = build_customers(3000, seed=3)
    by_id = {c["id"]: c for c in customers}
    index = CustomerIndex()
    index.rebuild(by_id)
    rng = random.Random(5)
    words = ["robotics", "beacon summit", "zgsh", "zhongguo", "hang", "上海振华", "chicago",
             "mary", "shanghai", "jili", "a", "co", "golden atlas", "wang", "b2", "acme"]
    for round_ in range(6):
        for _ in range(8):
            query = rng.choice(words) if rng.random() < 0.7 else " ".join(rng.sample(words, 2))
            limit = rng.choice([5, 20, 200])
            for n in range(1, len(query) + 1):
                typed = query[:n]
                expected = _reference_search(list(by_id.values()), typed, limit)
                got = index.search(typed, limit)
                assert got[: len(expected)] == expected, (round_, typed, limit)
                if len(expected) >= 5 or len(expected) == limit:
                    assert len(got) == len(expected), (round_, typed, limit)
        # customers change between rounds: renamed, new, gone, a contact edited
        for cid in rng.sample(sorted(by_id), 25):
            old = by_id[cid]
            roll = rng.random()
            if roll < 0.3:
                new = {**old, "name": rng.choice(["Acme Zeta", "中国石化江苏", "Beacon"]),
                       "search_keys": []}
                if new["name"] == "中国石化江苏":
                    new["search_keys"] = ["zhongguoshihuajiangsu", "zgshjs"]
            elif roll < 0.5:
                new = {**old, "contacts": [{"name": "Mary Acme"}]}
            elif roll < 0.7:
                new = None
            else:
                new = {**old, "id": f"{cid}-new", "name": old["name"] + " Shanghai"}
                by_id[new["id"]] = new
                index.changed(new["id"], None, new)
                continue
            if new is None:
                del by_id[cid]
            else:
                by_id[cid] = new
            index.changed(cid, old, new)


def test_listing_customers_and_the_queue_leave_the_search_index_for_later(store, fieldrep_home):
    """Start-up budget: the first frame (territory list by name, the queue, groups) must not
    wait for the search index; it is built by warm_up() or the first keystroke."""
    store.add_followup(ACME, title="Call back", due="today")
    store.close()
    with Store.open(fieldrep_home) as again:
        assert again.all_customer_ids("name")[0] == ACME
        assert [(e["customer_id"], e["reason_code"]) for e in again.queue()] == [
            (ACME, "due_today")]
        assert again.customers_in_group("owner", ME["id"])
        assert again.search_ready is False
        again.warm_up()
        assert again.search_ready is True
        assert again.search("zgsh")[0]["id"] == SINOPEC
