"""`fieldrep-server`'s command-line contract: help, exit codes, one clear line on failure."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from server import cli

COMMANDS = ["init", "serve", "add-team", "add-territory", "add-rep", "revoke-token",
            "import-customers", "assign", "reclaim", "seed-demo", "export"]


@pytest.fixture
def run(tmp_path, capsys, monkeypatch):
    """``fieldrep-server --database sqlite:///tmp ARGS`` in this process: (code, stdout, stderr)."""
    monkeypatch.delenv("FIELDREP_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'org.db'}"

    def invoke(*args: str) -> tuple[int, str, str]:
        code = cli.main(["--database", url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    invoke.url = url
    return invoke


def test_python_dash_m_runs_and_every_command_has_help():
    done = subprocess.run([sys.executable, "-m", "server.cli", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0
    for name in COMMANDS:
        assert name in done.stdout
    for name in COMMANDS:
        with pytest.raises(SystemExit) as exit_info:
            cli.main([name, "--help"])
        assert exit_info.value.code == 0, name


def test_setting_up_an_organisation_step_by_step(run):
    assert run("init")[0] == 0
    code, out, _ = run("add-team", "East", "--grouping", "region")
    assert code == 0 and out.startswith("team East (region): ")
    code, _, err = run("add-territory", "Anywhere")
    assert code == 0 and "covers every customer" in err, "a warning, not a failure"
    assert run("add-territory", "ZJ", "--provinces", "Zhejiang", "--cities", "杭州,宁波")[0] == 0
    code, out, _ = run("add-rep", "Li Wei", "--team", "East", "--territories", "ZJ",
                       "--role", "manager")
    token = out.strip().splitlines()[-1]
    assert code == 0 and token.startswith("fr_") and " " not in token
    code, out, _ = run("add-rep", "Root", "--role", "admin")
    assert code == 0, "an admin needs no team"
    code, out, _ = run("revoke-token", "Li Wei")
    assert code == 0 and "revoked 1 token of Li Wei" in out
    code, out, _ = run("reclaim")
    assert code == 0 and out.strip().endswith("0 customers returned to the pool")


def test_failures_are_one_line_on_stderr_with_a_non_zero_exit(run, tmp_path, monkeypatch):
    code, _, err = run("reclaim")
    assert code == 1 and "run `fieldrep-server init` first" in err, err
    run("init")
    run("add-team", "East")
    cases = [
        (("add-rep", "Bo"), "needs --team"),
        (("add-rep", "Bo", "--team", "East", "--territories", "Mars"), "no territory called"),
        (("serve", "--port", "70000"), "--port must be between 1 and 65535"),
        (("assign", "--strategy", "region", "--team", "Nowhere"), "no team called 'Nowhere'"),
    ]
    for args, words in cases:
        code, _, err = run(*args)
        assert code == 1, args
        assert words in err and len(err.strip().splitlines()) == 1, (args, err)
        assert err.startswith("fieldrep-server: ")
    monkeypatch.setenv("FIELDREP_RECLAIM_INTERVAL", "often")
    code, _, err = run("serve", "--port", "8765")
    assert code == 1 and "FIELDREP_RECLAIM_INTERVAL must be a number of seconds" in err
    monkeypatch.setenv("FIELDREP_RECLAIM_INTERVAL", "1")
    monkeypatch.setenv("FIELDREP_FEED_RETENTION_DAYS", "-2")
    code, _, err = run("serve", "--port", "8765")
    assert code == 1 and "FIELDREP_FEED_RETENTION_DAYS must be a number of days, 0 or more" in err


def test_the_database_comes_from_the_flag_then_the_environment_then_the_working_dir(
        tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FIELDREP_DATABASE_URL", raising=False)
    assert cli.main(["init"]) == 0
    assert (tmp_path / "fieldrep.db").exists()
    env_db = tmp_path / "env.db"
    monkeypatch.setenv("FIELDREP_DATABASE_URL", f"sqlite:///{env_db}")
    assert cli.main(["init"]) == 0 and env_db.exists()
    flag_db = tmp_path / "flag.db"
    assert cli.main(["--database", f"sqlite:///{flag_db}", "init"]) == 0 and flag_db.exists()
    assert "database ready" in capsys.readouterr().out


def test_a_broken_database_url_is_one_line_not_a_traceback(tmp_path):
    env = {**os.environ, "FIELDREP_DATABASE_URL": "nosuchdb://x"}
    done = subprocess.run([sys.executable, "-m", "server.cli", "init"], capture_output=True,
                          text=True, env=env, timeout=60, cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("fieldrep-server: ")


def test_a_plain_postgresql_url_uses_the_shipped_driver():
    from server import db

    assert db._with_driver("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert db._with_driver("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert db._with_driver("sqlite:///x.db") == "sqlite:///x.db"
    engine = db.make_engine("postgresql://u@127.0.0.1:1/d")
    assert engine.dialect.driver == "psycopg"
