"""The HTTP client and the sync engine against an in-memory server (no sockets, no sleeping).

These pin the engine's own decisions: retries and backoff, what each status code becomes, push
order and batch size, resumable bootstrap, re-bootstrap on 410, a restored server database
(409 mid gap), one sync at a time, and that a failed sync is a report, never an exception.
"""

from __future__ import annotations

import re
import threading
import time

import httpx
import orjson
import pytest

from cache import Store, locations
from sync.client import (
    AuthError,
    Client,
    CursorExpired,
    MidGapError,
    Offline,
    ServerError,
    UpgradeRequired,
    backoff_delay,
)
from sync.engine import SIGNED_OUT, OtherRepsWork, SyncEngine, login
from sync.protocol.models import SCHEMA_VERSION
from tests.support.fakeserver import REP, FakeServer
from tests.sync._harness import log_visits

URL = "http://fake.test"


@pytest.fixture
def server():
    return FakeServer(customers=30)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "home") as store:
        yield store


def _logged_in(store, server, *, attempts: int = 3) -> SyncEngine:
    login(store, URL, "good-token", client_factory=server.client_factory())
    return SyncEngine(store, client_factory=server.client_factory(), attempts=attempts)


# --------------------------------------------------------------------------- the client


def test_backoff_is_full_jitter_doubling_from_one_second_and_capped_at_five_minutes():
    assert [backoff_delay(n, rng=lambda: 1.0) for n in range(4)] == [1, 2, 4, 8]
    assert backoff_delay(20, rng=lambda: 1.0) == 300
    assert backoff_delay(5, rng=lambda: 0.0) == 0
    assert 0 <= backoff_delay(3) <= 8


def test_client_sends_the_token_and_the_schema_version_on_every_call(server):
    with Client(URL, "good-token", transport=server.transport()) as client:
        client.me()
    request = server.requests[-1]
    assert request.headers["Authorization"] == "Bearer good-token"
    assert request.headers["X-Fieldrep-Schema"] == str(SCHEMA_VERSION)


def test_unreachable_server_is_retried_a_bounded_number_of_times_then_reported_offline(server):
    sleeps: list[float] = []
    server.fail_next("/v1/me", httpx.ConnectError("refused"), times=10)
    with Client(URL, "good-token", transport=server.transport(), sleep=sleeps.append,
                attempts=3) as client, pytest.raises(Offline, match="cannot reach the server"):
        client.me()
    assert len(server.requests) == 3
    assert len(sleeps) == 2 and all(0 <= s <= 8 for s in sleeps)


def test_retry_after_of_a_busy_server_is_honoured(server):
    sleeps: list[float] = []
    server.fail_next("/v1/me", 503)
    with Client(URL, "good-token", transport=server.transport(), sleep=sleeps.append) as client:
        assert client.me()["rep"]["id"] == REP["id"]
    assert sleeps == [3.0]


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (401, AuthError, "log in again with fieldrep login --server http://fake.test"),
        (426, UpgradeRequired, "update fieldrep"),
        (410, CursorExpired, "scripted 410"),
        (422, ServerError, "refused the request (422)"),
    ],
)
def test_each_final_status_becomes_its_own_error_in_plain_words_without_retrying(
    server, status, error, words
):
    server.fail_next("/v1/me", status)
    with Client(URL, "good-token", transport=server.transport(), sleep=lambda _s: None) as client, \
            pytest.raises(error, match=re.escape(words)):
        client.me()
    assert len(server.requests) == 1


def test_a_mid_gap_answer_carries_the_mid_the_server_expects(server):
    with Client(URL, "good-token", transport=server.transport()) as client:
        device = client.register_device("laptop")["device_id"]
        op = {"op_id": "x", "mid": 5, "kind": "visit.create", "record_id": "v", "fields": {}}
        with pytest.raises(MidGapError) as gap:
            client.push(device, [op])
    assert gap.value.expected_mid == 1


# --------------------------------------------------------------------------- the engine


def test_first_sync_bootstraps_in_pages_and_later_syncs_pull_from_the_pinned_cursor(
    server, store, monkeypatch
):
    monkeypatch.setattr("sync.engine.BOOTSTRAP_PAGE", 7)
    engine = _logged_in(store, server)
    report = engine.sync()
    assert report.ok and report.bootstrapped
    assert store.customer_count() == 30
    assert store.pull_cursor == f"s{server.top}"
    server.put("customer", {"id": "c-new", "name": "Arrived later", "version": 1})
    report = engine.sync()
    assert report.ok and not report.bootstrapped and report.pulled == 1
    assert store.customer("c-new")["name"] == "Arrived later"


