"""The Team screen (``5``, a manager's home): one row per rep of the team for a period, and a total.

Each row is ``cache.team.team_figures``: the rep's figures by ``cache.figures.figures_of``, the
function the rep's own dashboard uses, over the records on this laptop (offline, at once), beside
their goals scaled to the period (``cache.team.period_goals``). Each figure is coloured by how it
stands against its goal and carries a mark (✓ met, ~ near or on pace, ! behind), so the colour is
never the only sign.

``p`` cycles week → month → quarter, ``[`` and ``]`` step to the period before and after (not
past the current one), ``o`` cycles the column the rows are sorted by and ``O`` turns the order
round (the line above the table says which), ``enter`` opens the rep's book read-only
(``screens/team_rep.py``: their open follow-ups and customers). ``g`` sets the highlighted rep's goals
from the period shown on (``screens/goals_form.py``, with their goals history); a rep whose new
goals wait to sync is marked ⧗ beside the name.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from cache.errors import StoreError
from cache.figures import PERIOD_KINDS, Period, period_of, step_period
from cache.team import COLUMNS, TeamFigures, TeamRow, sort_rows, team_figures
from ui.i18n import _, _n, error_text
from ui.team_text import SORT_NAMES, TITLES, cell_text, legend, period_text
from ui.widgets.cells import fit, fit_right
from ui.widgets.columns import Column, natural_width, share
from ui.widgets.key_footer import KeyFooter
from ui.widgets.team_table import TeamTable

SORTABLE = tuple(c for c in COLUMNS if c != "last_sync")
"""The columns ``o`` cycles (no rep record says when it last synced: nothing to sort by)."""
LAYOUT = {  # column key → least, keep, drop (ui/widgets/columns.py); the name fills, and
    # rather than cut a name below 14 cells the columns with a "drop" go, the highest first
    "name": (14, 3, 0), "visits": (None, 0, 0), "a_coverage": (None, 0, 0),
    "new_customers": (None, 0, 0), "revenue": (None, 0, 0), "satisfaction": (None, 0, 0),
    "overdue": (None, 0, 2), "complaints": (None, 0, 0), "held": (None, 0, 3),
    "claims": (None, 0, 4), "last_sync": (None, 0, 5)}
TOTAL_KEY = "team-total"


def period_name(period: Period) -> str:
    """The period as the goals form takes it: ``2026-12``, ``2026-Q4``, ``2026-W48``."""
    if period.kind == "month":
        return f"{period.start.year}-{period.start.month:02d}"
    if period.kind == "quarter":
        return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"
    year, week, _day = period.start.isocalendar()
    return f"{year}-W{week:02d}"
SCROLLBAR = 2


class TeamScreen(Screen):
    """The manager's team: every rep's figures for the period against their goals."""

    HELP_TITLE = "Team"

    DEFAULT_CSS = """
    TeamScreen #team-summary { padding: 0 1; }
    TeamScreen #team-legend { padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("enter", "open_rep", "Open rep", id="team.open",
                tooltip="The rep's open follow-ups and customers, read-only"),
        Binding("p", "cycle_period", "Period", id="team.period",
                tooltip="Week, month or quarter"),
        Binding("left_square_bracket", "earlier", "Earlier", id="team.earlier",
                key_display="[", tooltip="The period before this one"),
        Binding("right_square_bracket", "later", "Later", id="team.later",
                key_display="]", tooltip="The period after this one, up to the current one"),
        Binding("o", "cycle_sort", "Sort", id="team.sort",
                tooltip="Sort by the next column: name, visits, A customers … claims"),
        Binding("O", "reverse_sort", "Reverse", id="team.reverse",
                tooltip="Turn the order of the rows round"),
        # priority: the table's g (first row; home does it too) must not take the manager's key
        Binding("g", "set_goals", "Goals", id="team.goals", priority=True,
                tooltip="Set this rep's goals from the period shown on, with their history"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data_version = -1
        self.period: Period | None = None
        self.sort_column = "name"
        self.sort_reverse = False
        self.team: TeamFigures | None = None
        self.rows: list[TeamRow] = []
        self.refusal: str | None = None
        self.pending_goals: set[str] = set()
        """Reps whose goals set on this laptop wait to sync (marked ⧗)."""
        self._filled_width = 0

    def compose(self) -> ComposeResult:
        yield Static(id="team-summary", markup=False)
        yield Static(id="team-legend", markup=False)
        yield TeamTable(id="team")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_from_store()
        self.query_one(TeamTable).focus()

    def on_resize(self) -> None:
        if self._filled_width != self._width():
            self._fill()

    # ------------------------------------------------------------------ the rows

    def _today(self) -> date:
        from sync.protocol.rules import policy_day

        return policy_day(self.app.store.policy, self.app.now())

    def refresh_from_store(self) -> None:
        app = self.app
        self.data_version = app.data_version
        if self.period is None:
            self.period = period_of("week", self._today())
        current = self.current_rep_id()
        try:
            self.team = team_figures(app.store, app.now(), self.period)
            self.refusal = None
            self.pending_goals = {rid for rid, rep in app.store.reps.items()
                                  if rep.get("pending_goals")}
        except StoreError as error:  # a rep's laptop (the key is dimmed; the demo may switch)
            self.team, self.refusal = None, error_text(error)
        self._sort()
        self._fill()
        if current is not None:
            keys = [r.rep_id for r in self.rows]
            if current in keys:
                self.query_one(TeamTable).move_cursor(row=keys.index(current))
        self.query_one("#team-summary", Static).update(self._summary())
        self.query_one("#team-legend", Static).update(
            legend(self.team.cap) if self.team is not None else "")
        self.refresh_bindings()

    def _sort(self) -> None:
        rows = self.team.rows if self.team is not None else []
        self.rows = sort_rows(rows, self.sort_column, self.sort_reverse)

    def _width(self) -> int:
        return (self.size.width or self.app.size.width) - SCROLLBAR

    def _titles(self) -> list[str]:
        titles = []
        for key in COLUMNS:
            title = _(TITLES[key])
            if key == self.sort_column:
                descending = (key != "name") != self.sort_reverse
                title += " ▼" if descending else " ▲"
            titles.append(title)
        return titles

    def _fill(self) -> None:
        """The rows and the total in the table, its columns shared out over the width now."""
        table = self.query_one(TeamTable)
        cursor = table.cursor_row
        self._filled_width = self._width()
        shown_rows = [*self.rows, self.team.total] if self.team is not None and self.rows else []
        cells = [self._cells(row) for row in shown_rows]
        titles = self._titles()
        columns = []
        for i, key in enumerate(COLUMNS):
            least, keep, drop = LAYOUT[key]
            columns.append(Column(natural_width([titles[i], *(r[i][0] for r in cells)]),
                                  least=least, keep=keep, drop=drop, fill=key == "name"))
        widths = share(columns, self._filled_width - 2 * table.cell_padding * len(COLUMNS))
        table.clear(columns=True)
        shown = [i for i, width in enumerate(widths) if width]
        for i in shown:
            title = fit(titles[i], widths[i]) if i == 0 else fit_right(titles[i], widths[i])
            table.add_column(title.rstrip() if i == 0 else title, width=widths[i])
        total_style = table.total_style()
        for row, values in zip(shown_rows, cells, strict=True):
            is_total = row.rep_id is None
            texts = []
            for i in shown:
                text, standing = values[i]
                placed = fit(text, widths[i]).rstrip() if i == 0 else fit_right(text, widths[i])
                style = table.standing_style(standing)
                texts.append(Text(placed, style=style + total_style if is_total else style,
                                  no_wrap=True))
            table.add_row(*texts, key=TOTAL_KEY if is_total else row.rep_id)
        if shown_rows and cursor:
            table.move_cursor(row=min(cursor, len(shown_rows) - 1))

    def _cells(self, row: TeamRow) -> list[tuple[str, str | None]]:
        name = row.name if row.rep_id is not None else _("Team total")
        if row.rep_id in self.pending_goals:
            name += " ⧗"  # goals waiting to sync
        return [(name, None)] + [(cell_text(key, row.measures[key]), row.measures[key].standing)
                                 for key in COLUMNS[1:]]

    def _summary(self) -> str:
        if self.refusal is not None:
            return self.refusal
        team = self.team
        assert team is not None and self.period is not None
        head = " · ".join(part for part in (team.team, period_text(self.period, team.today))
                          if part)
        if not self.rows:
            return head + " · " + _("No reps of your team on this laptop yet: sync (S)")
        count = _n("{n} rep", "{n} reps", len(self.rows), n=len(self.rows))
        if self.sort_column == "name":
            order = _("Z to A") if self.sort_reverse else _("A to Z")
        else:
            order = _("lowest first") if self.sort_reverse else _("highest first")
        return _("{head} · {count} · sorted by {column}, {order}", head=head, count=count,
                 column=_(SORT_NAMES[self.sort_column]), order=order)

    def current_rep_id(self) -> str | None:
        try:
            table = self.query_one(TeamTable)
        except Exception:  # not mounted yet
            return None
        row = table.cursor_row
        if not self.rows or row is None or row >= len(self.rows):
            return None  # nothing, or the total row
        return self.rows[row].rep_id

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open_or_say()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def _open_or_say(self) -> None:
        reason = self.unavailable_reason("open_rep")
        if reason:
            self.app.notify(reason, severity="warning", timeout=4)
            return
        self.action_open_rep()

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open_rep", "earlier", "later", "cycle_period", "cycle_sort",
                      "reverse_sort", "set_goals"):
            return None if self.unavailable_reason(action) else True
        return True

    def unavailable_reason(self, action: str) -> str | None:
        if self.team is None:
            return self.refusal or _("The team's figures are not ready yet")
        if action in ("open_rep", "set_goals") and self.current_rep_id() is None:
            return (_("The total is the whole team: choose a rep's row") if self.rows
                    else _("No rep selected"))
        if action == "later" and self.team.current:
            return _("This is the current period: the next one has not begun")
        return None

    def action_open_rep(self) -> None:
        from screens.team_rep import RepBook

        rep_id = self.current_rep_id()
        if rep_id is not None:
            self.app.push_screen(RepBook(rep_id))

    def action_set_goals(self) -> None:
        from screens.goals_form import GoalsForm

        rep_id = self.current_rep_id()
        if rep_id is not None and self.period is not None:
            self.app.push_screen(GoalsForm(rep_id, period_name(self.period)))

    def action_cycle_period(self) -> None:
        assert self.period is not None
        kind = PERIOD_KINDS[(PERIOD_KINDS.index(self.period.kind) + 1) % len(PERIOD_KINDS)]
        self.period = period_of(kind, min(self.period.end, self._today()))
        self.refresh_from_store()

    def action_earlier(self) -> None:
        assert self.period is not None
        self.period = step_period(self.period, -1)
        self.refresh_from_store()

    def action_later(self) -> None:
        assert self.period is not None
        later = step_period(self.period, 1)
        if later.start > self._today():
            return  # dimmed: the period after the current one
        self.period = later
        self.refresh_from_store()

    def action_cycle_sort(self) -> None:
        self.sort_column = SORTABLE[(SORTABLE.index(self.sort_column) + 1) % len(SORTABLE)]
        self.sort_reverse = False
        self._resorted()

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._resorted()

    def _resorted(self) -> None:
        current = self.current_rep_id()
        self._sort()
        self._fill()
        if current is not None:
            self.query_one(TeamTable).move_cursor(
                row=[r.rep_id for r in self.rows].index(current))
        self.query_one("#team-summary", Static).update(self._summary())
