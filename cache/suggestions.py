"""Tier and lifecycle suggestions for the customers on this laptop (issue 12), and accepting them.

``suggestions_of`` runs ``sync.protocol.rfm.suggest`` (the rules: its module doc) over every
customer the laptop holds (a rep's: their own and their territories' pool; a manager's: the
team's), ranked among them, with the order amounts of every visit it holds. One pass over the
customers and one over the visits, then a sort per measure; nothing of it runs at start-up: the
screens that show a suggestion ask for it when they open (``cached_suggestions`` keeps the last
answer per store and data version, so opening one customer after another costs nothing).

``accept`` turns suggestions into ordinary ``customer.update`` mutations (``Store.update_customer``:
the same path as the edit form, checked and queued in the outbox against the customer's
version), one per customer; nothing changes a tier by itself. Only a manager or an admin
accepts (``role.manager_only`` otherwise).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from cache.errors import Refused, StoreError
from sync.protocol.rfm import Suggestion, suggest, visit_orders

if TYPE_CHECKING:
    from cache import Store

MANAGING_ROLES = ("manager", "admin")

_memo: weakref.WeakKeyDictionary[Any, tuple[Any, dict[str, Suggestion]]] = (
    weakref.WeakKeyDictionary())


def suggestions_of(store: Store, today: date) -> dict[str, Suggestion]:
    """Every customer's suggestion by id, as of ``today`` (the team's calendar day)."""
    customers = [c for c in (store.customer(cid) for cid in store.all_customer_ids())
                 if c is not None]
    return suggest(customers, visit_orders(store.visits(), store.policy), today)


def cached_suggestions(store: Store, today: date, version: Any) -> dict[str, Suggestion]:
    """``suggestions_of``, computed again only when ``version`` (the App's data version) or
    ``today`` differs from the last call's for this store."""
    key = (today, version)
    kept = _memo.get(store)
    if kept is not None and kept[0] == key:
        return kept[1]
    result = suggestions_of(store, today)
    _memo[store] = (key, result)
    return result


def disagreements(suggestions: dict[str, Suggestion], store: Store) -> list[Suggestion]:
    """The suggestions that differ from the customer's tier or stage now, by customer name."""
    rows = [s for s in suggestions.values() if s.disagrees]

    def name(s: Suggestion) -> tuple[str, str]:
        customer = store.customer(s.customer_id) or {}
        return (str(customer.get("name") or "").casefold(), s.customer_id)

    return sorted(rows, key=name)


def need_manager(store: Store) -> None:
    if (store.me or {}).get("role") not in MANAGING_ROLES:
        raise Refused("role.manager_only")


@dataclass
class Accepted:
    """What ``accept`` did: the customers queued, and each one refused with why."""

    queued: list[str] = field(default_factory=list)
    refused: list[tuple[str, StoreError]] = field(default_factory=list)


def accept(store: Store, chosen: list[Suggestion]) -> Accepted:
    """Queue one ``customer.update`` per suggestion (its ``changes``); a refused one is kept
    with its error and the others go on."""
    need_manager(store)
    done = Accepted()
    for suggestion in chosen:
        changes = suggestion.changes()
        if not changes:
            continue
        try:
            store.update_customer(suggestion.customer_id, changes)
        except StoreError as error:
            done.refused.append((suggestion.customer_id, error))
        else:
            done.queued.append(suggestion.customer_id)
    return done