def test_an_empty_incremental_sync_writes_no_page(server, store, monkeypatch):
    engine = _logged_in(store, server)
    assert engine.sync().ok
    applied = []
    monkeypatch.setattr(store, "apply_pull_page", lambda *a: applied.append(a))
    report = engine.sync()
    assert report.ok and report.pulled == 0 and applied == []
    server.put("customer", {"id": "c-new", "name": "New", "version": 1})
    assert engine.sync().ok and len(applied) == 1


def test_outbox_is_pushed_in_mid_order_in_batches_of_at_most_one_hundred(server, store):
    engine = _logged_in(store, server)
    assert engine.sync().ok
    written = log_visits(store, 250, "v")
    report = engine.sync()
    assert report.ok, report.error
    assert report.pushed == report.applied == 250
    assert [len(batch) for batch in server.pushed_mids] == [100, 100, 50]
    sent = [mid for batch in server.pushed_mids for mid in batch]
    assert sent == list(range(1, 251))
    assert store.pending_count() == 0
    assert {v["id"] for v in store.visits() if v["synced"]} >= set(written)


def test_a_lost_answer_to_a_push_is_resent_and_applied_once(server, store):
    engine = _logged_in(store, server)
    engine.sync()
    log_visits(store, 5, "v")

    cut = []

    def cut_after_commit(request: httpx.Request) -> None:
        if request.url.path == "/v1/sync/push" and not cut:
            cut.append(request)
            server.push(REP, orjson.loads(request.content))  # the server commits …
            raise httpx.ReadError("connection reset")  # … and the answer never arrives

    server.before = cut_after_commit
    report = engine.sync()
    assert report.ok, report.error
    visits = [k for k in server.records if k[0] == "visit"]
    assert len(cut) == 1 and len(visits) == 5
    assert server.pushed_mids[-1] == [1, 2, 3, 4, 5], "the same batch is sent again"
    assert store.pending_count() == 0


def test_an_interrupted_bootstrap_resumes_where_it_stopped(server, store, monkeypatch):
    monkeypatch.setattr("sync.engine.BOOTSTRAP_PAGE", 5)
    engine = _logged_in(store, server, attempts=1)
    calls = {"n": 0}

    def die_on_third_page(request: httpx.Request) -> None:
        if request.url.path == "/v1/sync/bootstrap":
            calls["n"] += 1
            if calls["n"] == 3:
                raise httpx.ConnectError("the train entered a tunnel")

    server.before = die_on_third_page
    report = engine.sync()
    assert not report.ok and "cannot reach" in report.error
    assert store.bootstrap_state is not None and store.bootstrap_state["pages"] == 2
    server.before = None
    first_resumed = len(server.requests)
    report = engine.sync()
    assert report.ok, report.error
    resumed = [r for r in server.requests[first_resumed:] if r.url.path == "/v1/sync/bootstrap"]
    assert "token" in resumed[0].url.params, "the bootstrap started over instead of resuming"
    assert len(resumed) == 4  # pages 3..6 of 30 customers in pages of 5
    assert store.customer_count() == 30


def test_a_cursor_past_the_tombstone_horizon_starts_a_fresh_copy(server, store):
    engine = _logged_in(store, server)
    engine.sync()
    server.put("customer", {"id": "c00000"}, op="delete")
    server.put("customer", {"id": "c-late", "name": "Late", "version": 1})
    server.horizon = server.top  # the server forgot the changes this laptop has not seen
    log_visits(store, 2, "v")
    report = engine.sync()
    assert report.ok, report.error
    assert report.bootstrapped
    assert store.customer("c00000") is None and store.customer("c-late") is not None
    assert store.pending_count() == 0


def test_a_server_restored_from_backup_gets_the_pending_work_on_a_fresh_device(server, store):
    engine = _logged_in(store, server)
    engine.sync()
    log_visits(store, 3, "before")
    engine.sync()
    old_device = store.device_id
    written = log_visits(store, 4, "after")
    server.devices[old_device]["last_mid"] = 1  # the backup knew only the first operation
    report = engine.sync()
    assert report.ok, report.error
    assert store.device_id != old_device
    assert server.pushed_mids[-1] == [1, 2, 3, 4]
    assert all(("visit", vid) in server.records for vid in written)


