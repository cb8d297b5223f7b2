"""The API's edge, before any route: the request log, the body limit and the safe headers (pure
ASGI middlewares), the throttle of failed sign-ins per client address, and the push's limits as
the OpenAPI schema documents them (``PUSH_LIMITS``)."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.api.errors import error_body
from server.db import ascii_int
from sync.protocol.models import MAX_PUSH_BATCH, ErrorBody
from sync.protocol.refusals import Refusal

PUSH_LIMITS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorBody, "description": (
        "`request.too_large` (params `max`): the body is over FIELDREP_MAX_BODY_BYTES, refused "
        "by its Content-Length or, chunked, as it streams, before it is parsed or any token is "
        "looked at. Send fewer mutations per push.")},
    422: {"model": ErrorBody, "description": (
        f"`push.too_many` (params `max`, `count`): more than {MAX_PUSH_BATCH} mutations in one "
        "push; other bad input is `field.invalid` (params `field`, `problem`).")},
}
"""The push's documented limits (its OpenAPI responses)."""

AUTH_FAILURES = 20
AUTH_WINDOW_SECONDS = 60.0
AUTH_ADDRESSES = 10_000
"""Sign-in failures allowed per client address in the window, and how many addresses are kept."""


async def _send_refusal(send: Send, status: int, refusal: Refusal) -> None:
    body = orjson.dumps(error_body(refusal))
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuse a request body over ``max_bytes`` with 413, before the app (and so before any
    authentication) sees it: at once by its Content-Length, and for a chunked body by counting
    the chunks as they are read, so no more than the limit is ever held in memory.

    A pure ASGI middleware (BaseHTTPMiddleware would buffer and wrap the body itself)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = Refusal("request.too_large", {"max": self.max_bytes})
        for name, value in scope.get("headers") or ():
            if name.lower() == b"content-length":
                declared = ascii_int(value.strip())
                if declared is None:
                    await _send_refusal(send, 400, Refusal("request.bad_length"))
                    return
                if declared > self.max_bytes:
                    await _send_refusal(send, 413, too_large)
                    return
        received, over, started = 0, False, False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    over = True
                    raise _BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over and not started:
                return  # the app's own answer to the cut-off body is replaced by the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except _BodyTooLarge:
            if started:
                raise
        if over and not started:
            await _send_refusal(send, 413, too_large)


requests_log = logging.getLogger("fieldrep.server.requests")


class RequestLog:
    """One line per request at info level: ``GET /v1/sync/pull 200 3.1 ms``. Only the method,
    the path (never the query, which may hold a cursor or a bootstrap token), the status and the
    time: no header, no body, so no token and no customer's data. A request the app fails on is
    logged at error level with the exception's type (its traceback follows from the server)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not requests_log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 0

        async def noted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        # as sent, still percent-encoded: a decoded ``%0a`` could forge a line of the log
        raw = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "backslashreplace")
        path = raw.split(b"?", 1)[0].decode("ascii", "backslashreplace")[:200]
        try:
            await self.app(scope, receive, noted)
        except Exception as error:
            requests_log.error("%s %s %d %.1f ms (%s)", scope.get("method"), path, status or 500,
                               (time.perf_counter() - started) * 1000, type(error).__name__)
            raise
        requests_log.info("%s %s %d %.1f ms", scope.get("method"), path, status,
                          (time.perf_counter() - started) * 1000)


SAFE_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store"))


class SafeHeaders:
    """Every answer says ``nosniff`` and ``no-store``: a data answer is never sniffed as another
    type nor kept by a cache or a proxy on the way."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers") or ()
                           if k.lower() not in {name for name, _ in SAFE_HEADERS}]
                message = {**message, "headers": [*headers, *SAFE_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)


class AuthThrottle:
    """Failed sign-ins per client address in a sliding window, in bounded memory.

    After ``failures`` failures within ``window`` seconds an address is refused (429) until the
    oldest of them is ``window`` seconds old, before any token is looked up, even a good one:
    an address that guesses tokens waits, whatever it sends meanwhile. At most ``capacity``
    addresses are remembered; the one that failed longest ago is forgotten first.
    """

    def __init__(self, failures: int = AUTH_FAILURES, window: float = AUTH_WINDOW_SECONDS,
                 capacity: int = AUTH_ADDRESSES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures, self.window, self.capacity, self.clock = failures, window, capacity, clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def _recent(self, address: str, now: float) -> deque[float] | None:
        times = self._seen.get(address)
        while times and times[0] <= now - self.window:
            times.popleft()
        if times is not None and not times:
            del self._seen[address]
            return None
        return times

    def wait(self, address: str) -> int:
        """Seconds ``address`` must wait before signing in again (0: it may now)."""
        with self._lock:
            now = self.clock()
            times = self._recent(address, now)
            if times is None or len(times) < self.failures:
                return 0
            return max(1, math.ceil(times[0] + self.window - now))

    def failed(self, address: str) -> None:
        with self._lock:
            now = self.clock()
            times = self._recent(address, now)
            if times is None:
                times = deque(maxlen=self.failures)
            else:
                self._seen.move_to_end(address)
            times.append(now)
            self._seen[address] = times
            while len(self._seen) > self.capacity:
                self._seen.popitem(last=False)
