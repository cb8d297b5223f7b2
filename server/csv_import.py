"""`fieldrep-server import-customers FILE.csv`: every row checked, errors with their line numbers.

A file with a bad row imports nothing, unless ``--skip-bad`` (then the good rows go in and the bad
ones are listed). Imported customers enter the change feed, so laptops pull them.
"""

from __future__ import annotations

import argparse
import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from server import db
from server.clock import system_clock
from server.org import Org
from sync.protocol import rules, validation
from sync.protocol.models import Customer
from sync.protocol.refusals import Refusal
from sync.protocol.search_keys import pinyin_keys

COLUMNS = ("id", "name", "industry", "customer_type", "province", "city", "address", "tier",
           "stage", "product_lines", "contact_name", "contact_title", "contact_phone",
           "contact_email", "owner", "lat", "lon")


SERVER_KEPT = frozenset(Customer.model_fields) - set(COLUMNS)
"""Columns `export customers` writes that the server keeps itself: accepted and ignored, so an
exported file can be edited in a spreadsheet and imported again."""
CLAIM = ("owner_id", "owner_name", "claimed_at", "protected_until")
CELL_FIELDS = {"contact_name": "contacts", "contact_title": "contacts", "contact_phone": "contacts",
               "contact_email": "contacts", "owner": "owner_id"}


MAX_ID = 64


class BadFile(validation.Invalid):
    """A file import-customers cannot read at all (not text, a bad header): nothing is imported;
    ``refusal`` says why."""


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be imported: its line in the file and why, as a coded refusal;
    ``str()`` is the English the command prints (``line 4: name is empty``)."""

    line: int
    refusal: Refusal

    def __str__(self) -> str:
        return Refusal("import.bad_row", {"line": self.line, "problem": str(self.refusal)}).text


def read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadFile(Refusal("import.not_text"))


def parse_rows(text: str, org: Org, now: datetime) -> tuple[list[dict], list[BadRow]]:
    """(customers ready to write as of ``now``, the bad rows); BadFile for a bad header."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    if "name" not in header:
        raise BadFile(Refusal("import.no_name_column", {"columns": ", ".join(COLUMNS)}))
    unknown = [h for h in header if h and h not in COLUMNS and h not in SERVER_KEPT]
    if unknown:
        raise BadFile(Refusal("import.unknown_columns", {"unknown": ", ".join(unknown),
                                                          "columns": ", ".join(COLUMNS)}))
    reader.fieldnames = header
    reps_by_name = {r["name"]: r for r in org.reps.values()}
    customers: list[dict] = []
    errors: list[BadRow] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        row = {k: _unquoted((v or "").strip()) for k, v in row.items() if k in COLUMNS}
        if not any(row.values()):
            continue
        try:
            customer = _customer(row, reps_by_name, org, now)
        except validation.Invalid as invalid:
            errors.append(BadRow(line, invalid.refusal))
            continue
        except ValidationError as error:
            errors.append(BadRow(line, validation.refusal_of(error)))
            continue
        if customer["id"] in seen:
            errors.append(BadRow(line, Refusal("import.repeated_id", {
                "id": customer["id"], "line": seen[customer["id"]]})))
            continue
        seen[customer["id"]] = line
        customers.append(customer)
    return customers, errors


def _unquoted(cell: str) -> str:
    """A cell `export` kept from being run as a formula ('=…) reads as what it was."""
    if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@"):
        return cell[1:]
    return cell