def test_operations_the_server_applied_without_keeping_answers_are_taken_as_done(server, store):
    engine = _logged_in(store, server)
    engine.sync()
    written = log_visits(store, 5, "v")
    device = store.device_id
    outbox = store.outbox()
    for op in outbox[:3]:  # applied on the server, answers lost (e.g. a pruned results table)
        server.push(REP, {"device_id": device, "mutations": [op]})
        del server.results[(device, op["mid"])]
    report = engine.sync()
    assert report.ok, report.error
    assert store.pending_count() == 0 and store.device_id == device
    assert server.pushed_mids[-1] == [4, 5]
    assert sum(1 for k in server.records if k[0] == "visit") == 5
    assert {v["id"] for v in store.visits()} == set(written)


def test_a_hole_in_the_outbox_keeps_the_answers_before_it_and_renumbers_after_it(
    server, tmp_path
):
    home = tmp_path / "laptop"
    with Store.open(home) as store:
        _logged_in(store, server).sync()
        written = log_visits(store, 6, "v")
    # a hole at mid 4, as a salvaged journal could leave one: the file, edited while closed
    journal_file = home / locations.JOURNAL
    journal = orjson.loads(journal_file.read_bytes())
    journal["outbox"] = [op for op in journal["outbox"] if op["mid"] != 4]
    journal_file.write_bytes(orjson.dumps(journal))
    with Store.open(home) as store:
        assert [op["mid"] for op in store.outbox()] == [1, 2, 3, 5, 6]
        lost = next(v for v in written if v not in {op["record_id"] for op in store.outbox()})
        report = SyncEngine(store, client_factory=server.client_factory()).sync()
    assert report.ok, report.error
    assert report.applied == 5
    assert server.pushed_mids == [[1, 2, 3, 5, 6], [1, 2, 3], [5, 6], [1, 2]]  # then renumbered
    assert sum(1 for k in server.records if k[0] == "visit") == 5
    assert ("visit", lost) not in server.records


def test_network_trouble_is_a_failed_report_in_plain_words_never_an_exception(server, store):
    engine = _logged_in(store, server, attempts=1)
    assert engine.sync().ok
    log_visits(store, 2, "v")
    server.fail_next("/v1/sync/push", httpx.ConnectError("down"))
    report = engine.sync()
    assert not report.ok
    assert report.error.startswith("cannot reach the server at http://fake.test")
    status = engine.status()
    assert status.online is False and status.pending == 2 and status.last_error == report.error
    assert store.sync_runs()[-1]["ok"] is False


def test_failures_in_a_row_back_off_with_full_jitter_and_a_success_resets_it(server, store):
    engine = _logged_in(store, server, attempts=1)
    assert engine.retry_in() == 0
    for expected_cap in (1, 2, 4, 8):
        server.fail_next("/v1/sync/bootstrap", httpx.ConnectError("down"))
        assert not engine.sync().ok
        assert engine.retry_in(rng=lambda: 1.0) == expected_cap
        assert engine.retry_in(rng=lambda: 0.0) == 0
    assert engine.sync().ok
    assert engine.retry_in(rng=lambda: 1.0) == 0


def test_a_full_disk_while_storing_pulled_data_is_a_plain_failed_report(server, store, monkeypatch):
    engine = _logged_in(store, server)
    assert engine.sync().ok
    log_visits(store, 1, "v")
    server.put("customer", {"id": "c-new", "name": "New", "version": 1})
    cursor = store.pull_cursor

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "apply_pull_page", disk_full)
    report = engine.sync()
    assert not report.ok
    assert report.error.startswith("could not save the synced data on this laptop (No space")
    assert store.pull_cursor == cursor and store.pending_count() == 0


def test_a_bug_below_the_engine_is_reported_not_raised(server, store):
    engine = _logged_in(store, server)
    server.fail_next("/v1/sync/bootstrap", RuntimeError("boom"))
    report = engine.sync()
    assert not report.ok and "unexpected problem: boom" in report.error


def test_a_login_without_a_device_is_a_failed_report_that_says_log_in_again(server, tmp_path):
    home = tmp_path / "laptop"
    with Store.open(home) as store:
        _logged_in(store, server).sync()
        log_visits(store, 1, "v")
    session_file = home / locations.SESSION  # a session saved without its device, edited closed
    session_file.write_bytes(orjson.dumps({**orjson.loads(session_file.read_bytes()),
                                           "device_id": None}))
    with Store.open(home) as store:
        report = SyncEngine(store, client_factory=server.client_factory()).sync()
        assert not report.ok and "run fieldrep login again" in report.error
        assert store.pending_count() == 1


