"""The policy and a rep's goals as an admin changes them: checked once, for `PUT /v1/policy` and
for `fieldrep-server policy set` / `goals set`.

A change is refused with a coded refusal (``Denied``): a key the model does not have
(``admin.unknown_key``), a value the model refuses (``field.invalid`` naming the key), an unknown
time zone or a cadence out of range. ``KEY=VALUE`` words (``cadence_days.A=14``) become the nested
values the models take.
"""

from __future__ import annotations

from typing import Any, get_args
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError

from server.org import Denied
from sync.protocol import validation
from sync.protocol.models import Goals, Policy, Tier
from sync.protocol.refusals import Refusal

MAX_CADENCE_DAYS = 3650
NESTED = {"cadence_days": tuple(t.value for t in Tier)}
"""The policy's keys that hold a dict, and the keys allowed inside (``cadence_days.A``)."""
LISTS = ("return_reasons",)
"""The policy's keys that hold a list, set as ``KEY=a,b,c``."""
LABELS = "value_labels"
LABEL_KINDS = get_args(get_args(Policy.model_fields[LABELS].annotation)[0])
"""``value_labels.KIND.VALUE=名称`` sets a value's Chinese name (empty: removes it)."""


class PolicyIn(Policy):
    """The body of ``PUT /v1/policy``: a Policy whose unknown keys are kept, to be refused."""

    model_config = ConfigDict(extra="allow")


def keys_of(model: type[BaseModel]) -> list[str]:
    """The keys an admin may set on ``model`` (``version`` is the server's)."""
    keys: list[str] = []
    for name in model.model_fields:
        if name in NESTED:
            keys.extend(f"{name}.{inner}" for inner in NESTED[name])
        elif name == LABELS:
            keys.extend(f"{name}.{kind}.VALUE" for kind in LABEL_KINDS)
        elif name != "version":
            keys.append(name)
    return keys


def _unknown(key: str, model: type[BaseModel]) -> Denied:
    return Denied(Refusal("admin.unknown_key", {"key": key[:60],
                                                "keys": ", ".join(keys_of(model))}))


def check_policy(policy: PolicyIn) -> Policy:
    """``policy`` as the server stores it, or Denied: an unknown key, time zone or tier, or a
    cadence out of range."""
    for key in policy.model_extra or {}:
        raise _unknown(key, Policy)
    try:
        ZoneInfo(policy.timezone)
    except (ValueError, KeyError, OSError):
        raise Denied(Refusal("policy.timezone", {"timezone": policy.timezone[:60]})) from None
    for tier, days in policy.cadence_days.items():
        if not 1 <= days <= MAX_CADENCE_DAYS:
            raise Denied(Refusal("policy.cadence_days", {
                "tier": tier.value, "max": MAX_CADENCE_DAYS, "days": days}))
    return Policy.model_validate(policy.model_dump(exclude=set(policy.model_extra or {})))


def check_handoffs(policy: Policy, teams: dict[str, dict]) -> None:
    """Denied unless every hand-off rule names two teams that exist (``teams``, by id), and
    two different ones: a rule naming a team that is not there would never fire, silently."""
    for n, rule in enumerate(policy.handoffs):
        for field in ("from_team", "to_team"):
            team = getattr(rule, field)
            if team not in teams:
                raise Denied(Refusal("policy.handoff_team", {"n": n, "field": field,
                                                             "team": team[:60]}))
        if rule.from_team == rule.to_team:
            raise Denied(Refusal("policy.handoff_same", {"n": n, "team": rule.to_team[:60]}))


def changed(model: type[BaseModel], current: dict[str, Any], words: list[str]) -> dict[str, Any]:
    """``current`` (a stored policy or goals) with ``KEY=VALUE`` words applied and validated by
    ``model``; Denied with one refusal for the first bad word or value."""
    values = {k: (dict(v) if isinstance(v, dict) else v) for k, v in current.items()
              if k in model.model_fields}
    for word in words:
        key, sep, value = word.partition("=")
        key = key.strip()
        if not sep or not key:
            raise Denied(Refusal("admin.not_key_value", {"text": word[:60]}))
        if model is Policy and key.startswith(LABELS + "."):
            _set_label(values, key, value.strip())
            continue
        if key not in keys_of(model):
            raise _unknown(key, model)
        outer, _, inner = key.partition(".")
        if inner:
            values[outer][inner] = value.strip()
        elif key in LISTS:  # return_reasons=not_interested,duplicate
            values[key] = [part.strip() for part in value.split(",") if part.strip()]
        else:
            values[key] = value.strip()
    try:
        checked = (check_policy(PolicyIn.model_validate(values)) if model is Policy
                   else Goals.model_validate(values))
    except ValidationError as error:
        raise Denied(validation.refusal_of(error)) from None
    return checked.model_dump(mode="json", exclude={"version"})


def _set_label(values: dict[str, Any], key: str, label: str) -> None:
    """Apply ``value_labels.KIND.VALUE=label`` to ``values`` (copying what it changes); an empty
    label removes the value's name. The model checks the lengths."""
    kind, _, value = key[len(LABELS) + 1:].partition(".")
    if kind not in LABEL_KINDS or not value.strip():
        raise _unknown(key, Policy)
    labels = {k: dict(v) for k, v in (values.get(LABELS) or {}).items()}
    names = labels.setdefault(kind, {})
    if label:
        names[value.strip()] = label
    else:
        names.pop(value.strip(), None)
    values[LABELS] = {k: v for k, v in labels.items() if v}


def flat(values: dict[str, Any]) -> dict[str, Any]:
    """``{"cadence_days": {"A": 14}}`` as ``{"cadence_days.A": 14}`` (and the value labels'
    ``value_labels.industry.Manufacturing``): the keys ``changed`` takes."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            out.update((f"{key}.{inner}", v) for inner, v in flat(value).items())
        else:
            out[key] = value
    return out
