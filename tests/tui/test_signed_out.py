"""Signed out: a revoked token says "signed out: log in again" once, and L logs in again.

A real ``SyncEngine`` runs against the in-memory fake server (tests/support/fakeserver.py), which
does not know the fixture store's token: every sync is turned down with 401, the way a revoked
token is. The status bar, the sync screen and the toast must each say it once, in English and in
Chinese, and never "offline" or "will sync later". ``L`` opens the login modal with the server
filled in and the token typed out of sight; a token the server takes logs in (the CLI's login),
keeps the pending work and sends it.
"""

from __future__ import annotations

from textual.widgets import Input, Static

from sync.engine import SyncEngine
from tests.support.fakeserver import FakeServer
from tests.tui.conftest import ME, Posted, make_app
from ui.widgets.status_bar import StatusBar

SIZE = (120, 40)
SERVER = "http://127.0.0.1:9"  # the fixture store's session


def _bar(app) -> str:
    return str(app.screen.query_one(StatusBar).query_one("#sb-online").render())


async def _until(pilot, check, tries: int = 100) -> None:
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError("never happened")


def _signed_out_app(store, lang: str = "en"):
    server = FakeServer()  # knows "good-token" only: the store's "test-token" is turned down
    engine = SyncEngine(store, client_factory=server.client_factory())
    return server, make_app(store, lang=lang, engine=engine)


async def test_a_revoked_token_says_signed_out_once_on_the_bar_the_sync_screen_and_the_toast(
    store,
):
    _server, app = _signed_out_app(store)
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _until(pilot, lambda: app.status.signed_out)
        await pilot.pause()
        assert _bar(app) == "● signed out: log in again"
        toasts = [t for t in posted.toasts if "signed out" in t]
        assert len(toasts) == 1, posted.toasts
        assert toasts[0].count("log in again") == 1
        assert "will sync later" not in toasts[0] and "revoked" not in toasts[0]
        assert not any("Offline" in t for t in posted.toasts)
        await pilot.press("4")
        await pilot.pause(0.3)
        state = str(app.screen.query_one("#sync-state", Static).render())
        assert "● signed out: log in again" in state
        assert state.count("log in again") == 1 and "online" not in state, state
        assert _bar(app).count("log in again") == 1
        app._tick()  # the periodic timer: no sync is tried while signed out, no second toast
        await pilot.pause()
        assert len([t for t in posted.toasts if "signed out" in t]) == 1
        assert store.pending_count() >= 1  # the work stays


async def test_signed_out_is_said_in_chinese_on_the_bar_the_sync_screen_and_the_toast(store):
    _server, app = _signed_out_app(store, lang="zh")
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _until(pilot, lambda: app.status.signed_out)
        await pilot.pause()
        assert _bar(app) == "● 已退出登录：请重新登录"
        assert [t for t in posted.toasts if "已退出登录" in t]
        assert not any("signed out" in t for t in posted.toasts)
        await pilot.press("4")
        await pilot.pause(0.3)
        state = str(app.screen.query_one("#sync-state", Static).render())
        assert "已退出登录：请重新登录" in state and "在线" not in state


async def test_l_opens_a_login_modal_with_the_server_filled_in_and_a_hidden_token_field(store):
    _server, app = _signed_out_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.status.signed_out)
        await pilot.press("L")
        await pilot.pause()
        assert type(app.screen).__name__ == "LoginScreen"
        assert app.screen.query_one("#login-server", Input).value == SERVER
        token = app.screen.query_one("#login-token", Input)
        assert token.password is True and token.has_focus
        await pilot.press(*"not-a-token-it-knows", "enter")
        await _until(pilot, lambda: "did not accept" in str(
            app.screen.query_one("#login-error", Static).render()))
        assert type(app.screen).__name__ == "LoginScreen"  # still open, nothing lost
        assert token.value == ""
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "QueueScreen"
        assert app.status.signed_out


async def test_logging_in_again_from_the_modal_keeps_the_pending_work_and_sends_it(store):
    server, app = _signed_out_app(store)
    server.tokens["new-token"] = dict(ME)
    pending = store.pending_count()
    assert pending >= 1
    posted = Posted()
    async with app.run_test(size=SIZE, message_hook=posted) as pilot:
        await _until(pilot, lambda: app.status.signed_out)
        await pilot.press("L")
        await pilot.pause()
        await pilot.press(*"new-token", "enter")
        await _until(pilot, lambda: type(app.screen).__name__ == "QueueScreen")
        assert not app.status.signed_out and not app.engine.signed_out
        assert store.token == "new-token"
        await _until(pilot, lambda: server.pushed_mids and not app.status.syncing)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sum(len(mids) for mids in server.pushed_mids) == pending  # all of it went out
        assert "signed out" not in _bar(app)
        assert any("Logged in" in t for t in posted.toasts)


async def test_s_while_signed_out_offers_the_login_instead_of_a_sync_that_cannot_work(store):
    server, app = _signed_out_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.status.signed_out)
        requests = len(server.requests)
        await pilot.press("S")
        await pilot.pause()
        assert type(app.screen).__name__ == "LoginScreen"
        assert len(server.requests) == requests


async def test_the_login_modal_refuses_plain_http_to_another_machine_as_the_cli_does(store):
    server, app = _signed_out_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.status.signed_out)
        await pilot.press("L")
        await pilot.pause()
        address = app.screen.query_one("#login-server", Input)
        address.value = "http://fieldrep.example.com"
        requests = len(server.requests)
        app.screen.query_one("#login-token", Input).value = "new-token"
        app.screen.action_submit()
        await pilot.pause()
        error = str(app.screen.query_one("#login-error", Static).render())
        assert "https://" in error and "fieldrep.example.com" in error
        assert len(server.requests) == requests, "the token was not sent anywhere"
        assert type(app.screen).__name__ == "LoginScreen"


# ---------------------------------------------------------------- a laptop never logged in

async def test_a_laptop_never_logged_in_offers_l_and_logs_in_from_the_modal(fieldrep_home):
    from cache import Store

    server = FakeServer(customers=3)  # takes "good-token"
    with Store.open(fieldrep_home) as fresh:
        app = make_app(fresh, engine_factory=lambda store: SyncEngine(
            store, client_factory=server.client_factory()))
        posted = Posted()
        async with app.run_test(size=SIZE, message_hook=posted) as pilot:
            await pilot.pause()
            assert app.check_action("login", ()) is True  # offered, not only while signed out
            await pilot.press("S")
            await pilot.pause()
            assert any("press L to log in" in t for t in posted.toasts), posted.toasts
            await pilot.press("L")
            await pilot.pause()
            modal = app.screen
            assert type(modal).__name__ == "LoginScreen"
            assert "Log in to your team's server" in str(modal.query_one("#login-title").render())
            assert app.focused is modal.query_one("#login-server", Input)
            await pilot.press(*"http://127.0.0.1:9", "enter")
            await pilot.press(*"good-token", "enter")
            await _until(pilot, lambda: type(app.screen).__name__ == "QueueScreen")
            assert app.engine is not None and fresh.token == "good-token"
            await _until(pilot, lambda: fresh.customer_count() == 3 and not app.status.syncing)
            assert app.check_action("login", ()) is False  # logged in: L is gone again
            assert "not logged in" not in _bar(app)


async def test_a_logged_in_laptop_does_not_offer_l(store):
    server = FakeServer(tokens={"test-token": ME})
    app = make_app(store, engine=SyncEngine(store, client_factory=server.client_factory()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.check_action("login", ()) is False
