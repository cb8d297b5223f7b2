"""Undo on the laptop is one more ``followup.update``: the server takes a follow-up done or
dismissed back to open (or to snoozed as it was), whether the first update came in the same push
or an earlier one, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from tests.server._world import Device, World, op


@pytest.fixture
def w(engine):
    return World(engine)


def _followup(ana: Device, w: World) -> str:
    fid = str(uuid.uuid4())
    created = ana.send_one(op(0, "followup.create", fid, {
        "customer_id": w.ana_own["id"], "due": "2026-12-03", "title": "send the quote"}))
    assert created["status"] == "applied"
    return fid


def test_done_then_undone_in_one_push_leaves_the_follow_up_open(w):
    ana = Device(w, w.ana_token)
    fid = _followup(ana, w)
    done, undone = ana.send(
        op(0, "followup.update", fid, {"status": "done", "snoozed_until": None}),
        op(0, "followup.update", fid, {"status": "open", "snoozed_until": None}))
    assert done["status"] == "applied" and undone["status"] == "applied"
    assert undone["record"]["status"] == "open" and undone["record"]["version"] == 3
    mei, _cursor = w.scope(w.mei_token)
    assert mei["followup"][fid]["status"] == "open"


def test_a_dismissal_sent_earlier_is_undone_back_to_its_snooze(w):
    ana = Device(w, w.ana_token)
    fid = _followup(ana, w)
    ana.send_one(op(0, "followup.update", fid,
                    {"status": "snoozed", "snoozed_until": "2026-12-08"}))
    dismissed = ana.send_one(op(0, "followup.update", fid,
                                {"status": "dismissed", "snoozed_until": None}))
    assert dismissed["record"]["status"] == "dismissed"
    undone = ana.send_one(op(0, "followup.update", fid,
                             {"status": "snoozed", "snoozed_until": "2026-12-08"}))
    assert undone["status"] == "applied"
    assert undone["record"]["status"] == "snoozed"
    assert undone["record"]["snoozed_until"] == "2026-12-08"
    view, _cursor = w.scope(w.ana_token)
    assert view["followup"][fid]["status"] == "snoozed"
