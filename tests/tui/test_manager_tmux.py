"""End to end in a real terminal, as a manager: offline, Zhao Min opens the Pool screen (6),
chooses two pool customers with space, gives them to Li Wei (a, then the rep's number), opens
the Team screen (5) and sets Li Wei's visits goal (g); the status bar counts three pending. The
server comes back, S syncs: the server holds the two assignments and the goal, and Li Wei's
laptop, once synced, owns the two customers and shows the new goal."""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.tui.test_e2e_tmux import Tmux, _client, _server_cli

pytestmark = pytest.mark.slow

POOL = ("宁波港集团", "无锡小天鹅电器")


def test_a_manager_assigns_and_sets_a_goal_offline_and_the_rep_gets_them(tmux_available,
                                                                          tmp_path):
    from server.process import ServerProcess

    database_url = f"sqlite:///{tmp_path / 'server.db'}"
    server = ServerProcess.start(database_url)
    tmux = Tmux(f"fieldrep-boss-{uuid.uuid4().hex[:8]}")
    homes = {name: tmp_path / name for name in ("boss", "li")}
    envs = {}
    for name, home in homes.items():
        home.mkdir()
        envs[name] = dict(os.environ, FIELDREP_HOME=str(home), FIELDREP_LANG="en")
    try:
        _server_cli(database_url, "add-team", "East", "--grouping", "region")
        _server_cli(database_url, "add-territory", "华东", "--provinces", "浙江,江苏")
        tokens = {
            "boss": _server_cli(database_url, "add-rep", "Zhao Min", "--team", "East",
                                "--territories", "华东", "--role", "manager"),
            "li": _server_cli(database_url, "add-rep", "Li Wei", "--team", "East",
                              "--territories", "华东"),
        }
        csv = tmp_path / "customers.csv"
        csv.write_text("name,province,city,tier,stage\n"
                       "宁波港集团,浙江,宁波,B,prospect\n"
                       "无锡小天鹅电器,江苏,无锡,C,prospect\n"
                       "常州天合光能,江苏,常州,C,prospect\n", encoding="utf-8")
        _server_cli(database_url, "import-customers", str(csv))
        for name in homes:
            _client(envs[name], "login", "--server", server.url,
                    "--token", tokens[name].strip().splitlines()[-1])
            _client(envs[name], "sync")

        server.stop()  # the manager is on a train

        fieldrep = Path(sys.executable).with_name("fieldrep")
        command = str(fieldrep) if fieldrep.exists() else f"{sys.executable} -m tui.cli"
        tmux.start(command, envs["boss"])
        tmux.wait_for("5 Team")  # a manager's home: the Team screen
        tmux.keys("6")
        tmux.wait_for("pool customers in your scope")
        order = [name for line in tmux.screen().splitlines() for name in
                 ("宁波港集团", "无锡小天鹅电器", "常州天合光能") if name in line]
        wanted = [order.index(name) for name in POOL]
        tmux.keys("Home")
        for row in range(len(order)):  # space chooses and moves down; down only moves
            tmux.keys("Space" if row in wanted else "Down")
        tmux.wait_for("2 chosen")
        tmux.keys("a")
        tmux.wait_for("Who gets the 2 chosen customers?")
        tmux.keys("1")
        tmux.wait_for("2 assignments waiting to sync")

        tmux.keys("5")
        tmux.wait_for("Li Wei")
        tmux.keys("g")
        tmux.wait_for("Visits/week")
        time.sleep(0.5)
        tmux.keys("End")
        tmux.keys(*["BSpace"] * 4)
        tmux.keys("17", literal=True)
        tmux.keys("C-s")
        tmux.wait_for("3 pending")
        tmux.wait_for("Li Wei ⧗")

        server.restart()
        tmux.keys("S")
        tmux.wait_for("0 pending", timeout=30)
        tmux.keys("C-q")

        customers = json.loads(_server_cli(database_url, "export", "customers", "--format",
                                           "json"))
        owners = {c["name"]: c.get("owner_name") for c in customers}
        assert (owners["宁波港集团"], owners["无锡小天鹅电器"], owners["常州天合光能"]) == (
            "Li Wei", "Li Wei", None)

        _client(envs["li"], "sync")
        listed = _client(envs["li"], "customers", "--json")
        mine = {row["name"]: row.get("owner_name") for row in json.loads(listed)}
        assert mine["宁波港集团"] == "Li Wei" and mine["无锡小天鹅电器"] == "Li Wei"
        goals = json.loads(_client(envs["li"], "goals", "--json"))
        assert goals["goals"]["visits_per_week"] == 17, goals
    finally:
        tmux.kill()
        server.stop()
