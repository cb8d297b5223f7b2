"""The rep's data folder is private: created 0700 with its subfolders, a readable one warned of."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from cache import Store
from tests.cache.conftest import base_changes, default_customers, open_filled

ROOT = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_data_folder_and_its_subfolders_are_readable_by_the_rep_alone(tmp_path):
    home = tmp_path / "deep" / "fieldrep"
    old = os.umask(0o022)
    try:
        store = open_filled(home)
        store.apply_bootstrap_page(base_changes(default_customers())[:2], "t2", "cur-2", False)
        store.close()
    finally:
        os.umask(old)
    assert _mode(home) == 0o700
    assert _mode(home / "bootstrap") == 0o700
    for file in home.iterdir():
        if file.is_file():
            assert _mode(file) & 0o077 == 0, f"{file.name} is readable by others"
    with Store.open(home) as store:
        assert store.warnings == []


def test_an_existing_folder_readable_by_others_is_warned_of(tmp_path):
    home = tmp_path / "shared"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    with Store.open(home) as store:
        assert len(store.warnings) == 1
        assert str(home) in store.warnings[0] and "chmod 700" in store.warnings[0]
        assert store.notices == []  # nothing was set aside or changed: a warning only
    assert _mode(home) == 0o755  # a warning, not a silent change of the rep's folder


def test_the_cli_prints_the_warning_in_one_line(tmp_path):
    home = tmp_path / "shared"
    home.mkdir()
    os.chmod(home, 0o750)
    env = {**os.environ, "FIELDREP_HOME": str(home)}
    done = subprocess.run([sys.executable, "-m", "tui.cli", "status"], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120, check=False)
    lines = [line for line in done.stderr.splitlines() if "readable" in line]
    assert len(lines) == 1 and str(home) in lines[0]
