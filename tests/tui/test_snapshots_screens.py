"""Snapshots of the forms, the sync screen and the dashboard at 120×40 in English and Chinese.

Frozen clock, fixed data, no random ids or real times on screen. Update after an intended change
with ``pytest tests/tui/test_snapshots_screens.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import SINOPEC, make_app
from tests.tui.test_sync_screen import add_sync_history

SIZE = (120, 40)
LANGS = ("en", "zh")


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


def _on_customer(*keys: str):
    async def run_before(pilot) -> None:
        from screens.messages import OpenCustomer

        pilot.app.post_message(OpenCustomer(SINOPEC))
        await _settle(pilot)
        await pilot.press(*keys)
        await _settle(pilot)

    return run_before


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name,keys", [
    ("visit", ("v",)),
    ("visit_error", ("v", *"Quote", "tab", *"Call back", "tab", *"someday", "ctrl+s")),
    ("feedback", ("f", "c")),
    ("followup", ("n",)),
    ("edit", ("e",)),
    ("confirm", ("v", *"half", "escape")),
])
def test_form_snapshot(snap_compare, store, lang, name, keys):
    assert snap_compare(make_app(store, lang=lang), terminal_size=SIZE,
                        run_before=_on_customer(*keys))


@pytest.mark.parametrize("lang", LANGS)
def test_snooze_snapshot(snap_compare, store, lang):
    async def run_before(pilot) -> None:
        await _settle(pilot)
        await pilot.press("s")
        await _settle(pilot)

    assert snap_compare(make_app(store, lang=lang), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_sync_snapshot(snap_compare, store, lang):
    add_sync_history(store)

    async def run_before(pilot) -> None:
        await pilot.press("4")
        await _settle(pilot)

    assert snap_compare(make_app(store, lang=lang), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_dashboard_snapshot(snap_compare, store, lang):
    async def run_before(pilot) -> None:
        await pilot.press("3")
        await _settle(pilot)

    assert snap_compare(make_app(store, lang=lang), terminal_size=SIZE, run_before=run_before)
