"""Snapshots of the queue, the territory and the sync screen at 80×24 and 160×48 in English and
Chinese (the 120×40 ones are in test_snapshots_shell.py and test_snapshots_screens.py): columns
that flex, a footer that fits, the sync panes stacked at 80 and side by side at 160.

Frozen clock, fixed data. Update after an intended change with
``pytest tests/tui/test_snapshots_sizes.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import make_app
from tests.tui.test_sync_screen import add_sync_history

SIZES = {"80x24": (80, 24), "160x48": (160, 48)}
LANGS = ("en", "zh")


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


def _on(key: str | None):
    async def run_before(pilot) -> None:
        await _settle(pilot)
        if key:
            await pilot.press(key)
            await _settle(pilot)

    return run_before


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES)
def test_queue_snapshot(snap_compare, store, size, lang):
    assert snap_compare(make_app(store, lang=lang), terminal_size=SIZES[size],
                        run_before=_on(None))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES)
def test_territory_snapshot(snap_compare, store, size, lang):
    assert snap_compare(make_app(store, lang=lang), terminal_size=SIZES[size],
                        run_before=_on("2"))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES)
def test_sync_snapshot(snap_compare, store, size, lang):
    add_sync_history(store)
    assert snap_compare(make_app(store, lang=lang), terminal_size=SIZES[size],
                        run_before=_on("4"))
