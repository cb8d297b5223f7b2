"""`fieldrep login` keeps the token out of the process list and off the network in clear, and
`fieldrep status` says when the server no longer accepts the login and names the customer of
every refused claim, in English and Chinese. A real server on loopback, real subprocesses.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync.client import is_loopback
from tests.sync._harness import ROOT, Laptop, Org, client_env, make_customers

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    org = Org.create(tmp_path_factory.mktemp("cli-login") / "server")
    org.add_territory("East", ["Zhejiang"])
    for name in ("Ana", "Bo", "Cy", "Di", "Ed", "Fu", "Gu"):
        org.add_rep(name, ["East"])
    rows = make_customers(6, "Zhejiang")
    rows[0]["name"] = "Contested Pumps"
    rows[1]["name"] = "争议阀门厂"
    org.import_customers(rows)
    org.start()
    yield org
    org.stop()


def fieldrep(home: Path, *args: str, code: int = 0, stdin: str | None = None,
             lang: str | None = None) -> subprocess.CompletedProcess:
    extra = {"FIELDREP_LANG": lang} if lang else {}
    done = subprocess.run([sys.executable, "-m", "tui.cli", *args], env=client_env(home, **extra),
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          input=stdin if stdin is not None else "")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, (args, done.returncode, done.stdout, done.stderr)
    return done


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def find(org: Org, name: str) -> str:
    return next(cid for cid, row in org.customers.items() if row["name"] == name)


# --------------------------------------------------------------------------- the token


def test_login_reads_the_token_from_stdin_with_a_dash_and_warns_of_nothing(org, tmp_path):
    home = tmp_path / "dash"
    done = fieldrep(home, "login", "--server", org.url, "--token", "-",
                    stdin=org.reps["Ana"].token + "\n")
    assert "logged in as Ana" in done.stdout
    assert done.stderr == ""
    assert fieldrep(home, "sync").returncode == 0


def test_login_without_a_token_and_without_a_terminal_reads_one_line_of_stdin(org, tmp_path):
    home = tmp_path / "piped"
    done = fieldrep(home, "login", "--server", org.url, stdin=org.reps["Bo"].token + "\nrest\n")
    assert "logged in as Bo" in done.stdout and done.stderr == ""


def test_no_token_at_all_is_one_clear_line(org, tmp_path):
    done = fieldrep(tmp_path / "none", "login", "--server", org.url, stdin="", code=1)
    assert "no token given" in one_line(done.stderr)
    done = fieldrep(tmp_path / "none", "login", "--server", org.url, stdin="two words\n", code=1)
    assert "not a token" in one_line(done.stderr)


def test_a_token_on_the_command_line_still_works_for_scripts_with_a_warning(org, tmp_path):
    done = fieldrep(tmp_path / "flag", "login", "--server", org.url, "--token",
                    org.reps["Cy"].token)
    assert "logged in as Cy" in done.stdout
    warning = one_line(done.stderr)
    assert "process list" in warning and "shell history" in warning and "--token -" in warning
    assert org.reps["Cy"].token not in done.stderr
    help_text = fieldrep(tmp_path / "flag", "login", "--help").stdout
    assert "process list" in help_text and "--insecure" in help_text


def test_without_a_token_on_a_terminal_it_asks_without_echo(org, tmp_path):
    import fcntl
    import termios

    primary, secondary = os.openpty()

    def own_terminal() -> None:  # the child's controlling terminal, where getpass asks
        os.setsid()
        fcntl.ioctl(secondary, termios.TIOCSCTTY, 0)

    child = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "login", "--server", org.url],
        stdin=secondary, stdout=secondary, stderr=secondary, cwd=ROOT,
        env=client_env(tmp_path / "tty"), preexec_fn=own_terminal, close_fds=True)
    os.close(secondary)
    seen = b""

    def read_until(marker: bytes, timeout: float = 60) -> None:
        nonlocal seen
        end = time.monotonic() + timeout
        while marker not in seen and time.monotonic() < end:
            ready, _, _ = select.select([primary], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(primary, 4096)
                except OSError:
                    break
        assert marker in seen, seen

    try:
        read_until(b"Token")
        os.write(primary, org.reps["Di"].token.encode() + b"\n")
        read_until(b"logged in as Di")
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
        os.close(primary)
    assert org.reps["Di"].token.encode() not in seen, "the token was echoed"


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("LOCALHOST", True), ("::ffff:127.0.0.1", True),
    ("10.0.0.1", False), ("128.0.0.1", False), ("0.0.0.0", False), ("fieldrep.example.com", False),
    ("localhost.example.com", False), ("127.0.0.1.nip.io", False), ("::2", False),
])
def test_only_this_machine_counts_as_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_plain_http_to_another_machine_needs_insecure_and_says_why(org, tmp_path):
    home = tmp_path / "far"
    token = org.reps["Ed"].token
    done = fieldrep(home, "login", "--server", "http://fieldrep.invalid:8765", "--token", "-",
                    stdin=token, code=1)
    line = one_line(done.stderr)
    assert "unencrypted" in line and "https://" in line and "--insecure" in line
    assert "cannot reach" not in line, "the token must not be sent before the check"
    done = fieldrep(home, "login", "--insecure", "--server", "http://fieldrep.invalid:8765",
                    "--token", "-", stdin=token, code=1)
    assert "unencrypted" in done.stderr and "cannot reach" in done.stderr
    assert "not a URL" in one_line(fieldrep(home, "login", "--server", "http://:80",
                                            stdin=token, code=1).stderr)
    localhost = org.url.replace("127.0.0.1", "localhost")
    assert "logged in as Ed" in fieldrep(home, "login", "--server", localhost, "--token", "-",
                                         stdin=token).stdout


# --------------------------------------------------------------------------- status


def _refused_claim(org: Org, tmp_path: Path, loser: str, name: str) -> tuple[Path, str]:
    """``loser`` claims ``name`` from the pool, but Fu's claim reaches the server first."""
    customer = find(org, name)
    home = Laptop(tmp_path / f"home-{loser}", org.reps[loser], org.url).login().home
    fieldrep(home, "sync")
    fu = Laptop(tmp_path / "home-Fu", org.reps["Fu"], org.url).login().home
    fieldrep(fu, "sync")
    fieldrep(fu, "claim", customer)
    fieldrep(fu, "sync")
    fieldrep(home, "claim", customer)
    synced = fieldrep(home, "sync").stdout
    return home, synced


