"""A laptop never logged in opens fieldrep in a real terminal and logs in with ``L``.

tmux runs ``fieldrep`` on an empty FIELDREP_HOME against a real server on loopback: the App
opens (it no longer refuses), ``L`` is offered, the login modal takes the server and the
token, and the territory arrives.
"""

from __future__ import annotations

import os
import sys
import uuid

import pytest

from tests.sync._harness import Org, make_customers
from tests.tui.test_e2e_tmux import Tmux

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


def test_a_fresh_laptop_opens_the_tui_and_logs_in_with_l(tmux_available, tmp_path):
    org = Org.create(tmp_path / "org")
    org.add_territory("East", ["Zhejiang"])
    rep = org.add_rep("Ana", ["East"])
    org.import_customers(make_customers(3, "Zhejiang"))
    org.start()
    home = tmp_path / "home"
    tmux = Tmux(f"e-first-login-{uuid.uuid4().hex[:8]}")
    try:
        tmux.start(f"{sys.executable} -m tui.cli",
                   dict(os.environ, FIELDREP_HOME=str(home), FIELDREP_LANG="en"))
        tmux.wait_for("not logged in", timeout=60)
        tmux.keys("L")
        tmux.wait_for("Log in to your team's server")
        tmux.keys(org.url, literal=True)
        tmux.keys("Enter")
        tmux.keys(rep.token, literal=True)
        tmux.keys("Enter")
        tmux.wait_for("Logged in", timeout=30)
        tmux.keys("2")
        tmux.wait_for("Customer Zhejiang 00000", timeout=30)
    finally:
        tmux.kill()
        org.stop()
