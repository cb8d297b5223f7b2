"""One clock for people: a moment reads the same HH:MM on every screen and in the command line,
in the policy's time zone (Asia/Shanghai in the fixed data), whatever the laptop's own zone is.

The laptop here runs in America/New_York (``TZ``), so a screen that writes UTC (01:05) or the
laptop's zone (20:05 the day before) instead of the policy's (09:05) is caught.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from textual.widgets import DataTable, Static

from tests.tui.conftest import FROZEN_NOW, SINOPEC, fill_store, make_app
from ui.times import day_text, local_day, local_time

SIZE = (120, 40)
ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
SYNCED_AT = FROZEN_NOW - timedelta(minutes=30)  # 01:30 UTC = 09:30 in Shanghai


@pytest.fixture
def laptop_in_new_york(monkeypatch):
    """The laptop's own zone is neither UTC nor the policy's."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _cli(home, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "tui.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={**__import__("os").environ, "FIELDREP_HOME": str(home)})
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def _rows(table: DataTable) -> list[str]:
    return [" ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def test_a_visit_reads_the_same_time_on_the_form_timeline_sync_screen_and_cli(
        fieldrep_home, laptop_in_new_york):
    from cache import Store
    from screens.messages import OpenCustomer

    store = Store.open(fieldrep_home)
    fill_store(store)
    store.record_sync_run({"ok": True, "finished_at": SYNCED_AT.isoformat(), "pushed": 0,
                           "pulled": 0})
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(OpenCustomer(SINOPEC))
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        form = app.screen
        assert form.values()["at"] == "2026-11-23 10:00"  # now, 02:00 UTC, in Shanghai
        form.query_one("#field-at").value = "09:05"
        await pilot.press(*"Quote for 2027")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "CustomerScreen"
        timeline = _rows(app.screen.query_one("#timeline", DataTable))
        assert any(row.startswith("2026-11-23 09:05") and "Quote for 2027" in row
                   for row in timeline), timeline
        await pilot.press("4")
        await pilot.pause()
        pending = _rows(app.screen.query_one("#sync-pending", DataTable))
        assert any("11-23 09:05" in row for row in pending), pending
        runs = _rows(app.screen.query_one("#sync-runs", DataTable))
        assert runs[0].startswith("11-23 09:30"), runs
        state = str(app.screen.query_one("#sync-state", Static).render())
        assert "2026-11-23 09:30" in state, state
    store.close()
    visits = _cli(fieldrep_home, "visits", "--customer", SINOPEC)
    assert "2026-11-23 09:05" in visits, visits
    shown = _cli(fieldrep_home, "show", SINOPEC)
    assert "2026-11-23 09:05" in shown, shown
    status = _cli(fieldrep_home, "status")
    assert "2026-11-23 09:30" in status, status


def test_local_time_writes_a_moment_in_the_policy_zone_and_a_calendar_day_as_it_is():
    from sync.protocol.models import Policy

    shanghai, chicago = Policy(timezone="Asia/Shanghai"), Policy(timezone="America/Chicago")
    late = "2026-12-03T17:30:00+00:00"  # 01:30 the next day in Shanghai, 11:30 in Chicago
    assert local_time(late, shanghai) == "2026-12-04 01:30"
    assert local_time(late, chicago) == "2026-12-03 11:30"
    assert local_day(late, shanghai).isoformat() == "2026-12-04"
    assert day_text(late, chicago) == "2026-12-03"
    # a due date has no zone: Chicago (west of UTC) must not make it the day before
    assert local_time("2026-12-01", chicago) == "2026-12-01"
    assert day_text("2026-12-01", chicago) == "2026-12-01"
    assert local_time(None, shanghai) == "—" and day_text("", shanghai) == "—"
