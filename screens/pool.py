"""The Pool screen (``6``, 公海, a manager's): every pool customer of the manager's scope, and
why it is there.

Each row says the customer, its city, its previous owner, when anyone may claim it (the
policy's claim delay: "now" once it is claimable), until when that previous owner may not (the
cool-off) and why it is in the pool (its latest ownership event: returned by whom and why,
reclaimed for no visit or no deal, with the date), in the UI's language. The rows are
``store.manager_pool`` (``cache/manager.py``), the same as ``fieldrep pool``.

``/`` filters by name, pinyin (full or initials), city, province, industry, previous owner or
reason as the territory's filter does; ``f`` shows all, only the claimable now, only those
still in their claim delay, only the returned or only the reclaimed. ``space`` chooses a row
(``*`` every row shown, or none again); ``a`` gives the chosen ones (or the highlighted one) to a
rep of the team, picked from a list with each rep's load; ``A`` shares them out (or every row
shown, when none is chosen) by a strategy (round-robin, region, customer type, industry) and
shows the preview first (``screens/assign_preview.py``): who gets what, which rule matched, which
stay and why, each rep's load before and after. Nothing is queued before it is confirmed;
everything then goes through the outbox and is judged by the server at sync.
"""

from __future__ import annotations

import time
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from screens.customer_actions import refused_text
from screens.messages import OpenCustomer, StoreChanged
from screens.picker import ChoicePicker
from sync.protocol.ownership import STRATEGY_LABELS
from sync.protocol.rules import STRATEGIES
from ui.i18n import _, _n, error_text
from ui.ownership import why_text
from ui.widgets.filter_input import FilterInput
from ui.widgets.key_footer import KeyFooter
from ui.widgets.pool_list import PoolList, claimable_later

SHOWS = ("all", "claimable", "waiting", "returned", "reclaimed")
SHOW_LABELS = {"all": "every pool customer", "claimable": "claimable now",
               "waiting": "not claimable yet", "returned": "returned by a rep",
               "reclaimed": "reclaimed by the rules"}


