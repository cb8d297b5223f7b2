"""The wire and record models shared by the client (cache/, sync/) and the server.

Records travel as plain dicts (``model_dump(mode="json")``) and are stored that way on the laptop;
these models are the edges where they are validated. Every record id is a client-made UUIDv7 string.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 2
"""Bumped when the wire format changes. The server answers 426 below its MIN_CLIENT_SCHEMA and
speaks down to the versions above it (2: ownership events in pulls, held back from a 1)."""

MAX_PUSH_BATCH = 100
MAX_ID = 64
"""The longest record, operation or device id (a UUID is 36 characters)."""


class Tier(StrEnum):
    A = "A"
    B = "B"
    C = "C"


class Stage(StrEnum):
    prospect = "prospect"
    new = "new"
    active = "active"
    at_risk = "at_risk"
    lost = "lost"


class CustomerType(StrEnum):
    B2B = "B2B"
    B2C = "B2C"


class Role(StrEnum):
    rep = "rep"
    manager = "manager"
    admin = "admin"


class Grouping(StrEnum):
    region = "region"
    customer_type = "customer_type"
    industry = "industry"
    product_line = "product_line"
    stage = "stage"


class VisitKind(StrEnum):
    visit = "visit"
    call = "call"
    email = "email"
    meeting = "meeting"


class FeedbackKind(StrEnum):
    satisfaction = "satisfaction"
    complaint = "complaint"
    suggestion = "suggestion"


class FeedbackStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    resolved = "resolved"


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class FollowUpStatus(StrEnum):
    open = "open"
    done = "done"
    snoozed = "snoozed"
    dismissed = "dismissed"


class FollowUpSource(StrEnum):
    visit_next_step = "visit_next_step"
    cadence = "cadence"
    complaint = "complaint"
    protection_expiring = "protection_expiring"
    assigned = "assigned"
    manual = "manual"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


# --------------------------------------------------------------------------- organisation


class Goals(_Model):
    """A rep's goals for one week (visits) or one month (the rest)."""

    visits_per_week: int = Field(10, ge=0, le=200)
    a_coverage_pct: int = Field(90, ge=0, le=100, description="share of A customers seen within cadence")
    new_customers_per_month: int = Field(4, ge=0, le=1000)
    revenue_per_month: float = Field(100_000.0, ge=0, le=1e12, allow_inf_nan=False)
    satisfaction_target: float = Field(4.2, ge=1, le=5)


class Rep(_Model):
    id: str
    name: str = Field(min_length=1, max_length=80)
    role: Role = Role.rep
    team_id: str | None = None
    territory_ids: list[str] = Field(default_factory=list)
    goals: Goals = Field(default_factory=Goals)
    version: int = 1


class Team(_Model):
    id: str
    name: str = Field(min_length=1, max_length=80)
    grouping: Grouping = Grouping.region
    member_ids: list[str] = Field(default_factory=list)
    version: int = 1


class Territory(_Model):
    id: str
    name: str = Field(min_length=1, max_length=80)
    provinces: list[str] = Field(default_factory=list)
    cities: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    customer_types: list[str] = Field(default_factory=list)
    version: int = 1


class Policy(_Model):
    """The sales organisation's rules, decided by the server and cached on every laptop.

    The protection rule is the shared pool (公海) rule real CRMs run: a claim protects the
    customer for ``protection_days``; each owner visit adds ``visit_extension_days`` (never
    shortening); without a deal protection never runs past ``max_protection_days`` from the claim.
    """

    cadence_days: dict[Tier, int] = Field(
        default_factory=lambda: {Tier.A: 14, Tier.B: 30, Tier.C: 90}
    )
    protection_days: int = Field(10, ge=1, le=365)
    visit_extension_days: int = Field(3, ge=0, le=90)
    max_protection_days: int = Field(30, ge=1, le=730)
    warning_days: int = Field(3, ge=0, le=60)
    daily_claim_cap: int = Field(5, ge=1, le=1000)
    max_held: int = Field(200, ge=1, le=100_000)
    cooloff_days: int = Field(14, ge=0, le=365)
    working_days_only: bool = Field(
        True, description="count protection and cadence days on working days (Mon-Fri) only"
    )
    timezone: str = Field("Asia/Shanghai", description="the organisation's calendar day")
    max_devices: int = Field(20, ge=1, le=10_000, description="devices one rep may register")
    # F (issue 10): the reasons a rep picks from when returning a customer to the pool
    return_reasons: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]] = Field(
        default_factory=lambda: ["not_interested", "duplicate", "out_of_territory",
                                 "closed_business", "other"],
        min_length=1, max_length=30,
        description="reason codes a rep must give to return a customer (customer.return)")
    # D (issue 16): the Chinese names of stored data values, for the Chinese screen
    value_labels: dict[
        Literal["industry", "customer_type", "product_line"],
        Annotated[dict[Annotated[str, Field(min_length=1, max_length=80)],
                       Annotated[str, Field(min_length=1, max_length=80)]],
                  Field(max_length=500)],
    ] = Field(
        default_factory=dict,
        description="per kind (industry, customer_type, product_line), a stored value's Chinese "
                    "name, e.g. {\"industry\": {\"Manufacturing\": \"制造业\"}}; shown in zh",
    )
    version: int = 1


