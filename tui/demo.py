"""``fieldrep demo``: a whole sales organisation on this laptop, in one command.

It starts an embedded server on a free loopback port with a SQLite file in a temporary directory
(or ``--keep DIR``), seeds a realistic organisation, logs in as one rep and as their manager,
syncs, and opens the TUI on the queue. Between the TUI and the server sits a ``DemoLink``: a
loopback forwarder the rep can cut and restore from the TUI, to watch offline logging and the
later sync with their own eyes. Quitting stops the server and leaves nothing running.

The temporary folder goes with the demo, unless work in it never reached the server (the network
cut with ``N`` at the end): then it stays, with ``unsynced.json`` in it, and the demo says where
and how to sync it (``fieldrep demo --keep DIR``), at exit and again at the next demo's start,
which is the only place a closed terminal (SIGHUP) can be told about.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

DEMO_REPS = 6
DEMO_SEED = 7
TEMP_PREFIX = "fieldrep-demo-"
UNSYNCED = "unsynced.json"
"""In a kept folder: how many changes of each laptop had not reached the server at exit."""
HANGUP_EXIT = 128 + signal.SIGHUP


class DemoError(Exception):
    """A demo step failed; the message says which, in plain words."""


class HungUp(BaseException):
    """The terminal closed (SIGHUP) before the TUI was up: stop, and clean up on the way out."""


def _hung_up(_signum: int, _frame: object) -> None:
    raise HungUp()


class DemoLink:
    """A loopback TCP forwarder standing in for the rep's network connection.

    ``cut_connection()`` closes the listening socket and every open connection, so the client
    sees what it sees on a train in a tunnel: nothing answers. ``restore_connection()`` listens
    again on the same port.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.connected = False
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DemoLink:
        self.restore_connection()
        return self

    def restore_connection(self) -> None:
        with self._lock:
            if self.connected:
                return
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port))
            listener.listen(64)
            self.port = listener.getsockname()[1]
            self._listener = listener
            self.connected = True
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut_connection(self) -> None:
        with self._lock:
            if not self.connected:
                return
            self.connected = False
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        for sock in [listener, *sockets]:
            if sock is None:
                continue
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def stop(self) -> None:
        self.cut_connection()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if not self.connected:
                    client.close()
                    upstream.close()
                    continue
                self._sockets.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            with self._lock:
                self._sockets.discard(src)


class DemoControls:
    """What the TUI may do in a demo: cut/restore the link, switch between rep and manager."""

    def __init__(self, link: DemoLink, views: list[tuple[object, object, str]]) -> None:
        self.link = link
        self._views = views
        self._current = 0

    @property
    def connected(self) -> bool:
        return self.link.connected

    def cut_connection(self) -> None:
        self.link.cut_connection()

    def restore_connection(self) -> None:
        self.link.restore_connection()

    def switch_view(self) -> tuple[object, object, str]:
        self._current = (self._current + 1) % len(self._views)
        return self._views[self._current]