class PoolScreen(Screen):
    """The pool of the manager's scope; choose customers and give them to reps."""

    HELP_TITLE = "Pool"

    DEFAULT_CSS = """
    PoolScreen #pool-summary { height: 1; padding: 0 1; }
    PoolScreen #pool-list { height: 1fr; }
    PoolScreen #pool-info { height: 1; padding: 0 1; color: $text-muted; background: $panel; }
    PoolList > .pool-list--chosen { text-style: bold; color: $success; }
    PoolList > .pool-list--pending { text-style: italic; color: $text-muted; }
    PoolList > .pool-list--waiting { color: $text-muted; }
    """

    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="pool.filter", key_display="/",
                tooltip="Filter by name, pinyin, city, industry, previous owner or reason"),
        Binding("f", "cycle_show", "Show", id="pool.show",
                tooltip="All, claimable now, not yet claimable, returned or reclaimed"),
        Binding("space", "choose", "Choose", id="pool.choose",
                tooltip="Choose this customer, or leave it out again"),
        Binding("asterisk", "choose_all", "Choose all", id="pool.all", key_display="*",
                tooltip="Choose every customer shown, or none again"),
        Binding("a", "assign", "Assign", id="pool.assign",
                tooltip="Give the chosen customers (or this one) to a rep of the team"),
        Binding("A", "strategy", "By strategy", id="pool.strategy",
                tooltip="Share the chosen (or all shown) out by a strategy: a preview first"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data_version = -1
        self.rows: list[dict] = []
        """Every pool row of the scope, by name."""
        self.shown: list[dict] = []
        self.query_text = ""
        self.show = "all"
        self.refusal: str | None = None
        self.last_filter_ms = 0.0
        self._hay: dict[str, str] = {}
        self._last_match: tuple[str, str, list[dict]] | None = None
        """(show, query, its matches): the last filter, which the next keystroke narrows."""
        self._rep_names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="pool-summary", markup=False)
        yield FilterInput(placeholder=_("/ filter: name, pinyin, city, previous owner, reason"),
                          id="filter")
        yield PoolList(id="pool-list")
        yield Static(id="pool-info", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_from_store()
        self.query_one(PoolList).focus()

    # ------------------------------------------------------------------ the rows

    def refresh_from_store(self) -> None:
        from cache.errors import StoreError

        app = self.app
        self.data_version = app.data_version
        store = app.store
        try:
            self.rows = store.manager_pool()
            self.refusal = None
        except StoreError as error:  # a rep's laptop (the key is dimmed; the demo may switch)
            self.rows, self.refusal = [], error_text(error)
        self._rep_names = {rid: (r.get("name") or rid) for rid, r in (store.reps or {}).items()}
        self._pending = {cid: self._rep_names.get(rep, rep)
                         for cid, rep in (store.pending_moves().items() if not self.refusal
                                          else ())}
        self._hay = {}
        self._last_match = None
        pool_list = self.query_one(PoolList)
        ids = {row["id"] for row in self.rows}
        pool_list.chosen &= ids
        self._show(keep_cursor=True)
        if self.rows:  # the filter's words of every row, once the first frame is out
            self.set_timer(0.05, self._warm_haystacks)

    def _warm_haystacks(self) -> None:
        for row in self.rows:
            self._haystack(row)

    def _rep_label(self, rep_id: str) -> str:
        return self._rep_names.get(rep_id, rep_id)

    def _haystack(self, row: dict) -> str:
        hay = self._hay.get(row["id"])
        if hay is None:
            event = row.get("event")
            previous = row.get("previous_owner_id")
            parts = [row.get("name") or "", *(row.get("search_keys") or []),
                     row.get("city") or "", row.get("province") or "", row.get("industry") or "",
                     self._rep_label(previous) if previous else "", why_text(event) if event else ""]
            hay = self._hay[row["id"]] = " ".join(parts).lower()
        return hay

    def _matching(self, rows: list[dict]) -> list[dict]:
        """The rows every word of the filter is in; a query that extends the last one looks only
        at the last one's matches (typing narrows, it never scans the whole pool again)."""
        text = self.query_text.lower()
        last = self._last_match
        if last is not None and last[0] == self.show and text.startswith(last[1]):
            rows = last[2]
        terms = text.split()
        haystack = self._haystack
        for term in terms:
            rows = [row for row in rows if term in haystack(row)]
        self._last_match = (self.show, text, rows)
        return rows

    def _kept(self, row: dict, now: Any) -> bool:
        if self.show == "all":
            return True
        if self.show in ("claimable", "waiting"):
            return claimable_later(row.get("claimable_at"), now) == (self.show == "waiting")
        kind = (row.get("event") or {}).get("kind")
        return kind == ("return" if self.show == "returned" else "reclaim")

    def _show(self, keep_cursor: bool = False) -> None:
        started = time.perf_counter()
        now = self.app.now()
        rows = self.rows
        if self.show != "all":
            rows = [row for row in rows if self._kept(row, now)]
        if self.query_text:
            rows = self._matching(rows)
        self.shown = rows
        pool_list = self.query_one(PoolList)
        pool_list.empty_text = (
            self.refusal or (_("No pool customer matches “{q}”", q=self.query_text)
                             if self.query_text else
                             _("No pool customers in your scope on this laptop")))
        store = self.app.store
        pool_list.set_rows(rows, policy=store.policy, names=self._rep_label, pending=self._pending,
                           now=now, keep_cursor=keep_cursor)
        self.last_filter_ms = (time.perf_counter() - started) * 1000
        self._update_texts()

    def _update_texts(self) -> None:
        chosen = len(self.query_one(PoolList).chosen)
        now = self.app.now()
        claimable = sum(1 for row in self.rows if not claimable_later(row.get("claimable_at"), now))
        total = len(self.rows)
        parts = [_n("{n} pool customer in your scope", "{n} pool customers in your scope", total,
                    n=f"{total:,}"),
                 _n("{n} claimable now", "{n} claimable now", claimable, n=f"{claimable:,}")]
        if chosen:
            parts.append(_n("{n} chosen", "{n} chosen", chosen, n=f"{chosen:,}"))
        if self._pending:
            waiting = len(self._pending.keys() & {row["id"] for row in self.rows})
            if waiting:
                parts.append(_n("{n} assignment waiting to sync",
                                "{n} assignments waiting to sync", waiting, n=waiting))
        self.query_one("#pool-summary", Static).update(" · ".join(parts))
        shown = len(self.shown)
        info = [_n("{n} shown", "{n} shown", shown, n=f"{shown:,}"), _(SHOW_LABELS[self.show])]
        if self.query_text:
            info.append(_("matching “{q}”", q=self.query_text))
        info.append(_("✓ chosen  ⧗ waiting to sync  ◇ in the pool"))
        self.query_one("#pool-info", Static).update(" · ".join(info))

    # ------------------------------------------------------------------ events

    @on(FilterInput.Changed, "#filter")
    def _filter_changed(self, event: FilterInput.Changed) -> None:
        self.query_text = event.value.strip()
        self._show()

    @on(FilterInput.Submitted, "#filter")
    @on(FilterInput.Leave)
    def _filter_left(self) -> None:
        self.query_one(PoolList).focus()

    @on(PoolList.Selected)
    def _open(self, event: PoolList.Selected) -> None:
        self.post_message(OpenCustomer(event.customer_id))

    @on(PoolList.Highlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.unavailable_reason(action) else True

    def unavailable_reason(self, action: str) -> str | None:
        if action not in ("choose", "choose_all", "assign", "strategy"):
            return None
        if self.refusal:
            return self.refusal
        if not self.shown and not self.query_one(PoolList).chosen:
            return _("No pool customer shown")
        if action in ("choose", "assign"):
            cid = self.query_one(PoolList).highlighted_id
            if action == "choose" and cid in self._pending:
                return _("Its assignment is waiting to sync")
        return None

    def action_focus_filter(self) -> None:
        self.query_one("#filter", FilterInput).focus()

    def action_cycle_show(self) -> None:
        self.show = SHOWS[(SHOWS.index(self.show) + 1) % len(SHOWS)]
        self._show()
        self.notify(_("Showing {which}", which=_(SHOW_LABELS[self.show])), timeout=2)

    def action_choose(self) -> None:
        pool_list = self.query_one(PoolList)
        cid = pool_list.highlighted_id
        if cid is None:
            return
        pool_list.chosen ^= {cid}
        pool_list.action_cursor_down()
        pool_list.refresh()
        self._update_texts()

    def action_choose_all(self) -> None:
        pool_list = self.query_one(PoolList)
        shown = {row["id"] for row in self.shown} - self._pending.keys()
        pool_list.chosen = set() if shown <= pool_list.chosen else pool_list.chosen | shown
        pool_list.refresh()
        self._update_texts()

    def _chosen_ids(self, *, or_shown: bool) -> list[str]:
        """The chosen customers in the order shown; none chosen: the highlighted one, or every
        row shown (``or_shown``)."""
        pool_list = self.query_one(PoolList)
        if pool_list.chosen:
            order = {row["id"]: i for i, row in enumerate(self.rows)}
            return sorted(pool_list.chosen, key=lambda cid: order.get(cid, len(order)))
        if or_shown:
            return [row["id"] for row in self.shown if row["id"] not in self._pending]
        cid = pool_list.highlighted_id
        return [cid] if cid else []

    def _queued(self, count: int, done: str) -> None:
        self.query_one(PoolList).chosen = set()
        self.app.notify(done)
        self.post_message(StoreChanged("customer", sync_soon=True))

    def action_assign(self) -> None:
        from cache import StoreError
        from cache.team import team_reps

        ids = self._chosen_ids(or_shown=False)
        if not ids:
            return
        store = self.app.store
        reps = team_reps(store)
        if not reps:
            self.app.notify(_("No rep in the team to give it to"), severity="warning")
            return
        held = store.held_counts()
        cap = store.policy.max_held
        choices = [(r["id"], _("{name} · holds {held} of {cap}", name=r.get("name") or r["id"],
                               held=held.get(r["id"], 0), cap=cap)) for r in reps]
        first = next((row.get("name") for row in self.rows if row["id"] == ids[0]), ids[0])
        title = (_("Who gets {name}?", name=first) if len(ids) == 1 else
                 _n("Who gets the {n} chosen customer?", "Who gets the {n} chosen customers?",
                    len(ids), n=len(ids)))

        def picked(rep_id: str | None) -> None:
            if not rep_id:
                return
            try:
                queued = store.assign(ids, rep_id)
            except StoreError as error:
                self.app.notify(refused_text(error), severity="warning", title=_("Cannot assign"))
                return
            name = self._rep_label(rep_id)
            self._queued(len(queued), _n(
                "{n} customer goes to {rep}: the server decides at sync",
                "{n} customers go to {rep}: the server decides at sync", len(queued),
                n=len(queued), rep=name))

        self.app.push_screen(ChoicePicker(title, choices,
                                          _("a number or enter gives them · esc leaves it")),
                             callback=picked)

    def action_strategy(self) -> None:
        ids = self._chosen_ids(or_shown=True)
        if not ids:
            return
        choices = [(s, _(STRATEGY_LABELS[s])) for s in STRATEGIES]
        title = _n("Share {n} pool customer out: how?", "Share {n} pool customers out: how?",
                   len(ids), n=f"{len(ids):,}")

        def picked(strategy: str | None) -> None:
            if strategy:
                self._preview(strategy, ids)

        self.app.push_screen(ChoicePicker(title, choices,
                                          _("a number or enter shows the preview · esc leaves "
                                            "it")), callback=picked)

    def _preview(self, strategy: str, ids: list[str]) -> None:
        from cache import StoreError
        from screens.assign_preview import AssignPreview

        store = self.app.store
        try:
            plan = store.plan_pool(strategy, ids)
        except StoreError as error:
            self.app.notify(refused_text(error), severity="warning", title=_("Cannot share out"))
            return

        def confirmed(apply: bool | None) -> None:
            if not apply:
                return
            try:
                queued = store.assign_plan(plan)
            except StoreError as error:
                self.app.notify(refused_text(error), severity="warning",
                                title=_("Cannot share out"))
                return
            self._queued(len(queued), _n(
                "{n} assignment queued ({strategy}): the server decides at sync",
                "{n} assignments queued ({strategy}): the server decides at sync", len(queued),
                n=len(queued), strategy=_(STRATEGY_LABELS[strategy])))

        self.app.push_screen(AssignPreview(plan), callback=confirmed)
