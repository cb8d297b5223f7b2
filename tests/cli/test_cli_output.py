"""What `fieldrep` prints cannot drive the reader's terminal: a customer (or a visit, a contact, a
refusal) holding escape sequences, C1 controls or bidirectional overrides shows them as visible
marks in every human-readable line, on stdout and stderr; --json escapes them and keeps the value.

The laptop here is a store filled as a first sync fills it, with hostile text in it as a server
(or an older server that did not refuse control characters) could have sent it; no server runs.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.sync._harness import ROOT, client_env
from tests.tui.conftest import ACME, CUSTOMER_IDS, ME, OTHERS, SINOPEC, _records

HOSTILE = "Evil\x1b]52;c;aGVsbG8=\x07\x1b[2J\x1b[31m Corp\u202e\x9b1m\x7f\r\u2066x\u2069"
"""A clipboard write (OSC 52), a screen clear, a colour, a right-to-left override, an 8-bit CSI,
DEL, a carriage return and a bidi isolate."""

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                    "\u2066-\u2069]")


@pytest.fixture
def hostile_home(tmp_path) -> Path:
    from cache import Store

    home = tmp_path / "home"
    records = _records()
    for change in records:
        record = change["record"]
        if change["entity"] == "customer" and change["id"] == SINOPEC:
            record["name"] = HOSTILE
            record["city"] = "Shang\x1b[2Jhai"
            record["contacts"] = [{"name": "=cmd\x1b[8m", "title": "\x9b0m", "phone": "1",
                                   "email": "a@b"}]
        if change["entity"] == "visit" and change["id"] == "visit-0001":
            record["outcome"] = "met\x1b[2J\x1b[H"
        if change["entity"] == "followup" and change["id"] == "fu-0001":
            record["title"] = "call\x1b]0;pwned\x07"
        if change["entity"] == "customer" and change["id"] == OTHERS:
            # the CLI runs on the real clock: Li Wei's protection must outlast the test's day
            record["protected_until"] = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    with Store.open(home) as store:
        store.save_session("http://127.0.0.1:9", ME, "device-0001", "test-token")
        store.apply_bootstrap_page(records, None, "cursor-1", True)
        store.claim(CUSTOMER_IDS[5])  # a pool customer, refused below with a hostile reason
        claim = next(op for op in store.outbox() if op["kind"] == "customer.claim")
        store.apply_push_results([{
            "op_id": claim["op_id"], "mid": claim["mid"], "status": "rejected",
            "entity": "customer", "record_id": CUSTOMER_IDS[5],
            "reason": "owned by \x1b[2JMallory", "code": "claim.owned_by",
            "params": {"who": "\x1b]52;c;eA==\x07Mallory"}}])
    return home


def fieldrep(home: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "tui.cli", *args], env=client_env(home),
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, (args, done.returncode, done.stderr)
    return done


def assert_printable(text: str, what: str) -> None:
    found = UNSAFE.findall(text)
    assert not found, f"{what} printed control characters {found!r}:\n{text!r}"


@pytest.mark.parametrize("args", [
    ("customers",), ("customers", "--search", "Evil"), ("customers", "--group-by", "city"),
    ("visits",), ("visits", "--customer", SINOPEC), ("show", SINOPEC), ("queue",),
    ("status",), ("conflicts",),
])
def test_no_control_character_reaches_the_terminal_from_any_listing(hostile_home, args):
    done = fieldrep(hostile_home, *args)
    assert_printable(done.stdout, " ".join(args))
    assert_printable(done.stderr, " ".join(args))


def test_the_hostile_name_is_shown_with_its_controls_made_visible(hostile_home):
    listing = fieldrep(hostile_home, "customers", "--search", "Evil").stdout
    assert "Evil␛]52;c;aGVsbG8=␇␛[2J␛[31m Corp" in listing
    shown = fieldrep(hostile_home, "show", SINOPEC).stdout
    assert "Evil␛]52;c;aGVsbG8=␇␛[2J" in shown and "Shang␛[2Jhai" in shown
    assert "met␛[2J␛[H" in shown
    assert "met␛[2J␛[H" in fieldrep(hostile_home, "visits").stdout
    status = fieldrep(hostile_home, "status").stdout
    assert "␛]52;c;eA==␇Mallory" in status, status


def test_a_hostile_name_in_an_error_line_is_made_visible_too(hostile_home):
    done = fieldrep(hostile_home, "show", "\x1b[2Jnobody", code=1)
    assert_printable(done.stderr, "an unknown customer")
    assert len(done.stderr.strip().splitlines()) == 1
    many = fieldrep(hostile_home, "show", "o", code=1)  # matches several: they are listed
    assert_printable(many.stderr, "an ambiguous search")
    assert "Evil␛]52" in many.stderr


@pytest.mark.parametrize("args", [("customers", "--json"), ("show", SINOPEC, "--json"),
                                  ("visits", "--json"), ("status", "--json"),
                                  ("queue", "--json")])
def test_json_escapes_every_control_character_and_keeps_the_value(hostile_home, args):
    done = fieldrep(hostile_home, *args)
    assert_printable(done.stdout, " ".join(args))
    data = json.loads(done.stdout)
    if args[0] == "customers":
        assert HOSTILE in {c["name"] for c in data}
    if args[0] == "show":
        assert data["name"] == HOSTILE
        assert "\\u001b]52" in done.stdout and "\\u202e" in done.stdout
        assert "\\u009b" in done.stdout and "\\u007f" in done.stdout


def test_plain_text_and_chinese_are_printed_as_they_are(hostile_home):
    listing = fieldrep(hostile_home, "customers").stdout
    assert "上海振华重工" in listing and "Acme Robotics" in listing
    assert "\t" not in listing
    assert fieldrep(hostile_home, "show", ACME).stdout.count("\n") > 3


def test_the_laptops_own_refusals_are_one_line_in_the_ui_language(hostile_home):
    def refused(lang: str, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "tui.cli", *args], cwd=ROOT, text=True,
                              env=client_env(hostile_home, FIELDREP_LANG=lang),
                              capture_output=True, timeout=120)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert_printable(line, " ".join(args))
        return line

    assert refused("en", "claim", OTHERS).startswith("fieldrep: owned by Li Wei, protected until")
    assert refused("zh", "claim", OTHERS).startswith("fieldrep: 归 Li Wei 所有，保护期至")
    assert refused("zh", "--lang", "en", "claim", OTHERS).startswith("fieldrep: owned by")
    outcome = ("visit", "log", ACME, "--outcome", "met\x1b[2J")
    assert refused("en", *outcome) == "fieldrep: outcome: control characters are not allowed"
    assert refused("zh", *outcome) == "fieldrep: 结果：不允许包含控制字符"