def _customer(row: dict[str, str], reps_by_name: dict[str, dict], org: Org,
              now: datetime) -> dict:
    """The customer a row describes; validation.Invalid or a model's ValidationError if bad."""
    if not row.get("name"):
        raise validation.Invalid(Refusal("import.name_empty"))
    for key, value in row.items():
        if "\x00" in value:
            raise validation.Invalid(Refusal("field.nul", {"field": key}))
    if len(row.get("id", "")) > MAX_ID:
        raise validation.Invalid(Refusal("import.id_too_long",
                                         {"max": MAX_ID, "start": row["id"][:20]}))
    data: dict[str, Any] = {
        "id": row.get("id") or str(uuid.uuid4()),
        "name": row["name"],
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
                raise validation.Invalid(Refusal("import.not_a_number",
                                                 {"field": key, "value": row[key]})) from None
    if row.get("contact_name"):
        data["contacts"] = [{"name": row["contact_name"], "title": row.get("contact_title", ""),
                             "phone": row.get("contact_phone", ""),
                             "email": row.get("contact_email", "")}]
    elif any(row.get(k) for k in ("contact_title", "contact_phone", "contact_email")):
        raise validation.Invalid(Refusal("import.contact_without_name"))
    if row.get("owner"):
        rep = reps_by_name.get(row["owner"])
        if rep is None:
            raise validation.Invalid(Refusal("import.unknown_owner", {"owner": row["owner"]}))
        data.update(rules.claim_fields(rep["id"], rep["name"], now, org.policy))
    customer = Customer.model_validate(data).model_dump(mode="json")
    customer["_given"] = {CELL_FIELDS.get(k, k) for k, v in row.items() if v and k != "id"}
    customer["search_keys"] = pinyin_keys(customer["name"])
    customer["version"] = 1
    customer["updated_at"] = now.isoformat()
    return customer


def given_fields(customer: dict) -> set[str]:
    """The record fields a row sets: the non-empty cells (an empty cell keeps what is stored)."""
    return customer.pop("_given")


def import_customers(engine: sa.Engine, text: str, *, skip_bad: bool,
                     now: datetime) -> tuple[int, int, list[BadRow]]:
    """(new, updated, bad rows) as of ``now``. Nothing is written when there are bad rows and
    not ``skip_bad``."""
    with db.writing(engine) as conn:
        org = Org.load(conn)
        customers, errors = parse_rows(text, org, now)
        if errors and not skip_bad:
            return 0, 0, errors
        fresh: list[tuple[dict, set[str]]] = []
        updated = 0
        for customer in customers:
            given = given_fields(customer)
            existing = db.get_record(conn, "customer", customer["id"])
            if existing is None:
                fresh.append((customer, org.customer_audience(customer)))
                continue
            merged = _merged(existing, customer, given)
            db.put_record(conn, "customer", merged, org.customer_audience(merged),
                          reason="imported")
            updated += 1
        db.put_many(conn, "customer", fresh, reason="imported")
        db.record_audit(conn, "admin", "import",
                        f"imported {len(fresh)} new and {updated} updated customer(s)")
    return len(fresh), updated, errors


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
    from server.clikit import CliError, open_engine

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    try:
        text = read_text(path)
        engine = open_engine(args)
        new, updated, errors = import_customers(engine, text, skip_bad=args.skip_bad,
                                                now=system_clock())
    except BadFile as error:
        raise CliError(f"{path}: {error}") from None
    except csv.Error as error:
        raise CliError(f"{path}: not a readable CSV file: {error}") from None
    import sys

    for message in errors[:200]:
        print(f"{path}: {message}", file=sys.stderr)
    if len(errors) > 200:
        print(f"{path}: … and {len(errors) - 200} more bad rows", file=sys.stderr)
    if errors and not args.skip_bad:
        print(f"fieldrep-server: {path}: {len(errors)} bad row(s); nothing imported "
              "(fix them, or pass --skip-bad to import the good rows)", file=sys.stderr)
        return 1
    skipped = f", {len(errors)} bad row(s) skipped" if errors else ""
    print(f"imported {new} new and {updated} updated customer(s){skipped}")
    return 0


def add_parser(sub: Any) -> tuple[str, Any]:
    p = sub.add_parser("import-customers", help="import customers from a CSV file",
                       description="Import customers from a CSV file with a header row: "
                                   + ", ".join(COLUMNS))
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--skip-bad", action="store_true",
                   help="import the good rows even when some rows are bad")
    return "import-customers", run
