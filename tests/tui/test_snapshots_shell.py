"""Snapshots of the shell's screens at 120×40 in English and Chinese (frozen clock, fixed data).

Update after an intended change with ``pytest tests/tui/test_snapshots_shell.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import SINOPEC, make_app

SIZE = (120, 40)
LANGS = ("en", "zh")


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("lang", LANGS)
def test_queue_snapshot(snap_compare, store, lang):
    assert snap_compare(make_app(store, lang=lang), terminal_size=SIZE, run_before=_settle)


@pytest.mark.parametrize("lang", LANGS)
def test_territory_snapshot(snap_compare, store, lang):
    async def run_before(pilot) -> None:
        await pilot.press("2")
        await _settle(pilot)

    assert snap_compare(make_app(store, lang=lang), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_territory_pinyin_filter_snapshot(snap_compare, store, lang):
    async def run_before(pilot) -> None:
        await pilot.press("2", "slash", *"zgsh", "down")
        await _settle(pilot)

    assert snap_compare(make_app(store, lang=lang), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_customer_snapshot(snap_compare, store, lang):
    async def run_before(pilot) -> None:
        from screens.messages import OpenCustomer

        pilot.app.post_message(OpenCustomer(SINOPEC))
        await _settle(pilot)

    assert snap_compare(make_app(store, lang=lang), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_help_snapshot(snap_compare, store, lang):
    async def run_before(pilot) -> None:
        await pilot.press("question_mark")
        await _settle(pilot)

    assert snap_compare(make_app(store, lang=lang), terminal_size=SIZE, run_before=run_before)
