"""The territory: a group tree beside a fast customer list with a live filter.

The list is a line-API ``CustomerList`` holding only ids, so 50,000 customers cost nothing to
show; the filter asks ``store.search`` (substring, fuzzy, pinyin) on every keystroke.

A filter ranks at most ``SEARCH_LIMIT`` matches per keystroke (the list shows those); when that
page is full, the true number of matches is counted once the rep stops typing for
``COUNT_AFTER_IDLE_S`` (a whole ranking at 50,000 customers costs tens of ms, too much for every
keystroke), and the line below the list says "7,218 match; showing the first 500".
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static, Tree

from screens.customer_actions import CustomerActions
from screens.messages import OpenCustomer
from ui.i18n import _, _n
from ui.values import LABELLED, stage_text, value_label
from ui.widgets.customer_list import CustomerList
from ui.widgets.filter_input import FilterInput
from ui.widgets.key_footer import KeyFooter

GROUPINGS = ("region", "tier", "stage", "industry", "customer_type", "product_line", "owner")
GROUPING_LABELS = {
    "region": "Region → city",
    "city": "City",
    "tier": "Tier",
    "stage": "Stage",
    "industry": "Industry",
    "customer_type": "Customer type",
    "product_line": "Product line",
    "owner": "Owner / pool",
}
SORTS = ("name", "last_visit", "next_due", "tier")
SORT_LABELS = {"name": "name", "last_visit": "last visit", "next_due": "next due", "tier": "tier"}
SEARCH_LIMIT = 500
"""The most matches a filter keystroke ranks and the list shows."""
COUNT_AFTER_IDLE_S = 0.25
"""How long the filter must rest before a full page's true match count is taken."""


class GroupTree(Tree):
    """The group tree, moved with the list keys `j`/`k` and `g`/`G` as well as the arrows."""

    HELP_GROUP = "Group tree"

    BINDINGS = [
        Binding("j", "cursor_down", "Cursor Down", show=False),
        Binding("k", "cursor_up", "Cursor Up", show=False),
        Binding("g", "scroll_home", "Scroll Home", show=False),
        Binding("G", "scroll_end", "Scroll End", show=False),
    ]