# --------------------------------------------------------------------------- records


class Contact(_Model):
    name: str = Field(min_length=1, max_length=80)
    title: str = Field("", max_length=80)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=120)


MAX_CONTACTS = 20
MAX_PRODUCT_LINES = 30
ProductLine = Annotated[str, Field(max_length=80)]
"""One product line of a customer: a short name (at most MAX_PRODUCT_LINES of them)."""


class Customer(_Model):
    id: str
    name: str = Field(min_length=1, max_length=200)
    search_keys: list[str] = Field(
        default_factory=list,
        description="pinyin full and initials of Chinese names, precomputed when written",
    )
    industry: str = Field("", max_length=80)
    customer_type: CustomerType = CustomerType.B2B
    province: str = Field("", max_length=40)
    city: str = Field("", max_length=40)
    address: str = Field("", max_length=300)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    tier: Tier = Tier.C
    stage: Stage = Stage.prospect
    product_lines: list[ProductLine] = Field(default_factory=list, max_length=MAX_PRODUCT_LINES)
    contacts: list[Contact] = Field(default_factory=list, max_length=MAX_CONTACTS)
    owner_id: str | None = None
    owner_name: str | None = None
    claimed_at: datetime | None = None
    protected_until: datetime | None = None
    deal_at: datetime | None = Field(None, description="first order; lifts the protection maximum")
    last_visit_at: datetime | None = None
    previous_owner_id: str | None = None
    cooloff_until: datetime | None = Field(None, description="previous owner may not reclaim before")
    version: int = 0
    updated_at: datetime | None = None


CUSTOMER_EDITABLE_FIELDS = frozenset(
    {
        "name",
        "industry",
        "customer_type",
        "province",
        "city",
        "address",
        "lat",
        "lon",
        "tier",
        "stage",
        "product_lines",
        "contacts",
    }
)
"""Fields a rep may change with ``customer.update``; ownership moves only by claim/assign/transfer."""


class Visit(_Model):
    id: str
    customer_id: str
    rep_id: str
    at: datetime
    kind: VisitKind = VisitKind.visit
    outcome: str = Field(min_length=1, max_length=200)
    notes: str = Field("", max_length=10_000)
    next_step: str = Field("", max_length=500)
    next_step_due: date | None = None
    amount: float | None = Field(None, ge=0, le=1e12)
    non_owner: bool = Field(False, description="set by the server: logged by someone not the owner")
    version: int = 0

    @field_validator("amount")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and v != v:  # NaN
            raise ValueError("amount must be a number")
        return v


class Feedback(_Model):
    id: str
    customer_id: str
    rep_id: str
    at: datetime
    kind: FeedbackKind
    score: int | None = Field(None, ge=1, le=5)
    severity: Severity | None = None
    text: str = Field(min_length=1, max_length=10_000)
    status: FeedbackStatus | None = None
    resolution: str = Field("", max_length=5_000)
    version: int = 0


class FollowUp(_Model):
    id: str
    customer_id: str
    rep_id: str
    due: date
    title: str = Field(min_length=1, max_length=200)
    status: FollowUpStatus = FollowUpStatus.open
    snoozed_until: date | None = None
    source: FollowUpSource = FollowUpSource.manual
    version: int = 0


ENTITY_MODELS: dict[str, type[_Model]] = {
    "customer": Customer,
    "visit": Visit,
    "feedback": Feedback,
    "followup": FollowUp,
    "rep": Rep,
    "team": Team,
    "territory": Territory,
    "policy": Policy,
}
Entity = Literal["customer", "visit", "feedback", "followup", "rep", "team", "territory", "policy",
                 "ownership"]


# --------------------------------------------------------------------------- push


HISTORY = ("visit", "feedback", "followup")
"""The kinds of record a rep writes about a customer, beside the customer itself."""


