"""The HTTP client for the fieldrep server: timeouts, retries with backoff and jitter, plain errors.

Every failure becomes one of a few exceptions whose message a rep can read. Retries are bounded
per call, so a sync never hangs the caller for long; the engine decides what to do next.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from sync.protocol.models import SCHEMA_VERSION

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
BACKOFF_FIRST = 1.0
BACKOFF_CAP = 300.0
LOOPBACK_NAMES = ("localhost", "localhost.")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 (an IPv4-mapped loopback too) or localhost: this machine only."""
    import ipaddress

    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def url_host(url: str) -> str | None:
    """The host of ``url``; None when it has none or its port is not a number."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        _port = parts.port  # a bad port raises here, not at the first request
        return parts.hostname
    except ValueError:
        return None


def token_would_cross_in_clear(url: str) -> bool:
    """Plain http:// to another machine: the token would cross the network readable."""
    host = url_host(url)
    return url.startswith("http://") and not (host and is_loopback(host))

class SyncError(Exception):
    """Something the rep should read; ``str(error)`` is the plain-words message."""


class Offline(SyncError):
    pass


class AuthError(SyncError):
    pass


class UpgradeRequired(SyncError):
    pass


class CursorExpired(SyncError):
    pass


class MidGapError(SyncError):
    """409 from a push: the server expects ``expected_mid`` next from this device."""

    def __init__(self, message: str, expected_mid: int, code: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.expected_mid = expected_mid
        self.code = code
        self.params = params or {}


class MidReused(MidGapError):
    """409 ``push.mid_reused``: a mid of this device already stands for another operation (the
    laptop's data folder was restored from a backup or copied). The engine registers a fresh
    device and sends the pending work again on it."""


class TooLarge(SyncError):
    """413 ``request.too_large``: the request was over the server's body limit, ``max_bytes``
    (None when the answer did not say). The engine sends smaller pushes."""

    def __init__(self, message: str, max_bytes: int | None) -> None:
        super().__init__(message)
        self.max_bytes = max_bytes


class ServerError(SyncError):
    def __init__(self, message: str, status: int = 0, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def backoff_delay(attempt: int, *, first: float = BACKOFF_FIRST, cap: float = BACKOFF_CAP,
                  rng: Callable[[], float] = random.random) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, first·2^attempt)]."""
    return rng() * min(cap, first * (2 ** attempt))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, min(float(value), BACKOFF_CAP))
    except ValueError:
        return None


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict) and body.get("detail"):
        return str(body["detail"])
    return str(body)[:200]


def _max_bytes(response: httpx.Response) -> int | None:
    """The body limit a 413 names (``params.max``), None when it names none."""
    try:
        limit = response.json()["params"]["max"]
    except (ValueError, KeyError, TypeError):
        return None
    return limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else None


class Client:
    """One server, one token. ``attempts`` bounds the retries of one call."""

    def __init__(self, server: str, token: str | None, *, attempts: int = 3,
                 sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None,
                 max_wait: float = 8.0) -> None:
        self.server = server.rstrip("/")
        headers = {"X-Fieldrep-Schema": str(SCHEMA_VERSION), "User-Agent": "fieldrep"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.attempts = max(1, attempts)
        self.sleep = sleep
        self.max_wait = max_wait
        self._http = httpx.Client(
            base_url=self.server, headers=headers, transport=transport,
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- calls

    def health(self, timeout: float = 2.0) -> dict[str, Any]:
        try:
            response = self._http.get("/v1/health", timeout=timeout)
        except httpx.HTTPError as error:
            raise Offline(_offline_words(self.server, error)) from None
        if response.status_code != 200:
            raise ServerError(f"the server answered {response.status_code}", response.status_code)
        return response.json()

    def register_device(self, name: str) -> dict[str, Any]:
        return self._call("POST", "/v1/devices", json={"name": name[:80] or "laptop"})

    def me(self) -> dict[str, Any]:
        return self._call("GET", "/v1/me")

    def push(self, device_id: str, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        body = {"device_id": device_id, "schema_version": SCHEMA_VERSION, "mutations": mutations}
        return self._call("POST", "/v1/sync/push", json=body)

    def pull(self, cursor: str, limit: int = 1000) -> dict[str, Any]:
        return self._call("GET", "/v1/sync/pull", params={"cursor": cursor, "limit": limit})

    def bootstrap(self, token: str | None, limit: int = 2000) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if token:
            params["token"] = token
        return self._call("GET", "/v1/sync/bootstrap", params=params)

    # ----------------------------------------------------------------- the one place that retries

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        last: SyncError | None = None
        for attempt in range(self.attempts):
            if attempt:
                wait = backoff_delay(attempt - 1)
                if isinstance(last, ServerError) and last.retry_after is not None:
                    wait = last.retry_after
                self.sleep(min(wait, self.max_wait))
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.HTTPError as error:
                last = Offline(_offline_words(self.server, error))
                continue
            status = response.status_code
            if status < 300:
                try:
                    return response.json()
                except ValueError:
                    last = ServerError("the server sent an unreadable answer", status)
                    continue
            detail = _detail(response)
            if status == 401:
                raise AuthError(
                    f"the server no longer accepts this login ({detail}): log in again with "
                    f"fieldrep login --server {self.server}"
                )
            if status == 426:
                raise UpgradeRequired(f"this fieldrep is too old for the server: update fieldrep "
                                      f"({detail})")
            if status == 410:
                raise CursorExpired(detail)
            if status == 413:
                raise TooLarge(f"the server refused a request this large ({detail})",
                               _max_bytes(response))
            if status == 409:
                try:
                    body = response.json()
                    expected = int(body.get("expected_mid"))
                except (ValueError, TypeError, AttributeError):
                    raise ServerError(f"the server refused: {detail}", status) from None
                code = body.get("code") if isinstance(body.get("code"), str) else None
                params = body.get("params") if isinstance(body.get("params"), dict) else {}
                kind = MidReused if code == "push.mid_reused" else MidGapError
                raise kind(detail, expected, code, params)
            if status in (429, 502, 503, 504) or status >= 500:
                last = ServerError(f"the server is having trouble ({status}: {detail})", status,
                                   _retry_after(response))
                continue
            raise ServerError(f"the server refused the request ({status}): {detail}", status)
        assert last is not None
        raise last


def _offline_words(server: str, error: Exception) -> str:
    if isinstance(error, httpx.TimeoutException):
        return f"the server at {server} did not answer in time"
    return f"cannot reach the server at {server} (offline?)"
