"""In-memory indexes over the customers: by group, sort orders and search as you type.

Built at open from keys already stored with each customer (name, city, contacts and the pinyin
``search_keys`` computed when the customer was written), so start-up never calls pypinyin.

Search, best first: *prefix* (the query starts the name, a word of it, or a pinyin key —
``zgsh`` finds 中国石化, ``zhongguo`` too), then *substring* of name, city, contact or pinyin,
then *fuzzy* (typos, via rapidfuzz) — tried only when the exact passes found few, and matched
against the vocabulary of words rather than every record. Typing a query char by char narrows
the previous keystroke's matches instead of scanning all customers again.

Longer than ~500 lines for a reason: it is one data structure. The groups, the sort orders and
the search index share the name order, the positions in it and the log of changed customers
(applied in place at the next search); split apart, each part would reach into the others' state.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

from cache.collation import collation_key
from sync.protocol.models import Stage, Tier

GROUPINGS = (
    "region",
    "city",
    "tier",
    "stage",
    "industry",
    "customer_type",
    "product_line",
    "owner",
)
SORTS = ("name", "last_visit", "next_due", "tier")
_GROUP_FIELDS = {"region": "province", "owner": "owner_id", "city": "city", "tier": "tier",
                 "stage": "stage", "industry": "industry", "customer_type": "customer_type"}
FUZZY_WHEN_FEWER_THAN = 5
FUZZY_MIN_LENGTH = 3
PREFIX_LENGTHS_AHEAD = (3, 4, 5, 6)
POSITIONS_CACHED = 256
REBUILD_AFTER_CHANGES = 5000
BUILD_WAIT_S = 10.0
"""How long a search waits for a build already running before building the index itself."""
_SEARCH_FIELDS = ("name", "city", "contacts", "search_keys")
_RANKS = {"tier": {t.value: i for i, t in enumerate(Tier)},
          "stage": {s.value: i for i, s in enumerate(Stage)}}
"""Groupings that are ranks, ordered by rank (A, B, C; prospect … lost), not by name."""
_LATIN_WORD = re.compile(r"[a-z][a-z']{2,}")
_SEP = "\x00"
_RECORD_BREAK = "\x01"
_WORD_BREAKS = str.maketrans({c: _SEP for c in " -_/.,;:()（）·&'+"})


def _find_all(big: str, starts: list[int], needle: str) -> Iterator[int]:
    """Positions, ascending and each once, of the records whose text in ``big`` (records
    joined, record ``i`` beginning at ``starts[i]``) contains ``needle``."""
    index = big.find(needle)
    while index != -1:
        position = bisect_right(starts, index) - 1
        yield position
        index = big.find(needle, starts[position + 1])


def _order_key(cid: str, customer: dict) -> str:
    """Where a customer stands in name order: by pinyin (a Chinese name's first search key, so
    上海 sorts among the S's), then lowered name, then id. One string joined by NUL (which sorts
    before every character, so it orders as the triple would): 50,000 strings sort faster than
    50,000 tuples, which is most of the territory's first frame (bench.tui)."""
    lowered = (customer.get("name") or "").lower()
    keys = customer.get("search_keys")
    return f"{keys[0] if keys else lowered}{_SEP}{lowered}{_SEP}{cid}"


def _name_order(customers: dict[str, dict]) -> list[str]:
    """Customer ids in name order (``_order_key``): the territory's first order and search's."""
    keyed = sorted([_order_key(cid, c) for cid, c in customers.items()])
    return [key[key.rindex(_SEP) + 1:] for key in keyed]


def _index_keys(customer: dict | None) -> tuple[str, ...]:
    """What a name prefix is looked up by: the lowered name and its pinyin keys (none for an
    absent customer)."""
    if customer is None:
        return ()
    return ((customer.get("name") or "").lower(), *(customer.get("search_keys") or ()))


def _pinyin_only(key_text: list[str], hay: list[str]) -> set[str]:
    """The pinyin keys among the prefix keys (the names taken out): kept out of the fuzzy
    vocabulary, as they are matched exactly."""
    return set(key_text).difference(h[: h.index(_SEP)] for h in hay)


def _prefixes_of(words: list[str], length: int) -> list[str]:
    return list({word[:length] for word in words if len(word) > length})