def test_status_names_the_customer_of_a_refused_claim_in_both_languages(org, tmp_path):
    home, synced = _refused_claim(org, tmp_path, "Ana", "Contested Pumps")
    assert "1 refused" in synced
    assert "claim Contested Pumps — owned by Fu, protected until " in synced, synced
    status = fieldrep(home, "status").stdout
    line = next(x for x in status.splitlines() if x.startswith("refused:"))
    assert "claim Contested Pumps — owned by Fu, protected until 20" in line, status
    assert fieldrep(home, "show", "Contested Pumps", code=1), "it left Ana's laptop at the pull"

    chinese = fieldrep(home, "status", lang="zh").stdout
    line = next(x for x in chinese.splitlines() if x.startswith("被拒绝："))
    assert "认领 Contested Pumps — 归 Fu 所有，保护期至 20" in line, chinese
    assert fieldrep(home, "--lang", "zh", "status").stdout == chinese

    (rejection,) = json.loads(fieldrep(home, "status", "--json").stdout)["rejections"]
    assert rejection["customer_name"] == "Contested Pumps"
    assert rejection["code"] == "claim.owned_by_until" and rejection["params"]["who"] == "Fu"
    assert rejection["reason"].startswith("owned by Fu")


def test_status_says_signed_out_when_the_token_is_revoked_or_missing(org, tmp_path):
    home = Laptop(tmp_path / "home-Gu", org.reps["Gu"], org.url).login().home
    fieldrep(home, "sync")
    status = fieldrep(home, "status").stdout
    assert "online:     yes" in status and "signed out" not in status
    assert json.loads(fieldrep(home, "status", "--json").stdout)["signed_in"] is True

    token_file = next(p for p in home.rglob("*token*") if p.is_file())
    token = token_file.read_text()
    token_file.unlink()
    status = fieldrep(home, "status").stdout
    assert "online:     signed out: log in again (fieldrep login --server" in status, status
    token_file.write_text(token)
    token_file.chmod(0o600)
    assert "online:     yes" in fieldrep(home, "status").stdout

    org.admin("revoke-token", "Gu")
    status = fieldrep(home, "status").stdout
    assert "online:     signed out: log in again" in status, status
    assert "已退出登录：请重新登录" in fieldrep(home, "status", lang="zh").stdout
    data = json.loads(fieldrep(home, "status", "--json").stdout)
    assert data["signed_in"] is False and data["online"] is True
