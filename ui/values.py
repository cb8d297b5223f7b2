"""Data values (an industry, a customer type, a product line) as a person reads them.

The organisation stores each value once ("Manufacturing") and may give its Chinese name in the
policy (``Policy.value_labels``: ``{"industry": {"Manufacturing": "制造业"}}``, set with
``fieldrep-server policy set value_labels.industry.Manufacturing=制造业``). A Chinese screen
shows that name; an English one, or a value without a name, shows the value as stored.
"""

from __future__ import annotations

from sync.protocol.models import Policy
from ui.i18n import _, language

LABELLED = ("industry", "customer_type", "product_line")
"""The kinds of value an organisation may name in Chinese (the keys of ``value_labels``)."""


def value_label(kind: str, value: str | None, policy: Policy | None) -> str:
    """``value`` of ``kind`` in the current language: its Chinese name on a Chinese screen when
    the policy gives one, else the value itself ('' for none)."""
    text = str(value or "")
    if not text or policy is None or language() != "zh":
        return text
    for labelled, names in policy.value_labels.items():
        if labelled == kind:
            return names.get(text, text)
    return text


STAGE_WORDS = {"prospect": "prospect", "new": "new", "active": "active", "at_risk": "at risk",
               "lost": "lost"}
"""A lifecycle stage as a person reads it (the catalogue's key): never ``at_risk``."""


def stage_text(value: str | None) -> str:
    """The stage ``value`` in the current language ('' for none); an unknown one as stored."""
    text = str(value or "")
    return _(STAGE_WORDS[text]) if text in STAGE_WORDS else text
