"""`fieldrep-server serve` says where it listens, logs one line per request (method, path without
the query, status, milliseconds) with no token and no personal data, its errors, and its
shutdown."""

from __future__ import annotations

import asyncio
import logging
import re

import httpx
import pytest

from server.api.edge import RequestLog
from server.process import ServerProcess

REQUEST_LINE = re.compile(r"INFO (GET|POST|PUT) (/\S*) (\d{3}) \d+(\.\d+)? ms$")


def test_serve_logs_start_each_request_and_shutdown_without_tokens(database):
    token = database["token"]
    server = ServerProcess.start(database["url"])
    try:
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{server.url}/v1/me", headers=headers).status_code == 200
        boot = httpx.get(f"{server.url}/v1/sync/bootstrap", headers=headers,
                         params={"limit": 5}).json()
        httpx.get(f"{server.url}/v1/sync/pull", headers=headers,
                  params={"cursor": boot["cursor"]})
        assert httpx.get(f"{server.url}/v1/me",
                         headers={"Authorization": "Bearer fr_wrong"}).status_code == 401
        assert httpx.get(f"{server.url}/nowhere?name=Ana").status_code == 404
    finally:
        server.stop()
    log = server.log_path.read_text()
    server.log_path.unlink()
    lines = log.splitlines()
    assert any(f"listening on http://127.0.0.1:{server.port}" in line for line in lines), log
    requests = [m.groups()[:3] for m in map(REQUEST_LINE.search, lines) if m]
    assert ("GET", "/v1/me", "200") in requests and ("GET", "/v1/me", "401") in requests, log
    assert ("GET", "/v1/sync/pull", "200") in requests and ("GET", "/nowhere", "404") in requests
    assert token not in log and "fr_wrong" not in log and database["rep"]["name"] not in log
    assert "cursor" not in log and "name=" not in log and "?" not in log, "no query strings"
    assert any("shutting down" in line for line in lines), log
    assert lines[-1].endswith("stopped"), log
    assert "Uvicorn running" not in log, "one start line, ours"


def test_a_request_the_app_fails_on_is_logged_as_an_error_without_its_message(caplog):
    async def broken(scope, receive, send):
        raise RuntimeError("customer 王芳 13800000000")

    scope = {"type": "http", "method": "POST", "path": "/v1/sync/push",
             "query_string": b"cursor=secret"}
    with caplog.at_level(logging.INFO, "fieldrep.server.requests"), \
            pytest.raises(RuntimeError):
        asyncio.run(RequestLog(broken)(scope, None, None))
    (record,) = caplog.records
    assert record.levelname == "ERROR"
    assert re.fullmatch(r"POST /v1/sync/push 500 \d+\.\d ms \(RuntimeError\)", record.getMessage())


def test_a_request_path_cannot_forge_a_line_of_the_log(caplog):
    async def answer(scope, receive, send):
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def nothing(message):
        return None

    # uvicorn decodes %0a in "path"; the log must show the path as it was sent
    scope = {"type": "http", "method": "GET", "path": "/\n2026-12-03 INFO fake",
             "raw_path": b"/%0a2026-12-03%20INFO%20fake", "query_string": b""}
    with caplog.at_level(logging.INFO, "fieldrep.server.requests"):
        asyncio.run(RequestLog(answer)(scope, None, nothing))
    (record,) = caplog.records
    assert "\n" not in record.getMessage() and "/%0a2026-12-03%20INFO%20fake" in record.getMessage()
