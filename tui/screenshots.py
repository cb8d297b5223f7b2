"""``python -m tui.screenshots [DIR]``: real captures of the app for the README (docs/*.svg).

Seeds the demo organisation headless (``fieldrep demo --no-tui``), opens the rep's store in the
real app at 120×40, and saves SVG screenshots of the queue and of the territory filtered by
pinyin. Run it again whenever the screens change.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SIZE = (120, 40)


async def _capture(home: Path, out: Path, lang: str) -> list[Path]:
    from cache import Store
    from sync.engine import SyncEngine
    from tui.app import FieldRepApp

    saved = []
    with Store.open(home) as store:
        app = FieldRepApp(store, SyncEngine(store), lang=lang)
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(50):  # let the first background sync finish
                await pilot.pause(0.1)
                if app.engine.online:
                    break
            await pilot.pause(0.3)
            suffix = "" if lang == "en" else f"-{lang}"
            saved.append(Path(app.save_screenshot(f"queue{suffix}.svg", str(out))))
            await pilot.press("2")
            await pilot.pause(0.3)
            await pilot.press("slash", *"zgsh")
            await pilot.pause(0.5)
            saved.append(Path(app.save_screenshot(f"territory{suffix}.svg", str(out))))
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.screenshots", description=__doc__)
    parser.add_argument("out", nargs="?", default="docs")
    parser.add_argument("--lang", choices=["en", "zh"], default="en")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fieldrep-shots-") as tmp:
        env = {**os.environ, "FIELDREP_LANG": args.lang}
        env.pop("FIELDREP_HOME", None)
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "demo", "--no-tui", "--customers", "2000",
             "--keep", tmp], capture_output=True, text=True, env=env,
        )
        if done.returncode != 0:
            print(f"screenshots: the demo could not be set up: {done.stderr.strip()}",
                  file=sys.stderr)
            return 1
        from server.process import ServerProcess

        people = json.loads((Path(tmp) / "people.json").read_text())
        rep = next(p for p in people if p["role"] == "rep")
        with ServerProcess.start(f"sqlite:///{Path(tmp) / 'server.db'}") as server:
            login = subprocess.run(
                [sys.executable, "-m", "tui.cli", "login", "--server", server.url,
                 "--token", rep["token"]],
                capture_output=True, text=True, env={**env, "FIELDREP_HOME": str(Path(tmp) / "rep")},
            )
            if login.returncode != 0:
                print(f"screenshots: {login.stderr.strip()}", file=sys.stderr)
                return 1
            for path in asyncio.run(_capture(Path(tmp) / "rep", out, args.lang)):
                print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
