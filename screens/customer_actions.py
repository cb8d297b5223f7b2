"""The keys every screen that shows customers shares, and what they do.

``CustomerActions`` is mixed into the queue, the territory and the customer screen: ``v`` visit,
``f`` feedback, ``n`` follow-up, ``c`` claim, ``e`` edit, each on the customer under the cursor,
with the claim dimmed (and its reason said) when the laptop already knows it would be refused.
``resolve_complaint`` closes a complaint after asking how it was resolved (``d`` on the queue
and on the customer screen). These are UI (key bindings, forms, toasts, messages), which is why
they live here and not in the core: the decisions themselves are ``sync.protocol.rules`` and the
store's commands.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from screens.messages import StoreChanged
from sync.protocol import rules
from ui.i18n import _, error_text, refusal_text


def claim_refusal_for(store: Any, customer: dict | None, now: Any) -> str | None:
    """Why this rep cannot claim ``customer`` (the local pre-check), or None."""
    if customer is None:
        return _("No customer selected")
    if customer.get("claim_pending"):
        return _("A claim for {name} is already waiting to sync", name=customer.get("name", ""))
    session = store.session or {}
    rep_id = session.get("rep_id") or (store.me or {}).get("id") or ""
    reason = rules.claim_refusal(customer, rep_id, in_territory=True, now=now,
                                 claims_today=0, held=0, policy=store.policy)
    # the laptop decides only these (the cool-off and the claim delay from the record's own
    # dates); the rest (the limits) is the server's at sync. Said from the refusal's code and
    # parameters, in the UI's language.
    if reason is None or reason.code not in (
            "claim.already_yours", "claim.owned_by", "claim.owned_by_until", "claim.cooloff",
            "claim.not_yet_claimable"):
        return None
    params = dict(reason.params)
    if "who" in params and not customer.get("owner_name"):
        params["who"] = _("another rep")
    return refusal_text(reason.code, params, reason.text)


def refused_text(error: Exception) -> str:
    """A refused command in the UI's language: its coded refusal, else its own message."""
    if getattr(error, "refusal", None) is not None or getattr(error, "code", None):
        return error_text(error)
    return _(str(getattr(error, "message", None) or error))


class CustomerActions:
    """Keys for the customer under the cursor: v visit, f feedback, n follow-up, c claim, e edit.

    A host screen provides ``current_customer_id()``; these actions then work the same on the
    queue, the territory and the customer screen.
    """

    CUSTOMER_BINDINGS = [
        Binding("v", "visit", "Visit", id="customer.visit",
                tooltip="Log a visit, call or meeting with this customer"),
        Binding("f", "feedback", "Feedback", id="customer.feedback",
                tooltip="Record satisfaction, a complaint or a suggestion"),
        Binding("n", "new_followup", "Follow-up", id="customer.followup",
                tooltip="Add a follow-up with a due date"),
        Binding("c", "claim", "Claim", id="customer.claim",
                tooltip="Claim this pool customer; the server decides at sync"),
        Binding("e", "edit", "Edit", id="customer.edit",
                tooltip="Edit the customer's fields"),
    ]

    def current_customer_id(self) -> str | None:
        raise NotImplementedError

    def current_customer(self) -> dict | None:
        cid = self.current_customer_id()
        return self.app.store.customer(cid) if cid else None

    def customer_unavailable_reason(self, action: str) -> str | None:
        if action not in ("visit", "feedback", "new_followup", "claim", "edit"):
            return None
        if self.current_customer_id() is None:
            return _("No customer selected")
        if action == "claim":
            return claim_refusal_for(self.app.store, self.current_customer(), self.app.now())
        return None

    # The forms save, post StoreChanged and toast themselves; no callback is needed here.

    # Each form is imported when first opened: the first frame does not pay for the forms.

    def action_visit(self) -> None:
        if cid := self.current_customer_id():
            from screens.visit_form import VisitForm

            self.app.push_screen(VisitForm(cid))

    def action_feedback(self) -> None:
        if cid := self.current_customer_id():
            from screens.feedback_form import FeedbackForm

            self.app.push_screen(FeedbackForm(cid))

    def action_new_followup(self) -> None:
        if cid := self.current_customer_id():
            from screens.followup_form import FollowUpForm

            self.app.push_screen(FollowUpForm(cid))

    def action_edit(self) -> None:
        if cid := self.current_customer_id():
            from screens.edit_customer import EditCustomerForm

            self.app.push_screen(EditCustomerForm(cid))

    def action_claim(self) -> None:
        from cache import StoreError

        customer = self.current_customer()
        if customer is None:
            return
        try:
            self.app.store.claim(customer["id"])
        except StoreError as error:
            self.app.notify(refused_text(error), severity="warning", title=_("Cannot claim"))
            return
        self.app.notify(_("Claim for {name} queued: the server decides at sync",
                          name=customer.get("name", "")))
        self.post_message(StoreChanged("claim", sync_soon=True))



def resolve_complaint(host: Any, feedback_id: str, customer_name: str, text: str) -> None:
    """Ask for a resolution, then close the complaint in the store."""
    from screens.resolve_complaint import ResolveComplaint

    def resolved(resolution: str | None) -> None:
        if not resolution:
            return
        host.app.store.resolve_complaint(feedback_id, resolution)
        host.app.notify(_("Complaint resolved: will sync"))
        host.post_message(StoreChanged("feedback", sync_soon=True))

    host.app.push_screen(ResolveComplaint(customer_name, text), callback=resolved)
