"""A real server as a subprocess on loopback, for the tests, the benchmarks and the demo."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx


class ServerStartError(RuntimeError):
    pass


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the process that started us dies, however it dies
    (a closed terminal, SIGKILL), so a demo or a test never leaves a server behind (Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Could a server listen on 127.0.0.1:``port`` now (as uvicorn binds, with SO_REUSEADDR)?"""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class ServerProcess:
    """``python -m server.cli serve`` on 127.0.0.1, started after ``init``, ready when it answers."""

    def __init__(self, database_url: str, port: int, env: dict[str, str] | None = None,
                 log_path: Path | None = None) -> None:
        self.database_url = database_url
        self.port = port
        self.env = {**os.environ, **(env or {}), "FIELDREP_DATABASE_URL": database_url}
        self.env.pop("FIELDREP_HOME", None)
        # the log goes where the caller keeps its files (the demo's folder), else a temp file
        self.log_path = log_path or Path(
            tempfile.mkstemp(prefix="fieldrep-server-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, database_url: str, port: int | None = None,
              env: dict[str, str] | None = None, timeout: float = 60,
              log_path: Path | None = None) -> ServerProcess:
        server = cls(database_url, port or free_port(), env, log_path)
        init = subprocess.run([sys.executable, "-m", "server.cli", "init"], env=server.env,
                              capture_output=True, text=True, timeout=timeout)
        if init.returncode != 0:
            raise ServerStartError(f"server init failed: {init.stderr.strip() or init.stdout}")
        server._spawn(timeout)
        return server

    def _spawn(self, timeout: float) -> None:
        if not port_is_free(self.port):
            raise ServerStartError(f"port {self.port} on 127.0.0.1 is already in use")
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1",
             "--port", str(self.port)],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            # the death signal follows the starting *thread*: only tie it to the main one
            preexec_fn=(_die_with_parent if sys.platform.startswith("linux")
                        and threading.current_thread() is threading.main_thread() else None),
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerStartError(f"the server exited at start:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    if self.process.poll() is None:  # it is our server that answered
                        return
                    raise ServerStartError(f"the server exited at start:\n{self.log()}")
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise ServerStartError(f"the server did not answer within {timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self, timeout: float = 60) -> None:
        self.stop()
        self._spawn(timeout)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        self.stop()
        if exc_type is None:  # all went well: the log is not needed for a diagnosis
            self.log_path.unlink(missing_ok=True)
