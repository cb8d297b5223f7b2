"""Cell-width text helpers: CJK characters take two terminal cells, so columns are padded by
cells (``rich.cells.cell_len``), never by ``len``."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size


def fit(text: str, width: int) -> str:
    """``text`` cut or padded to exactly ``width`` cells; a cut ends with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)


def fit_right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` cells."""
    length = cell_len(text)
    if length >= width:
        return fit(text, width)
    return " " * (width - length) + text


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def short_day(day) -> str:
    """``Fri 11-27`` in the UI's language (weekday names are translated, not the locale's)."""
    from ui.i18n import _

    return f"{_(WEEKDAYS[day.weekday()])} {day.strftime('%m-%d')}"
