"""``fieldrep login``, ``logout``, ``sync`` and ``status``: the laptop and its server.

Login checks the server's URL (plain http only to this machine, or with ``--insecure``) and reads
the token without echo or from stdin; sync and status name each refused operation with its
customer, in the UI's language; sync says which customers went back to the pool, as the TUI's
toast does (the engine's report carries that news, so it is told by the one that synced).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cache import Store
from screens.pool_news import pool_news_toast
from sync.client import is_loopback, url_host
from sync.push_limits import TOO_LARGE
from tui.cli.common import EXIT_ERROR, CliError, emit, label, need_session, say, sync_engine
from ui.i18n import OP_LABELS, _, _n, error_text, rejection_text
from ui.times import local_time


def _server_url(text: str, *, insecure: bool) -> str:
    """The server's URL, checked: http(s) with a host; plain http only to this machine unless
    ``--insecure`` (then with a warning): the token would cross the network readable."""
    if not text.startswith(("http://", "https://")):
        raise CliError(_("--server must be an http:// or https:// URL, not {url}",
                         url=repr(text)))
    host = url_host(text)
    if not host:
        raise CliError(_("--server {url} is not a URL with a host name", url=repr(text)))
    if text.startswith("http://") and not is_loopback(host):
        if not insecure:
            raise CliError(_(
                "refusing to send your token unencrypted to {host} over plain http://: use "
                "https://, or add --insecure if this network is truly private", host=host))
        say("fieldrep: " + _("warning: --insecure: your token and your customers' data cross "
                             "the network to {host} unencrypted", host=host), err=True)
    return text


TOKEN_FLAG_WARNING = (
    "warning: a token given as --token TOKEN can be read by other users of this machine (in "
    "the process list) and stays in your shell history; leave --token out to be asked for it, "
    "or use --token - to read it from stdin"
)


def _read_token(flag: str | None) -> str:
    """The token: asked for without echo when ``--token`` is absent and stdin is a terminal,
    one line of stdin when it is absent (no terminal) or ``-``, else the flag's value."""
    if flag is not None and flag != "-":
        token = flag
    elif flag is None and sys.stdin is not None and sys.stdin.isatty():
        import getpass

        try:
            token = getpass.getpass(_("Token (from your admin; it is not shown as you type): "))
        except EOFError:
            token = ""
    else:
        token = (sys.stdin.readline() if sys.stdin is not None else "") or ""
    token = token.strip()
    if not token:
        raise CliError(_("no token given: paste the token your admin gave you when asked, or "
                         "pipe it in with --token -"))
    if any(ch.isspace() or not ch.isprintable() for ch in token):
        raise CliError(_("that is not a token: a token is one word without spaces"))
    return token


def cmd_login(args: argparse.Namespace, store: Store) -> int:
    from sync.client import SyncError
    from sync.engine import login

    server = _server_url(args.server, insecure=args.insecure)
    token = _read_token(args.token)
    try:
        me = login(store, server, token)
    except SyncError as error:
        raise CliError(_("login failed: {error}", error=error_text(error))) from None
    if args.token not in (None, "-"):
        say("fieldrep: " + _(TOKEN_FLAG_WARNING), err=True)
    rep = me["rep"]
    emit(args, {"rep": rep, "server": server, "device_id": store.device_id},
         _("logged in as {name} ({role}) on {server}; run fieldrep sync", name=rep["name"],
           role=_(str(rep["role"])), server=server))
    return 0


def cmd_logout(args: argparse.Namespace, store: Store) -> int:
    pending = store.pending_count()
    store.clear_session()
    emit(args, {"logged_out": True, "pending": pending},
         _n("logged out; {n} pending operation is kept and syncs after the next login",
            "logged out; {n} pending operations are kept and sync after the next login",
            pending) if pending else _("logged out"))
    return 0


def sync_summary(report: Any, server: str = "URL") -> str:
    """One line on how a sync went, in the UI's language."""
    if getattr(report, "signed_out", False):  # the engine's English line, from the catalogue
        return _("signed out: log in again (fieldrep login --server {server})", server=server)
    if getattr(report, "too_large", None):  # the engine's English line, from the catalogue
        return _("sync failed: {error}", error=_(TOO_LARGE, max=report.too_large))
    if not report.ok:
        return _("sync failed: {error}", error=report.error)
    parts = [_("pushed {n}", n=report.pushed), _("pulled {n}", n=report.pulled)]
    if report.conflicts:
        parts.append(_n("{n} conflict to resolve", "{n} conflicts to resolve", report.conflicts))
    if report.rejected:
        parts.append(_("{n} refused (see fieldrep status)", n=report.rejected))
    return _("synced: {parts}", parts=_(", ").join(parts))


