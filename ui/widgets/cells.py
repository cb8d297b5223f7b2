"""Cell-width text helpers: CJK characters take two terminal cells, so columns are padded by
cells (``rich.cells.cell_len``), never by ``len``."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

from ui.times import WEEKDAYS, due_text  # noqa: F401  (WEEKDAYS: the dashboard's names)


def fit(text: str, width: int) -> str:
    """``text`` cut or padded to exactly ``width`` cells; a cut ends with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    if width == 1:
        return set_cell_size(text, width)
    # whole characters up to the last cell but one, so the ellipsis follows the text even when
    # a wide (CJK) character would have been split; any cell left over pads after it
    limit, used, kept = width - 1, 0, []
    for char in text:
        size = cell_len(char)
        if used + size > limit:
            break
        kept.append(char)
        used += size
    return "".join(kept) + "…" + " " * (limit - used)


def fit_right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` cells."""
    length = cell_len(text)
    if length >= width:
        return fit(text, width)
    return " " * (width - length) + text


def short_day(day) -> str:
    """``Fri 11-27`` in the UI's language: ``ui.times.due_text``."""
    return due_text(day)
