"""Type-ahead in a real terminal: ``v`` and the visit's notes sent in one ``tmux send-keys``
call (as a fast typist or a paste delivers them) all land in the visit form's notes."""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.tui.test_e2e_tmux import Tmux

pytestmark = pytest.mark.slow

NOTES = "typed ahead in one burst"


def test_v_and_the_notes_in_one_send_keys_call(tmux_available, tmp_path):
    from cache import Store
    from cache.lock import StoreHeld
    from tests.tui.conftest import fill_store

    home = tmp_path / "home"
    with Store.open(home) as store:
        fill_store(store)  # offline: its server address answers nothing
    env = dict(os.environ, FIELDREP_HOME=str(home), FIELDREP_LANG="en")
    fieldrep = Path(sys.executable).with_name("fieldrep")
    command = str(fieldrep) if fieldrep.exists() else f"{sys.executable} -m tui.cli"
    tmux = Tmux(f"fieldrep-ahead-{uuid.uuid4().hex[:8]}")
    try:
        tmux.start(command, env)
        tmux.wait_for("1 Queue")
        tmux.keys("2/zgsh", literal=True)  # the territory, its filter and a query: one burst
        tmux.wait_for("中国石化上海分公司")
        tmux.keys("Enter")
        tmux.wait_for("Timeline")
        tmux.keys("v" + NOTES, literal=True)  # the key that opens the form and the notes
        screen = tmux.wait_for(NOTES, timeout=20)
        assert "Log a visit" in screen
        tmux.keys("C-s")
        tmux.wait_for("— " + NOTES)  # saved: on the timeline
        tmux.keys("C-q")
    finally:
        tmux.kill()
    deadline = time.monotonic() + 20
    while True:  # the app lets go of the store as it quits
        try:
            store = Store.open(home, read_only=True)
            break
        except StoreHeld:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    with store:
        assert any(v.get("notes") == NOTES for v in store.visits())