def _prefix_tables(words: list[str]) -> dict[int, list[str]]:
    """The prefixes of the lengths a half-typed word usually has (built with the vocabulary, so
    the first typo of each length does not pay for them)."""
    return {length: _prefixes_of(words, length) for length in PREFIX_LENGTHS_AHEAD}


def _vocabulary(big: str, pinyin_keys: set[str]) -> list[str]:
    """Every Latin word of 3+ letters in the joined haystacks, for fuzzy matching; pinyin keys
    are matched exactly (prefix/substring), not fuzzily, so they are left out."""
    return list(set(_LATIN_WORD.findall(big)) - pinyin_keys)


@dataclass
class SearchBuild:
    """A search index being built outside the store's lock (see ``CustomerIndex.begin_build``).

    ``customers`` is a shallow copy taken under the lock; records are replaced, never changed in
    place, so the copy stays what it was. ``changed`` collects, by id, each customer's record as
    the copy has it, for every customer changed while the build runs.
    """

    customers: dict[str, dict]
    order: list[str] | None = None
    changed: dict[str, dict | None] = field(default_factory=dict)
    parts: tuple | None = None
    vocabulary: list[str] | None = None
    prefixes: dict[int, list[str]] | None = None
    done: threading.Event = field(default_factory=threading.Event)
    """Set when ``run_build`` has finished, whether it succeeded or not."""


def group_values(grouping: str, customer: dict) -> list[str]:
    """The value(s) a customer has under ``grouping`` ('' for none; owner '' means the pool)."""
    if grouping == "region":
        return [customer.get("province") or ""]
    if grouping == "product_line":
        return list(dict.fromkeys(customer.get("product_lines") or [])) or [""]
    if grouping == "owner":
        return [customer.get("owner_id") or ""]
    return [str(customer.get(grouping) or "")]