def test_a_revoked_token_says_signed_out_once_and_how_to_log_in_again(server, store):
    engine = _logged_in(store, server)
    server.tokens.clear()
    report = engine.sync()
    assert not report.ok and report.signed_out
    assert report.error.startswith(SIGNED_OUT)
    assert report.error.count("log in again") == 1
    assert "fieldrep login --server http://fake.test" in report.error
    assert engine.signed_out and engine.status().signed_out
    assert engine.online is True  # the server answered: not "offline"


def test_signed_out_is_read_from_the_sync_log_by_a_fresh_engine_and_survives_offline_runs(
    server, store,
):
    engine = _logged_in(store, server)
    engine.sync()
    assert SyncEngine(store).signed_out is False
    server.tokens.clear()
    engine.sync()
    server.fail_next("/v1/sync/push", httpx.ConnectError("refused"), times=10)
    assert not engine.sync().ok  # offline now: says nothing about the login
    fresh = SyncEngine(store, client_factory=server.client_factory())  # e.g. fieldrep status
    assert fresh.signed_out and fresh.status().to_dict()["signed_out"] is True
    assert "good-token" not in (store.home / locations.SYNC_RUNS).read_text()


def test_a_new_login_ends_signed_out_at_once_and_a_sync_confirms_it(server, store):
    engine = _logged_in(store, server)
    server.tokens.clear()
    engine.sync()
    assert engine.signed_out
    server.tokens["new-token"] = REP
    login(store, URL, "new-token", client_factory=server.client_factory())
    assert not engine.signed_out  # another token: the old verdict is not about it
    assert not SyncEngine(store).signed_out
    assert engine.sync().ok and not engine.signed_out


def test_check_signed_in_asks_the_server_and_sets_signed_out(server, store):
    engine = _logged_in(store, server)
    assert engine.check_signed_in() is True and not engine.signed_out
    server.tokens.clear()
    assert engine.check_signed_in() is False and engine.signed_out
    server.fail_next("/v1/me", httpx.ConnectError("refused"), times=10)
    assert engine.check_signed_in() is None


def test_only_one_sync_runs_at_a_time(server, store):
    engine = _logged_in(store, server)
    active = {"now": 0, "most": 0}
    guard = threading.Lock()

    def slow(request: httpx.Request) -> None:
        with guard:
            active["now"] += 1
            active["most"] = max(active["most"], active["now"])
        time.sleep(0.01)
        with guard:
            active["now"] -= 1

    server.before = slow
    reports = []
    threads = [threading.Thread(target=lambda: reports.append(engine.sync())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(reports) == 4 and all(r.ok for r in reports)
    assert active["most"] == 1


def test_check_online_is_a_health_call_and_sets_the_status(server, store):
    engine = _logged_in(store, server)
    assert engine.check_online() is True
    assert server.requests[-1].url.path == "/v1/health"
    server.fail_next("/v1/health", httpx.ConnectError("down"))
    assert engine.check_online() is False
    assert engine.status().online is False


# --------------------------------------------------------------------------- login


def test_logging_in_again_as_the_same_rep_keeps_the_device_and_its_sequence(server, store):
    engine = _logged_in(store, server)
    engine.sync()
    device = store.device_id
    log_visits(store, 2, "v")
    login(store, URL, "good-token", client_factory=server.client_factory())
    assert store.device_id == device
    assert [op["mid"] for op in store.outbox()] == [1, 2]
    assert engine.sync().ok


def test_logging_in_as_another_rep_refuses_while_the_first_reps_work_is_pending(server, store):
    other = {**REP, "id": "rep-2", "name": "Li Wei"}
    server.tokens["other-token"] = other
    engine = _logged_in(store, server)
    engine.sync()
    log_visits(store, 1, "v")
    with pytest.raises(OtherRepsWork, match=r"waiting to sync: 1\)"):
        login(store, URL, "other-token", client_factory=server.client_factory())
    assert store.session["rep_id"] == REP["id"] and store.pending_count() == 1
    assert engine.sync().ok
    login(store, URL, "other-token", client_factory=server.client_factory())
    assert store.session["rep_id"] == "rep-2"
    assert store.pull_cursor is None, "the other rep would pull from the first rep's cursor"
