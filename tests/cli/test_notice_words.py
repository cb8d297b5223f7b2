"""What opening the store set aside is said in the reader's language: every notice the store
can give (cache.errors.Notice) has its Chinese line, and a damaged file read by `fieldrep --lang
zh` is announced in Chinese with the place it was moved to (issue 16: no English below the UI)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from cache import Store
from cache.errors import Notice
from tests.sync._harness import ROOT, client_env
from tests.tui.conftest import SINOPEC, fill_store
from ui.i18n import _load_catalogue, notice_text, set_language


def _notice_templates() -> list[str]:
    """Every literal template of a ``Notice(...)`` written in cache/ and sync/ (both arms of a
    choice)."""
    found = []
    for path in [*(ROOT / "cache").glob("*.py"), *(ROOT / "sync").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Notice":
                first = node.args[0]
                arms = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                for arm in arms:
                    assert isinstance(arm, ast.Constant), f"{path}: a Notice needs a literal"
                    found.append(arm.value)
    return found


def test_every_notice_the_store_can_give_has_its_chinese_line():
    templates = _notice_templates()
    assert len(templates) >= 8  # snapshot (two), history, small file, pages, journal, mode, login
    catalogue = _load_catalogue()
    missing = [t for t in templates if t not in catalogue]
    assert not missing, missing
    for template in templates:  # the same placeholders on both sides
        assert sorted(_fields(template)) == sorted(_fields(catalogue[template])), template


def _fields(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def test_a_phrase_among_the_values_is_said_in_the_language_too():
    notice = Notice("{what} could not be read ({error}); it was moved to {moved}.",
                    what="The login session", error="bad json", moved="/x/session.json.damaged")
    assert str(notice).startswith("The login session could not be read (bad json)")
    set_language("zh")
    try:
        assert notice_text(notice) == "登录信息无法读取（bad json），已移到 /x/session.json.damaged。"
        assert notice_text("plain words") == "plain words"  # a bare string passes through
    finally:
        set_language("en")


@pytest.fixture
def damaged_home(tmp_path) -> Path:
    home = tmp_path / "home"
    with Store.open(home) as store:
        fill_store(store)
        store.log_visit(SINOPEC, outcome="typed before the disk went bad")
    (home / "journal.json").write_bytes(b"\x00\x13\x37" * 100)
    return home


def test_a_damaged_journal_is_announced_in_chinese_with_where_it_went(damaged_home):
    done = subprocess.run([sys.executable, "-m", "tui.cli", "--lang", "zh", "status"],
                          env=client_env(damaged_home), cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    moved = sorted(damaged_home.glob("journal.json.damaged-*"))
    assert len(moved) == 1
    assert "fieldrep：提示：你未同步工作的日志已损坏" in done.stderr
    assert f"已移到 {moved[0]}" in done.stderr and "pending change" not in done.stderr


def test_no_line_of_the_catalogue_hedges_a_plural_with_s_in_brackets():
    """A count is said with ``_n`` (one form each) or without a plural: never "change(s)"."""
    hedged = [key for key in _load_catalogue() if "(s)" in key]
    assert not hedged, hedged
