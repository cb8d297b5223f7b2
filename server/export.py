"""`fieldrep-server export customers|visits|feedback|ownership`: what an admin hands to a
spreadsheet.

CSV is UTF-8 with a byte-order mark and CRLF lines (so spreadsheet programs read Chinese text
right), and every cell that a spreadsheet would run as a formula (``=…``, ``@…``, ``+…``, ``-…``
that is not a plain number, or one starting with a tab or a carriage return) starts with an
apostrophe: the plain columns, the joined lists (``product_lines``, ``contacts``: each item,
as a spreadsheet's "text to columns" would split them, and so the cell) and the JSON cells
alike. ``import-customers`` reads ``'=…`` back as ``=…``, in a cell and in each product line.
Customers come in the import's columns first (the primary contact in ``contact_*``, ``owner`` by
name), then the fields the server keeps, so an exported file can be edited and imported again.
Visits and feedback name their customer and rep (``customer_name``, ``rep_name``) beside the
ids. JSON is the records as stored (visits and feedback with those two names added).
The ownership history comes one event a row, oldest first per customer, with why in English
(``why``) beside its code (``reason``) and parameters. Each export says on stderr that it holds
personal data.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from typing import Any

import sqlalchemy as sa

from server import db, schema
from server.csv_import import COLUMNS
from sync.protocol.ownership import ENTITY as OWNERSHIP
from sync.protocol.ownership import event_text

WHAT = {"customers": "customer", "visits": "visit", "feedback": "feedback",
        "ownership": OWNERSHIP}
OWNERSHIP_COLUMNS = ("at", "customer_id", "customer_name", "n", "kind", "actor_id", "actor_name",
                     "from_rep_id", "from_rep_name", "to_rep_id", "to_rep_name", "reason", "why",
                     "strategy", "params")
PERSONAL_DATA = ("fieldrep-server: note: this export holds personal data ({what}: names of "
                 "customers, contacts and reps); keep the file where only those who need it "
                 "can read it")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
"""A number a spreadsheet reads as a number (not ``-inf``, ``-1_000`` or ``-nan``, which Python's
float() takes and a spreadsheet would run)."""


def _cell(value: Any) -> str:
    """One CSV cell, safe to open in a spreadsheet whatever it holds."""
    return safe_text(_text(value))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):  # every part is made safe, not only the cell's start
        if value and isinstance(value[0], dict):
            return "; ".join(", ".join(safe_text(str(v)) for v in item.values() if v)
                             for item in value)
        return ";".join(safe_text(str(v)) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as text: a would-be formula gets a leading apostrophe."""
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _customer_row(record: dict) -> dict:
    contact = (record.get("contacts") or [{}])[0]
    row = {key: record.get(key) for key in COLUMNS}
    row.update(contact_name=contact.get("name"), contact_title=contact.get("title"),
               contact_phone=contact.get("phone"), contact_email=contact.get("email"),
               owner=record.get("owner_name"))
    row.update((k, v) for k, v in record.items() if k not in row and k != "search_keys")
    return row


def rows_for(engine: sa.Engine, what: str) -> list[dict]:
    """The records of ``what``; a visit or a feedback names its customer and its rep beside
    their ids (``customer_name``, ``rep_name``), for a reader of the sheet."""
    with db.reading(engine) as conn:
        records = db.all_records(conn, WHAT[what])
        if what == "customers":
            return records
        if what == "ownership":
            return sorted(({**event, "why": event_text(event)} for event in records),
                          key=lambda e: (e.get("customer_name") or "", e.get("customer_id"),
                                         e.get("n", 0)))
        names = {entity: dict(conn.execute(  # the name column, not every record's JSON
                     sa.select(schema.records.c.id, schema.records.c.name)
                     .where(schema.records.c.entity == entity)).tuples().all())
                 for entity in ("customer", "rep")}
    return [_named(record, names) for record in records]


def _named(record: dict, names: dict[str, dict[str, str]]) -> dict:
    named: dict = {}
    for key, value in record.items():
        named[key] = value
        entity = key.removesuffix("_id")
        if entity in names:
            named[f"{entity}_name"] = names[entity].get(value or "") or ""
    return named


def to_csv(what: str, records: list[dict]) -> str:
    rows = [_customer_row(r) for r in records] if what == "customers" else records
    columns: list[str] = {"customers": list(COLUMNS),
                          "ownership": list(OWNERSHIP_COLUMNS)}.get(what, [])
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return "\ufeff" + out.getvalue()


def run(args: argparse.Namespace) -> int:
    from server.clikit import open_engine

    records = rows_for(open_engine(args), args.what)
    if args.format == "json":
        text = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    else:
        text = to_csv(args.what, records)
    print(PERSONAL_DATA.format(what=args.what), file=sys.stderr)
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))  # UTF-8 whatever the locale says
    sys.stdout.buffer.flush()
    return 0


def add_parser(sub: Any) -> tuple[str, Any]:
    p = sub.add_parser("export", help="write customers, visits, feedback or the ownership "
                                      "history to stdout",
                       description="Write customers, visits, feedback or the ownership history "
                                   "to stdout (UTF-8; CSV with a byte-order mark for "
                                   "spreadsheets). It holds personal data: keep it private.")
    p.add_argument("what", choices=list(WHAT))
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--json", dest="format", action="store_const", const="json",
                   help="the same as --format json")
    p.add_argument("--csv", dest="format", action="store_const", const="csv",
                   help="the same as --format csv")
    return "export", run
