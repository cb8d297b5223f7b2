"""Unbounded input at the server's edge: the body limit, unknown push fields, non-ASCII digits.

A body over FIELDREP_MAX_BODY_BYTES is refused with 413 before it is read and before any token is
looked at; a push with an unknown field is a clean 422; digits other than ASCII ones in a header
or a query parameter are a 4xx, never a 500.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import tokens
from server.api.edge import AuthThrottle
from server.app import create_app
from server.process import ServerProcess
from server.settings import ServerSettings, SettingsError
from server.settings import load as load_settings
from sync.protocol.refusals import TEMPLATES
from tests.server._world import visit

MB = 1024 * 1024
ROUTES = [("get", "/v1/health"), ("get", "/v1/me"), ("post", "/v1/devices"),
          ("post", "/v1/sync/push"), ("get", "/v1/sync/pull?cursor=s0"),
          ("get", "/v1/sync/bootstrap"), ("get", "/v1/policy"), ("put", "/v1/policy"),
          ("post", "/v1/assign"), ("post", "/v1/customers/x/transfer"), ("get", "/nowhere")]


@pytest.fixture
def strict(world):
    world.client = TestClient(create_app(engine=world.engine), raise_server_exceptions=False)
    return world


def test_the_default_body_limit_is_4_mib_and_the_setting_changes_it(monkeypatch):
    monkeypatch.delenv("FIELDREP_MAX_BODY_BYTES", raising=False)
    assert load_settings().max_body_bytes == 4 * MB
    monkeypatch.setenv("FIELDREP_MAX_BODY_BYTES", "1000")
    assert load_settings().max_body_bytes == 1000
    for bad in ("lots", "-1", "0", "²", "1e6", "1.0", "1_000"):
        monkeypatch.setenv("FIELDREP_MAX_BODY_BYTES", bad)
        with pytest.raises(SettingsError, match=r"^FIELDREP_MAX_BODY_BYTES must be a whole number"):
            load_settings()


def test_a_body_over_the_limit_is_413_on_every_route_before_any_token_is_looked_at(
        strict, monkeypatch):
    w = strict
    looked_up = []
    real = tokens.rep_for_token
    monkeypatch.setattr(tokens, "rep_for_token",
                        lambda conn, token: looked_up.append(token) or real(conn, token))
    client = TestClient(create_app(engine=w.engine, config=ServerSettings(max_body_bytes=1000)),
                        raise_server_exceptions=False)
    for method, path in ROUTES:
        for headers in ({}, w.headers(w.ana_token)):
            response = client.request(method, path, content=b"x" * 1001, headers=headers)
            assert response.status_code == 413, (method, path, response.text)
            body = response.json()
            assert body["code"] == "request.too_large" and body["params"] == {"max": 1000}
            assert body["detail"]
    assert looked_up == [], "no token lookup for a body that is refused anyway"
    fine = client.post("/v1/devices", json={}, headers=w.headers(w.ana_token))
    assert fine.status_code == 200 and len(looked_up) == 1


async def _call(app, headers: list[tuple[bytes, bytes]], chunks: int, chunk: bytes):
    """Drive the ASGI app by hand: a POST whose body comes in ``chunks`` pieces."""
    pulled, sent = [], []

    async def receive():
        if len(pulled) < chunks:
            pulled.append(len(chunk))
            return {"type": "http.request", "body": chunk, "more_body": len(pulled) < chunks}
        await asyncio.sleep(3600)  # the client waits for an answer

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/v1/sync/push", "raw_path":
             b"/v1/sync/push", "query_string": b"", "root_path": "", "headers": headers,
             "client": ("10.0.0.9", 1234), "server": ("127.0.0.1", 8765)}
    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    return pulled, sent


async def test_a_chunked_body_is_counted_and_cut_off_at_the_limit(world):
    app = create_app(engine=world.engine)
    pulled, sent = await _call(app, [(b"transfer-encoding", b"chunked"),
                                     (b"authorization", b"Bearer " + world.ana_token.encode())],
                               chunks=50, chunk=b"x" * MB)
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert b"request.too_large" in body
    assert sum(pulled) <= 5 * MB, f"read {sum(pulled) // MB} MiB of a 50 MiB body"


async def test_a_lying_content_length_is_refused_at_once_without_reading(world):
    app = create_app(engine=world.engine)
    pulled, sent = await _call(app, [(b"content-length", str(50 * MB).encode())],
                               chunks=50, chunk=b"x" * MB)
    assert next(m for m in sent if m["type"] == "http.response.start")["status"] == 413
    assert pulled == [], "the body was not read at all"


def _peak_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _raw_request(port: int, head: bytes, body_chunks, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        try:
            for piece in body_chunks:
                sock.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: what it answered is in the buffer
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except ConnectionResetError:
            pass
        return answer


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the RSS")
def test_a_50_mb_body_without_a_token_is_refused_fast_by_a_real_server(tmp_path):
    with ServerProcess.start(f"sqlite:///{tmp_path / 'server.db'}") as server:
        pid = server.process.pid
        before = _peak_rss_kib(pid)
        started = time.monotonic()
        head = (b"POST /v1/sync/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % (50 * MB))
        answer = _raw_request(server.port, head, [b"x" * 65536])
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert time.monotonic() - started < 3
        head = (b"POST /v1/sync/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        piece = b"%x\r\n%s\r\n" % (MB, b"x" * MB)
        answer = _raw_request(server.port, head, (piece for _ in range(50)))
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert time.monotonic() - started < 10
        grown = _peak_rss_kib(pid) - before
        assert grown < 40 * 1024, f"the server's peak RSS grew by {grown // 1024} MB"
        assert server.process.poll() is None
        health = httpx.get(f"{server.url}/v1/health", timeout=2)
        assert health.status_code == 200 and health.headers["Cache-Control"] == "no-store"


def test_unknown_fields_in_a_push_are_a_clean_422(strict):
    w = strict
    device = w.device(w.ana_token)
    mutation = {**visit(1, w.ana_own["id"]), "padding": ["x"] * 1000}
    for body in ({"device_id": device, "schema_version": 1, "mutations": [mutation]},
                 {"device_id": device, "schema_version": 1, "mutations": [], "extra": 1}):
        response = w.client.post("/v1/sync/push", headers=w.headers(w.ana_token), json=body)
        assert response.status_code == 422, response.text
        answer = response.json()
        assert "padding" in answer["detail"] or "extra" in answer["detail"]
        assert answer["code"] == "field.invalid" and answer["code"] in TEMPLATES
    ok = w.push(w.ana_token, device, [visit(1, w.ana_own["id"])])
    assert ok.status_code == 200, "a push of known fields still applies"


def test_non_ascii_digits_in_the_schema_header_and_the_cursor_are_4xx(strict):
    w = strict
    sup2 = "²".encode("latin-1")  # the byte 0xB2, as a header carries it
    for headers in ({"X-Fieldrep-Schema": sup2}, {**w.headers(w.ana_token), "X-Fieldrep-Schema": sup2}):
        response = w.client.get("/v1/me", headers=headers)
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "schema.invalid"
    for cursor in ("s²", "s³", "s١", "s１"):
        response = w.client.get("/v1/sync/pull", headers=w.headers(w.ana_token),
                                params={"cursor": cursor})
        assert response.status_code == 422, (cursor, response.text)
        assert response.json()["code"] == "cursor.invalid"


ODD_DIGITS = "²³¹١٣٠１９߀๓"
_odd = st.text(alphabet=st.sampled_from(list(ODD_DIGITS) + list("0123456789s-+ ")),
               min_size=1, max_size=8)


@pytest.mark.slow
@given(value=_odd, prefix=st.sampled_from(["", "s", "1", "Bearer ", "fr_"]))
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_non_ascii_digits_in_every_header_and_query_parameter_never_make_a_500(
        strict, value, prefix):
    w = strict
    if not hasattr(w, "lenient"):  # many failed sign-ins here: throttling would hide the rest
        w.lenient = TestClient(create_app(engine=w.engine, throttle=AuthThrottle(failures=10**9)),
                               raise_server_exceptions=False)
    text = prefix + value
    utf8 = text.encode()  # as the bytes on the wire: UTF-8, or latin-1 where it can be
    latin = text.encode("latin-1", errors="ignore") or b"\xb2"
    good = w.headers(w.ana_token)
    endpoints = [("get", "/v1/me"), ("get", "/v1/health"), ("post", "/v1/devices"),
                 ("post", "/v1/sync/push"), ("get", "/v1/sync/pull"),
                 ("get", "/v1/sync/bootstrap"), ("get", "/v1/policy"), ("put", "/v1/policy"),
                 ("post", "/v1/assign"), ("post", "/v1/customers/x/transfer")]
    for method, path in endpoints:
        cases = [
            *(({"Authorization": raw}, {}) for raw in (utf8, latin)),
            *(({**good, "X-Fieldrep-Schema": raw}, {}) for raw in (utf8, latin)),
            *(({"X-Fieldrep-Schema": raw}, {}) for raw in (utf8, latin)),
            *(({**good, "Content-Length": raw}, {}) for raw in (utf8, latin)),
            (good, {"cursor": text}),
            (good, {"cursor": "s1", "limit": text}),
            (good, {"limit": text}),
            (good, {"token": text}),
        ]
        for headers, params in cases:
            response = w.lenient.request(method, path, headers=headers, params=params)
            assert response.status_code < 500, (method, path, headers, params, response.text)


def test_the_server_refuses_a_bad_body_limit_setting_in_one_line(tmp_path):
    import subprocess

    env = {**os.environ, "FIELDREP_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}",
           "FIELDREP_MAX_BODY_BYTES": "huge"}
    done = subprocess.run([sys.executable, "-m", "server.cli", "serve", "--port", "1"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "FIELDREP_MAX_BODY_BYTES" in done.stderr
