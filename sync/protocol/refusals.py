"""Every refusal the rules can give, as a stable code with parameters.

A refusal travels as ``{"code": "claim.owned_by", "params": {"who": "Li Wei", ...}}`` beside an
English ``reason`` (the fallback for an old client). The laptop renders it from the UI's catalogue
in the rep's language: the English template below is the catalogue key (see ``ui/i18n.py``), so a
translation is one line in ``ui/locales/zh_*.py``. The server and the laptop use the same codes,
so a refusal the laptop predicts offline reads exactly like the one the server gives at sync.

Add a code here (never rename one: old laptops keep them in their journals), then its Chinese
translation; ``tests/protocol/test_refusals.py`` checks that every template has one.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

TEMPLATES: dict[str, str] = {
    # --- claims and the pool
    "claim.already_yours": "{name} is already yours",
    "claim.owned_by": "owned by {who}",
    "claim.owned_by_until": "owned by {who}, protected until {until}",
    "claim.cooloff": "{name} returned to the pool from you; you may claim it again from {until}",
    "claim.daily_cap": "daily claim limit of {cap} reached; try again tomorrow",
    "claim.max_held": "you already hold {held} customers, the limit is {cap}",
    # --- scope: whose record, which territory
    "scope.outside_territory": "{name} is outside your territories",
    "scope.not_yours": "this {entity} belongs to someone else",
    "scope.owned_by": "owned by {who}",
    "scope.pool_field": "{field} of a pool customer cannot be changed before claiming it",
    "scope.move_out": "this change would move {name} outside your territories",
    "record.unknown_customer": "unknown customer {id}",
    "record.unknown": "unknown {entity} {id}",
    "record.id_taken": "a {entity} with this id exists already",
    "record.customer_required": "customer_id: a customer id is required",
    # --- fields and values (the same rule on the laptop and the server)
    "field.invalid": "{field}: {problem}",
    "field.immutable": "{field} cannot be changed",
    "field.immutable_edit": "{field} cannot be changed by an edit",
    "field.required": "{field}: this field is required",
    "field.too_long": "{field}: at most {max} characters",
    "field.too_many": "{field}: at most {max} entries",
    "field.control_chars": "{field}: control characters are not allowed",
    "field.nul": "{field}: contains a NUL character",
    "field.surrogate": "{field}: contains a broken character (a lone UTF-16 surrogate)",
    "field.number_too_large": "a number in this change is too large",
    "field.date_window": "{field}: must be between {earliest} and {latest}",
    "feedback.score_required": "a satisfaction feedback needs a score from 1 to 5",
    # --- roles and the manager's rights
    "role.admin_only": "only an admin may do this",
    "role.manager_only": "only a manager or an admin may do this",
    "manager.own_team_assign": "a manager assigns only within their own team",
    "manager.own_team_transfer": "a manager transfers customers only within their own team",
    "manager.target_territory": "{rep}'s territories do not cover {name}",
    "manager.no_reps": "no reps to assign to",
    # --- sync protocol, devices and tokens
    "push.mid_reused": (
        "mutation {mid} of this device was already used for another change: "
        "this laptop's data was restored or copied; it registers again and resends"
    ),
    "push.mid_gap": "expected mutation {expected}, got {mid}",
    "device.not_yours": "this device is not registered to you: log in again",
    "device.limit": "you have {count} devices registered, the limit is {max}: ask your admin",
    "auth.missing": "missing bearer token: log in with fieldrep login",
    "auth.invalid": "not a valid token: log in again",
    "auth.revoked": "this token is unknown or was revoked: log in again",
    "auth.throttled": "too many failed sign-ins from this address; try again in {seconds} s",
    "request.too_large": "this request is larger than the server accepts ({max} bytes)",
    "schema.too_old": "this fieldrep is too old for the server: update fieldrep",
    "import.other_rep": (
        "this outbox was exported by another rep ({rep}); only they can import it"
    ),
    # --- A: server edge
    "request.bad_length": "Content-Length must be a number of bytes",
    "request.unstorable": (
        "a value in this request cannot be stored (a NUL character, or a number out of range)"
    ),
    "request.not_found": "there is nothing at this address",
    "server.busy": "the server is busy; try again shortly",
    "server.collision": "a concurrent write collided; send again",
    "schema.invalid": "X-Fieldrep-Schema must be a number, not {value}",
    "cursor.invalid": "not a cursor this server made: {cursor}",
    "cursor.expired": (
        "this cursor is older than the server keeps changes: start again from a fresh copy"
    ),
    "cursor.foreign": (
        "this cursor is from another server or a restored database: start again from a fresh copy"
    ),
    "bootstrap.invalid_token": "not a bootstrap token this server made",
    "bootstrap.expired": "this copy was started too long ago: start it again",
    "policy.timezone": "timezone: unknown time zone {timezone}",
    "policy.cadence_days": "cadence_days.{tier}: must be 1 to {max} days, not {days}",
    "policy.handoff_team": "handoffs.{n}.{field}: no team {team}",
    "policy.handoff_same": "handoffs.{n}: a hand-off moves a customer to another team, not to {team}",
    "org.unknown_rep": "no rep called '{name}'",
    "org.ambiguous_rep": "several reps are called '{name}'; use the id",
    "org.unknown_team": "no team called '{name}'",
    "org.unknown_territory": "no territory called '{name}'",
    "assign.unknown_strategy": "unknown strategy {strategy}: use {choices}",
    "request.refused": "the server refused this: {reason}",
    # --- B: rules
    "scope.customer_outside": "this customer is outside your territories",
    # --- C: laptop store
    "import.unknown_rep": (
        "this file does not say whose work it is; import it on the laptop it came from"
    ),
    # --- one home for each rule (issue 14)
    "date.past": "{date} is in the past",
    # --- C: server rules
    "org.team_exists": "a team called '{name}' exists already",
    "org.territory_exists": "a territory called '{name}' exists already",
    "org.rep_exists": "a rep called '{name}' exists already",
    "org.unknown_role": "unknown role '{role}': use {choices}",
    "org.team_required": "a rep or manager needs --team",
    "seed.not_empty": "this database already has an organisation; seed an empty one",
    "import.not_text": "not UTF-8 or GB18030 text (save it as CSV UTF-8)",
    "import.no_name_column": "the header row has no 'name' column (columns: {columns})",
    "import.unknown_columns": "not a column fieldrep knows: {unknown} (known: {columns})",
    "import.name_empty": "name is empty",
    "import.id_too_long": "id: longer than {max} characters ({start}…)",
    "import.not_a_number": "{field}: '{value}' is not a number",
    "import.contact_without_name": "contact details without a contact_name",
    "import.unknown_owner": "owner '{owner}' is not a rep",
    "import.repeated_id": "id {id} repeats line {line}",
    "import.bad_row": "line {line}: {problem}",
    # --- D: one rule each side (issue 16)
    "date.unreadable": (
        "{field}: cannot read {text} as a date; use 2026-12-01, today, tomorrow, fri, +3d or +2w"
    ),
    "date.not_after_today": "{field}: {date} is not after today; pick tomorrow or later",
    "contact.email_invalid": "{field}: {value} is not an email address (like name@example.com)",
    "contact.phone_invalid": (
        "{field}: a phone number holds only digits, spaces, +, - and parentheses"
    ),
    "contact.mobile_digits": "{field}: a Chinese mobile number has 11 digits, not {digits}",
    # --- E: admin and import (issue 16)
    "import.match_column": "--match-on {column}: not a column of this file (columns: {columns})",
    "import.repeated_key": "{columns} {values} repeats line {line}",
    "import.ambiguous_match": (
        "{columns} {values} matches {count} customers: add an id column "
        "(fieldrep-server export customers) or --match-on another column"
    ),
    "admin.unknown_key": "unknown setting '{key}': use {keys}",
    "admin.not_key_value": "'{text}' is not KEY=VALUE",
    # --- D: one rule each side (issue 16), continued
    "claim.pending": "a claim for {name} is already waiting to sync",
    # --- F: returning a customer to the pool (issue 10)
    "return.reason_required": "a return needs a reason: use {choices}",
    "return.unknown_reason": "unknown return reason {reason}: use {choices}",
    "return.not_owner": "{name} is not yours to return",
    "return.pending": "a return of {name} is already waiting to sync",
    "return.not_yours": "this customer is not yours to return",
    # --- E: request limits (issue 11)
    "push.too_many": "a push carries at most {max} changes, this one {count}: send the rest next",
    # --- J: the pool's claim delay (issue 10)
    "claim.not_yet_claimable": "{name} has just gone back to the pool; it may be claimed from {at}",
    # --- I: a manager's assign and transfer through the outbox (issue 10)
    "manager.not_pool": "{name} is no longer in the pool",
    "manager.not_pool_owned": "{name} is no longer in the pool: {who} has it now",
    "manager.max_held": "{rep} already holds {held} customers, the limit is {cap}",
    "manager.already_owner": "{name} is already {rep}'s",
    "manager.not_team_rep": "{rep} is not a rep of your team",
    "manager.pending": "a move of {name} is already waiting to sync",
    "manager.same_rep": "{rep} cannot take their own customers: name other reps with --to",
    "manager.unknown_split": "unknown split {split}: use {choices}",
    "manager.unknown_rep": "no rep {name} on this laptop: use a name or id from the team",
    "field.unexpected": "{field} is not a field of this change",
    # --- K: complaints to resolution (issue 10)
    "complaint.not_a_complaint": "only a complaint takes responses and a resolution",
    "complaint.already_resolved": "this complaint is already resolved ({when})",
    "complaint.text_required": "{field}: say what was done (the text is empty)",
    "complaint.too_many_responses": "a complaint holds at most {max} responses",
    "complaint.server_field": "{field} is set by the server",
    "complaint.unknown": "no complaint {id} on this laptop",
    "complaint.ambiguous": "{id} matches {count} complaints: give more of the id",
    # --- N: the complaints board, a book in one operation (issue 10)
    "complaint.assign_team": "a manager gives complaints only of their own team to its reps",
    "complaint.assign_resolved": "a resolved complaint is not given to anyone",
    "book.empty": "a book transfer names no customer",
    "book.too_many": "a book transfer moves at most {max} customers, this one {count}",
    "book.bad_move": "move {n} of the book is not a customer id and a rep number",
    "book.moved_meanwhile": "{name} is no longer {rep}'s: it was not moved",
    # --- O: goals per period, set by a manager (issue 10)
    "goals.own_team": "a manager sets goals only for the reps of their own team",
    "goals.empty": "give at least one goal to set",
    "goals.effective_range": "goals are set for a period from {first} to {last}, not {day}",
    "goals.period": "{text} is not a period: use a month (2027-01), a quarter (2027-Q1), a week (2026-W50) or a date",
    # --- Q: the pool's assignment by a strategy from the laptop (issue 10)
    "assign.nothing": "none of these customers can go to a rep of the team: see why each stays",
}


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, params: dict[str, Any]) -> str:
    """``template`` with ``{placeholders}`` filled; a missing one stays as written."""
    return string.Formatter().vformat(template, (), _Keep(params))


@dataclass(frozen=True)
class Refusal:
    """Why the rules said no: a stable ``code`` and its ``params``; ``text`` is the English."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in TEMPLATES:
            raise KeyError(f"unknown refusal code {self.code!r}: add it to TEMPLATES")

    @property
    def template(self) -> str:
        return TEMPLATES[self.code]

    @property
    def text(self) -> str:
        return render(self.template, self.params)

    def __str__(self) -> str:
        return self.text

    def wire(self) -> dict[str, Any]:
        """The ``code`` and ``params`` (plain JSON values) as they travel."""
        return {"code": self.code, "params": {k: _plain(v) for k, v in self.params.items()}}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def template_for(code: str | None) -> str | None:
    """The English template of a code this build knows, else None (an old laptop, a new code)."""
    return TEMPLATES.get(code or "")
