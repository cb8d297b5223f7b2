"""The demo's server log lives in the demo's folder: removed with a temporary folder, kept with a
kept one (``--keep DIR``); nothing named ``fieldrep-server-*.log`` is left in the temp dir.

The demo runs headless (``--no-tui``) with TMPDIR set to a folder of this test's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
ROOT = Path(__file__).resolve().parents[2]


def _demo(tmp: Path, *args: str) -> dict:
    env = {**os.environ, "TMPDIR": str(tmp), "FIELDREP_LANG": "en"}
    env.pop("FIELDREP_HOME", None)
    done = subprocess.run([sys.executable, "-m", "tui.cli", "demo", "--customers", "10",
                           "--no-tui", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=200)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_temporary_demo_leaves_no_server_log_in_the_temp_dir(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    summary = _demo(tmp)
    assert not Path(summary["root"]).exists()
    assert list(tmp.iterdir()) == [], "the demo left files in the temp dir"


def test_a_kept_demo_keeps_its_server_log_in_its_folder(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    kept = tmp_path / "kept"
    _demo(tmp, "--keep", str(kept))
    assert "listening on" in (kept / "server.log").read_text()
    assert list(tmp.glob("fieldrep-server-*.log")) == []
