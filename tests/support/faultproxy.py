"""A fault-injecting HTTP/1.1 proxy on loopback, for the sync fault tests and the sync benchmark.

It sits between a fieldrep client and a real server and does to each request what a bad network
does: passes it, drops the connection before forwarding it, delays it, cuts the answer after the
server received the whole request (so the server committed and the client never hears), sends the
request twice to the server and returns one answer, or refuses connections altogether ("down").

Faults are drawn by a seeded :class:`FaultPolicy`, once per request (or once per connection) and
can be switched at runtime (:meth:`FaultProxy.set_policy`, :meth:`FaultProxy.go_down`,
:meth:`FaultProxy.come_up`). The proxy understands just enough HTTP/1.1 to find where a request
and an answer end (Content-Length, chunked, or until close), so faults land on request boundaries
on keep-alive connections. It counts bytes both ways, which the benchmark uses as "bytes on the
wire". Standard library only; binds 127.0.0.1 only; bounded in connections, message size and time.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field

MODES = ("pass", "drop", "delay", "cut", "duplicate")
"""Per-request faults. "down" is not drawn per request: it is a state of the whole proxy."""

MAX_HEAD = 64 * 1024
MAX_BODY = 256 * 1024 * 1024


class ProtocolError(Exception):
    """The bytes on a connection are not HTTP/1.1 this proxy can frame."""


@dataclass
class FaultPolicy:
    """Weights of each fault and how they are drawn.

    ``weights`` maps a mode of :data:`MODES` to a relative weight (missing modes weigh 0; all
    zero means "pass"). Only requests whose path starts with one of ``paths`` get faults (None:
    every request). ``delay`` is the range of seconds a "delay" waits, before forwarding the
    request and again before returning the answer. With ``per_connection`` the mode is drawn
    once when a connection opens and applies to each of its requests; otherwise each request
    draws its own.
    """

    weights: dict[str, float] = field(default_factory=lambda: {"pass": 1.0})
    seed: int = 0
    paths: tuple[str, ...] | None = None
    delay: tuple[float, float] = (0.01, 0.2)
    per_connection: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(MODES)
        if unknown:
            raise ValueError(f"unknown fault modes: {sorted(unknown)}; known: {MODES}")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("fault weights must not be negative")
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    @classmethod
    def passing(cls) -> FaultPolicy:
        return cls({"pass": 1.0})

    def applies_to(self, path: str) -> bool:
        return self.paths is None or any(path.startswith(prefix) for prefix in self.paths)

    def draw(self) -> tuple[str, float]:
        """A mode and, for "delay", the seconds to wait (else 0)."""
        modes = [m for m in MODES if self.weights.get(m, 0) > 0]
        if not modes:
            return "pass", 0.0
        with self._lock:
            mode = self._random.choices(modes, [self.weights[m] for m in modes])[0]
            seconds = self._random.uniform(*self.delay) if mode == "delay" else 0.0
        return mode, seconds

    def fraction(self) -> float:
        """A seeded number in [0, 1): how much of an answer a "cut" lets through."""
        with self._lock:
            return self._random.random()


@dataclass
class Event:
    """One request the proxy handled: what it did and to which endpoint."""

    mode: str
    method: str
    path: str
    status: int | None = None
    at: float = field(default_factory=time.monotonic)


class _Reader:
    """Buffered reads from a socket, with hard limits."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        self.buffer += chunk
        return True

    def at_eof(self) -> bool:
        """True when the peer closed before sending anything more."""
        if self.buffer:
            return False
        try:
            return not self._fill()
        except OSError:
            return True

    def until(self, marker: bytes, limit: int) -> bytes:
        while True:
            index = self.buffer.find(marker)
            if index >= 0:
                end = index + len(marker)
                out = bytes(self.buffer[:end])
                del self.buffer[:end]
                return out
            if len(self.buffer) > limit:
                raise ProtocolError("header too large")
            if not self._fill():
                raise ConnectionError("peer closed mid-message")

    def exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            if not self._fill():
                raise ConnectionError("peer closed mid-body")
        out = bytes(self.buffer[:size])
        del self.buffer[:size]
        return out

    def rest(self, limit: int) -> bytes:
        while True:
            if len(self.buffer) > limit:
                raise ProtocolError("body too large")
            try:
                if not self._fill():
                    break
            except OSError:
                break
        out = bytes(self.buffer)
        self.buffer.clear()
        return out