class CustomerIndex:
    """Groups, sort orders and the search index over ``customers`` (id → effective record)."""

    def __init__(self, next_due: Callable[[dict], date | None] | None = None):
        self._next_due = next_due or (lambda customer: None)
        self.rebuild({})

    @property
    def search_built(self) -> bool:
        """Is the search index built (by a search, or a background build installed)?"""
        return self._search_built

    # ------------------------------------------------------------------ building

    def rebuild(self, customers: dict[str, dict]) -> None:
        self._customers = customers
        self._building: SearchBuild | None = None  # a build from the old customers is void
        # each grouping is built the first time it is asked for (the queue needs only "owner")
        self._groups: dict[str, dict[str, set[str]]] = {}
        self._sorts: dict[str, list[str]] = {}
        self._order: list[str] | None = None  # name order: sorted on first use
        self._order_positions: dict[str, int] | None = None
        self._search_built = False  # built on first use, or by warm_up()

    def _group(self, grouping: str) -> dict[str, set[str]]:
        built = self._groups.get(grouping)
        if built is not None:
            return built
        if grouping not in GROUPINGS:
            raise ValueError(f"unknown grouping {grouping!r}; use one of {', '.join(GROUPINGS)}")
        built = defaultdict(set)
        if grouping == "product_line":
            for cid, customer in self._customers.items():
                for value in customer.get("product_lines") or ("",):
                    built[value].add(cid)
        else:
            field = _GROUP_FIELDS[grouping]
            for cid, customer in self._customers.items():
                built[customer.get(field) or ""].add(cid)
        self._groups[grouping] = built
        return built

    def _add_groups(self, cid: str, customer: dict) -> None:
        for grouping, built in self._groups.items():
            for value in group_values(grouping, customer):
                built[value].add(cid)

    def _remove_groups(self, cid: str, customer: dict) -> None:
        for grouping, built in self._groups.items():
            for value in group_values(grouping, customer):
                members = built.get(value)
                if members is not None:
                    members.discard(cid)
                    if not members:
                        del built[value]

    @staticmethod
    def _texts(customer: dict) -> tuple[str, str, str]:
        """(lowered name, haystack, word starts) of one customer, as search looks at them."""
        name = (customer.get("name") or "").lower()
        keys = customer.get("search_keys") or ()
        parts = [name, (customer.get("city") or "").lower()]
        for contact in customer.get("contacts") or ():
            parts.append((contact.get("name") or "").lower())
        parts.extend(keys)
        return name, _SEP.join(parts), _SEP + _SEP.join([name.translate(_WORD_BREAKS), *keys])

    @staticmethod
    def _search_parts(customers: dict[str, dict], order: list[str] | None = None) -> tuple:
        """What search needs, from ``customers`` alone (no shared state: it may run in any
        thread): name order, haystacks, word starts, and every pinyin key with its customer."""
        order = order if order is not None else _name_order(customers)
        texts = [CustomerIndex._texts(customers[cid]) for cid in order]
        hay = [hay for _, hay, _ in texts]
        heads = [head for _, _, head in texts]
        # every lowered name and pinyin key with its customer, sorted: the keys starting with a
        # query ('中国', 'zgsh', 'zhongguo', 'acme') are one contiguous run, found by bisect
        keyed_pinyin = sorted(
            (key, cid) for cid, c in customers.items() for key in _index_keys(c)
        )
        key_text = [key for key, _ in keyed_pinyin]
        key_cid = [cid for _, cid in keyed_pinyin]
        return order, hay, heads, key_text, key_cid

    def _install_search(self, parts: tuple, dirty: dict[str, tuple[str, ...]]) -> None:
        self._order, self._hay, self._heads, self._key_text, self._key_cid = parts
        self._dirty = dirty
        self._search_built = True
        self._building = None
        self._join()

    def _build_search(self) -> None:
        self._install_search(self._search_parts(self._customers, self._order), {})
        self._ensure_vocab()  # with it, so that the first typo does not pay for it

    # ------------------------------------------------------------------ building elsewhere

    def begin_build(self) -> SearchBuild | None:
        """Start building the search index away from the caller's lock: a copy of the
        customers to build from (``None`` when it is built already). Call under the lock."""
        if self._search_built:
            return None
        order = list(self._order) if self._order is not None else None  # sorted already
        self._building = SearchBuild(dict(self._customers), order)
        return self._building

    @staticmethod
    def run_build(build: SearchBuild) -> None:
        """The slow part of a build, on its copy only: no lock needed. The fuzzy vocabulary
        comes with it (see ``_ensure_vocab``)."""
        try:
            parts = CustomerIndex._search_parts(build.customers, build.order)
            build.vocabulary = _vocabulary(_SEP.join(parts[1]), _pinyin_only(parts[3], parts[1]))
            build.prefixes = _prefix_tables(build.vocabulary)
            build.parts = parts
        finally:
            build.done.set()

    def finish_build(self, build: SearchBuild) -> bool:
        """Install a finished build (under the lock) unless it was overtaken: the customers were
        replaced as a whole, or a search built the index meanwhile (both forget the build in
        flight). Customers changed during the build are moved into place at the next search,
        as after any change."""
        if (
            build is not self._building
            or build.parts is None
            or len(build.changed) > REBUILD_AFTER_CHANGES
        ):
            if build is self._building:
                self._building = None
            return False
        dirty = {cid: _index_keys(old) for cid, old in build.changed.items()}
        self._install_search(build.parts, dirty)
        if build.vocabulary is not None:
            self._install_vocab(build.vocabulary, build.prefixes)
        return True

    def _join(self) -> None:
        """What is derived from the per-record lists: positions, and all haystacks (and all
        word starts) joined, so str.find (C speed) finds the records containing a text
        without a Python-level pass over every customer."""
        self._positions = {cid: i for i, cid in enumerate(self._built_order())}
        self._order_positions = self._positions
        self._key_position = [self._positions[cid] for cid in self._key_cid]
        self._pinyin_keys = _pinyin_only(self._key_text, self._hay)
        self._big = _SEP.join(self._hay)
        self._starts = list(accumulate((len(h) + 1 for h in self._hay), initial=0))
        self._big_heads = _RECORD_BREAK.join(self._heads)
        self._head_starts = list(accumulate((len(h) + 1 for h in self._heads), initial=0))
        self._positions_cache: dict[str, list[int]] = {}
        self._vocab_built_for: str | None = None
        self._last: tuple[str, list[int]] | None = None

    def _ensure_order(self) -> list[str]:
        """Customer ids in name order (pinyin for Chinese names): what the territory list shows
        first. A plain sort, so listing customers never waits for the search index."""
        if self._search_built:
            self._ensure_search()
        order = self._order
        if order is None:
            order = self._order = _name_order(self._customers)
            self._order_positions = None
        return order

    def _built_order(self) -> list[str]:
        """The name order the search index holds (set whenever the index is installed)."""
        if self._order is None:
            raise RuntimeError("the search index is not built")
        return self._order

    def _ensure_search(self) -> None:
        """Build the search index on first use; afterwards apply the customers changed since.

        When a build is already running elsewhere (``Store.warm_up``), wait for it and install
        it here instead of doing the same work a second time beside it.
        """
        if not self._search_built:
            building = self._building
            if building is not None and building.done.wait(BUILD_WAIT_S):
                self.finish_build(building)
            if not self._search_built:
                self._build_search()
        elif self._dirty:
            self._apply_changes()

    def _apply_changes(self) -> None:
        """Move the changed customers to their new place in name order (a few list deletes and
        inserts instead of rebuilding 50,000 entries after a rename, a new customer or a pull);
        the others keep their names, so ``_order_key`` of each finds the place by bisect."""
        dirty, self._dirty = self._dirty, {}
        customers = self._customers
        order, hays, heads = self._built_order(), self._hay, self._heads
        key_text, key_cid = self._key_text, self._key_cid
        for position in sorted(
            (self._positions[cid] for cid in dirty if cid in self._positions), reverse=True
        ):
            del order[position], hays[position], heads[position]
        for cid, old_keys in dirty.items():
            for key in old_keys:
                at = bisect_left(key_text, key)
                while at < len(key_text) and key_text[at] == key:
                    if key_cid[at] == cid:
                        del key_text[at], key_cid[at]
                        break
                    at += 1
        new_words: set[str] = set()
        for cid in dirty:
            customer = customers.get(cid)
            if customer is None:
                continue
            _name, hay, head = self._texts(customer)
            at = bisect_left(order, _order_key(cid, customer),
                             key=lambda other: _order_key(other, customers[other]))
            order.insert(at, cid)
            hays.insert(at, hay)
            heads.insert(at, head)
            new_words.update(_LATIN_WORD.findall(hay))
            for key in _index_keys(customer):
                at = bisect_left(key_text, key)
                key_text.insert(at, key)
                key_cid.insert(at, cid)
        vocabulary = self._vocab_words if self._vocab_built_for is not None else None
        self._join()
        if vocabulary is not None:  # words are only added: a word no longer there finds nothing
            words = list(set(vocabulary) | (new_words - self._pinyin_keys))
            self._install_vocab(words, prefixes={})  # prefix tables again when next needed

    def _ensure_vocab(self) -> None:
        """The words fuzzy matching compares against: every Latin word of 3+ letters in names,
        cities, contacts and pinyin keys, found in one pass over all the text joined."""
        if self._vocab_built_for is not self._big:
            self._install_vocab(_vocabulary(self._big, self._pinyin_keys))

    def _install_vocab(self, words: list[str], prefixes: dict | None = None) -> None:
        import rapidfuzz.process  # noqa: F401  (with the words it is for: not at the first typo)

        self._vocab_words = words
        self._prefix_cache: dict[int, list[str]] = (
            prefixes if prefixes is not None else _prefix_tables(words)
        )
        self._vocab_built_for = self._big

    def _positions_of(self, text: str) -> list[int]:
        """Positions whose haystack contains ``text`` (found with str.find over the joined text)."""
        cached = self._positions_cache.get(text)
        if cached is not None:
            return cached
        if len(self._positions_cache) >= POSITIONS_CACHED:
            self._positions_cache.clear()
        positions = list(_find_all(self._big, self._starts, text))
        self._positions_cache[text] = positions
        return positions

    def changed(self, cid: str, old: dict | None, new: dict | None) -> None:
        """Keep the indexes right after one customer changed (None = absent)."""
        building = self._building
        if building is not None and cid not in building.changed:
            building.changed[cid] = building.customers.get(cid)
        if old is not None:
            self._remove_groups(cid, old)
        if new is not None:
            self._add_groups(cid, new)
        if old is None or new is None or any(old.get(f) != new.get(f) for f in _SEARCH_FIELDS):
            self._sorts.clear()
            if not self._search_built:
                self._order = None  # sorted again when next needed
            else:
                # moved into place at the next search; remember the keys it is filed under
                if cid not in self._dirty:
                    self._dirty[cid] = _index_keys(old)
                if len(self._dirty) > REBUILD_AFTER_CHANGES:
                    self._search_built = False  # a bulk change: rebuild it all instead
                    self._order = None
            return
        if old.get("tier") != new.get("tier"):
            self._sorts.pop("tier", None)
        if old.get("last_visit_at") != new.get("last_visit_at") or old.get("claimed_at") != new.get(
            "claimed_at"
        ):
            self._sorts.pop("last_visit", None)
            self._sorts.pop("next_due", None)

    def changed_many(self, changes: Iterable[tuple[str, dict | None, dict | None]]) -> None:
        for cid, old, new in changes:
            self.changed(cid, old, new)

    # ------------------------------------------------------------------ groups and sorts

    def groups(self, grouping: str,
               label: Callable[[str], str] | None = None) -> list[tuple[str, int]]:
        """(value, count) of every group, in the order a person reads them: tiers A, B, C and
        stages in their lifecycle (prospect → lost), as ranks are; every other grouping by its
        name in pinyin order (``label(value)``, the name shown, when given; an owner by the name
        its customers carry), so a city or a rep is found where the alphabet puts it and the
        list does not reshuffle as counts move. The empty group (no value, the pool) is last."""
        pairs = [(value, len(ids)) for value, ids in self._group(grouping).items() if ids]
        pairs.sort(key=self._group_order(grouping, label))
        return pairs

    def _group_order(self, grouping: str,
                     label: Callable[[str], str] | None) -> Callable[[tuple[str, int]], tuple]:
        ranks = _RANKS.get(grouping)
        if ranks is not None:
            return lambda pair: (pair[0] == "", ranks.get(pair[0], len(ranks)), pair[0])
        if label is None and grouping == "owner":
            label = self._owner_name
        name = label or str
        return lambda pair: (pair[0] == "", collation_key(name(pair[0])), pair[0])

    def _owner_name(self, owner_id: str) -> str:
        for cid in self._group("owner").get(owner_id, ()):
            return self._customers[cid].get("owner_name") or owner_id
        return owner_id

    def members(self, grouping: str, value: str) -> list[str]:
        ids = self._group(grouping).get(value or "", set())
        positions = self._name_positions()
        return sorted(ids, key=lambda cid: positions.get(cid, 0))

    def member_set(self, grouping: str, value: str) -> set[str]:
        """The ids in a group, unordered (a copy): for counting and filtering."""
        return set(self._group(grouping).get(value or "", ()))

    def _name_positions(self) -> dict[str, int]:
        order = self._ensure_order()
        if self._order_positions is None:
            self._order_positions = {cid: i for i, cid in enumerate(order)}
        return self._order_positions

    def sorted_ids(self, sort: str = "name") -> list[str]:
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
        order = self._ensure_order()
        if sort == "name":
            return list(order)
        if sort not in self._sorts:
            customers = self._customers
            if sort == "tier":
                ranked = sorted(order, key=lambda cid: customers[cid].get("tier") or "C")
            elif sort == "last_visit":  # never visited first, then longest ago
                ranked = sorted(order, key=lambda cid: customers[cid].get("last_visit_at") or "")
            else:  # next_due: soonest first, customers without a due date last
                far = date.max
                dues = {cid: self._next_due(customers[cid]) or far for cid in order}
                ranked = sorted(order, key=dues.__getitem__)
            self._sorts[sort] = ranked
        return list(self._sorts[sort])

    # ------------------------------------------------------------------ search

    def search(self, query: str, limit: int = 200) -> list[str]:
        """Customer ids matching ``query``, best first: the name (or its pinyin) starts with the
        query, then a word of it does, then it contains the query anywhere, then fuzzy matches;
        by name within each rank.

        Whole scans are cut short once a page of ``limit`` better-ranked results is full, and a
        query that extends the previous keystroke's (complete) one only looks at its matches.
        """
        text = " ".join((query or "").lower().split())
        if not text or limit <= 0:
            return []
        self._ensure_search()
        terms = text.split(" ")
        first, rest = terms[0], terms[1:]
        hay = self._hay
        order = self._built_order()

        def has_rest(i: int) -> bool:
            return all(t in hay[i] for t in rest)

        # 1. the name, or a pinyin key of it, starts with the first term
        starting = self._starting_with(first)
        ranked = [i for i in starting if has_rest(i)] if rest else starting
        if len(ranked) >= limit:
            self._last = None
            return [order[i] for i in ranked[:limit]]
        taken = set(ranked)

        last = self._last
        if last is not None and not text.startswith(last[0]):
            last = None
        if last is None and rest:
            # several words: the ones before the last are done typing; the records holding the
            # longest of them (cached by word) are the candidates while the last one is typed
            settled = max(terms[:-1], key=len)
            last = (settled, self._positions_of(settled))
        need = limit - len(ranked)

        # 2. a word of the name (or of its pinyin) starts with the first term; stop once the
        # page is full
        head = _SEP + first
        if last is not None:  # narrowed to the candidates of ``last``
            heads = self._heads
            found: Iterable[int] = (i for i in last[1] if head in heads[i])
        else:
            found = _find_all(self._big_heads, self._head_starts, head)
        word_start: list[int] = []
        for i in found:
            if i not in taken and (not rest or has_rest(i)):
                word_start.append(i)
                if len(word_start) >= need:
                    self._last = None
                    return [order[i] for i in ranked + word_start]
        ranked += word_start
        taken.update(word_start)

        # 3. contains every term anywhere; a complete pass is kept for the next keystroke
        complete = True
        if last is not None:
            matches = [i for i in last[1] if all(t in hay[i] for t in terms)]
        else:
            driver = max(terms, key=len)  # the longest term is usually the rarest
            others = [t for t in terms if t is not driver]
            matches = []
            for i in _find_all(self._big, self._starts, driver):
                if not others or all(t in hay[i] for t in others):
                    matches.append(i)
                    if len(matches) > limit + len(taken):
                        complete = False  # the page is full: no need for the rest
                        break
        self._last = (text, matches) if complete else None
        for i in matches:
            if len(ranked) >= limit:
                break
            if i not in taken:
                ranked.append(i)
        # 4. typos: only when the exact passes found few
        if len(matches) < FUZZY_WHEN_FEWER_THAN and len(ranked) < limit:
            exact = set(matches) | taken
            ranked.extend(i for i in self._fuzzy(terms, limit) if i not in exact)
        return [order[i] for i in ranked[:limit]]

    def _starting_with(self, term: str) -> list[int]:
        """Positions (in name order) whose name or a pinyin key starts with ``term``."""
        upper = term[:-1] + chr(ord(term[-1]) + 1) if ord(term[-1]) < 0x10FFFF else term + "\0"
        keys = self._key_text
        k_lo, k_hi = bisect_left(keys, term), bisect_left(keys, upper)
        return sorted(set(self._key_position[k_lo:k_hi]))

    def _fuzzy(self, terms: list[str], limit: int = 200) -> list[int]:
        """Positions within a typo or two of every term, best first.

        Each term is compared (rapidfuzz, C scorer) with the vocabulary's words and with the
        starts of longer words (a typo in a half-typed word); the best few words are then
        looked up in the joined text.
        """
        from rapidfuzz import fuzz, process

        self._ensure_vocab()
        scores: dict[int, float] | None = None
        for term in terms:
            term_scores: dict[int, float] = {}
            if len(term) >= FUZZY_MIN_LENGTH:
                cutoff = 80 if len(term) >= 5 else 75
                found = [
                    (score, word)
                    for words in (self._vocab_words, self._prefixes(len(term)))
                    for word, score, _ in process.extract(
                        term, words, scorer=fuzz.ratio, score_cutoff=cutoff, limit=6
                    )
                ]
                found.sort(key=lambda pair: -pair[0])
                for n, (score, word) in enumerate(found):
                    for position in self._positions_of(word):
                        if score > term_scores.get(position, 0):
                            term_scores[position] = score
                    # one term: the best words already give a full page of results
                    if len(terms) == 1 and len(term_scores) >= limit and (
                        n + 1 == len(found) or found[n + 1][0] < score
                    ):
                        break
            if len(terms) > 1:  # a term typed right counts fully
                for position in self._positions_of(term):
                    term_scores[position] = 100.0
            if scores is None:
                scores = term_scores
            else:
                scores = {p: min(s, term_scores[p]) for p, s in scores.items() if p in term_scores}
            if not scores:
                return []
        ranked = sorted((scores or {}).items(), key=lambda item: (-item[1], item[0]))
        return [position for position, _ in ranked]

    def _prefixes(self, length: int) -> list[str]:
        """The first ``length`` letters of every longer vocabulary word (cached per length)."""
        cached = self._prefix_cache.get(length)
        if cached is None:
            cached = _prefixes_of(self._vocab_words, length)
            self._prefix_cache[length] = cached
        return cached
