"""`fieldrep --lang zh` lists groups by pinyin with the organisation's Chinese names, and `show`
says the industry's name and a full-width tag (issue 16)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync._harness import ROOT, client_env
from tests.tui.conftest import fill_store
from tests.tui.test_chinese import _with_labels


@pytest.fixture
def home(tmp_path) -> Path:
    from cache import Store

    home = tmp_path / "home"
    with Store.open(home) as store:
        fill_store(store)
        _with_labels(store)
    return home


def _zh(home: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "tui.cli", "--lang", "zh", *args],
                          env=client_env(home), cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done.stdout


def test_group_by_industry_names_the_groups_in_chinese_in_pinyin_order(home):
    out = _zh(home, "customers", "--group-by", "industry", "--count", "--no-header")
    groups = [line.split()[0] for line in out.splitlines()]
    assert "制造业" in groups and "Manufacturing" not in groups
    keys = __import__("cache.collation", fromlist=["collation_key"]).collation_key
    assert groups == sorted(groups, key=keys), groups


def test_group_by_city_lists_cities_by_pinyin_not_by_count(home):
    out = _zh(home, "customers", "--group-by", "city", "--count", "--no-header")
    cities = [line.split()[0] for line in out.splitlines()]
    assert cities[:4] == ["Boston", "常州", "Chicago", "杭州"], cities


def test_show_says_the_industry_by_its_chinese_name_and_the_tier_full_width(home):
    out = _zh(home, "show", "Acme Robotics")
    first, second = out.splitlines()[:2]
    assert "【A】" in first and "[A]" not in first
    assert "制造业" in second