@dataclass
class _Message:
    raw: bytes
    first_line: str
    headers: dict[str, str]
    keep_alive: bool

    @property
    def method(self) -> str:
        return self.first_line.split(" ", 1)[0]

    @property
    def path(self) -> str:
        parts = self.first_line.split(" ")
        return parts[1] if len(parts) > 1 else ""

    @property
    def status(self) -> int | None:
        parts = self.first_line.split(" ")
        try:
            return int(parts[1])
        except (IndexError, ValueError):
            return None


def _parse_head(head: bytes) -> tuple[str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0], headers


def _read_body(reader: _Reader, headers: dict[str, str]) -> bytes | None:
    """The framed body bytes as sent, or None when the body runs until the connection closes."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        parts = []
        while True:
            size_line = reader.until(b"\r\n", MAX_HEAD)
            parts.append(size_line)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ProtocolError("bad chunk size") from None
            if size == 0:
                while True:  # trailers, then the empty line
                    line = reader.until(b"\r\n", MAX_HEAD)
                    parts.append(line)
                    if line == b"\r\n":
                        return b"".join(parts)
            if size > MAX_BODY:
                raise ProtocolError("chunk too large")
            parts.append(reader.exactly(size + 2))
    if "content-length" in headers:
        try:
            size = int(headers["content-length"])
        except ValueError:
            raise ProtocolError("bad Content-Length") from None
        if not 0 <= size <= MAX_BODY:
            raise ProtocolError("body too large")
        return reader.exactly(size)
    return None


def read_request(reader: _Reader) -> _Message:
    head = reader.until(b"\r\n\r\n", MAX_HEAD)
    first, headers = _parse_head(head)
    body = _read_body(reader, headers) or b""
    version_close = first.endswith("HTTP/1.0")
    keep_alive = headers.get("connection", "").lower() != "close" and not version_close
    return _Message(head + body, first, headers, keep_alive)


def read_response(reader: _Reader, method: str) -> _Message:
    while True:
        head = reader.until(b"\r\n\r\n", MAX_HEAD)
        first, headers = _parse_head(head)
        parts = first.split(" ")
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if 100 <= status < 200 and status != 101:
            continue  # interim answer; the real one follows
        break
    keep_alive = headers.get("connection", "").lower() != "close"
    if method == "HEAD" or status in (204, 304):
        return _Message(head, first, headers, keep_alive)
    body = _read_body(reader, headers)
    if body is None:
        return _Message(head + reader.rest(MAX_BODY), first, headers, False)
    return _Message(head + body, first, headers, keep_alive)


def _close(sock: socket.socket | None, *, reset: bool = False) -> None:
    if sock is None:
        return
    try:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class FaultProxy:
    """A loopback HTTP proxy to ``127.0.0.1:target_port`` that injects the policy's faults.

    Use as a context manager, or ``start()`` / ``stop()``. ``url`` is what clients talk to.
    """

    def __init__(
        self,
        target_port: int,
        policy: FaultPolicy | None = None,
        *,
        port: int = 0,
        max_connections: int = 128,
        upstream_timeout: float = 60.0,
        client_idle_timeout: float = 120.0,
        history: int = 100_000,
    ) -> None:
        self.target_port = target_port
        self.policy = policy or FaultPolicy.passing()
        self.port = port
        self.max_connections = max_connections
        self.upstream_timeout = upstream_timeout
        self.client_idle_timeout = client_idle_timeout
        self.events: deque[Event] = deque(maxlen=history)
        self.counts: Counter[str] = Counter()
        self.bytes_to_server = 0
        self.bytes_to_client = 0
        self.refused = 0
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._up = False
        self._stopped = False

    # ------------------------------------------------------------------ control

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def is_up(self) -> bool:
        return self._up

    def start(self) -> FaultProxy:
        self.come_up()
        return self

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_policy(self, policy: FaultPolicy) -> None:
        """Faults from now on; requests already in flight finish under the old policy."""
        self.policy = policy

    def come_up(self) -> None:
        """Listen (again) on the same port."""
        with self._lock:
            if self._up:
                return
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port))
            listener.listen(128)
            self.port = listener.getsockname()[1]
            self._listener = listener
            self._up = True
            self._stopped = False
        threading.Thread(
            target=self._accept, args=(listener,), name="faultproxy-accept", daemon=True
        ).start()

    def go_down(self) -> None:
        """Refuse new connections and cut every open one, as a dead link does."""
        with self._lock:
            if not self._up:
                return
            self._up = False
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        _close(listener)
        for sock in sockets:
            _close(sock)

    def stop(self) -> None:
        self._stopped = True
        self.go_down()

    def reset_counters(self) -> None:
        with self._lock:
            self.events.clear()
            self.counts.clear()
            self.bytes_to_server = 0
            self.bytes_to_client = 0
            self.refused = 0

    def faults_on(self, path_prefix: str) -> Counter[str]:
        """How many requests under ``path_prefix`` got each mode."""
        return Counter(e.mode for e in list(self.events) if e.path.startswith(path_prefix))

    # ------------------------------------------------------------------ plumbing

    def _track(self, *socks: socket.socket) -> bool:
        with self._lock:
            if not self._up:
                return False
            self._sockets.update(socks)
            return True

    def _untrack(self, *socks: socket.socket) -> None:
        with self._lock:
            for sock in socks:
                self._sockets.discard(sock)

    def _connect_upstream(self) -> socket.socket:
        upstream = socket.create_connection(
            ("127.0.0.1", self.target_port), timeout=self.upstream_timeout
        )
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return upstream

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if not self._slots.acquire(blocking=False):
                with self._lock:
                    self.refused += 1
                _close(client, reset=True)
                continue
            if not self._track(client):
                self._slots.release()
                _close(client)
                continue
            threading.Thread(
                target=self._serve, args=(client,), name="faultproxy-conn", daemon=True
            ).start()

    def _record(self, event: Event, up: int = 0, down: int = 0) -> None:
        with self._lock:
            self.events.append(event)
            self.counts[event.mode] += 1
            self.bytes_to_server += up
            self.bytes_to_client += down

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client.settimeout(self.client_idle_timeout)
            reader = _Reader(client)
            policy = self.policy
            connection_mode = policy.draw() if policy.per_connection else None
            upstream_reader: _Reader | None = None
            while True:
                if reader.at_eof():
                    return
                request = read_request(reader)
                policy = self.policy
                if not policy.applies_to(request.path):
                    mode, seconds = "pass", 0.0
                elif connection_mode is not None:
                    mode, seconds = connection_mode
                else:
                    mode, seconds = policy.draw()
                event = Event(mode, request.method, request.path)

                if mode == "drop":
                    self._record(event)
                    _close(client, reset=policy.fraction() < 0.5)
                    return

                if upstream is None:
                    upstream = self._connect_upstream()
                    if not self._track(upstream):
                        return
                    upstream_reader = _Reader(upstream)
                assert upstream_reader is not None

                if mode == "delay":
                    time.sleep(seconds / 2)
                sends = 2 if mode == "duplicate" else 1
                response = None
                for _ in range(sends):
                    upstream.sendall(request.raw)
                    response = read_response(upstream_reader, request.method)
                    if not response.keep_alive and sends == 2:
                        # the server closes after each answer: the copy needs its own connection
                        self._untrack(upstream)
                        _close(upstream)
                        upstream = self._connect_upstream()
                        if not self._track(upstream):
                            return
                        upstream_reader = _Reader(upstream)
                assert response is not None
                event.status = response.status
                up = len(request.raw) * sends

                if mode == "cut":
                    keep = int(len(response.raw) * policy.fraction())
                    if keep:
                        client.sendall(response.raw[:keep])
                    self._record(event, up, keep)
                    _close(client, reset=policy.fraction() < 0.5)
                    return

                if mode == "delay":
                    time.sleep(seconds / 2)
                client.sendall(response.raw)
                self._record(event, up, len(response.raw))
                if not (request.keep_alive and response.keep_alive):
                    return
        except (OSError, ConnectionError, ProtocolError):
            return
        finally:
            self._untrack(client)
            _close(client)
            if upstream is not None:
                self._untrack(upstream)
                _close(upstream)
            self._slots.release()
