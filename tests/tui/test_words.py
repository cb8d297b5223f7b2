"""The words a person reads: a complaint's age (it has no due date), one way to write a due date
on every screen and in the command line in both languages, and counts said in the singular.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from tests.tui.conftest import SINOPEC, make_app
from ui.i18n import _n, set_language
from ui.widgets.queue_list import QueueList

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")


def _row(app, predicate):
    screen = app.screen
    row = next(i for i, e in enumerate(screen.entries) if predicate(e))
    return row, screen.query_one(QueueList).rows[row]


async def _detail(app, pilot, row: int) -> str:
    app.screen.query_one(QueueList).cursor = row
    await pilot.pause()
    return str(app.screen.query_one("#queue-detail").render())


@pytest.mark.parametrize(("lang", "age"), [("en", "open 5 days"), ("zh", "已开 5 天")])
async def test_a_complaint_says_how_long_it_is_open_not_how_late(store, lang, age):
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        row, shown = _row(app, lambda e: e["reason_code"] == "complaint")
        assert shown.due == age  # the complaint was made five days before the frozen now
        detail = await _detail(app, pilot, row)
        assert age in detail and "late" not in detail and "逾期" not in detail


@pytest.mark.parametrize(("lang", "day", "said"), [
    ("en", "Fri 11-20", "Send the quote — overdue since Fri 11-20"),
    ("zh", "周五 11-20", "Send the quote — 自 周五 11-20 起逾期"),
])
async def test_a_due_date_reads_the_same_in_the_queue_its_detail_and_the_customer(
        store, lang, day, said):
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        row, shown = _row(app, lambda e: e.get("followup_id") == "fu-0001")
        assert shown.due == day
        assert await _detail(app, pilot, row) == f"中国石化上海分公司 · {said}"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one("#timeline")
        texts = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert any(text.startswith("Send the quote · ") and day in text for text in texts), texts


async def test_the_sync_screen_writes_a_pending_follow_ups_due_date_the_same_way(store):
    from screens.sync import SyncScreen

    store.add_followup(SINOPEC, title="Bring samples", due=date(2027, 1, 8))
    op = [op for op in store.outbox() if op["kind"] == "followup.create"][-1]
    assert SyncScreen._op_details(store, op) == "Bring samples · due 2027-01-08"
    set_language("zh")
    assert SyncScreen._op_details(store, op) == "Bring samples · 2027-01-08 到期"


def test_fieldrep_queue_writes_due_dates_and_a_complaints_age_the_same_way(store,
                                                                          fieldrep_home):
    from datetime import UTC, datetime

    from sync.protocol import rules
    from tests.sync._harness import ROOT, client_env

    policy = store.policy
    store.close()
    done = subprocess.run([sys.executable, "-m", "tui.cli", "queue"], env=client_env(fieldrep_home),
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    quote = next(line for line in lines if "Send the quote" in line)
    assert quote.startswith("Fri 11-20") and "overdue since Fri 11-20" in quote
    # the command line counts with the machine's clock: the complaint was made on 18 Nov
    age = (rules.policy_day(policy, datetime.now(UTC)) - date(2026, 11, 18)).days
    complaint = next(line for line in lines if line.split("  ")[0].startswith("open "))
    assert complaint.startswith(f"open {age} days") and "Acme Robotics" in complaint
    assert f"complaint, open {age} days: Second robot" in complaint


def test_counts_are_said_in_the_singular_for_one_and_once_in_chinese():
    assert _n("{n} conflict", "{n} conflicts", 1) == "1 conflict"
    assert _n("{n} conflict", "{n} conflicts", 2) == "2 conflicts"
    assert _n("{n} customer", "{n} customers", 7218, n="7,218") == "7,218 customers"
    set_language("zh")
    assert _n("{n} conflict", "{n} conflicts", 1) == "1 个冲突"
    assert _n("{n} conflict", "{n} conflicts", 3) == "3 个冲突"


async def test_the_status_bar_says_1_conflict(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        app.status.conflicts = 1
        app.status_version += 1
        await pilot.pause()
        assert str(app.screen.query_one("#sb-attention").render()) == "1 conflict"


@pytest.mark.parametrize(("lang", "shown"), [("en", "at risk"), ("zh", "有风险")])
async def test_a_stage_is_said_in_words_on_every_screen_never_as_its_code(store, lang, shown):
    """Issue 12: ``at_risk`` is a code; the territory, the customer and the dashboard say it."""
    from tests.tui.test_layout import screen_text
    from ui.values import stage_text

    set_language(lang)
    assert stage_text("at_risk") == shown and stage_text(None) == ""
    app = make_app(store, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in ("2", "3"):
            await pilot.press(key)
            await pilot.pause()
            await pilot.pause()
            text = screen_text(app)
            assert "at_risk" not in text, (key, text)
            assert shown in text, (key, text)
    done = subprocess.run([sys.executable, "-c", (
        "from ui.i18n import set_language; from ui.values import stage_text; "
        f"set_language({lang!r}); print(stage_text('at_risk'))")],
        capture_output=True, text=True, check=True)
    assert done.stdout.strip() == shown