def cmd_sync(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    before = {r["id"] for r in store.rejections()}
    report = sync_engine(store).sync()
    refused = [rejection_view(store, r) for r in store.rejections() if r["id"] not in before]
    if args.json:
        emit(args, {**report.to_dict(), "pending": store.pending_count(),
                    "refusals": refused}, "")
    elif report.ok:
        news = pool_news_toast(report.pool_returns)  # the TUI's toast, in the same words
        say("\n".join([sync_summary(report), *(f"  {refused_line(r)}" for r in refused),
                       *(news.splitlines() if news else [])]))
    if not report.ok:
        say(f"fieldrep: {sync_summary(report, (store.session or {}).get('server') or 'URL')}",
            err=True)
        return EXIT_ERROR
    return 0


def _rejection_customer(store: Store, rejection: dict) -> tuple[str | None, str]:
    """(customer id, name) a rejection is about: the local customer record (of a customer's
    operation, or of the visit, feedback or follow-up it sent), else the name the laptop noted
    when the refusal came (a refused claim's customer is gone from the laptop after the next
    pull), else the refusal's own parameters."""
    params = rejection.get("params") if isinstance(rejection.get("params"), dict) else {}
    record_id = rejection.get("record_id")
    customer_id = rejection.get("customer_id")
    if not customer_id and str(rejection.get("kind") or "").startswith("customer."):
        customer_id = record_id
    if not customer_id:
        for record in (*store.visits(), *store.feedback(), *store.followups(include_closed=True)):
            if record.get("id") == record_id:
                customer_id = record.get("customer_id")
                break
    customer = store.customer(str(customer_id)) if customer_id else None
    name = ((customer or {}).get("name") or rejection.get("customer_name")
            or params.get("name") or "")
    return customer_id, str(name)


def rejection_view(store: Store, rejection: dict) -> dict:
    """A rejection as the CLI shows it: what, which customer, why (in the UI's language)."""
    customer_id, name = _rejection_customer(store, rejection)
    return {"id": rejection.get("id"), "kind": rejection.get("kind"),
            "record_id": rejection.get("record_id"), "customer_id": customer_id,
            "customer_name": name, "code": rejection.get("code"),
            "params": rejection.get("params") or {}, "reason": rejection.get("reason"),
            "text": rejection_text(rejection), "at": rejection.get("at")}


def refused_line(view: dict) -> str:
    kind = str(view.get("kind") or "")
    what = _(OP_LABELS.get(kind, kind)) if kind else _("change")
    about = f"{what} {view['customer_name']}" if view.get("customer_name") else what
    return (label(_("refused:")) + _("{what} — {why}", what=about, why=view["text"])
            + f"  ({view['id']})")


def cmd_status(args: argparse.Namespace, store: Store) -> int:
    engine = sync_engine(store)
    signed_in = None
    if store.session:
        if engine.check_online():
            signed_in = engine.check_signed_in()  # a revoked token: signed out, not "online"
    else:
        engine.online = False  # nowhere to be online to
    status = engine.status()
    if status.signed_out:
        signed_in = False
    rejections = [rejection_view(store, r) for r in store.rejections()]
    data = {**status.to_dict(), "signed_in": signed_in, "rejections": rejections}

    def text() -> str:
        server = status.server or _("not logged in")
        if status.signed_out:
            online = _("signed out: log in again (fieldrep login --server {server})",
                       server=status.server)
        else:
            online = _("yes") if status.online else _("no")
        last = local_time(status.last_sync, store.policy, empty=_("never"))
        lines = [
            label(_("server:")) + server,
            label(_("online:")) + online,
            label(_("last sync:")) + last,
            label(_("pending:")) + _n("{n} operation waiting to sync",
                                           "{n} operations waiting to sync", status.pending),
            label(_("conflicts:")) + str(status.conflicts),
        ]
        lines.extend(refused_line(view) for view in rejections)
        return "\n".join(lines)

    emit(args, data, text)
    return 0
