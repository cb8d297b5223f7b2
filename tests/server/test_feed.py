"""The change feed: bootstrap pinned to a snapshot and resumable, pull in commit order, the horizon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server import db, feed, serve, settings
from server.domain.ownership import reclaim
from tests.server._world import Device, SettableClock, World, op, visit


def _bootstrap(world, token, limit):
    pages, params = [], {"limit": limit}
    while True:
        response = world.client.get("/v1/sync/bootstrap", headers=world.headers(token),
                                    params=params)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        if not pages[-1]["has_more"]:
            return pages
        params = {"limit": limit, "token": pages[-1]["next_token"]}


def test_bootstrap_pages_by_key_give_every_record_once_and_one_pinned_cursor(world):
    for i in range(5):
        world.customer(f"台州模具{i}", "Zhejiang")
    one_page = _bootstrap(world, world.ana_token, 1000)
    paged = _bootstrap(world, world.ana_token, 2)
    assert len(one_page) == 1 and len(paged) > 3
    ids = [(c["entity"], c["id"]) for page in paged for c in page["changes"]]
    assert len(ids) == len(set(ids)) and sorted(ids) == ids, "by key, each once"
    assert ids == [(c["entity"], c["id"]) for c in one_page[0]["changes"]]
    assert {page["cursor"] for page in paged} == {one_page[0]["cursor"]}
    entities = {entity for entity, _ in ids}
    assert {"customer", "rep", "team", "territory", "policy"} <= entities


def test_a_change_made_while_bootstrapping_arrives_by_pull_from_the_pinned_cursor(world):
    first = world.client.get("/v1/sync/bootstrap", headers=world.headers(world.ana_token),
                             params={"limit": 1}).json()
    mei = Device(world, world.mei_token)
    assert mei.send_one(op(0, "customer.update", world.ana_own["id"], {"tier": "B"},
                           1))["status"] == "applied"
    added = world.customer("舟山渔业", "Zhejiang")
    token, seen = first["next_token"], {c["id"] for c in first["changes"]}
    while token:
        page = world.client.get("/v1/sync/bootstrap", headers=world.headers(world.ana_token),
                                params={"limit": 1, "token": token}).json()
        assert page["cursor"] == first["cursor"], "the pin never moves while paging"
        seen |= {c["id"] for c in page["changes"]}
        token = page["next_token"]
    pulled = world.pull(world.ana_token, first["cursor"])["changes"]
    tiers = [c["record"]["tier"] for c in pulled if c["id"] == world.ana_own["id"]]
    assert tiers == ["B"], "the edit made mid-bootstrap comes through the pull"
    assert added["id"] in {c["id"] for c in pulled}


def test_pull_pages_resume_anywhere_in_commit_order(world):
    _, cursor = world.scope(world.ana_token)
    ana = Device(world, world.ana_token)
    sent = ana.send(*[visit(0, world.ana_own["id"], outcome=f"call {i}") for i in range(7)])
    order = [r["record_id"] for r in sent]
    visits, cursors = [], []
    while True:
        response = world.client.get("/v1/sync/pull", headers=world.headers(world.ana_token),
                                    params={"cursor": cursor, "limit": 3})
        page = response.json()
        visits += [c["id"] for c in page["changes"] if c["entity"] == "visit"]
        cursors.append(page["next_cursor"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert visits == order
    again = world.pull(world.ana_token, cursors[1])["changes"]
    resumed = [c["id"] for c in again if c["entity"] == "visit"]
    assert resumed and resumed == order[-len(resumed):], "a stopped pull resumes where it was"
    assert world.pull(world.ana_token, cursor) == {"changes": [], "next_cursor": cursor,
                                                   "has_more": False}


def test_a_cursor_from_the_future_or_of_another_server_is_410(world):
    response = world.client.get("/v1/sync/pull", headers=world.headers(world.ana_token),
                                params={"cursor": "s999999"})
    assert response.status_code == 410 and "fresh copy" in response.json()["detail"]


def test_the_horizon_forgets_changes_older_than_the_retention_and_old_cursors_get_410(engine):
    t0 = datetime(2026, 12, 1, tzinfo=UTC)
    clock = SettableClock(t0)
    world = World(engine, clock)
    _, old_cursor = world.scope(world.ana_token)
    pinned = world.client.get("/v1/sync/bootstrap", headers=world.headers(world.ana_token),
                              params={"limit": 1}).json()
    world.customer("舟山渔业", "Zhejiang")
    clock.advance(days=10)
    _, recent_cursor = world.scope(world.ana_token)
    fresh = world.customer("温州鞋业", "Zhejiang")

    with db.writing(world.engine) as conn:
        assert feed.compact_older_than(conn, 30, now=t0 + timedelta(days=10)) == 0
    with db.writing(world.engine) as conn:
        assert feed.compact_older_than(conn, 5, now=t0 + timedelta(days=10)) > 0

    h = world.headers(world.ana_token)
    old = world.client.get("/v1/sync/pull", headers=h, params={"cursor": old_cursor})
    assert old.status_code == 410 and "start again" in old.json()["detail"]
    stale = world.client.get("/v1/sync/bootstrap", headers=h,
                             params={"token": pinned["next_token"]})
    assert stale.status_code == 410, "a bootstrap pinned before the horizon starts again"
    recent = world.pull(world.ana_token, recent_cursor)
    assert [c["id"] for c in recent["changes"]] == [fresh["id"]]


def test_the_retention_is_configurable_and_checked(monkeypatch):
    monkeypatch.delenv("FIELDREP_FEED_RETENTION_DAYS", raising=False)
    assert settings.load().feed_retention_days == 30
    monkeypatch.setenv("FIELDREP_FEED_RETENTION_DAYS", "0.5")
    assert settings.load().feed_retention_days == 0.5
    for bad in ("soon", "-1", "nan", "inf"):
        monkeypatch.setenv("FIELDREP_FEED_RETENTION_DAYS", bad)
        with pytest.raises(settings.SettingsError,
                           match=r"^FIELDREP_FEED_RETENTION_DAYS must be a number of days"):
            settings.load()


def test_one_housekeeping_round_reclaims_and_compacts(world):
    world.customer("湖州竹业", "Zhejiang", owner=world.ana, protected_days=1)
    later = datetime.now(UTC) + timedelta(days=3)
    returned, compacted = serve._maintain_once(world.engine, 1, later)
    assert returned == 1 and compacted > 0
    with db.reading(world.engine) as conn:
        top, horizon = feed.position(conn)
    assert 0 < horizon < top, "the reclaim's own change, written now, is kept"


def test_a_transfer_sends_the_old_owner_a_tombstone_and_the_new_owner_the_record(world):
    _, ana_cursor = world.scope(world.ana_token)
    _, bo_cursor = world.scope(world.bo_token)
    moved = world.client.post(f"/v1/customers/{world.ana_own['id']}/transfer",
                              headers=world.headers(world.mei_token),
                              json={"to_rep_id": world.bo["id"]})
    assert moved.status_code == 200
    ana = [c for c in world.pull(world.ana_token, ana_cursor)["changes"]
           if c["id"] == world.ana_own["id"]]
    assert [(c["op"], c["record"]) for c in ana] == [("delete", None)]
    assert ana[0]["reason"] == "transferred to Bo by Mei"
    bo = [c for c in world.pull(world.bo_token, bo_cursor)["changes"]
          if c["id"] == world.ana_own["id"]]
    assert [c["op"] for c in bo] == ["upsert"] and bo[0]["record"]["owner_name"] == "Bo"


def test_a_reclaimed_customer_outside_the_old_owners_territory_leaves_their_view(world):
    far = world.customer("成都机床", "Sichuan", owner=world.ana, protected_days=1)
    ana_view, ana_cursor = world.scope(world.ana_token)
    _, cy_cursor = world.scope(world.cy_token)
    assert far["id"] in ana_view["customer"], "an owner sees their customer anywhere"
    later = datetime.now(UTC) + timedelta(days=2)
    with db.writing(world.engine) as conn:
        assert [c["id"] for c in reclaim(conn, later)] == [far["id"]]
    ana = [c for c in world.pull(world.ana_token, ana_cursor)["changes"] if c["id"] == far["id"]]
    assert [c["op"] for c in ana] == ["delete"], "back to a pool Ana's territories do not cover"
    assert "lapsed" in ana[0]["reason"]
    cy = [c for c in world.pull(world.cy_token, cy_cursor)["changes"] if c["id"] == far["id"]]
    assert [c["op"] for c in cy] == ["upsert"] and cy[0]["record"]["owner_id"] is None
