"""Small helpers every benchmark shares: percentiles, RSS, a comparison table, the JSON file."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import orjson


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (0–100) of ``values``, nearest-rank; NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux /proc; peak RSS elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if os.uname().sysname == "Darwin" else peak / 1024


def _fmt(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.2f} {unit}" if value < 100 else f"{value:.0f} {unit}"


def print_table(title: str, rows: Sequence[tuple[str, float | None, float | None, str]]) -> str:
    """Print rows of (figure, ours, naive, unit) with the ratio naive/ours; return the text."""
    header = ("figure", "ours", "naive", "naive/ours")
    cells = [header]
    for label, ours, naive, unit in rows:
        ratio = "—"
        if ours and naive is not None and not math.isnan(naive) and not math.isnan(ours):
            ratio = f"{naive / ours:,.0f}×" if naive / ours >= 10 else f"{naive / ours:.1f}×"
        cells.append((label, _fmt(ours, unit), _fmt(naive, unit), ratio))
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    lines = [title]
    for n, row in enumerate(cells):
        lines.append("  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def write_json(path: str | os.PathLike | None, figures: dict[str, float]) -> None:
    """Write the flat object of figures (numbers only) to ``path`` when one was given."""
    if not path:
        return
    clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in figures.items()}
    Path(path).write_bytes(orjson.dumps(clean, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
