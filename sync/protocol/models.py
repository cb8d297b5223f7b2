"""The wire and record models shared by the client (cache/, sync/) and the server.

Records travel as plain dicts (``model_dump(mode="json")``) and are stored that way on the laptop;
these models are the edges where they are validated. Every record id is a client-made UUIDv7 string.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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
    revisit = "revisit"  # K (issue 10): the satisfaction re-visit (回访) after a resolved complaint


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


class GoalsChange(_Model):
    """O (issue 10): one entry of a rep's goals history: the goals in effect from ``effective``
    (the first day of the period they were set for) until the next entry's, who set them, when."""

    effective: date
    goals: Goals
    by: str | None = None
    by_name: str | None = None
    at: datetime | None = None


class Rep(_Model):
    id: str
    name: str = Field(min_length=1, max_length=80)
    role: Role = Role.rep
    team_id: str | None = None
    territory_ids: list[str] = Field(default_factory=list)
    goals: Goals = Field(default_factory=Goals)
    goals_history: list[GoalsChange] = Field(default_factory=list)  # O: oldest first
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


# K (issue 10): a complaint's SLA, in clock hours from the complaint
class ComplaintSla(_Model):
    """Hours from a complaint to its first response and to its resolution (one severity)."""

    respond: int = Field(ge=1, le=8760)
    resolve: int = Field(ge=1, le=8760)

    @model_validator(mode="after")
    def _respond_first(self) -> ComplaintSla:
        if self.respond > self.resolve:
            raise ValueError("respond must be no more hours than resolve")
        return self


DEFAULT_COMPLAINT_SLA: dict[Severity, ComplaintSla] = {
    Severity.low: ComplaintSla(respond=72, resolve=240),
    Severity.medium: ComplaintSla(respond=24, resolve=120),
    Severity.high: ComplaintSla(respond=4, resolve=48),
}


class HandoffRule(_Model):
    """N (issue 10): a customer of ``from_team`` reaching ``stage`` moves to ``to_team``."""

    from_team: str = Field(min_length=1, max_length=MAX_ID)
    stage: Stage
    to_team: str = Field(min_length=1, max_length=MAX_ID)
    strategy: Literal["round-robin", "region", "customer-type", "industry"] = "round-robin"


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
    # K (issue 10): complaints to resolution: the SLA per severity and the re-visit after one
    complaint_sla_hours: dict[Severity, ComplaintSla] = Field(
        default_factory=lambda: dict(DEFAULT_COMPLAINT_SLA),
        description="per severity (low, medium, high), the hours from a complaint to its first "
                    "response (respond) and to its resolution (resolve), in clock hours; a "
                    "severity left out keeps its default",
    )
    revisit_days: int = Field(7, ge=0, le=365, description=(
        "days after a complaint is resolved that its customer's owner gets a satisfaction "
        "re-visit (回访) follow-up"))

    @field_validator("complaint_sla_hours", mode="after")
    @classmethod
    def _every_severity(cls, value: dict[Severity, ComplaintSla]) -> dict[Severity, ComplaintSla]:
        """K: a severity left out keeps its default, so every complaint has an SLA."""
        return {**DEFAULT_COMPLAINT_SLA, **value}

    # J (issue 10): the pool's delay before a pooled customer is claimable, and recycle conditions
    pool_claim_delay_hours: int = Field(
        0, ge=0, le=24 * 90,
        description="hours after entering the pool before a customer may be claimed (0: at once)")
    recycle_no_visit_days: int = Field(
        0, ge=0, le=3650,
        description="an owned customer its owner has not visited for this many days goes back "
                    "to the pool (0: off)")
    recycle_no_deal_days: int = Field(
        0, ge=0, le=3650,
        description="an owned customer with no deal this many days after the claim goes back to "
                    "the pool (0: off)")

    @field_validator("pool_claim_delay_hours", "recycle_no_visit_days", "recycle_no_deal_days",
                     mode="before")
    @classmethod
    def _whole_number(cls, v: object) -> object:
        if isinstance(v, bool):  # JSON true is not 1 hour
            raise ValueError("must be a whole number")
        return v

    # N (issue 10): the stage hand-off rules (prospecting team finds, account team keeps)
    handoffs: list[HandoffRule] = Field(default_factory=list, max_length=50, description=(
        "when a customer of from_team reaches stage, it moves to a rep of to_team chosen by "
        "strategy (round-robin, region, customer-type, industry); teams by id"))

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
    # J (issue 10): the pool's claim delay, the owner's own last visit, why it is in the pool
    claimable_at: datetime | None = Field(
        None, description="set by the server when it enters the pool: no claim before")
    owner_visit_at: datetime | None = Field(None, description="the owner's latest visit")
    pool_reason: str | None = Field(None, max_length=60,
                                    description="why it is in the pool: the ownership reason code")
    # issues 12/13: order history carried in from the CRM a team leaves (import-customers); the
    # laptop adds the order amounts of visits after it (sync/protocol/rfm.py)
    orders_12m: int | None = Field(None, ge=0, le=1_000_000,
                                   description="orders in the 12 months before the import")
    revenue_12m: float | None = Field(None, ge=0, le=1e12, allow_inf_nan=False,
                                      description="order amount in those 12 months")
    last_order_at: date | None = Field(None, description="the latest order the old CRM knew")
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


# K (issue 10): one response to a complaint, appended by the server (feedback.update "response")
class ComplaintResponse(_Model):
    id: str = Field(min_length=1, max_length=MAX_ID, description="made by the laptop: sent twice, kept once")
    rep_id: str
    rep_name: str = ""
    at: datetime = Field(description="the server's time")
    text: str = Field(min_length=1, max_length=5_000)


MAX_RESPONSES = 200
"""The most responses one complaint holds."""


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
    # K (issue 10): set by the server only (sync/protocol/complaints.py SERVER_FIELDS)
    responses: list[ComplaintResponse] = Field(default_factory=list, max_length=MAX_RESPONSES)
    responded_at: datetime | None = Field(None, description="the server's time of the first response")
    resolved_at: datetime | None = Field(None, description="the server's time of the resolution")
    resolved_by: str | None = None
    # N (issue 10): who works a complaint, set by a manager (feedback.assign) or by a transfer
    assignee_id: str | None = Field(None, max_length=MAX_ID)
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
    feedback_id: str | None = Field(None, max_length=MAX_ID, description=(
        "K (issue 10): the complaint a satisfaction re-visit (source revisit) follows"))
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
                 "ownership", "book"]


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
    # I: a manager's actions (server/domain/manager.py); fields as in MANAGER_FIELDS
    customer_assign = "customer.assign"  # I: a pool customer to a rep of the team (rep_id)
    customer_transfer = "customer.transfer"  # I: to another rep (to_rep_id, reason)
    book_transfer = "book.transfer"  # N: many customers in one operation (from, to, moves, reason)
    feedback_assign = "feedback.assign"  # N: a manager gives a complaint to a rep (assignee_id)
    rep_goals = "rep.goals"  # O: a manager sets a rep's goals from a period on (goals, effective)


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
