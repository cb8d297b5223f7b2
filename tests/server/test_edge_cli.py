"""`fieldrep-server new-token REP`: a revoked rep can be let back in; an active rep's token replaced."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from server.app import create_app


@pytest.fixture
def admin(tmp_path):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    env = {**os.environ, "FIELDREP_DATABASE_URL": url}

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "server.cli", *args], capture_output=True,
                              text=True, env=env, timeout=120, cwd=tmp_path)
        assert "Traceback" not in done.stderr, done.stderr
        if ok:
            assert done.returncode == 0, done.stderr
        else:
            assert done.returncode != 0, done.stdout
            assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        return done

    run.url = url
    run("init")
    run("add-team", "East")
    run("add-territory", "ZJ", "--provinces", "Zhejiang")
    return run


def _me(url: str, token: str) -> int:
    client = TestClient(create_app(url), raise_server_exceptions=False)
    return client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_revoked_rep_gets_a_new_token_that_works(admin):
    old = admin("add-rep", "Ana", "--team", "East", "--territories", "ZJ").stdout.splitlines()[-1]
    admin("revoke-token", "Ana")
    assert _me(admin.url, old) == 401
    again = admin("add-rep", "Ana", "--team", "East", ok=False)
    assert "exists already" in again.stderr
    out = admin("new-token", "Ana").stdout
    token = out.strip().splitlines()[-1]
    assert token.startswith("fr_") and token != old
    assert _me(admin.url, token) == 200
    assert _me(admin.url, old) == 401


def test_a_new_token_for_an_active_rep_replaces_the_old_one(admin):
    old = admin("add-rep", "Ana", "--team", "East", "--territories", "ZJ").stdout.splitlines()[-1]
    new = admin("new-token", "Ana").stdout.strip().splitlines()[-1]
    assert _me(admin.url, new) == 200
    assert _me(admin.url, old) == 401, "a lost laptop's token stops working"


def test_new_token_for_nobody_is_one_clear_line(admin):
    done = admin("new-token", "Nobody", ok=False)
    assert "Nobody" in done.stderr


def test_new_token_explains_itself_in_help(admin):
    text = admin("new-token", "--help").stdout
    assert "revoke" in text and "replace" in text
