"""In-memory indexes over the customers: by group, sort orders and search as you type.

Built at open from keys already stored with each customer (name, city, contacts and the pinyin
``search_keys`` computed when the customer was written), so start-up never calls pypinyin.

Search, best first: *prefix* (the query starts the name, a word of it, or a pinyin key —
``zgsh`` finds 中国石化, ``zhongguo`` too), then *substring* of name, city, contact or pinyin,
then *fuzzy* (typos, via rapidfuzz) — tried only when the exact passes found few, and matched
against the vocabulary of words rather than every record. Typing a query char by char narrows
the previous keystroke's matches instead of scanning all customers again.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date

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
FUZZY_WHEN_FEWER_THAN = 5
FUZZY_MIN_LENGTH = 3
_SEARCH_FIELDS = ("name", "city", "contacts", "search_keys")
_WORD = re.compile(r"[\w']+", re.UNICODE)
_SEP = "\x00"


def group_values(grouping: str, customer: dict) -> list[str]:
    """The value(s) a customer has under ``grouping`` ('' for none; owner '' means the pool)."""
    if grouping == "region":
        return [customer.get("province") or ""]
    if grouping == "product_line":
        return list(dict.fromkeys(customer.get("product_lines") or [])) or [""]
    if grouping == "owner":
        return [customer.get("owner_id") or ""]
    return [str(customer.get(grouping) or "")]


def _search_text(customer: dict) -> tuple[str, str]:
    """(haystack, heads) for a customer: all searchable text, and the starts that rank first."""
    name = (customer.get("name") or "").lower()
    contacts = [(c.get("name") or "").lower() for c in customer.get("contacts") or []]
    keys = [k.lower() for k in customer.get("search_keys") or []]
    city = (customer.get("city") or "").lower()
    hay = _SEP.join([name, city, *contacts, *keys])
    heads = _SEP + _SEP.join([name, *_WORD.findall(name), *keys])
    return hay, heads


class CustomerIndex:
    """Groups, sort orders and the search index over ``customers`` (id → effective record)."""

    def __init__(self, next_due: Callable[[dict], date | None] | None = None):
        self._next_due = next_due or (lambda customer: None)
        self.rebuild({})

    # ------------------------------------------------------------------ building

    def rebuild(self, customers: dict[str, dict]) -> None:
        self._customers = customers
        self._groups: dict[str, dict[str, set[str]]] = {g: defaultdict(set) for g in GROUPINGS}
        for cid, customer in customers.items():
            self._add_groups(cid, customer)
        self._sorts: dict[str, list[str]] = {}
        self._search_built = False
        self._build_search()

    def _add_groups(self, cid: str, customer: dict) -> None:
        for grouping in GROUPINGS:
            for value in group_values(grouping, customer):
                self._groups[grouping][value].add(cid)

    def _remove_groups(self, cid: str, customer: dict) -> None:
        for grouping in GROUPINGS:
            for value in group_values(grouping, customer):
                members = self._groups[grouping].get(value)
                if members is not None:
                    members.discard(cid)
                    if not members:
                        del self._groups[grouping][value]

    def _build_search(self) -> None:
        customers = self._customers
        order = sorted(
            customers, key=lambda cid: ((customers[cid].get("name") or "").casefold(), cid)
        )
        self._order = order
        self._hay: list[str] = []
        self._heads: list[str] = []
        vocab: dict[str, list[int]] = defaultdict(list)
        for position, cid in enumerate(order):
            hay, heads = _search_text(customers[cid])
            self._hay.append(hay)
            self._heads.append(heads)
            for word in set(_WORD.findall(hay)):
                vocab[word].append(position)
        self._vocab = dict(vocab)
        self._vocab_words = list(self._vocab)
        self._last: tuple[str, list[int]] | None = None
        self._search_built = True

    def changed(self, cid: str, old: dict | None, new: dict | None) -> None:
        """Keep the indexes right after one customer changed (None = absent)."""
        if old is not None:
            self._remove_groups(cid, old)
        if new is not None:
            self._add_groups(cid, new)
        if old is None or new is None or any(old.get(f) != new.get(f) for f in _SEARCH_FIELDS):
            self._search_built = False  # rebuilt on the next search
            self._sorts.clear()
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

    def groups(self, grouping: str) -> list[tuple[str, int]]:
        if grouping not in self._groups:
            raise ValueError(f"unknown grouping {grouping!r}; use one of {', '.join(GROUPINGS)}")
        pairs = [(value, len(ids)) for value, ids in self._groups[grouping].items() if ids]
        pairs.sort(key=lambda pair: (pair[0] == "", -pair[1], pair[0]))
        return pairs

    def members(self, grouping: str, value: str) -> list[str]:
        if grouping not in self._groups:
            raise ValueError(f"unknown grouping {grouping!r}; use one of {', '.join(GROUPINGS)}")
        ids = self._groups[grouping].get(value or "", set())
        positions = self._name_positions()
        return sorted(ids, key=lambda cid: positions.get(cid, 0))

    def _name_positions(self) -> dict[str, int]:
        if (
            "_positions" not in self.__dict__
            or self.__dict__.get("_positions_of") is not self._order
        ):
            if not self._search_built:
                self._build_search()
            self._positions = {cid: i for i, cid in enumerate(self._order)}
            self._positions_of = self._order
        return self._positions

    def sorted_ids(self, sort: str = "name") -> list[str]:
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
        if not self._search_built:
            self._build_search()
        if sort == "name":
            return list(self._order)
        if sort not in self._sorts:
            customers = self._customers
            order = self._order
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
        """Customer ids matching ``query``, ranked prefix > substring > fuzzy, then by name."""
        text = " ".join((query or "").lower().split())
        if not text or limit <= 0:
            return []
        if not self._search_built:
            self._build_search()
        terms = text.split(" ")
        hay = self._hay
        last = self._last
        if last is not None and text.startswith(last[0]) and last[0]:
            candidates: Iterable[int] = last[1]
        else:
            candidates = range(len(hay))
        if len(terms) == 1:
            matches = [i for i in candidates if text in hay[i]]
        else:
            matches = [i for i in candidates if all(t in hay[i] for t in terms)]
        self._last = (text, matches)
        heads = self._heads
        head = _SEP + terms[0]
        prefix = [i for i in matches if head in heads[i]]
        ranked = prefix[:limit]
        if len(ranked) < limit:
            seen = set(prefix)
            for i in matches:
                if i not in seen:
                    ranked.append(i)
                    if len(ranked) >= limit:
                        break
        if len(matches) < FUZZY_WHEN_FEWER_THAN and len(ranked) < limit:
            exact = set(matches)
            ranked.extend(i for i in self._fuzzy(terms) if i not in exact)
        order = self._order
        return [order[i] for i in ranked[:limit]]

    def _fuzzy(self, terms: list[str]) -> list[int]:
        """Positions whose words are within a typo or two of every term, best first.

        A term is compared with whole words and with the starts of longer words (a typo in a
        half-typed word), both with rapidfuzz's C scorer over the deduplicated vocabulary.
        """
        from rapidfuzz import fuzz, process

        scores: dict[int, float] | None = None
        for term in terms:
            term_scores: dict[int, float] = {}
            if len(term) >= FUZZY_MIN_LENGTH:
                cutoff = 80 if len(term) >= 5 else 75
                for vocab, words in (
                    (self._vocab, self._vocab_words),
                    self._prefix_vocab(len(term)),
                ):
                    for word, score, _ in process.extract(
                        term, words, scorer=fuzz.ratio, score_cutoff=cutoff, limit=30
                    ):
                        for position in vocab[word]:
                            if score > term_scores.get(position, 0):
                                term_scores[position] = score
            if len(terms) > 1:  # a term typed right counts fully
                for position, hay in enumerate(self._hay):
                    if term in hay:
                        term_scores[position] = 100.0
            if scores is None:
                scores = term_scores
            else:
                scores = {p: min(s, term_scores[p]) for p, s in scores.items() if p in term_scores}
            if not scores:
                return []
        ranked = sorted((scores or {}).items(), key=lambda item: (-item[1], item[0]))
        return [position for position, _ in ranked]

    def _prefix_vocab(self, length: int) -> tuple[dict[str, list[int]], list[str]]:
        """The first ``length`` characters of every longer word, mapped to positions (cached)."""
        cache = self.__dict__.setdefault("_prefix_cache", {})
        if cache.get("of") is not self._vocab:
            cache.clear()
            cache["of"] = self._vocab
        if length not in cache:
            prefixes: dict[str, list[int]] = defaultdict(list)
            for word, positions in self._vocab.items():
                if len(word) > length:
                    prefixes[word[:length]].extend(positions)
            cache[length] = (dict(prefixes), list(prefixes))
        return cache[length]
