"""The README's headless examples run as written on the demo's data: what a new user copies
after `make demo` must work.

The demo is set up as ``make demo`` sets it up (``fieldrep demo --keep DIR --no-tui``: the same
seed, the same rep); its server is started again on the kept database and the rep's laptop logs
in to it. Each command of the README's "Headless commands" block then runs, in order, and must
exit 0; FOLLOWUP_ID and CONFLICT_ID stand for ids the user would copy from ``fieldrep queue`` and
``fieldrep conflicts``.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync._harness import ROOT, client_env

pytestmark = pytest.mark.timeout(300)


def readme_examples(text: str) -> list[list[str]]:
    """The commands of the first ``sh`` block under "## Headless commands", each as argv:
    continuation lines joined, comments dropped, ``a ; b`` split in two."""
    section = text.split("## Headless commands", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the README has no sh block under Headless commands"
    joined = block.group(1).replace("\\\n", " ")
    commands: list[list[str]] = []
    for line in joined.splitlines():
        argv: list[str] = []
        for word in [*shlex.split(line, comments=True), ";"]:
            if word != ";":
                argv.append(word)
            elif argv:
                commands.append(argv)
                argv = []
    return commands


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """(the rep's laptop, the server): the demo's data, its server running again."""
    from server.process import ServerProcess

    root = tmp_path_factory.mktemp("readme") / "demo"
    done = subprocess.run([sys.executable, "-m", "tui.cli", "demo", "--keep", str(root),
                           "--no-tui"], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    rep_name = json.loads(done.stdout.strip().splitlines()[-1])["rep"]
    token = next(p["token"] for p in json.loads((root / "people.json").read_text())
                 if p["name"] == rep_name)
    server = ServerProcess.start(f"sqlite:///{root / 'server.db'}")
    try:
        home = root / "rep"
        fieldrep(home, "login", "--server", server.url, "--token", token)
        yield home
    finally:
        server.stop()


def fieldrep(home: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "tui.cli", *args], env=client_env(home),
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"fieldrep {shlex.join(args)} exited {done.returncode}:\n" \
                                 f"{done.stderr}"
    assert "Traceback" not in done.stderr
    return done


def test_the_examples_are_read_from_the_readme():
    examples = readme_examples((ROOT / "README.md").read_text())
    assert len(examples) >= 10 and all(argv[0] == "fieldrep" for argv in examples)
    assert ["fieldrep", "queue"] in examples


def test_the_readmes_headless_examples_run_on_the_demo_data_as_written(demo):
    followups = iter(e["followup_id"] for e in json.loads(
        fieldrep(demo, "queue", "--json").stdout) if e.get("followup_id"))
    for argv in readme_examples((ROOT / "README.md").read_text()):
        if "CONFLICT_ID" in argv:
            conflicts = json.loads(fieldrep(demo, "conflicts", "--json").stdout)
            assert not conflicts, "the demo has a conflict now: use its id here"
            continue  # the demo's data has none to resolve (test_cli.py resolves one)
        args = [next(followups) if word == "FOLLOWUP_ID" else word for word in argv[1:]]
        fieldrep(demo, *args)
