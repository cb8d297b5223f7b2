"""Small text charts that render the same in any terminal: columns of block characters.

``BarChart`` draws one column per value (visits per day) with a label under each; it takes plain
numbers and labels and never reads the store.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from ui.widgets.cells import fit

BLOCKS = " ▁▂▃▄▅▆▇█"


def column_cells(value: float, top: float, height: int) -> list[str]:
    """The ``height`` cells of one column, top row first, for ``value`` out of ``top``."""
    if top <= 0 or value <= 0:
        return [" "] * height
    eighths = max(1, round(value / top * height * 8))
    cells = []
    for row in range(height):
        from_bottom = height - 1 - row
        filled = min(8, max(0, eighths - from_bottom * 8))
        cells.append(BLOCKS[filled])
    return cells


def horizontal_bar(value: float, top: float, width: int) -> str:
    """A left-to-right bar of ``width`` cells for ``value`` out of ``top`` (eighths included)."""
    if top <= 0 or value <= 0 or width <= 0:
        return " " * max(width, 0)
    eighths = max(1, round(value / top * width * 8))
    full, part = divmod(min(eighths, width * 8), 8)
    bar = "█" * full + ("▏▎▍▌▋▊▉"[part - 1] if part else "")
    return bar + " " * (width - cell_len(bar))


class BarChart(Widget):
    """Columns of ``values`` with ``labels`` underneath and the value on top of each column."""

    COMPONENT_CLASSES = {"bar-chart--bar", "bar-chart--label", "bar-chart--value",
                         "bar-chart--today"}

    def __init__(self, *, id: str | None = None, classes: str | None = None,
                 chart_height: int = 6, column_width: int = 5) -> None:
        super().__init__(id=id, classes=classes)
        self.values: list[float] = []
        self.labels: list[str] = []
        self.chart_height = chart_height
        self.column_width = column_width

    def show(self, values: list[float], labels: list[str]) -> None:
        self.values = list(values)
        self.labels = list(labels)
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width) -> int:
        return self.chart_height + 2

    def render(self) -> Text:
        bar = self.get_component_rich_style("bar-chart--bar", partial=True)
        label_style = self.get_component_rich_style("bar-chart--label", partial=True)
        value_style = self.get_component_rich_style("bar-chart--value", partial=True)
        today = self.get_component_rich_style("bar-chart--today", partial=True)
        width = self.column_width
        top = max(self.values, default=0)
        columns = [column_cells(v, top, self.chart_height) for v in self.values]
        text = Text(no_wrap=True)
        last = len(self.values) - 1
        for value in self.values:
            shown = f"{value:g}" if value else ""
            text.append(fit(shown.center(width - 1), width), style=value_style)
        text.append("\n")
        for row in range(self.chart_height):
            for index, cells in enumerate(columns):
                style = today if index == last else bar
                text.append(cells[row] * (width - 2), style=style)
                text.append("  ")
            text.append("\n")
        for index, label in enumerate(self.labels):
            text.append(fit(label, width), style=today if index == last else label_style)
        return text