def _say(message: str) -> None:
    try:
        print(f"fieldrep demo: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):  # the terminal is gone (SIGHUP): unsynced.json says it
        pass


def _kept_line(root: Path, pending: int) -> str:
    from ui.i18n import _

    if pending == 1:
        said = _("1 change did not reach the server")
    else:
        said = _("{n} changes did not reach the server", n=pending)
    return _("{said}: its folder stays at {root}; `fieldrep demo --keep {root}` syncs it, "
             "or delete the folder", said=said, root=root)


def _tell_of_kept_folders(resuming: str | None) -> None:
    """At start: name every folder an earlier demo kept for its unsynced work (but the one this
    demo resumes with ``--keep``)."""
    this = Path(resuming).expanduser().resolve() if resuming else None
    for marker in sorted(Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*/{UNSYNCED}")):
        if marker.parent.resolve() == this:
            continue
        try:  # only a folder of our own, private as the demo makes it: not one planted in /tmp
            folder = marker.parent.stat()
        except OSError:
            continue
        if folder.st_uid != os.getuid() or folder.st_mode & 0o077:
            continue
        try:
            pending = int(sum(json.loads(marker.read_text()).get("pending", {}).values()))
        except (OSError, ValueError, TypeError, AttributeError):
            continue
        if pending:
            _say(_kept_line(marker.parent, pending))


class Leftovers:
    """What the demo leaves behind: nothing, or its folder when work in it is unsynced."""

    def __init__(self, root: Path, temporary: bool) -> None:
        self.root = root
        self.temporary = temporary
        self.pending: dict[str, int] = {}

    def count_pending(self, stores: dict[str, Any]) -> None:
        """Before the stores close: how much of each laptop's work is still waiting."""
        for role, store in stores.items():
            try:
                self.pending[role] = int(store.pending_count())
            except Exception:  # unknown: keep the folder rather than lose work
                self.pending[role] = -1

    def finish(self) -> None:
        marker = self.root / UNSYNCED
        unsynced = sum(abs(n) for n in self.pending.values())
        if not unsynced:
            marker.unlink(missing_ok=True)
            if self.temporary:
                shutil.rmtree(self.root, ignore_errors=True)
            return
        marker.write_text(json.dumps({"pending": self.pending}) + "\n")
        _say(_kept_line(self.root, unsynced))


def _run(args: list[str], *, env: dict[str, str] | None = None, what: str,
         stdin: str | None = None) -> str:
    """Run a fieldrep command in a subprocess (``stdin`` its input); its stdout, or DemoError
    with its stderr line."""
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False,
                          input=stdin)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise DemoError(f"{what} failed: {reason}")
    return done.stdout


def _server_cmd(database_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "server.cli", "--database", database_url, *args]


def _client_env(home: Path, lang: str) -> dict[str, str]:
    env = dict(os.environ)
    env["FIELDREP_HOME"] = str(home)
    env["FIELDREP_LANG"] = lang
    return env


def _pick(people: list[dict], role: str) -> dict:
    for person in people:
        if person.get("role") == role:
            return person
    raise DemoError(f"the seeded organisation has no {role}")


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="fieldrep demo",
        description="Run a seeded sales organisation on this laptop and open the TUI as one rep.",
    )
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="UI language")
    parser.add_argument(
        "--customers", type=int, default=2000, metavar="N", help="customers to seed (default 2000)"
    )
    parser.add_argument(
        "--keep", metavar="DIR", help="keep the server database and client data in DIR"
    )
    parser.add_argument(
        "--no-tui", action="store_true", help="set everything up, sync, print a summary and stop"
    )
    args = parser.parse_args(argv)
    if not 10 <= args.customers <= 200_000:
        parser.error("--customers must be between 10 and 200000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    from cache.settings import SettingsError, laptop_settings
    from ui.i18n import default_language, set_language

    try:
        settings = laptop_settings()
    except SettingsError as error:
        _say(str(error))
        return 1
    lang = args.lang or default_language(settings.lang)
    set_language(lang)
    _tell_of_kept_folders(args.keep)
    previous = signal.signal(signal.SIGHUP, _hung_up)
    try:
        return _demo(args, lang, settings.theme)
    except DemoError as error:
        _say(str(error))
        return 1
    except KeyboardInterrupt:
        _say("interrupted; everything stopped")
        return 130
    except HungUp:
        return HANGUP_EXIT
    finally:
        signal.signal(signal.SIGHUP, previous)


def _demo(args: argparse.Namespace, lang: str, theme: str | None = None) -> int:
    from server.process import ServerProcess

    with ExitStack() as stack:
        if args.keep:
            root = Path(args.keep).expanduser().resolve()
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(root, 0o700)  # it holds every demo rep's token (people.json)
        else:
            root = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
        leftovers = Leftovers(root, temporary=not args.keep)
        stack.callback(leftovers.finish)  # last of all: after the server and the stores stop
        database_url = f"sqlite:///{root / 'server.db'}"
        fresh = not (root / "server.db").exists()

        people_file = root / "people.json"
        if fresh:
            _say(f"seeding {args.customers:,} customers into {root / 'server.db'} …")
            started = time.perf_counter()
            _run(_server_cmd(database_url, "init"), what="creating the server database")
            out = _run(
                _server_cmd(
                    database_url,
                    "seed-demo",
                    "--reps",
                    str(DEMO_REPS),
                    "--customers",
                    str(args.customers),
                    "--seed",
                    str(DEMO_SEED),
                    "--json",
                ),
                what="seeding the demo organisation",
            )
            people_file.touch(mode=0o600)
            people_file.write_text(out)
            _say(f"seeded in {time.perf_counter() - started:.1f} s")
        try:
            people = json.loads(people_file.read_text())
        except (OSError, ValueError) as error:
            raise DemoError(f"cannot read the demo's people from {people_file}: {error}") from None

        # its log in the demo's folder: removed with a temporary one, kept with a kept one
        server = ServerProcess.start(database_url, log_path=root / "server.log")
        stack.callback(server.stop)
        link = DemoLink(server.port).start()
        stack.callback(link.stop)
        _say(f"server on {server.url} (the rep reaches it through {link.url})")

        rep, manager = _pick(people, "rep"), _pick(people, "manager")
        homes = {"rep": root / "rep", "manager": root / "manager"}
        for role, person in (("rep", rep), ("manager", manager)):
            home = homes[role]
            env = _client_env(home, lang)
            fieldrep = [sys.executable, "-m", "tui.cli"]
            _run(
                [*fieldrep, "login", "--server", link.url, "--token", "-"],  # not on argv
                env=env,
                what=f"logging in as {person['name']}",
                stdin=person["token"] + "\n",
            )
            started = time.perf_counter()
            _run([*fieldrep, "sync"], env=env, what=f"the first sync of {person['name']}")
            _say(f"{person['name']} ({role}) synced in {time.perf_counter() - started:.1f} s")

        if args.no_tui:
            print(json.dumps({"root": str(root), "server": server.url, "rep": rep["name"]}))
            return 0

        from cache import Store
        from sync.engine import SyncEngine
        from tui.app import run_app
        from ui.i18n import _, set_language

        set_language(lang)  # the views' labels are shown in the app's language
        views = []
        stores = {}
        for role, person in (("rep", rep), ("manager", manager)):
            store = stack.enter_context(Store.open(homes[role]))
            stores[role] = store
            label = _("{name} ({role})", name=person["name"], role=_(role))
            views.append((store, SyncEngine(store), label))
        stack.callback(leftovers.count_pending, stores)  # runs before the stores close
        demo = DemoControls(link, views)
        store, engine, _label = views[0]
        code = run_app(store, engine, lang, demo=demo, theme=theme) or 0
        # the TUI handled SIGHUP by quitting; a second one must not cut the clean-up short
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        return code
