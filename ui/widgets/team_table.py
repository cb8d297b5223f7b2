"""The table of the Team screen: a ``ListTable`` whose cells are coloured by how a figure stands
against its goal (met, near, behind) from the theme, never from Python. The mark in the cell
(``ui/team_text.MARKS``) says the same for a reader who does not see the colour.
"""

from __future__ import annotations

from rich.style import Style

from ui.widgets.list_table import ListTable


class TeamTable(ListTable):
    """A row-cursor table with a style per standing: ``standing_style("behind")``."""

    COMPONENT_CLASSES = {"team-table--met", "team-table--near", "team-table--behind",
                         "team-table--total"}

    DEFAULT_CSS = """
    TeamTable > .team-table--met { color: $success; }
    TeamTable > .team-table--near { color: $warning; }
    TeamTable > .team-table--behind { color: $error; text-style: bold; }
    TeamTable > .team-table--total { text-style: bold; }
    """

    def standing_style(self, standing: str | None) -> Style:
        """The style of a cell whose figure stands ``standing`` (none: the table's own)."""
        if standing not in ("met", "near", "behind"):
            return Style()
        return self.get_component_rich_style(f"team-table--{standing}", partial=True)

    def total_style(self) -> Style:
        return self.get_component_rich_style("team-table--total", partial=True)
