"""Column widths that flex with the terminal: who gives up cells first, who takes what is left.

A list or a table describes each column once as a ``Column`` (the width it asks for, the fewest
cells it can live with, how readily it gives cells up, whether it is dropped whole on a narrow
terminal, whether it takes the room left over) and ``share`` turns those into widths for the
width there is. The rules, in order:

1. While even the least widths do not fit, the column with the highest ``drop`` goes (a whole
   column gone reads better than every column cut to two letters).
2. Every column starts at its natural width. If that fits, the ``fill`` column takes what is left
   (up to its ``most``).
3. If it does not, columns give up cells down to their ``least``: the lowest ``keep`` first, and
   within one ``keep`` the widest first, so two equally useful columns end up sharing.

Widths are in terminal cells (a CJK character is two): measure with ``cell_len`` or
``natural_width``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len


@dataclass(frozen=True)
class Column:
    """How one column behaves as the width changes (every number in cells)."""

    natural: int
    """The width it asks for: its widest text (and its gap, where the caller counts one)."""
    least: int | None = None
    """The fewest cells it shrinks to; None: it does not shrink."""
    keep: int = 0
    """Among the columns that shrink, a lower ``keep`` gives up its cells first."""
    drop: int = 0
    """When even the least widths do not fit, dropped whole, the highest first; 0: never."""
    fill: bool = False
    """Takes the cells left once every column has its natural width."""
    most: int | None = None
    """The widest a ``fill`` column grows; None: no limit."""

    @property
    def floor(self) -> int:
        return self.natural if self.least is None else min(self.least, self.natural)


def natural_width(texts: Iterable[str], gap: int = 0) -> int:
    """The cells the widest of ``texts`` takes, plus ``gap``."""
    return max((cell_len(text) for text in texts), default=0) + gap


def share(columns: Sequence[Column], width: int) -> tuple[int, ...]:
    """Each column's width in ``width`` cells (0 for a column dropped), by the rules above."""
    kept = list(range(len(columns)))
    while sum(columns[i].floor for i in kept) > width:
        droppable = [i for i in kept if columns[i].drop]
        if not droppable:
            break
        kept.remove(max(droppable, key=lambda i: columns[i].drop))
    widths = [0] * len(columns)
    for i in kept:
        widths[i] = columns[i].natural
    over = sum(widths) - width
    if over < 0:
        for i in kept:
            column = columns[i]
            if column.fill:
                room = -over if column.most is None else max(0, min(-over,
                                                                    column.most - widths[i]))
                widths[i] += room
                break
        return tuple(widths)
    for rank in sorted({columns[i].keep for i in kept}):
        group = [i for i in kept if columns[i].keep == rank and columns[i].least is not None]
        while over > 0:
            shrinkable = [i for i in group if widths[i] > columns[i].floor]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: (widths[i], i))
            widths[widest] -= 1
            over -= 1
        if over <= 0:
            break
    return tuple(widths)
