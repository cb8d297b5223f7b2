"""Edit a customer's fields: the ones a rep may change (``CUSTOMER_EDITABLE_FIELDS``).

Only the fields that changed are sent; the server merges them per field, and a field someone
else changed meanwhile comes back as a conflict to settle on the sync screen. Ownership is not
edited here: it moves only by claim, assignment or transfer.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from screens.form_base import FieldProblem, FieldProblems, FormScreen, Problems, field_row
from sync.protocol import validation
from ui.i18n import _
from ui.values import stage_text
from ui.widgets.choice import Choice

TEXT_FIELDS = (("name", "Name"), ("industry", "Industry"), ("province", "Province"),
               ("city", "City"), ("address", "Address"))
CONTACT_FIELDS = (("contact_name", "name", "Contact"), ("contact_title", "title", "Title"),
                  ("contact_phone", "phone", "Phone"), ("contact_email", "email", "Email"))
STAGES = ("prospect", "new", "active", "at_risk", "lost")


def form_field(path: str) -> str:
    """The field of this form a rule's path is shown at: ``contacts.0.phone`` → ``contact_phone``
    (the form edits the first contact), ``product_lines.3`` → ``product_lines``."""
    parts = path.split(".")
    if parts[0] == "contacts" and len(parts) == 3 and parts[1] == "0":
        return f"contact_{parts[2]}"
    return parts[0]


def _coordinate(text: str, field: str, limit: float) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text.strip())
    except ValueError:
        raise FieldProblem(field, _("must be a number of degrees, like 31.23")) from None
    if not -limit <= value <= limit:
        raise FieldProblem(field, _("must be between -{n} and {n}", n=int(limit)))
    return value


class EditCustomerForm(FormScreen):
    """``EditCustomerForm(customer_id)``: dismisses with the updated customer, or None."""

    FORM_TITLE = "Edit customer"
    DRAFT_KIND = "customer"
    FOCUS_FIELD = "name"
    HELP_TITLE = "Edit customer"

    def compose_fields(self) -> ComposeResult:
        customer = self.customer or {}
        for name, label in TEXT_FIELDS:
            yield from field_row(name, _(label), Input(str(customer.get(name) or "")))
        yield from field_row("customer_type", _("Type"),
                             Choice([("B2B", "B2B"), ("B2C", "B2C")],
                                    customer.get("customer_type") or "B2B"))
        yield from field_row("tier", _("Tier"), Choice([(t, t) for t in "ABC"],
                                                       customer.get("tier") or "C"))
        yield from field_row("stage", _("Stage"), Choice([(s, stage_text(s)) for s in STAGES],
                                                         customer.get("stage") or "prospect"))
        yield from field_row("product_lines", _("Product lines"),
                             Input("; ".join(customer.get("product_lines") or [])),
                             hint=_("separate with ;"))
        first = (customer.get("contacts") or [{}])[0]
        for name, key, label in CONTACT_FIELDS:
            yield from field_row(name, _(label), Input(str(first.get(key) or "")))
        for name, label in (("lat", "Latitude"), ("lon", "Longitude")):
            value = customer.get(name)
            yield from field_row(name, _(label),
                                 Input("" if value is None else f"{value:g}",
                                       placeholder=_("optional")))

    def wanted(self, values: dict[str, Any], problems: Problems) -> dict[str, Any]:
        """The customer's editable fields as the form says they should be; each field's problem
        goes to ``problems``."""
        customer = self.customer or {}
        with problems.at("name"):
            if not values["name"].strip():
                raise FieldProblem("name", _("a customer needs a name"))
        wanted: dict[str, Any] = {name: values[name].strip() for name, _label in TEXT_FIELDS}
        for name in ("customer_type", "tier", "stage"):
            wanted[name] = values[name]
        wanted["product_lines"] = [p.strip() for p in values["product_lines"].replace("；", ";")
                                   .split(";") if p.strip()]
        contact = {key: values[name].strip() for name, key, _label in CONTACT_FIELDS}
        stored = (customer.get("contacts") or [{}])[0]
        for name, key, refusal_of in (("contact_phone", "phone", validation.phone_refusal),
                                      ("contact_email", "email", validation.email_refusal)):
            with problems.at(name):  # the store's rule, said at its field with the others
                refusal = refusal_of(name, contact[key])
                if refusal is not None and contact[key] != (stored.get(key) or ""):
                    raise validation.Invalid(refusal)
        others = list((customer.get("contacts") or [])[1:])
        if contact["name"]:
            wanted["contacts"] = [contact, *others]
        else:
            with problems.at("contact_name"):
                if any(contact.values()):
                    raise FieldProblem("contact_name", _("a contact needs a name"))
            wanted["contacts"] = others
        for name, limit in (("lat", 90), ("lon", 180)):
            with problems.at(name):
                wanted[name] = _coordinate(values[name], name, limit)
        return wanted

    def submit(self, values: dict[str, Any]) -> dict:
        from cache import ValidationFailed

        customer = self.customer
        if customer is None:
            raise FieldProblem("name", _("This customer is no longer in your territory"))
        problems = Problems()
        wanted = self.wanted(values, problems)
        problems.raise_any()
        changes = {}
        for name, value in wanted.items():
            current = customer.get(name)
            if name == "contacts":
                current = [{k: c.get(k) or "" for k in ("name", "title", "phone", "email")}
                           for c in current or []]
            if value != current and not (value in ("", None, []) and current in ("", None, [])):
                changes[name] = value
        if not changes:
            return {}
        try:
            return self.app.store.update_customer(self.customer_id, changes)
        except ValidationFailed as problem:  # the store's rule names a record path
            raise FieldProblems([(form_field(problem.field), problem)]) from None

    def saved_message(self, record: dict) -> str:
        return _("Customer updated — will sync")
