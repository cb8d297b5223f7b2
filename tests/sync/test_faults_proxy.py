"""The fault proxy itself does what the sync fault tests rely on: each fault, exactly as named.

A tiny HTTP/1.1 server counts the requests it really received, so "cut" (server got it, client
did not hear) and "duplicate" (server got it twice, client heard once) are told apart from "drop"
(server never got it).
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.support.faultproxy import MODES, FaultPolicy, FaultProxy


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):  # keep pytest output quiet
        pass

    def _send(self, body: bytes, *, chunked: bool = False) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 1000):
                piece = body[start : start + 1000]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def do_GET(self):
        self.server.received[self.path] += 1
        if self.path.startswith("/blob/"):
            self._send(b"x" * int(self.path.rsplit("/", 1)[1]))
        elif self.path.startswith("/chunked/"):
            self._send(b"y" * int(self.path.rsplit("/", 1)[1]), chunked=True)
        else:
            self._send(self.path.encode())

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.received[self.path] += 1
        self.server.bodies.append(body)
        self._send(body.upper())


@pytest.fixture
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.received = Counter()
    server.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _proxy(server, weights, **kwargs) -> FaultProxy:
    return FaultProxy(server.server_address[1], FaultPolicy(weights, **kwargs)).start()


def _post(url: str, body: bytes, timeout: float = 5.0) -> httpx.Response:
    with httpx.Client(timeout=timeout) as client:
        return client.post(url, content=body)


def test_pass_mode_forwards_requests_and_answers_on_one_keep_alive_connection(http_server):
    with _proxy(http_server, {"pass": 1}) as proxy, httpx.Client(base_url=proxy.url) as client:
        for i in range(50):
            response = client.post(f"/echo/{i}", content=f"hello {i}".encode())
            assert response.status_code == 200
            assert response.content == f"HELLO {i}".encode()
        assert client.get("/blob/300000").content == b"x" * 300_000
        assert client.get("/chunked/5500").content == b"y" * 5500
        assert client.get("/after-chunked").content == b"/after-chunked"
    assert proxy.counts["pass"] == 53
    assert sum(http_server.received.values()) == 53
    assert proxy.bytes_to_client > 300_000 + 5500
    assert proxy.bytes_to_server > sum(len(f"hello {i}") for i in range(50))


@pytest.mark.parametrize(
    ("mode", "reached_the_server"),
    # drop: closed before the server sees the request; cut: the server commits, the client
    # never hears
    [("drop", 0), ("cut", 10)],
)
def test_drop_and_cut_fail_the_client_and_differ_in_whether_the_server_got_the_request(
    http_server, mode, reached_the_server
):
    with _proxy(http_server, {mode: 1}) as proxy:
        for _ in range(10):
            with pytest.raises(httpx.TransportError):
                _post(proxy.url + "/push", b"visit")
    assert http_server.received["/push"] == reached_the_server
    assert proxy.counts[mode] == 10


def test_duplicate_sends_the_request_twice_and_returns_one_answer(http_server):
    with _proxy(http_server, {"duplicate": 1}) as proxy, httpx.Client(base_url=proxy.url) as client:
        for i in range(5):
            response = client.post("/push", content=f"m{i}".encode())
            assert response.content == f"M{i}".encode()
    assert http_server.received["/push"] == 10
    assert http_server.bodies == [f"m{i}".encode() for i in range(5) for _ in range(2)]


def test_delay_holds_the_request_and_still_delivers_it(http_server):
    with _proxy(http_server, {"delay": 1}, delay=(0.3, 0.3)) as proxy:
        started = time.monotonic()
        assert _post(proxy.url + "/push", b"slow").content == b"SLOW"
        assert time.monotonic() - started >= 0.29
        with pytest.raises(httpx.TimeoutException):
            _post(proxy.url + "/push", b"too slow", timeout=0.05)
        time.sleep(0.4)
    assert http_server.received["/push"] == 2  # the timed-out one still reached the server


def test_down_refuses_connections_and_cuts_open_ones_until_it_comes_up_on_the_same_port(
    http_server,
):
    proxy = _proxy(http_server, {"pass": 1})
    try:
        port = proxy.port
        sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        proxy.go_down()
        assert not proxy.is_up
        with pytest.raises(httpx.ConnectError):
            _post(proxy.url + "/push", b"x")
        sock.settimeout(2)
        try:
            sock.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
            assert sock.recv(100) == b""
        except OSError:
            pass  # reset: the open connection is gone either way
        sock.close()
        proxy.come_up()
        assert proxy.port == port
        assert _post(proxy.url + "/push", b"back").content == b"BACK"
    finally:
        proxy.stop()


def test_policy_switched_at_runtime_applies_to_the_next_request(http_server):
    with _proxy(http_server, {"pass": 1}) as proxy:
        assert _post(proxy.url + "/a", b"1").status_code == 200
        proxy.set_policy(FaultPolicy({"drop": 1}))
        with pytest.raises(httpx.TransportError):
            _post(proxy.url + "/a", b"2")
        proxy.set_policy(FaultPolicy.passing())
        assert _post(proxy.url + "/a", b"3").status_code == 200
    assert http_server.received["/a"] == 2


def test_faults_only_hit_the_paths_the_policy_names(http_server):
    with _proxy(http_server, {"drop": 1}, paths=("/v1/sync/",)) as proxy:
        assert _post(proxy.url + "/v1/health", b"ok").status_code == 200
        with pytest.raises(httpx.TransportError):
            _post(proxy.url + "/v1/sync/push", b"x")
    assert proxy.faults_on("/v1/health") == Counter({"pass": 1})
    assert proxy.faults_on("/v1/sync/") == Counter({"drop": 1})


def test_same_seed_draws_the_same_faults_and_every_mode_gets_drawn():
    weights = {mode: 1 for mode in MODES}
    first = [FaultPolicy(weights, seed=7).draw()]
    one, two = FaultPolicy(weights, seed=7), FaultPolicy(weights, seed=7)
    draws_one = [one.draw() for _ in range(500)]
    assert draws_one == [two.draw() for _ in range(500)]
    assert draws_one[:1] == first
    assert set(mode for mode, _ in draws_one) == set(MODES)
    other = FaultPolicy(weights, seed=8)
    assert [other.draw() for _ in range(500)] != draws_one


def test_unknown_fault_mode_is_refused():
    with pytest.raises(ValueError, match="unknown fault modes"):
        FaultPolicy({"explode": 1})


def test_per_connection_policy_applies_one_mode_to_every_request_on_a_connection(http_server):
    with _proxy(http_server, {"duplicate": 1}, per_connection=True) as proxy:
        with httpx.Client(base_url=proxy.url) as client:
            for _ in range(3):
                client.post("/p", content=b"x")
        assert proxy.counts == Counter({"duplicate": 3})
    assert http_server.received["/p"] == 6


def test_connections_beyond_the_bound_are_refused_not_queued(http_server):
    proxy = FaultProxy(http_server.server_address[1], max_connections=2).start()
    held = []
    try:
        held = [socket.create_connection(("127.0.0.1", proxy.port), timeout=2) for _ in range(2)]
        time.sleep(0.1)
        with pytest.raises(httpx.TransportError):
            _post(proxy.url + "/p", b"x", timeout=2)
        assert proxy.refused >= 1
        for sock in held:
            sock.close()
        held = []
        deadline = time.monotonic() + 3
        while True:  # the slots free up once the held connections are seen closed
            try:
                assert _post(proxy.url + "/p", b"y").content == b"Y"
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        for sock in held:
            sock.close()
        proxy.stop()


def test_mixed_policy_over_many_requests_reports_each_fault_it_made(http_server):
    weights = {"pass": 4, "drop": 1, "cut": 1, "duplicate": 1, "delay": 1}
    with _proxy(http_server, weights, seed=3, delay=(0.0, 0.01)) as proxy:
        ok = failed = 0
        with httpx.Client(base_url=proxy.url, timeout=5) as client:
            for i in range(300):
                try:
                    assert client.post("/m", content=str(i).encode()).content == str(i).encode()
                    ok += 1
                except httpx.TransportError:
                    failed += 1
    assert ok == proxy.counts["pass"] + proxy.counts["duplicate"] + proxy.counts["delay"]
    assert failed == proxy.counts["drop"] + proxy.counts["cut"]
    expected_at_server = (
        proxy.counts["pass"]
        + proxy.counts["delay"]
        + proxy.counts["cut"]
        + 2 * proxy.counts["duplicate"]
    )
    assert http_server.received["/m"] == expected_at_server
    assert all(proxy.counts[mode] > 10 for mode in MODES)
