"""The server's settings and clock: every FIELDREP_* variable is read in server/settings.py alone,
each documented with its default; a bad value is one line; the clock is injected, and no
environment variable moves it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from server import cli, settings
from server.settings import ServerSettings
from tests.server._world import Device, SettableClock, World, op

SERVER = Path(__file__).resolve().parents[2] / "server"


def test_no_module_but_the_settings_reads_the_environment():
    readers = [str(path.relative_to(SERVER)) for path in SERVER.rglob("*.py")
               if path.name != "settings.py"
               and re.search(r"os\.environ\.get|os\.getenv|environ\[", path.read_text())]
    assert readers == []


def test_every_setting_has_a_default_a_doc_and_a_line_in_the_table():
    table = settings.__doc__ or ""
    for name, field in ServerSettings.model_fields.items():
        variable = f"FIELDREP_{name.upper()}"
        assert field.description, name
        assert isinstance(field.json_schema_extra, dict) and field.json_schema_extra["must"]
        assert f"| ``{variable}`` |" in table, f"{variable} is missing from the settings table"
        row = next(line for line in table.splitlines() if f"``{variable}``" in line)
        assert str(field.default).split(".")[0] in row, (variable, field.default, row)


def test_a_bad_setting_stops_any_command_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FIELDREP_LOG_LEVEL", "loud")
    assert cli.main(["--database", f"sqlite:///{tmp_path / 's.db'}", "serve"]) == 1
    err = capsys.readouterr().err
    assert err == ("fieldrep-server: FIELDREP_LOG_LEVEL must be one of critical, error, "
                   "warning, info, debug, trace, not 'loud'\n")


def test_the_injected_clock_is_the_servers_time_and_stamps_what_it_writes(engine):
    clock = SettableClock(datetime(2031, 5, 6, 7, 0, tzinfo=UTC))
    world = World(engine, clock)
    health = world.client.get("/v1/health").json()
    assert datetime.fromisoformat(health["server_time"]) == clock.now
    clock.advance(days=2)
    me = world.client.get("/v1/me", headers=world.headers(world.ana_token)).json()
    assert datetime.fromisoformat(me["server_time"]) == clock.now
    claimed = Device(world, world.ana_token).send_one(op(0, "customer.claim", world.pool_zj["id"]))
    assert datetime.fromisoformat(claimed["record"]["claimed_at"]) == clock.now


def test_no_environment_variable_moves_the_servers_clock(world, monkeypatch):
    monkeypatch.setenv("FIELDREP_SERVER_NOW", "2001-01-01T00:00:00+00:00")
    served = datetime.fromisoformat(world.client.get("/v1/health").json()["server_time"])
    assert abs(served - datetime.now(UTC)) < timedelta(minutes=5)


def test_an_empty_variable_means_the_default(monkeypatch):
    monkeypatch.setenv("FIELDREP_RECLAIM_INTERVAL", "")
    monkeypatch.setenv("FIELDREP_MAX_BODY_BYTES", "")
    loaded = settings.load()
    assert loaded.reclaim_interval == 300 and loaded.max_body_bytes == 4 * 1024 * 1024
