"""``t`` on a customer (issue 10, a manager or an admin): give it to another rep of the team.

A picker of the team's reps (the current owner marked ✓); the pick is queued as
``customer.transfer`` through the store (``cache/manager.py``: the team, the new owner's
territory, max_held and a move already waiting are checked now, in the server's words), and the
server judges it again at sync. The new owner's protection restarts there; the history says who
moved it and when.
"""

from __future__ import annotations

from typing import Any

from screens.customer_actions import refused_text
from screens.messages import StoreChanged
from screens.picker import ChoicePicker
from ui.i18n import _


def transfer_unavailable_reason(app: Any, customer: dict | None) -> str | None:
    """Why ``t`` does nothing here now (None: it works)."""
    if not app.managing():
        return _("Only a manager or an admin moves a customer to another rep")
    if customer is None:
        return _("No customer here")
    if customer.get("claim_pending") or customer.get("return_pending"):
        return _("A change of its owner is already waiting to sync")
    return None


def transfer_customer(screen: Any, customer: dict, done: Any = None) -> None:
    """Ask whom ``customer`` goes to, then queue the move (or say why not)."""
    from cache import StoreError
    from cache.team import team_reps

    app = screen.app
    store = app.store
    reps = team_reps(store)
    owner = customer.get("owner_id")
    if not [r for r in reps if r["id"] != owner]:
        app.notify(_("No other rep in the team to give it to"), severity="warning")
        return
    choices = [(r["id"], (r.get("name") or r["id"]) + ("  ✓" if r["id"] == owner else ""))
               for r in reps]

    def picked(rep_id: str | None) -> None:
        if not rep_id:
            return
        name = next((r.get("name") for r in reps if r["id"] == rep_id), rep_id)
        try:
            store.transfer([(customer["id"], rep_id)])
        except StoreError as error:
            app.notify(refused_text(error), severity="warning", title=_("Cannot transfer"))
            return
        app.notify(_("{name} goes to {rep}: the server decides at sync; their protection "
                     "starts again there", name=customer.get("name") or "", rep=name))
        screen.post_message(StoreChanged("customer", sync_soon=True))
        if done is not None:
            done()

    app.push_screen(ChoicePicker(
        _("Who takes {name}?", name=customer.get("name") or ""), choices,
        _("a number or enter gives it · esc leaves it")), callback=picked)
