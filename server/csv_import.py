"""`fieldrep-server import-customers FILE.csv`: every row checked, every error of a row named by
its line.

A file with a bad row imports nothing, unless ``--skip-bad`` (then the good rows go in and the bad
ones are listed). A row with an id updates that customer; a row without one updates the customer
with the same natural key (name and city, or the ``--match-on`` columns), so a file imported again
adds nothing twice. ``--dry-run`` says what would happen and writes nothing. Imported customers
enter the change feed, so laptops pull them; those no territory covers are named.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from server import db
from server.clock import system_clock
from server.domain import trail
from server.org import Org
from sync.protocol import rules, validation
from sync.protocol.models import MAX_ID, Customer
from sync.protocol.refusals import Refusal
from sync.protocol.search_keys import pinyin_keys
from sync.protocol.words import counted

COLUMNS = ("id", "name", "industry", "customer_type", "province", "city", "address", "tier",
           "stage", "product_lines", "contact_name", "contact_title", "contact_phone",
           "contact_email", "owner", "lat", "lon")


SERVER_KEPT = frozenset(Customer.model_fields) - set(COLUMNS)
"""Columns `export customers` writes that the server keeps itself: accepted and ignored, so an
exported file can be edited in a spreadsheet and imported again."""
CLAIM = ("owner_id", "owner_name", "claimed_at", "protected_until")
CELL_FIELDS = {"contact_name": "contacts", "contact_title": "contacts", "contact_phone": "contacts",
               "contact_email": "contacts", "owner": "owner_id"}


_BREAKS = re.compile(r"[\r\n\t]+")
NATURAL_KEY = ("name", "city")
"""What a row without an id is matched on (the columns of these the file has), unless the admin
names other columns with ``--match-on``."""
MATCHABLE = tuple(c for c in COLUMNS if c != "id")


class BadFile(validation.Invalid):
    """A file import-customers cannot read at all (not text, a bad header): nothing is imported;
    ``refusal`` says why."""


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be imported: its line in the file and every reason, as coded refusals;
    ``str()`` is the English the command prints (``line 4: name is empty; tier: …``)."""

    line: int
    problems: tuple[Refusal, ...]

    def __str__(self) -> str:
        problem = "; ".join(str(p) for p in self.problems)
        return Refusal("import.bad_row", {"line": self.line, "problem": problem}).text


@dataclass
class ImportReport:
    """What an import did (or, when ``written`` is false, would have done): customers new and
    updated, the bad rows, and the customers written that no territory covers (``{id, name,
    province, city}``: no rep sees them until a territory does)."""

    new: int = 0
    updated: int = 0
    bad: list[BadRow] = field(default_factory=list)
    uncovered: list[dict] = field(default_factory=list)
    written: bool = False

    def counts(self) -> tuple[int, int, int]:
        """(new, updated, bad rows)."""
        return self.new, self.updated, len(self.bad)


def read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadFile(Refusal("import.not_text"))


def _header(reader: csv.DictReader, match_on: Sequence[str] | None) -> tuple[list[str], tuple]:
    """The file's columns and the natural key its rows without an id match on; BadFile if the
    header cannot be imported."""
    header = [h.strip() for h in reader.fieldnames or []]
    if "name" not in header:
        raise BadFile(Refusal("import.no_name_column", {"columns": ", ".join(COLUMNS)}))
    unknown = [h for h in header if h and h not in COLUMNS and h not in SERVER_KEPT]
    if unknown:
        raise BadFile(Refusal("import.unknown_columns", {"unknown": ", ".join(unknown),
                                                          "columns": ", ".join(COLUMNS)}))
    for column in match_on or ():
        if column not in MATCHABLE or column not in header:
            raise BadFile(Refusal("import.match_column", {
                "column": column[:40], "columns": ", ".join(c for c in header if c in MATCHABLE)}))
    key = tuple(match_on) if match_on else tuple(c for c in NATURAL_KEY if c in header)
    return header, key