class TerritoryScreen(CustomerActions, Screen):
    """Browse, filter and claim customers."""

    HELP_TITLE = "Territory"

    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="territory.filter", key_display="/",
                tooltip="Filter by name, city, contact or pinyin (zgsh → 中国石化)"),
        Binding("r", "cycle_grouping", "Grouping", id="territory.grouping",
                tooltip="Group by region, tier, stage, industry, type, product line, owner"),
        Binding("o", "cycle_sort", "Sort", id="territory.sort",
                tooltip="Sort by name, last visit, next due or tier"),
        Binding("t", "focus_tree", "Groups", id="territory.tree",
                tooltip="Move to the group tree"),
        *CustomerActions.CUSTOMER_BINDINGS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.grouping = "region"
        self.group: tuple[str, str] | None = None
        self.sort = "name"
        self.query_text = ""
        self.data_version = -1
        self.last_filter_ms = 0.0
        self._sort_positions: dict[str, dict[str, int]] = {}
        self._tree_shape: tuple | None = None
        self.match_count: int | None = None
        """How many customers match the filter; None while a full page is not counted yet."""
        self._count_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="territory-body"):
            with Vertical(id="territory-groups"):
                yield GroupTree("", id="groups")
            with Vertical(id="territory-main"):
                yield FilterInput(placeholder=_("/ filter: name, city, contact, pinyin (zgsh)"),
                                  id="filter")
                yield CustomerList(id="customers")
                yield Static(id="territory-info")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#groups", Tree).show_root = False
        self.refresh_from_store()
        self.query_one(CustomerList).focus()

    # ------------------------------------------------------------------ data

    def refresh_from_store(self) -> None:
        self.data_version = self.app.data_version
        self._sort_positions.clear()
        store = self.app.store
        shape = (self.grouping, store.customer_count(),
                 store.groups(self.grouping, self._label_of(self.grouping)))
        if shape != self._tree_shape:
            self._build_tree()
        self._show(keep_cursor=True)

    def _build_tree(self) -> None:
        """(Re)build the group tree, keeping the highlighted group when it still exists."""
        store = self.app.store
        tree = self.query_one("#groups", Tree)
        groups = store.groups(self.grouping, self._label_of(self.grouping))
        self._tree_shape = (self.grouping, store.customer_count(), groups)
        tree.clear()
        tree.root.set_label(_(GROUPING_LABELS[self.grouping]))
        tree.root.add_leaf(_("All customers ({n})", n=store.customer_count()), data=None)
        keep = None
        for value, count in groups:
            label = _("{group} ({n})", group=self._value_label(self.grouping, value), n=count)
            if self.grouping == "region":
                node = tree.root.add(label, data=("region", value), allow_expand=True)
            else:
                node = tree.root.add_leaf(label, data=(self.grouping, value))
            if node.data == self.group:
                keep = node
        tree.root.expand()
        if keep is not None:
            self.call_after_refresh(tree.move_cursor, keep)
        else:
            self.group = None

    def _label_of(self, grouping: str) -> Callable[[str], str]:
        """The name shown for a value of ``grouping`` (the group order follows it)."""
        return lambda value: self._value_label(grouping, value)

    def _value_label(self, grouping: str, value: Any) -> str:
        if grouping == "owner":
            if not value:
                return _("pool")
            rep = (self.app.store.reps or {}).get(value)
            return (rep or {}).get("name") or str(value)
        if grouping in ("stage",):
            return stage_text(str(value))
        if grouping in LABELLED and value:
            return value_label(grouping, value, self.app.store.policy)
        return str(value) if value not in (None, "") else _("(none)")

    def _ids_for_group(self) -> list[str]:
        store = self.app.store
        if self.group is None:
            return store.all_customer_ids(sort=self.sort)
        ids = store.customers_in_group(*self.group)
        return self._sorted(ids)

    def _sorted(self, ids: list[str]) -> list[str]:
        positions = self._sort_positions.get(self.sort)
        if positions is None:
            order = self.app.store.all_customer_ids(sort=self.sort)
            positions = {cid: index for index, cid in enumerate(order)}
            self._sort_positions[self.sort] = positions
        far = len(positions)
        return sorted(ids, key=lambda cid: positions.get(cid, far))

    def _today(self) -> date:
        return self.app.store.today(self.app.now())

    def _show(self, keep_cursor: bool = False) -> None:
        started = time.perf_counter()
        store = self.app.store
        if self._count_timer is not None:
            self._count_timer.stop()
            self._count_timer = None
        if self.query_text:
            matches = store.search_ids(self.query_text, limit=SEARCH_LIMIT)
            ids = self._in_group(matches)
            self.match_count = None if len(matches) >= SEARCH_LIMIT else len(ids)
            if self.match_count is None:
                query = self.query_text
                self._count_timer = self.set_timer(COUNT_AFTER_IDLE_S,
                                                   lambda: self._count_matches(query))
        else:
            ids = self._ids_for_group()
            self.match_count = len(ids)
        self._set_rows(ids, keep_cursor)
        self.last_filter_ms = (time.perf_counter() - started) * 1000

    def _in_group(self, ids: list[str]) -> list[str]:
        if self.group is None:
            return ids
        members = set(self.app.store.customers_in_group(*self.group))
        return [cid for cid in ids if cid in members]

    def _set_rows(self, ids: list[str], keep_cursor: bool) -> None:
        store = self.app.store
        customers = self.query_one(CustomerList)
        customers.empty_text = (_("No customer matches “{q}”", q=self.query_text)
                                if self.query_text else _("No customers here"))
        customers.set_rows(ids, store.customer, policy=store.policy, today=self._today,
                           keep_cursor=keep_cursor)
        self._update_info()

    def _count_matches(self, query: str) -> None:
        """Every match of ``query`` (the filter has rested): their true number, and the first
        ``SEARCH_LIMIT`` of them in the group shown (the same ranking as a keystroke's page)."""
        self._count_timer = None
        if query != self.query_text:
            return
        store = self.app.store
        every = self._in_group(store.search_ids(query, limit=max(store.customer_count(), 1)))
        self.match_count = len(every)
        if self.group is None:  # the page the keystroke drew is already these first matches
            self._update_info()
        else:
            self._set_rows(every[:SEARCH_LIMIT], keep_cursor=True)

    def _update_info(self) -> None:
        shown = self.query_one(CustomerList).row_count
        if not self.query_text:
            parts = [_n("{n} customer", "{n} customers", shown, n=f"{shown:,}"),
                     _("sorted by {sort}", sort=_(SORT_LABELS[self.sort]))]
        elif self.match_count is None:
            parts = [_("counting the matches of “{q}”…; showing the first {n}",
                       n=f"{shown:,}", q=self.query_text)]
        elif self.match_count > shown:
            parts = [_("{total} match “{q}”; showing the first {n}, best first",
                       total=f"{self.match_count:,}", q=self.query_text, n=f"{shown:,}")]
        else:
            parts = [_n("{n} customer", "{n} customers", shown, n=f"{shown:,}"),
                     _("matching “{q}”, best first", q=self.query_text)]
        if self.group is not None:
            parts.append(self._value_label(*self.group))
        parts.append(_("◇ pool  ⧗ claim waiting to sync"))
        self.query_one("#territory-info", Static).update(" · ".join(parts))

    # ------------------------------------------------------------------ events

    @on(FilterInput.Changed, "#filter")
    def _filter_changed(self, event: FilterInput.Changed) -> None:
        self.query_text = event.value.strip()
        self._show()

    @on(FilterInput.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        customers = self.query_one(CustomerList)
        if customers.highlighted_id:
            self.post_message(OpenCustomer(customers.highlighted_id))

    @on(FilterInput.Leave)
    def _filter_left(self, event: FilterInput.Leave) -> None:
        self.query_one(CustomerList).focus()

    @on(CustomerList.Selected)
    def _open(self, event: CustomerList.Selected) -> None:
        self.post_message(OpenCustomer(event.customer_id))

    @on(CustomerList.Highlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    @on(Tree.NodeHighlighted, "#groups")
    def _group_highlighted(self, event: Tree.NodeHighlighted) -> None:
        group = event.node.data
        if group != self.group:
            self.group = group
            self._show()

    @on(Tree.NodeSelected, "#groups")
    def _group_selected(self) -> None:
        self.query_one(CustomerList).focus()

    @on(Tree.NodeExpanded, "#groups")
    def _group_expanded(self, event: Tree.NodeExpanded) -> None:
        node = event.node
        if not node.data or node.data[0] != "region" or node.children:
            return
        store = self.app.store
        cities: Counter[str] = Counter()
        for cid in store.customers_in_group("region", node.data[1]):
            customer = store.customer(cid) or {}
            cities[customer.get("city") or ""] += 1
        for city, _count in store.groups("city"):  # in the order cities are read in
            if city in cities:
                node.add_leaf(_("{group} ({n})", group=city or _("(none)"), n=cities[city]),
                              data=("city", city))

    # ------------------------------------------------------------------ actions

    def current_customer_id(self) -> str | None:
        try:
            return self.query_one(CustomerList).highlighted_id
        except Exception:  # not composed yet
            return None

    def unavailable_reason(self, action: str) -> str | None:
        return self.customer_unavailable_reason(action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.unavailable_reason(action) else True

    def action_focus_filter(self) -> None:
        self.query_one("#filter", FilterInput).focus()

    def action_focus_tree(self) -> None:
        self.query_one("#groups", Tree).focus()

    def action_cycle_grouping(self) -> None:
        index = GROUPINGS.index(self.grouping) if self.grouping in GROUPINGS else -1
        self.grouping = GROUPINGS[(index + 1) % len(GROUPINGS)]
        self.group = None
        self._build_tree()
        self._show()
        self.notify(_("Grouped by {grouping}", grouping=_(GROUPING_LABELS[self.grouping])),
                    timeout=2)

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._show()
        if self.query_text:
            self.notify(_("Sorted by {sort} once the filter is cleared",
                          sort=_(SORT_LABELS[self.sort])), timeout=3)
