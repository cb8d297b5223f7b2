"""How ``fieldrep``'s listings print: columns padded by terminal cells (Chinese is two wide), a
header row naming them (``--no-header`` drops it), and the flags every listing shares.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from typing import Any

from tui.cli.common import cell, printable
from ui.i18n import _

Column = tuple[str, int]
"""A column: its English title (a catalogue key) and its width in cells (0: the rest of the line,
unpadded; only the last column)."""


def row_line(values: Sequence[Any], columns: Sequence[Column]) -> str:
    """One row: each value in its column, two spaces between, nothing trailing."""
    parts = [cell(value, width) if width else printable(value, one_line=True)
             for value, (_title, width) in zip(values, columns, strict=True)]
    return "  ".join(parts).rstrip()


def table(columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, header: bool,
          indent: str = "") -> list[str]:
    """The lines of a listing: the header row (when ``header``), then one line per row."""
    lines = [indent + row_line(values, columns) for values in rows]
    if header and lines:
        lines.insert(0, indent + row_line([_(title) for title, _w in columns], columns))
    return lines


def limit(text: str) -> int:
    """``--limit N``: a whole number, 1 or more (argparse says the line when it is not)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value} is not a whole number", value=text)) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("must be 1 or more, not {value}", value=text))
    return value


def add_header_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-header", dest="header", action="store_false",
                        help=_("leave out the header row (for scripts)"))
