"""`fieldrep-server export customers|visits|feedback`: what an admin hands to a spreadsheet."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from server import db

WHAT = {"customers": "customer", "visits": "visit", "feedback": "feedback"}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "; ".join(", ".join(str(v) for v in item.values() if v) for item in value)
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def rows_for(engine, what: str) -> list[dict]:
    with db.reading(engine) as conn:
        return db.all_records(conn, WHAT[what])


def run(args: argparse.Namespace) -> int:
    from server.clikit import open_engine

    rows = rows_for(open_engine(args), args.what)
    out = sys.stdout
    if args.format == "json":
        json.dump(rows, out, ensure_ascii=False, indent=1)
        out.write("\n")
        return 0
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return 0


def add_parser(sub: Any) -> tuple[str, Any]:
    p = sub.add_parser("export", help="write customers, visits or feedback to stdout",
                       description="Write customers, visits or feedback to stdout (UTF-8).")
    p.add_argument("what", choices=list(WHAT))
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    return "export", run
