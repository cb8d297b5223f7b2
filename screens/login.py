"""Log in from inside the TUI: the server (prefilled) and a token typed out of sight.

``LoginScreen(server, sign_in, first=False)`` is a modal, for logging in again after the server
turned the login down, or (``first``) for a laptop never logged in; ``sign_in(server, token)`` is the App's login (the one
``fieldrep login`` runs, ``sync.engine.login``), called in a worker thread so the screen never
waits on the network; it raises ``SyncError`` with the reason. The modal dismisses with True once
the server took the token, and shows the reason under the fields when it did not. Pending work is
never touched here: a login keeps it (and refuses to log in as another rep while it is pending).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from sync.client import AuthError, Offline, SyncError, token_would_cross_in_clear, url_host
from ui.i18n import _, error_text
from ui.widgets.key_footer import KeyFooter

SignIn = Callable[[str, str], None]


def login_error_text(error: Exception, server: str) -> str:
    """The line the modal shows for a failed login, from the catalogue."""
    if isinstance(error, AuthError):
        return _("The server did not accept this token: ask your admin for a new one")
    if isinstance(error, Offline):
        return _("Cannot reach {server}: check the address and the network", server=server)
    if isinstance(error, SyncError):
        return _("Login failed: {reason}", reason=error_text(error))
    return _("Login failed: {reason}", reason=repr(error))


class LoginScreen(ModalScreen[bool]):
    """The server address and a password-style token field; ``enter`` logs in, ``esc`` cancels."""

    HELP_TITLE = "Log in"

    BINDINGS = [
        Binding("ctrl+s", "submit", "Log in", id="login.submit",
                tooltip="Log in with this server and token"),
        Binding("escape", "cancel", "Cancel", id="login.cancel",
                tooltip="Close without logging in; nothing changes"),
    ]

    def __init__(self, server: str, sign_in: SignIn, *, first: bool = False) -> None:
        super().__init__()
        self.server = server
        self.sign_in = sign_in
        self.first = first
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            if self.first:
                yield Label(_("Log in to your team's server"), id="login-title")
                yield Static(_("Your admin gives you the server's address and your token."),
                             id="login-note")
            else:
                yield Label(_("signed out: log in again"), id="login-title")
                yield Static(_("Your pending work stays on this laptop and syncs once you are "
                               "in."), id="login-note")
            yield Label(_("Server"))
            yield Input(self.server, placeholder="https://…", id="login-server")
            yield Label(_("Token (from your admin)"))
            yield Input(password=True, placeholder=_("paste the token"), id="login-token")
            yield Static("", id="login-error")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#login-token" if self.server else "#login-server", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "login-server" and not self.query_one("#login-token", Input).value:
            self.query_one("#login-token", Input).focus()
            return
        self.action_submit()

    def action_submit(self) -> None:
        if self.busy:
            return
        server = self.query_one("#login-server", Input).value.strip()
        token = self.query_one("#login-token", Input).value.strip()
        if not server.startswith(("http://", "https://")) or not url_host(server):
            self._show_error(_("The server is an address like https://fieldrep.example.com"))
            self.query_one("#login-server", Input).focus()
            return
        if token_would_cross_in_clear(server):  # as `fieldrep login` refuses it (no --insecure here)
            self._show_error(_("Use https:// for {server}: over plain http your token would cross "
                               "the network readable", server=url_host(server)))
            self.query_one("#login-server", Input).focus()
            return
        if not token or any(ch.isspace() or not ch.isprintable() for ch in token):
            self._show_error(_("Paste the token your admin gave you (one word, no spaces)"))
            self.query_one("#login-token", Input).focus()
            return
        self.busy = True
        self._show_error(_("Logging in…"))
        self._log_in(server, token)

    @work(exclusive=True, group="login", thread=True, exit_on_error=False,
          description="log in")  # not the default: its arguments' repr, the token, in the log
    def _log_in(self, server: str, token: str) -> None:
        try:
            self.sign_in(server, token)
        except Exception as error:  # every failure is a line in the modal, never a crash
            self.app.call_from_thread(self._failed, login_error_text(error, server))
            return
        self.app.call_from_thread(self.dismiss, True)

    def _failed(self, text: str) -> None:
        self.busy = False
        self._show_error(text)
        token = self.query_one("#login-token", Input)
        token.value = ""
        token.focus()

    def _show_error(self, text: str) -> None:
        self.query_one("#login-error", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(False)