class MutationKind(StrEnum):
    visit_create = "visit.create"
    feedback_create = "feedback.create"
    feedback_update = "feedback.update"  # status / resolution of a complaint
    followup_create = "followup.create"
    followup_update = "followup.update"  # status (done/snoozed/dismissed), snoozed_until, due, title
    customer_create = "customer.create"  # a new prospect the rep found; claimed by its creator
    customer_update = "customer.update"  # per-field merge against base_version
    customer_claim = "customer.claim"  # decided by the server, first to arrive wins
    customer_return = "customer.return"  # F: the owner gives it back to the pool, with a reason


class Mutation(_Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    op_id: str = Field(min_length=1, max_length=MAX_ID)
    mid: int = Field(ge=1, description="the device's sequence number: 1, 2, 3, … never reused")
    kind: MutationKind
    record_id: str = Field(min_length=1, max_length=MAX_ID)
    fields: dict[str, Any] = Field(default_factory=dict)
    base_version: int | None = None
    client_time: datetime | None = Field(None, description="for display only; never trusted")


class PushRequest(_Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    device_id: str = Field(min_length=1, max_length=MAX_ID)
    schema_version: int
    mutations: list[Mutation] = Field(max_length=MAX_PUSH_BATCH)


class ResultStatus(StrEnum):
    applied = "applied"
    conflict = "conflict"
    rejected = "rejected"


class FieldConflict(_Model):
    field: str
    mine: Any = None
    theirs: Any = None
    base: Any = None


class MutationResult(_Model):
    op_id: str
    mid: int
    status: ResultStatus
    entity: Entity
    record_id: str
    version: int | None = None
    record: dict[str, Any] | None = Field(None, description="the server's record after this result")
    conflicts: list[FieldConflict] = Field(default_factory=list)
    reason: str | None = Field(None, description="why, in English words a rep understands")
    code: str | None = Field(None, description="the refusal's stable code (sync.protocol.refusals)")
    params: dict[str, Any] = Field(default_factory=dict, description="the refusal's parameters")


class PushResponse(_Model):
    results: list[MutationResult]
    last_mid: int


class MidGap(_Model):
    """Body of a 409 answer: the device skipped a sequence number."""

    detail: str
    expected_mid: int


# --------------------------------------------------------------------------- pull


class ChangeOp(StrEnum):
    upsert = "upsert"
    delete = "delete"  # a tombstone: deleted, or left this rep's scope


class Change(_Model):
    entity: Entity
    id: str
    op: ChangeOp = ChangeOp.upsert
    record: dict[str, Any] | None = None
    reason: str | None = None


class PullResponse(_Model):
    changes: list[Change]
    next_cursor: str
    has_more: bool


class BootstrapPage(_Model):
    """One page of a first sync, pinned to ``cursor``: after the last page, pulls go on from it."""

    changes: list[Change]
    cursor: str = Field(description="the pull cursor the snapshot is pinned to")
    next_token: str | None = Field(None, description="pass back as ?token= for the next page")
    has_more: bool


# --------------------------------------------------------------------------- other endpoints


class DeviceRegistration(_Model):
    name: str = Field("laptop", min_length=1, max_length=80)


class DeviceInfo(_Model):
    device_id: str
    rep_id: str
    last_mid: int = 0


class Me(_Model):
    rep: Rep
    team: Team | None = None
    territories: list[Territory] = Field(default_factory=list)
    policy: Policy
    server_time: datetime


class Health(_Model):
    ok: bool = True
    schema_version: int = SCHEMA_VERSION
    server_time: datetime


class ErrorBody(_Model):
    detail: str = Field(description="what went wrong, in English")
    code: str | None = Field(None, description="a stable code (sync.protocol.refusals), if any")
    params: dict[str, Any] = Field(default_factory=dict)


# --------------------------------------------------------------------------- F: ownership history


class OwnershipEvent(_Model):
    """One change of a customer's owner (a claim, a return, a reclaim, an assignment, a
    transfer, a hand-off, a new customer, an import), written by the server in the transaction
    that made it. ``reason`` is a code of ``sync.protocol.ownership.TEMPLATES`` with its
    ``params``, so the laptop says why in the rep's language."""

    id: str
    customer_id: str
    customer_name: str = ""
    n: int = Field(ge=1, description="the event's place in its customer's history: 1, 2, 3 …")
    kind: str = Field(max_length=16)
    at: datetime
    actor_id: str | None = None
    actor_name: str | None = None
    from_rep_id: str | None = None
    from_rep_name: str | None = None
    to_rep_id: str | None = None
    to_rep_name: str | None = None
    reason: str = Field(max_length=60)
    params: dict[str, Any] = Field(default_factory=dict)
    strategy: str | None = None
    version: int = 1


ENTITY_MODELS["ownership"] = OwnershipEvent
