"""The preview of sharing pool customers out by a strategy, before anything is queued.

``AssignPreview(plan)`` (a ``store.plan_pool`` plan) shows who gets which customer and by which
rule (their territory names its region, type or industry; the fewest given this round among
the reps who could take it), which customers stay in the pool and why (no territory of the team
covers it, no rep's territory names its region, every rep who could take it is at the limit),
and each rep's load before and after. ``y`` or ``enter`` queues exactly these assignments and
dismisses with True; ``esc`` (or ``n``) leaves everything as it was and dismisses with False.
"""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from sync.protocol.ownership import STRATEGY_LABELS
from ui.i18n import _, _n
from ui.pool_text import STAY_WHY, rule_text
from ui.widgets.key_footer import KeyFooter
from ui.widgets.list_table import ListTable


class AssignPreview(ModalScreen[bool]):
    """Who gets what by the strategy, and each rep's load before and after."""

    HELP_TITLE = "Assignment preview"

    DEFAULT_CSS = """
    AssignPreview { align: center middle; background: $background 60%; }
    AssignPreview #preview-box {
        width: 110; height: 36; padding: 0 2; border: round $warning; background: $surface;
    }
    AssignPreview #preview-moves { height: 1fr; }
    AssignPreview #preview-load { height: auto; max-height: 10; margin: 1 0 0 0; }
    AssignPreview #preview-stay { color: $warning; }
    """

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Queue them", id="preview.apply",
                tooltip="Queue exactly these assignments; the server decides at sync"),
        Binding("n,escape", "answer(False)", "Leave it", id="preview.cancel",
                tooltip="Queue nothing; the pool stays as it is"),
        Binding("tab", "switch", "Moves / load", id="preview.switch", show=False,
                tooltip="Move between the moves and the load per rep"),
    ]

    def __init__(self, plan: dict) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        plan = self.plan
        moves, stay = plan["moves"], plan["stay"]
        strategy = _(STRATEGY_LABELS.get(plan["strategy"], plan["strategy"]))
        with Vertical(id="preview-box"):
            yield Static(_n("{n} pool customer shared out {strategy}: nothing is queued yet",
                            "{n} pool customers shared out {strategy}: nothing is queued yet",
                            len(moves) + len(stay), n=f"{len(moves) + len(stay):,}",
                            strategy=strategy),
                         classes="form-title", markup=False)
            yield ListTable(id="preview-moves")
            if stay:
                why = Counter(s["why"] for s in stay)
                yield Static(_n("{n} stays in the pool", "{n} stay in the pool", len(stay),
                                n=f"{len(stay):,}") + ": " + "; ".join(
                    f"{_(STAY_WHY[key])} ({count:,})" for key, count in why.items()),
                    id="preview-stay", markup=False)
            yield ListTable(id="preview-load")
            yield Static(self._hint(), classes="hint", markup=False)
        yield KeyFooter()

    def _hint(self) -> str:
        count = len(self.plan["moves"])
        if not count:
            return _("Nobody can take them: esc leaves it")
        return _n("y or enter queues {n} assignment · esc leaves it",
                  "y or enter queues {n} assignments · esc leaves it", count, n=f"{count:,}")

    def on_mount(self) -> None:
        moves = self.query_one("#preview-moves", ListTable)
        moves.add_columns(_("Customer"), _("City"), _("To"), _("Rule matched"))
        moves.add_rows((move["customer"], move.get("city") or "", move["to_rep"],
                        rule_text(move)) for move in self.plan["moves"])
        stays = _("stays")
        moves.add_rows((Text(stay["customer"], style="dim"), "", Text(stays, style="dim"),
                        Text(_(STAY_WHY[stay["why"]]), style="dim"))
                       for stay in self.plan["stay"])
        load = self.query_one("#preview-load", ListTable)
        load.add_columns(_("Rep"), _("Holds now"), _("After"), _("Gets"))
        cap = self.app.store.policy.max_held
        for row in self.plan["load"]:
            gets = row["after"] - row["before"]
            after = Text(str(row["after"]), style="bold red" if row["after"] >= cap else "")
            load.add_row(row["rep"], str(row["before"]), after, f"+{gets}" if gets else "0",
                         key=row["rep_id"])
        moves.focus()

    def on_data_table_row_selected(self, event: ListTable.RowSelected) -> None:
        event.stop()  # enter on a row: the same as y
        self.action_answer(True)

    def action_switch(self) -> None:
        moves = self.query_one("#preview-moves", ListTable)
        (self.query_one("#preview-load", ListTable) if moves.has_focus else moves).focus()

    def action_answer(self, apply: bool) -> None:
        self.dismiss(apply and bool(self.plan["moves"]))