def column_text(customer: dict, column: str) -> str:
    """A stored customer's value in an import column (``contact_phone``: its first contact's
    phone; ``owner``: the owner's name), as the row would write it."""
    if column.startswith("contact_"):
        value = ((customer.get("contacts") or [{}])[0]).get(column.removeprefix("contact_"))
    elif column == "owner":
        value = customer.get("owner_name")
    elif column == "product_lines":
        value = ";".join(customer.get("product_lines") or [])
    else:
        value = customer.get(column)
    return "" if value is None else str(value)


def key_value(customer: dict, column: str) -> str:
    """A customer's value in an import column, as a natural key compares it."""
    return column_text(customer, column).strip().casefold()


def _by_key(customers: list[dict], key: tuple[str, ...]) -> dict[tuple, list[str]]:
    found: dict[tuple, list[str]] = {}
    for customer in customers:
        values = tuple(key_value(customer, c) for c in key)
        if all(values):  # a customer with an empty key is matched by no row
            found.setdefault(values, []).append(customer["id"])
    return found


def parse_rows(text: str, org: Org, now: datetime, stored: list[dict] | None = None, *,
               match_on: Sequence[str] | None = None) -> tuple[list[dict], list[BadRow]]:
    """(customers ready to write as of ``now``, the bad rows); BadFile for a bad header.

    A row without an id takes the id of the ``stored`` customer it matches on the natural key
    (so importing a file again updates); a key two rows share, or several stored customers
    share, makes the row bad."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header, key = _header(reader, match_on)
    reader.fieldnames = header
    stored_by_key = _by_key(stored or [], key)
    stored_by_id = {c["id"]: c for c in stored or []}
    reps_by_name = {r["name"]: r for r in org.reps.values()}
    customers: list[dict] = []
    errors: list[BadRow] = []
    seen: dict[str, int] = {}
    seen_keys: dict[tuple, int] = {}
    for row in reader:
        line = reader.line_num
        # a quoted cell's line breaks read as spaces: every column is a one-line field
        row = {k: _unquoted(_BREAKS.sub(" ", (v or "").strip())) for k, v in row.items()
               if k in COLUMNS}
        if not any(row.values()):
            continue
        customer, problems = _customer(row, reps_by_name, org, now)
        if customer is not None and not problems and not row.get("id"):
            problems += _match(customer, key, stored_by_key, seen_keys, line)
        if customer is not None:  # as an edit is judged: what the customer holds is carried over
            refusal = validation.contact_refusal({"contacts": customer.get("contacts") or []},
                                                 stored_by_id.get(customer["id"]))
            if refusal is not None:
                problems.append(refusal)
        if problems or customer is None:
            errors.append(BadRow(line, tuple(problems)))
            continue
        if customer["id"] in seen:
            errors.append(BadRow(line, (Refusal("import.repeated_id", {
                "id": customer["id"], "line": seen[customer["id"]]}),)))
            continue
        seen[customer["id"]] = line
        customers.append(customer)
    return customers, errors


def _match(customer: dict, key: tuple[str, ...], stored_by_key: dict[tuple, list[str]],
           seen_keys: dict[tuple, int], line: int) -> list[Refusal]:
    """Give a row without an id the id of the stored customer with its natural key; the
    refusals if the key repeats an earlier row or several stored customers share it."""
    values = tuple(key_value(customer, c) for c in key)
    if not all(values):  # an empty key matches nothing: the row is a new customer
        return []
    words = {"columns": ", ".join(key),
             "values": ", ".join(column_text(customer, c) for c in key)}
    if values in seen_keys:
        return [Refusal("import.repeated_key", {**words, "line": seen_keys[values]})]
    seen_keys[values] = line
    matches = stored_by_key.get(values, [])
    if len(matches) > 1:
        return [Refusal("import.ambiguous_match", {**words, "count": len(matches)})]
    if matches:
        customer["id"] = matches[0]
    return []


def _unquoted(cell: str) -> str:
    """A cell `export` kept from being run as a formula ('=…) reads as what it was."""
    if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@"):
        return cell[1:]
    return cell


def _customer(row: dict[str, str], reps_by_name: dict[str, dict], org: Org,
              now: datetime) -> tuple[dict | None, list[Refusal]]:
    """The customer a row describes (None if the model refuses it) and every problem of the row,
    each a coded refusal naming its field."""
    problems: list[Refusal] = []
    judged: set[str] = set()  # the fields a problem is already about

    def problem(refusal: Refusal, *fields: str) -> None:
        problems.append(refusal)
        judged.update(fields)

    if not row.get("name"):
        problem(Refusal("import.name_empty"), "name")
    for key, value in row.items():  # the text rule a rep's edits go through (control chars…)
        refusal = validation.text_refusal(key, value)
        if refusal is not None:
            problem(refusal, CELL_FIELDS.get(key, key))
    if len(row.get("id", "")) > MAX_ID:
        problem(Refusal("import.id_too_long", {"max": MAX_ID, "start": row["id"][:20]}), "id")
    data: dict[str, Any] = {
        "id": row.get("id") or str(uuid.uuid4()),
        "name": row.get("name") or "-",
        "industry": row.get("industry", ""),
        "province": row.get("province", ""),
        "city": row.get("city", ""),
        "address": row.get("address", ""),
        "product_lines": [_unquoted(p.strip()) for p in row.get("product_lines", "").split(";")
                          if p.strip()],
    }
    for key in ("customer_type", "tier", "stage"):
        if row.get(key):
            data[key] = row[key]
    for key in ("lat", "lon"):
        if row.get(key):
            try:
                data[key] = float(row[key])
            except ValueError:
                problem(Refusal("import.not_a_number", {"field": key, "value": row[key]}), key)
    if row.get("contact_name"):
        data["contacts"] = [{"name": row["contact_name"], "title": row.get("contact_title", ""),
                             "phone": row.get("contact_phone", ""),
                             "email": row.get("contact_email", "")}]
    elif any(row.get(k) for k in ("contact_title", "contact_phone", "contact_email")):
        problem(Refusal("import.contact_without_name"), "contacts")
    if row.get("owner"):
        rep = reps_by_name.get(row["owner"])
        if rep is None:
            problem(Refusal("import.unknown_owner", {"owner": row["owner"]}), "owner_id")
        else:
            data.update(rules.claim_fields(rep["id"], rep["name"], now, org.policy))
    try:
        customer = Customer.model_validate(data).model_dump(mode="json")
    except ValidationError as error:
        problems.extend(_each_refusal(error, judged))
        return None, problems
    customer["_given"] = {CELL_FIELDS.get(k, k) for k, v in row.items() if v and k != "id"}
    customer["search_keys"] = pinyin_keys(customer["name"])
    customer["version"] = 1
    customer["updated_at"] = now.isoformat()
    return customer, problems


def _each_refusal(error: ValidationError, judged: set[str]) -> list[Refusal]:
    """Every complaint of the model, each as the coded refusal the rules give for a first one,
    but none about a field a problem already names."""
    refusals = []
    for detail in error.errors():
        if detail["loc"] and str(detail["loc"][0]) in judged:
            continue
        one: Any = {"type": detail["type"], "loc": detail["loc"], "input": detail["input"]}
        if "ctx" in detail:
            one["ctx"] = detail["ctx"]
        refusals.append(validation.refusal_of(
            ValidationError.from_exception_data(error.title, [one])))
    return refusals


def given_fields(customer: dict) -> set[str]:
    """The record fields a row sets: the non-empty cells (an empty cell keeps what is stored)."""
    return customer.pop("_given")


def import_customers(engine: sa.Engine, text: str, *, skip_bad: bool, now: datetime,
                     match_on: Sequence[str] | None = None,
                     dry_run: bool = False) -> ImportReport:
    """Import ``text`` as of ``now``: rows with an id update that customer (or make it), rows
    without match on ``match_on`` (default NATURAL_KEY). Nothing is written on a ``dry_run``, or
    when there are bad rows and not ``skip_bad`` (the report then says what the good rows would
    have done)."""
    with (db.reading if dry_run else db.writing)(engine) as conn:
        org = Org.load(conn)
        stored = db.all_records(conn, "customer")
        by_id = {customer["id"]: customer for customer in stored}
        customers, errors = parse_rows(text, org, now, stored, match_on=match_on)
        report = ImportReport(bad=errors)
        fresh: list[tuple[dict, set[str]]] = []
        updates: list[dict] = []
        for customer in customers:
            given = given_fields(customer)
            existing = by_id.get(customer["id"])
            if existing is None:
                if not customer.get("owner_id") and (at := rules.claimable_from(now, org.policy)):
                    customer["claimable_at"] = at  # into the pool: its claim delay (J, issue 10)
                fresh.append((customer, org.customer_audience(customer)))
            else:
                updates.append(_merged(existing, customer, given))
        report.new, report.updated = len(fresh), len(updates)
        report.uncovered = org.uncovered([c for c, _ in fresh] + updates)
        if dry_run or (errors and not skip_bad):
            return report
        for merged in updates:
            db.put_record(conn, "customer", merged, org.customer_audience(merged),
                          reason="imported")
        db.put_many(conn, "customer", fresh, reason="imported")
        trail.imported(conn, org, [(by_id[m["id"]], m) for m in updates]
                       + [(None, c) for c, _ in fresh], now)
        db.record_audit(conn, "admin", "import",
                        f"imported {len(fresh)} new and {len(updates)} updated customers")
        report.written = True
    return report


def _merged(existing: dict, customer: dict, given: set[str]) -> dict:
    """The stored customer with the row's non-empty cells on top; the same owner keeps the claim."""
    merged = {**existing, **{k: customer[k] for k in given if k in customer}}
    if "name" in given:
        merged["search_keys"] = customer["search_keys"]
    if "contacts" in given:  # the row holds the first contact; any others stay
        merged["contacts"] = customer["contacts"] + (existing.get("contacts") or [])[1:]
    if "owner_id" in given and customer["owner_id"] != existing.get("owner_id"):
        merged.update({k: customer[k] for k in CLAIM})
    else:
        merged.update({k: existing.get(k) for k in CLAIM})
    merged["version"] = existing.get("version", 0) + 1
    merged["updated_at"] = customer["updated_at"]
    return merged


def run(args: argparse.Namespace) -> int:
    from server.clikit import CliError, customer_list, open_engine, split_list

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    try:
        text = read_text(path)
        engine = open_engine(args)
        report = import_customers(engine, text, skip_bad=args.skip_bad, now=system_clock(),
                                  match_on=split_list(args.match_on) or None,
                                  dry_run=args.dry_run)
    except BadFile as error:
        raise CliError(f"{path}: {error}") from None
    except csv.Error as error:
        raise CliError(f"{path}: not a readable CSV file: {error}") from None
    import sys

    errors = report.bad
    for message in errors[:200]:
        print(f"{path}: {message}", file=sys.stderr)
    if len(errors) > 200:
        print(f"{path}: … and {len(errors) - 200} more bad rows", file=sys.stderr)
    if report.uncovered:
        print(f"{path}: warning: {counted(len(report.uncovered), 'customer')} no territory covers (no rep "
              f"sees them until a territory does): {customer_list(report.uncovered)}",
              file=sys.stderr)
    if args.dry_run:
        bad = f", {counted(len(errors), 'bad row')}" if errors else ""
        print(f"would import {report.new} new and {report.updated} updated customers{bad}; "
              "nothing written")
        return 1 if errors and not args.skip_bad else 0
    if errors and not args.skip_bad:
        print(f"fieldrep-server: {path}: {counted(len(errors), 'bad row')}; nothing imported "
              "(fix them, or pass --skip-bad to import the good rows)", file=sys.stderr)
        return 1
    skipped = f", {counted(len(errors), 'bad row')} skipped" if errors else ""
    print(f"imported {report.new} new and {report.updated} updated customers{skipped}")
    return 0


def add_parser(sub: Any) -> tuple[str, Any]:
    p = sub.add_parser("import-customers", help="import customers from a CSV file",
                       description="Import customers from a CSV file with a header row: "
                                   + ", ".join(COLUMNS) + ". A row with an id updates that "
                                   "customer; a row without one updates the customer with the "
                                   "same name and city (or --match-on), else adds one.")
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--skip-bad", action="store_true",
                   help="import the good rows even when some rows are bad")
    p.add_argument("--match-on", metavar="COLUMN[,COLUMN]",
                   help="match rows without an id on these columns instead of name,city "
                        "(e.g. contact_phone)")
    p.add_argument("--dry-run", action="store_true",
                   help="say what would be new, updated and bad; write nothing")
    return "import-customers", run
