"""The demo's connection switch really cuts and restores the network path to the server."""

from __future__ import annotations

import socket
import threading

import pytest

from tui.demo import DemoLink


@pytest.fixture
def echo_server():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(1024):
                    conn.sendall(data.upper())

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def _roundtrip(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"hello")
        return sock.recv(1024)


def test_link_forwards_while_connected(echo_server):
    link = DemoLink(echo_server).start()
    try:
        assert link.connected
        assert _roundtrip(link.port) == b"HELLO"
    finally:
        link.stop()


def test_cut_link_refuses_connections_and_restore_brings_them_back(echo_server):
    link = DemoLink(echo_server).start()
    try:
        port = link.port
        link.cut_connection()
        assert not link.connected
        with pytest.raises(OSError):
            _roundtrip(port)
        link.restore_connection()
        assert link.port == port
        assert _roundtrip(port) == b"HELLO"
    finally:
        link.stop()


def test_cut_link_drops_an_open_connection(echo_server):
    link = DemoLink(echo_server).start()
    try:
        sock = socket.create_connection(("127.0.0.1", link.port), timeout=2)
        sock.sendall(b"a")
        assert sock.recv(16) == b"A"
        link.cut_connection()
        sock.settimeout(2)
        try:
            sock.sendall(b"b")
            assert sock.recv(16) == b""
        except OSError:
            pass  # reset by the cut: what a dropped network looks like
        sock.close()
    finally:
        link.stop()
