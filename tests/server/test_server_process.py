"""The real server: uvicorn as a subprocess (ServerProcess) on SQLite and PostgreSQL, over HTTP."""

from __future__ import annotations

import signal
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from server import db, feed
from server.org import Org
from server.process import ServerProcess, ServerStartError, free_port


def _customer(engine, name, **fields) -> dict:
    customer = {"id": str(uuid.uuid4()), "name": name, "province": "Zhejiang", "version": 1,
                "search_keys": [], **fields}
    with db.writing(engine) as conn:
        db.put_record(conn, "customer", customer, Org.load(conn).customer_audience(customer))
    return customer


def _visits(customer_id: str, first_mid: int, count: int) -> list[dict]:
    return [{"op_id": str(uuid.uuid4()), "mid": first_mid + i, "kind": "visit.create",
             "record_id": str(uuid.uuid4()),
             "fields": {"customer_id": customer_id, "at": datetime.now(UTC).isoformat(),
                        "outcome": f"visit {first_mid + i}"}} for i in range(count)]


def test_a_real_server_syncs_over_http_and_survives_restart_and_sigkill(database):
    customer = _customer(database["engine"], "杭州机械")
    headers = {"Authorization": f"Bearer {database['token']}", "X-Fieldrep-Schema": "1"}
    with ServerProcess.start(database["url"]) as server, httpx.Client(
            base_url=server.url, headers=headers, timeout=30) as http:
        assert http.get("/v1/health").json()["ok"] is True
        device = http.post("/v1/devices", json={"name": "thinkpad"}).json()["device_id"]
        boot = http.get("/v1/sync/bootstrap").json()
        assert customer["id"] in {c["id"] for c in boot["changes"]}
        batch = _visits(customer["id"], 1, 3)
        body = {"device_id": device, "schema_version": 1, "mutations": batch}
        first = http.post("/v1/sync/push", json=body).json()
        assert [r["status"] for r in first["results"]] == ["applied"] * 3

        server.restart()
        assert http.post("/v1/sync/push", json=body).json() == first, "same answer after restart"
        server.kill()
        assert server.process.poll() is not None
        server.restart()
        pulled = http.get("/v1/sync/pull", params={"cursor": boot["cursor"]}).json()
        visits = [c["id"] for c in pulled["changes"] if c["entity"] == "visit"]
        assert visits == [m["record_id"] for m in batch], "all three, in order, after SIGKILL"
        gap = http.post("/v1/sync/push", json={**body, "mutations": _visits(customer["id"], 5, 1)})
        assert gap.status_code == 409 and gap.json()["expected_mid"] == 4
        server.stop()
        # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells of it
        assert server.process.returncode in (0, -signal.SIGTERM), server.log()
        assert "Traceback" not in server.log()


def test_serve_returns_lapsed_claims_to_the_pool_and_forgets_old_changes_on_its_own(database):
    engine = database["engine"]
    past = datetime.now(UTC) - timedelta(days=1)
    lapsed = _customer(engine, "湖州竹业", owner_id=database["rep"]["id"], owner_name="Ana",
                       claimed_at=(past - timedelta(days=10)).isoformat(),
                       protected_until=past.isoformat())
    env = {"FIELDREP_RECLAIM_INTERVAL": "0.2", "FIELDREP_FEED_RETENTION_DAYS": "0"}
    headers = {"Authorization": f"Bearer {database['token']}"}
    with ServerProcess.start(database["url"], env=env) as server:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with db.reading(engine) as conn:
                record = db.get_record(conn, "customer", lapsed["id"])
                _, horizon = feed.position(conn)
            if record["owner_id"] is None and horizon > 0:
                break
            time.sleep(0.1)
        assert record["owner_id"] is None, server.log()
        assert record["previous_owner_id"] == database["rep"]["id"]
        old = httpx.get(f"{server.url}/v1/sync/pull", params={"cursor": "s0"}, headers=headers)
        assert old.status_code == 410, "a cursor behind the horizon must re-bootstrap"


def test_a_server_that_cannot_start_says_why(tmp_path):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with pytest.raises(ServerStartError, match="FIELDREP_RECLAIM_INTERVAL must be a number"):
        ServerProcess.start(url, env={"FIELDREP_RECLAIM_INTERVAL": "often"}, timeout=30)
    with ServerProcess.start(url) as first:
        with pytest.raises(ServerStartError, match="already in use"):
            ServerProcess.start(url, port=first.port, timeout=30)
        assert httpx.get(f"{first.url}/v1/health").status_code == 200


def test_free_port_gives_a_bindable_loopback_port():
    import socket

    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
