"""The demo's keys in the App: switching laptops from any screen, and cutting the network.

``M`` swaps the rep's laptop for the manager's; from a customer opened in two modes (queue →
enter, territory → enter) it used to crash the App (NoMatches '#customer-title'), which made the
demo delete its folder with the work saved offline. ``N`` cuts the network: the status bar must
say offline at once, from a health check, not at the next sync seconds later.
"""

from __future__ import annotations

from tests.tui.conftest import fill_store, make_app
from tests.tui.test_shell import FakeDemo, ScriptedEngine
from ui.widgets.status_bar import StatusBar

SIZE = (120, 40)


def _bar(app) -> str:
    return str(app.screen.query_one(StatusBar).query_one("#sb-online").render())


async def test_switching_laptops_from_customers_open_in_two_modes_does_not_crash(store, tmp_path):
    from cache import Store

    with Store.open(tmp_path / "manager") as manager_store:
        fill_store(manager_store)
        app = make_app(store, demo=FakeDemo(manager_store))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter")  # a customer from the queue
            await pilot.pause()
            await pilot.press("2", "enter")  # another one from the territory
            await pilot.pause()
            assert type(app.screen).__name__ == "CustomerScreen"
            await pilot.press("M")
            await pilot.pause()
            await pilot.pause()
            assert app.store is manager_store
            assert app.current_mode == "queue" and len(app.screen_stack) == 1
            assert type(app.screen).__name__ == "QueueScreen"
            await pilot.press("2", "enter")  # and the manager's laptop works as before
            await pilot.pause()
            assert type(app.screen).__name__ == "CustomerScreen"


class CutEngine(ScriptedEngine):
    """Online until the demo's link is cut: its health check asks the link."""

    def __init__(self, demo: FakeDemo) -> None:
        super().__init__({"ok": True, "error": None, "pushed": 0, "applied": 0, "conflicts": 0,
                          "rejected": 0, "pulled": 0})
        self.demo = demo
        self.checks = 0

    def check_online(self) -> bool:
        self.checks += 1
        return self.demo.connected


async def test_cutting_the_network_shows_offline_at_once_from_a_health_check(store):
    demo = FakeDemo(None)
    engine = CutEngine(demo)
    app = make_app(store, engine=engine, demo=demo)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if engine.calls and not app.status.syncing:
                break
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "online" in _bar(app)
        syncs = engine.calls
        await pilot.press("N")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert engine.checks == 1 and engine.calls == syncs  # a health check, not a sync
        assert app.status.online is False
        assert _bar(app) == "● offline"
        await pilot.press("N")  # restored: online again after the sync it starts
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.status.online is True and "online" in _bar(app)
