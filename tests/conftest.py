"""Fixtures every part of the suite shares. Each area keeps its own in tests/<area>/conftest.py."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture
def fieldrep_home(tmp_path, monkeypatch):
    """A fresh client data directory, as FIELDREP_HOME."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)  # private, as fieldrep makes it
    monkeypatch.setenv("FIELDREP_HOME", str(home))
    return home


def postgres_url() -> str | None:
    """The PostgreSQL the suite may use, or None (then those tests skip, except under CI)."""
    return os.environ.get("FIELDREP_TEST_POSTGRES_URL") or None


def require_or_skip(what: str, available: bool, env_flag: str) -> None:
    """Skip a test whose real dependency is missing, unless CI demands it (then fail)."""
    if available:
        return
    if os.environ.get(env_flag):
        pytest.fail(f"{what} is required here ({env_flag} is set) but is not available")
    pytest.skip(reason=f"{what} is not available on this machine (only PostgreSQL or tmux skip)")


@pytest.fixture
def tmux_available():
    require_or_skip("tmux", shutil.which("tmux") is not None, "FIELDREP_REQUIRE_TMUX")
