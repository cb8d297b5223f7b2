"""Importing again: rows without an id match on a natural key (name + city, or `--match-on`) and
update instead of duplicating; `--dry-run` writes nothing; every error of a row; customers no
territory covers are named at import and by `assign`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from server import db
from server.csv_import import import_customers
from tests.server.test_import import GOOD, NOW, _csv

NO_ID = [h for h in GOOD if h != "id"]


@pytest.fixture
def server_db(org):
    return org["engine"]


def _customers(engine) -> list[dict]:
    with db.reading(engine) as conn:
        return db.all_records(conn, "customer")


def _feed_length(engine) -> int:
    """Rows in the change feed and the audit log: what a write would add to."""
    with db.reading(engine) as conn:
        return sum(len(conn.exec_driver_sql(f"SELECT 1 FROM {table}").all())
                   for table in ("changes", "audit"))


ROWS = [{**GOOD, "owner": ""}, {**GOOD, "name": "宁波化工", "city": "宁波", "owner": ""},
        {**GOOD, "name": "宁波化工", "city": "杭州", "owner": ""}]


def test_importing_a_file_without_ids_twice_updates_and_duplicates_nothing(server_db):
    first = import_customers(server_db, _csv(ROWS, NO_ID), skip_bad=False, now=NOW)
    assert (first.new, first.updated, first.bad) == (3, 0, [])
    fixed = [{**row, "tier": "B"} for row in ROWS]
    again = import_customers(server_db, _csv(fixed, NO_ID), skip_bad=False, now=NOW)
    assert (again.new, again.updated, again.bad) == (0, 3, [])
    stored = _customers(server_db)
    assert len(stored) == 3, "same name in another city is another customer"
    assert {c["tier"] for c in stored} == {"B"} and {c["version"] for c in stored} == {2}


def test_match_on_a_named_column_updates_the_customer_with_that_value(server_db):
    import_customers(server_db, _csv([ROWS[0]], NO_ID), skip_bad=False, now=NOW)
    renamed = {**ROWS[0], "name": "杭州精密机械集团", "city": "余杭"}
    report = import_customers(server_db, _csv([renamed], NO_ID), skip_bad=False, now=NOW,
                              match_on=("contact_phone",))
    assert (report.new, report.updated) == (0, 1)
    (customer,) = _customers(server_db)
    assert customer["name"] == "杭州精密机械集团" and customer["city"] == "余杭"


def test_the_same_natural_key_twice_in_a_file_is_a_bad_row_not_two_customers(server_db):
    report = import_customers(server_db, _csv([ROWS[0], ROWS[0]], NO_ID), skip_bad=False, now=NOW)
    assert [str(e) for e in report.bad] == [
        "line 3: name, city 杭州精密机械有限公司, 杭州 repeats line 2"]
    assert _customers(server_db) == []


def test_a_key_several_stored_customers_share_is_refused_by_name(server_db):
    twins = [{**ROWS[0], "id": "c-1"}, {**ROWS[0], "id": "c-2"}]
    assert import_customers(server_db, _csv(twins), skip_bad=False, now=NOW).new == 2
    report = import_customers(server_db, _csv([ROWS[0]], NO_ID), skip_bad=False, now=NOW)
    assert [e.problems[0].code for e in report.bad] == ["import.ambiguous_match"]
    assert "2 customers" in str(report.bad[0])


def test_an_unknown_match_column_refuses_the_whole_file(server_db):
    from server.csv_import import BadFile

    with pytest.raises(BadFile, match="--match-on colour"):
        import_customers(server_db, _csv([ROWS[0]], NO_ID), skip_bad=False, now=NOW,
                         match_on=("colour",))


def test_dry_run_reports_new_updated_and_bad_and_writes_nothing(server_db):
    import_customers(server_db, _csv([ROWS[0]], NO_ID), skip_bad=False, now=NOW)
    before = _customers(server_db)
    changes_before = _feed_length(server_db)
    rows = [{**ROWS[0], "tier": "A"}, ROWS[1], {**ROWS[2], "tier": "Z"}]
    report = import_customers(server_db, _csv(rows, NO_ID), skip_bad=True, now=NOW, dry_run=True)
    assert (report.new, report.updated, [e.line for e in report.bad]) == (1, 1, [4])
    assert _customers(server_db) == before and _feed_length(server_db) == changes_before


def test_every_error_of_a_row_is_reported_not_only_the_first(server_db):
    bad = {**GOOD, "tier": "Z", "stage": "sleeping", "lat": "north", "owner": "Nobody",
           "name": "x" * 201}
    report = import_customers(server_db, _csv([bad]), skip_bad=False, now=NOW)
    (row,) = report.bad
    fields = sorted(p.params.get("field", p.code) for p in row.problems)
    assert fields == ["import.unknown_owner", "lat", "name", "stage", "tier"], row.problems
    assert str(row).startswith("line 2: ") and str(row).count("; ") == 4


def test_rows_no_territory_covers_are_named_at_import(server_db):
    outside = {**ROWS[0], "name": "成都火锅", "province": "Sichuan", "city": "成都"}
    report = import_customers(server_db, _csv([ROWS[0], outside], NO_ID), skip_bad=False, now=NOW)
    assert report.new == 2 and [c["name"] for c in report.uncovered] == ["成都火锅"]


@pytest.fixture
def admin(tmp_path):
    env = {**os.environ, "FIELDREP_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}"}

    def run(*args: str, code: int = 0) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "server.cli", *args], capture_output=True,
                              text=True, env=env, timeout=120)
        assert done.returncode == code and "Traceback" not in done.stderr, done.stderr
        return done

    run("init")
    run("add-team", "East")
    run("add-territory", "ZJ", "--provinces", "Zhejiang")
    run("add-rep", "Ana", "--team", "East", "--territories", "ZJ")
    run.tmp = tmp_path
    return run


def test_the_cli_imports_twice_without_duplicates_and_dry_run_says_what_it_would_do(admin):
    path = admin.tmp / "customers.csv"
    path.write_text("name,province,city,tier\n甲公司,Zhejiang,杭州,A\n乙公司,Zhejiang,宁波,B\n",
                    encoding="utf-8")
    assert admin("import-customers", str(path)).stdout.strip() == (
        "imported 2 new and 0 updated customers")
    path.write_text("name,province,city,tier\n甲公司,Zhejiang,杭州,B\n丙公司,Zhejiang,温州,Q\n",
                    encoding="utf-8")
    dry = admin("import-customers", str(path), "--dry-run", code=1)
    assert "line 3: tier" in dry.stderr
    assert "would import 0 new and 1 updated customers, 1 bad row; nothing written" in (
        dry.stdout + dry.stderr)
    done = admin("import-customers", str(path), "--skip-bad")
    assert done.stdout.strip() == "imported 0 new and 1 updated customers, 1 bad row skipped"
    listed = admin("export", "customers", "--format", "json").stdout
    assert listed.count('"name"') == 2


def test_the_cli_warns_of_uncovered_rows_and_assign_lists_them(admin):
    path = admin.tmp / "customers.csv"
    path.write_text("name,province,city\n甲公司,Zhejiang,杭州\n成都火锅,Sichuan,成都\n",
                    encoding="utf-8")
    done = admin("import-customers", str(path))
    assert "1 customer no territory covers" in done.stderr and "成都火锅" in done.stderr
    out = admin("assign", "--strategy", "region").stdout
    assert "assigned 1 customer by region" in out
    assert "1 outside every territory" in out and "成都火锅 (Sichuan, 成都)" in out
    data = admin("assign", "--strategy", "region", "--json").stdout
    assert '"uncovered"' in data and "成都火锅" in data


def test_an_empty_match_column_matches_no_stored_customer(server_db):
    # a row whose --match-on cell is empty must not take the id of a stored customer whose
    # column is empty too (it overwrote an unrelated customer)
    real = {**ROWS[0], "name": "Real", "contact_phone": ""}
    import_customers(server_db, _csv([real], NO_ID), skip_bad=False, now=NOW)
    imposter = {**ROWS[0], "name": "Imposter", "city": "苏州", "contact_phone": ""}
    report = import_customers(server_db, _csv([imposter], NO_ID), skip_bad=False, now=NOW,
                              match_on=("contact_phone",))
    assert (report.new, report.updated) == (1, 0)
    assert sorted(c["name"] for c in _customers(server_db)) == ["Imposter", "Real"]


def test_an_import_refuses_control_characters_and_bad_contact_details_as_an_edit_would(
        server_db):
    rows = [{**ROWS[0], "name": "Evil\x1b[31m Corp"},
            {**ROWS[1], "contact_phone": "abc!!", "contact_email": "notanemail"}]
    report = import_customers(server_db, _csv(rows, NO_ID), skip_bad=True, now=NOW)
    codes = [[p.code for p in bad.problems] for bad in report.bad]
    assert codes == [["field.control_chars"], ["contact.phone_invalid"]], codes
    assert _customers(server_db) == []
