"""CSV import: every bad row named by its line, nothing half-imported, laptops pull what went in."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from server import db
from server.app import create_app
from server.csv_import import BadFile, import_customers, read_text

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
HEADER = ["id", "name", "industry", "customer_type", "province", "city", "address", "tier",
          "stage", "product_lines", "contact_name", "contact_title", "contact_phone",
          "contact_email", "owner", "lat", "lon"]
GOOD = {"name": "杭州精密机械有限公司", "industry": "Manufacturing", "customer_type": "B2B",
        "province": "Zhejiang", "city": "杭州", "address": "滨江区1号", "tier": "A",
        "stage": "active", "product_lines": "Pumps; Valves", "contact_name": "王芳",
        "contact_title": "采购经理", "contact_phone": "13800000000",
        "contact_email": "wf@example.com", "owner": "Ana", "lat": "30.27", "lon": "120.15"}


def _csv(rows: list[dict], header: list[str] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _customers(engine) -> dict[str, dict]:
    with db.reading(engine) as conn:
        return {c["name"]: c for c in db.all_records(conn, "customer")}


def test_a_good_file_imports_every_field_with_owner_protection_and_pinyin(org):
    rows = [GOOD, {**GOOD, "name": "Northwind Trading Ltd.", "owner": "", "tier": "",
                   "stage": "", "lat": "", "lon": "", "contact_name": "", "contact_title": "",
                   "contact_phone": "", "contact_email": "", "product_lines": ""}]
    assert import_customers(org["engine"], _csv(rows), skip_bad=False, now=NOW).counts() == (2, 0, 0)
    by_name = _customers(org["engine"])
    hz = by_name["杭州精密机械有限公司"]
    assert hz["owner_id"] == org["ana"]["id"] and hz["owner_name"] == "Ana"
    assert hz["claimed_at"] and hz["protected_until"] > hz["claimed_at"]
    assert hz["product_lines"] == ["Pumps", "Valves"]
    assert hz["contacts"] == [{"name": "王芳", "title": "采购经理", "phone": "13800000000",
                               "email": "wf@example.com"}]
    assert (hz["lat"], hz["lon"]) == (30.27, 120.15)
    assert "hzjmjxyxgs" in hz["search_keys"] and any(k.startswith("hangzhou")
                                                      for k in hz["search_keys"])
    plain = by_name["Northwind Trading Ltd."]
    assert plain["owner_id"] is None and plain["tier"] == "C" and plain["stage"] == "prospect"
    assert plain["contacts"] == [] and plain["search_keys"] == []


@pytest.mark.parametrize(("change", "words"), [
    ({"tier": "Z"}, "tier"),
    ({"stage": "sleeping"}, "stage"),
    ({"customer_type": "B2X"}, "customer_type"),
    ({"owner": "Nobody"}, "owner 'Nobody' is not a rep"),
    ({"lat": "north"}, "lat: 'north' is not a number"),
    ({"lat": "91"}, "lat"),
    ({"lon": "-180.5"}, "lon"),
    ({"lat": "nan"}, "lat"),
    ({"lon": "inf"}, "lon"),
    ({"name": ""}, "name is empty"),
    ({"name": "x" * 201}, "name"),
    ({"contact_name": "", "contact_title": ""}, "contact details without a contact_name"),
    ({"id": "x" * 65}, "id"),
    ({"name": "bad\x00name"}, "name"),
])
def test_each_kind_of_bad_row_is_named_by_its_line_and_nothing_is_imported(org, change, words):
    rows = [GOOD, {**GOOD, "name": "宁波化工", "owner": ""}, {**GOOD, **change}]
    report = import_customers(org["engine"], _csv(rows), skip_bad=False, now=NOW)
    errors = report.bad
    assert not report.written
    assert len(errors) == 1 and str(errors[0]).startswith("line 4: "), errors
    assert errors[0].line == 4 and words in str(errors[0].problems[0]), errors
    assert _customers(org["engine"]) == {}


def test_line_numbers_count_physical_lines_of_quoted_multiline_cells(org):
    rows = [{**GOOD, "address": "第一行\n第二行"}, {**GOOD, "name": "Bad", "tier": "Q"}]
    errors = import_customers(org["engine"], _csv(rows), skip_bad=False, now=NOW).bad
    assert errors and errors[0].line == 4 and str(errors[0]).startswith("line 4: "), errors


def test_a_repeated_id_names_both_lines(org):
    rid = "0190a000-0000-7000-8000-000000000001"
    rows = [{**GOOD, "id": rid}, {**GOOD, "name": "B", "id": "0190a000-0000-7000-8000-0000000002"},
            {**GOOD, "name": "C", "id": rid}]
    errors = import_customers(org["engine"], _csv(rows), skip_bad=False, now=NOW).bad
    assert [str(e) for e in errors] == [f"line 4: id {rid} repeats line 2"]
    assert errors[0].problems[0].wire() == {"code": "import.repeated_id",
                                            "params": {"id": rid, "line": 2}}


def test_skip_bad_imports_the_good_rows_and_lists_the_bad(org):
    rows = [GOOD, {**GOOD, "name": "Bad tier", "tier": "Z"}, {**GOOD, "name": "宁波化工"},
            {**GOOD, "name": "Bad owner", "owner": "Nobody"}]
    report = import_customers(org["engine"], _csv(rows), skip_bad=True, now=NOW)
    errors = report.bad
    assert (report.new, report.updated, report.written) == (2, 0, True)
    assert [str(e).split(":")[0] for e in errors] == ["line 3", "line 5"]
    assert [e.problems[0].code for e in errors] == ["field.invalid", "import.unknown_owner"]
    assert set(_customers(org["engine"])) == {"杭州精密机械有限公司", "宁波化工"}


def test_blank_lines_are_skipped_and_do_not_shift_line_numbers(org):
    text = _csv([GOOD]) + "\r\n,,,,,,,,,,,,,,,,\r\n" + _csv([{**GOOD, "tier": "Z"}]).split(
        "\r\n", 1)[1]
    errors = import_customers(org["engine"], text, skip_bad=False, now=NOW).bad
    assert len(errors) == 1 and str(errors[0]).startswith("line 5: "), errors


@pytest.mark.parametrize(("header", "words"), [
    (["id", "title", "tier"], "no 'name' column"),
    (["name", "tier", "colour"], "not a column fieldrep knows: colour"),
])
def test_a_bad_header_refuses_the_whole_file(org, header, words):
    with pytest.raises(BadFile, match=words.replace("(", r"\(").replace(")", r"\)")):
        import_customers(org["engine"], ",".join(header) + "\r\nA,B,C\r\n", skip_bad=True, now=NOW)


def test_an_existing_id_is_updated_with_a_new_version_and_keeps_its_owner(org):
    rid = "0190a000-0000-7000-8000-00000000000a"
    first = import_customers(org["engine"], _csv([{**GOOD, "id": rid}]), skip_bad=False, now=NOW)
    assert first.new == 1
    again = {**GOOD, "id": rid, "tier": "B", "owner": "", "name": "杭州精密机械集团"}
    assert import_customers(org["engine"], _csv([again]), skip_bad=False, now=NOW).counts() == (0, 1, 0)
    (customer,) = _customers(org["engine"]).values()
    assert customer["tier"] == "B" and customer["version"] == 2
    assert customer["owner_name"] == "Ana", "an empty owner cell keeps the owner"
    assert "hzjmjxjt" in customer["search_keys"], "pinyin follows the new name"


def test_imported_and_updated_customers_reach_the_covering_reps_feed(org):
    client = TestClient(create_app(engine=org["engine"]))
    headers = {"Authorization": f"Bearer {org['token']}", "X-Fieldrep-Schema": "1"}
    page = client.get("/v1/sync/bootstrap", headers=headers, params={"limit": 100}).json()
    assert page["changes"] == [] or all(c["entity"] != "customer" for c in page["changes"])
    cursor = page["cursor"]
    rid = "0190a000-0000-7000-8000-00000000000b"
    import_customers(org["engine"], _csv([{**GOOD, "id": rid, "owner": ""}]), skip_bad=False, now=NOW)
    pulled = client.get("/v1/sync/pull", headers=headers, params={"cursor": cursor}).json()
    assert [(c["entity"], c["id"]) for c in pulled["changes"]] == [("customer", rid)]
    import_customers(org["engine"], _csv([{**GOOD, "id": rid, "owner": "", "tier": "B"}]),
                     skip_bad=False, now=NOW)
    again = client.get("/v1/sync/pull", headers=headers,
                       params={"cursor": pulled["next_cursor"]}).json()
    assert [c["record"]["tier"] for c in again["changes"]] == ["B"]


def test_bom_utf8_and_gb18030_files_read_the_same(tmp_path):
    text = _csv([GOOD])
    for name, data in (("bom.csv", text.encode("utf-8-sig")), ("gbk.csv", text.encode("gb18030")),
                       ("plain.csv", text.encode("utf-8"))):
        path = tmp_path / name
        path.write_bytes(data)
        assert read_text(path) == text, name


def test_the_command_line_says_what_is_wrong_with_a_file_in_one_line(tmp_path):
    env = {**os.environ, "FIELDREP_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}"}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "server.cli", *args], capture_output=True,
                              text=True, env=env, timeout=120)

    assert cli("init").returncode == 0
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"name\n\xff\xfe\x00x\n")
    done = cli("import-customers", str(binary))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"fieldrep-server: {binary}: not UTF-8 or GB18030 text (save it as CSV UTF-8)"]
    header = tmp_path / "header.csv"
    header.write_text("title,tier\nA,B\n", encoding="utf-8")
    done = cli("import-customers", str(header))
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    assert "no 'name' column" in done.stderr
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("name,tier\nGood Co,A\nBad Co,Z\n", encoding="utf-8-sig")
    done = cli("import-customers", str(mixed))
    assert done.returncode == 1 and "line 3: tier" in done.stderr
    done = cli("import-customers", str(mixed), "--skip-bad")
    assert done.returncode == 0
    assert done.stdout.strip() == "imported 1 new and 0 updated customers, 1 bad row skipped"
    assert "line 3: tier" in done.stderr
