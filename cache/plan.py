"""The day plan (issue 12): the visits proposed for a day, in route order, with times and
distances, exported as plain text or as an iCalendar file for the phone.

* :func:`propose` picks the visits for a day from the follow-up queue computed *as of that day*
  (``Store.queue(queue_moment(day, settings))``): overdue and due follow-ups, open complaints,
  protection ending, cadence due by tier. The rules are the queue's (``cache/queue.py``); a
  proposal carries the queue's own entries, so its reasons are the queue's reasons.
* :func:`plan_day` orders the chosen customers: those with lat/lon are routed by great-circle
  distance (``cache/route.py``) from the start (the rep's home, or else the first located
  customer, who is then visited first); those without coordinates follow, grouped by city and
  then district, and are marked as not routed (their travel is unknown, so their times count
  the visit only). It gives the leg of each stop in km, the total, the arrival and departure of
  each visit from a speed and minutes per visit, and whether the day fits the working hours.
* :func:`plan_text` and :func:`plan_ical` (RFC 5545) write a plan out; :func:`write_text` and
  :func:`write_ical` save them to a file. The words of the text come in a :class:`PlanLabels`
  (English by default): ``cache`` has no catalogue, so a screen passes its translated labels.

Everything but the two ``write_`` helpers is a pure function of its arguments.

The policy (``sync/protocol/models.py``) has no plan settings yet: the speed, the minutes per
visit and the working hours are :data:`DEFAULT_SPEED_KMH`, :data:`DEFAULT_MINUTES_PER_VISIT` and
:data:`DEFAULT_WORKING_HOURS` unless the caller gives others. :meth:`PlanSettings.from_policy`
takes the policy's time zone, and ``plan_speed_kmh``, ``plan_minutes_per_visit`` and
``working_hours`` from the policy once it has them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, Protocol, TypeGuard

from cache.collation import collation_key
from cache.route import distance_matrix, route
from cache.storage import atomic_write
from sync.protocol import rules
from sync.protocol.models import Policy
from sync.protocol.validation import one_line

DEFAULT_SPEED_KMH = 30.0
"""Average speed between two visits, straight-line km per hour (town traffic, parking)."""

DEFAULT_MINUTES_PER_VISIT = 45.0
"""Minutes spent at each customer."""

DEFAULT_WORKING_HOURS = (time(9, 0), time(18, 0))
"""The working day a plan must fit in: the first departure and the latest end."""

PROPOSED_REASONS = ("overdue", "due_today", "complaint", "protection_expiring", "cadence")
"""The queue's reason codes a day plan proposes. An upcoming follow-up (``followup``) counts too
when it is due by the day; a customer back in the pool (``pool_return``) is not the rep's to
visit."""

Point = tuple[float, float]
"""(lat, lon) in degrees."""


# ------------------------------------------------------------------ settings


def parse_working_hours(value: Any) -> tuple[time, time]:
    """Working hours from ``"09:00-18:00"`` (or with an en dash), a pair of ``"HH:MM"`` texts or
    a pair of times; ``ValueError`` when unreadable or when the end is not after the start."""
    if isinstance(value, str):
        parts = value.replace("–", "-").split("-")
        if len(parts) != 2:
            raise ValueError(f"working hours {value!r} are not like 09:00-18:00")
        value = parts
    if not isinstance(value, Sequence) or len(value) != 2:
        raise ValueError(f"working hours {value!r} are not a start and an end")
    begin, end = (_time_of(v) for v in value)
    if end <= begin:
        raise ValueError(f"working hours end ({end:%H:%M}) before they start ({begin:%H:%M})")
    return begin, end


def _time_of(value: Any) -> time:
    if isinstance(value, time):
        return value
    text = str(value).strip()
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day like 09:00") from None


@dataclass(frozen=True)
class PlanSettings:
    """How a day is timed: the speed between stops, the minutes at each, the working hours
    (wall-clock times in ``zone``, the policy's time zone)."""

    speed_kmh: float = DEFAULT_SPEED_KMH
    minutes_per_visit: float = DEFAULT_MINUTES_PER_VISIT
    day_start: time = DEFAULT_WORKING_HOURS[0]
    day_end: time = DEFAULT_WORKING_HOURS[1]
    zone: tzinfo = UTC

    def __post_init__(self) -> None:
        if not (isinstance(self.speed_kmh, int | float) and math.isfinite(self.speed_kmh)
                and self.speed_kmh > 0):
            raise ValueError(f"the speed must be a positive number of km/h, not {self.speed_kmh!r}")
        if not (isinstance(self.minutes_per_visit, int | float)
                and math.isfinite(self.minutes_per_visit) and self.minutes_per_visit >= 0):
            raise ValueError("the minutes per visit must be a number ≥ 0, "
                             f"not {self.minutes_per_visit!r}")
        if self.day_end <= self.day_start:
            raise ValueError(f"the working day ends ({self.day_end:%H:%M}) before it starts "
                             f"({self.day_start:%H:%M})")

    @classmethod
    def from_policy(cls, policy: Policy, **overrides: Any) -> PlanSettings:
        """The policy's time zone; its plan fields when it has them (``plan_speed_kmh``,
        ``plan_minutes_per_visit``, ``working_hours``), else the defaults; then ``overrides``."""
        begin, end = DEFAULT_WORKING_HOURS
        hours = getattr(policy, "working_hours", None)
        if hours is not None:
            begin, end = parse_working_hours(hours)
        values: dict[str, Any] = {
            "speed_kmh": getattr(policy, "plan_speed_kmh", None) or DEFAULT_SPEED_KMH,
            "minutes_per_visit": _first_set(getattr(policy, "plan_minutes_per_visit", None),
                                            DEFAULT_MINUTES_PER_VISIT),
            "day_start": begin, "day_end": end, "zone": rules.policy_zone(policy),
        }
        values.update(overrides)
        return cls(**values)

    def at(self, day: date, moment: time) -> datetime:
        """``moment`` on ``day`` in the plan's zone, as a UTC time."""
        return datetime.combine(day, moment, tzinfo=self.zone).astimezone(UTC)


def _first_set(value: Any, default: float) -> float:
    return default if value is None else value


# ------------------------------------------------------------------ proposing the day's visits


@dataclass(frozen=True)
class ProposedVisit:
    """A customer the day plan proposes, with the queue entries that put it there (queue order)."""

    customer: dict
    entries: tuple[dict, ...]

    @property
    def customer_id(self) -> str:
        return str(self.customer.get("id"))

    @property
    def reason_codes(self) -> list[str]:
        return [e["reason_code"] for e in self.entries]

    @property
    def reasons(self) -> list[str]:
        """The queue's reasons, in English (a screen words ``entries`` with ``ui/queue_text``)."""
        return [e["reason"] for e in self.entries]


def queue_moment(day: date, settings: PlanSettings, now: datetime | None = None) -> datetime:
    """The moment to compute the queue at to propose ``day``'s visits: the start of its working
    hours in the plan's zone, or ``now`` when that is later on the same day (what lapsed this
    morning is not proposed again). The queue's "today" is then ``day`` when ``settings.zone``
    is the policy's (:meth:`PlanSettings.from_policy`)."""
    start = settings.at(day, settings.day_start)
    if now is not None and now > start and now.astimezone(settings.zone).date() == day:
        return now
    return start


def propose(entries: Iterable[dict], customer: Callable[[str], dict | None],
            day: date) -> list[ProposedVisit]:
    """The visits proposed for ``day`` from the queue ``entries`` computed as of that day: one
    per customer, in the order of its first entry (the queue's priority), with every entry of
    :data:`PROPOSED_REASONS` that names it (and its follow-ups due by ``day``). ``customer``
    looks a customer up by id (``store.customer``, ``dict.get``); one it does not know is left
    out, as it can be neither routed nor shown."""
    by_customer: dict[str, list[dict]] = {}
    for entry in entries:
        code = entry.get("reason_code")
        if code not in PROPOSED_REASONS and not (code == "followup" and _due_by(entry, day)):
            continue
        cid = entry.get("customer_id")
        if isinstance(cid, str):
            by_customer.setdefault(cid, []).append(entry)
    proposed = []
    for cid, found in by_customer.items():
        record = customer(cid)
        if record is not None:
            proposed.append(ProposedVisit(record, tuple(found)))
    return proposed


def _due_by(entry: dict, day: date) -> bool:
    try:
        return date.fromisoformat(str(entry.get("due"))[:10]) <= day
    except ValueError:
        return False


class QueueSource(Protocol):
    """What :func:`proposed_visits` reads: a ``cache.Store`` has it."""

    @property
    def policy(self) -> Policy: ...

    def queue(self, now: datetime | None = None) -> list[dict]: ...

    def customer(self, customer_id: str) -> dict | None: ...


def proposed_visits(store: QueueSource, day: date, settings: PlanSettings | None = None,
                    now: datetime | None = None) -> list[ProposedVisit]:
    """:func:`propose` over the store's queue as of ``day`` (read only, in memory)."""
    settings = settings or PlanSettings.from_policy(store.policy)
    return propose(store.queue(queue_moment(day, settings, now)), store.customer, day)


# ------------------------------------------------------------------ the plan


def coordinates(customer: Mapping[str, Any]) -> Point | None:
    """The customer's (lat, lon), or None when it has none that can be routed: missing, not
    numbers, out of range, or exactly 0, 0 (an import's placeholder, not a customer in the
    Gulf of Guinea)."""
    lat, lon = customer.get("lat"), customer.get("lon")
    if not (_number(lat) and _number(lon)):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:
        return None
    return float(lat), float(lon)


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class PlannedStop:
    """One visit of the plan: ``order`` from 1; ``leg_km`` from the previous point (the start,
    or the stop before), None for a stop that is not routed; ``arrive`` and ``leave`` in UTC
    (whole minutes)."""

    order: int
    customer: dict
    routed: bool
    leg_km: float | None
    arrive: datetime
    leave: datetime

    @property
    def customer_id(self) -> str:
        return str(self.customer.get("id"))

    @property
    def name(self) -> str:
        return str(self.customer.get("name") or "")

    @property
    def address(self) -> str:
        """The address; when there is none, the city and district."""
        address = str(self.customer.get("address") or "").strip()
        if address:
            return address
        return " ".join(str(self.customer.get(k) or "").strip()
                        for k in ("city", "district") if self.customer.get(k))


@dataclass(frozen=True)
class DayPlan:
    """A day's visits in order. ``start`` is the home point, or None when the day starts at the
    first routed customer (then its leg is 0). Times are UTC; ``settings.zone`` shows them."""

    day: date
    settings: PlanSettings
    start: Point | None
    stops: tuple[PlannedStop, ...]
    total_km: float
    travel_minutes: float
    visit_minutes: float
    starts_at: datetime
    ends_at: datetime
    day_ends_at: datetime

    @property
    def routed(self) -> list[PlannedStop]:
        return [s for s in self.stops if s.routed]

    @property
    def not_routed(self) -> list[PlannedStop]:
        return [s for s in self.stops if not s.routed]

    @property
    def fits(self) -> bool:
        """Does the last visit end by the end of the working hours? (Without the travel to the
        stops that are not routed, which is unknown.)"""
        return self.ends_at <= self.day_ends_at

    @property
    def overrun_minutes(self) -> int:
        """How many minutes the day runs past the working hours (0 when it fits)."""
        return max(0, round((self.ends_at - self.day_ends_at).total_seconds() / 60))

    def to_json(self) -> dict:
        """The plan as plain JSON values (``fieldrep plan --json``): times in ISO 8601 with the
        zone's offset, distances in km."""
        zone = self.settings.zone

        def local(moment: datetime) -> str:
            return moment.astimezone(zone).isoformat()

        return {
            "date": self.day.isoformat(),
            "start": list(self.start) if self.start else None,
            "total_km": round(self.total_km, 3),
            "travel_minutes": round(self.travel_minutes, 1),
            "visit_minutes": round(self.visit_minutes, 1),
            "starts_at": local(self.starts_at),
            "ends_at": local(self.ends_at),
            "working_hours_end": local(self.day_ends_at),
            "fits": self.fits,
            "overrun_minutes": self.overrun_minutes,
            "speed_kmh": self.settings.speed_kmh,
            "minutes_per_visit": self.settings.minutes_per_visit,
            "stops": [{
                "order": s.order, "customer_id": s.customer_id, "name": s.name,
                "address": s.address, "city": s.customer.get("city"),
                "district": s.customer.get("district"), "routed": s.routed,
                "leg_km": None if s.leg_km is None else round(s.leg_km, 3),
                "arrive": local(s.arrive), "leave": local(s.leave),
            } for s in self.stops],
        }


def plan_day(stops: Iterable[Mapping[str, Any]], day: date, *, start: Point | None = None,
             settings: PlanSettings | None = None) -> DayPlan:
    """The day's visits of ``stops`` (customer records; one visit each, the first of a repeated
    id kept) in order, timed from the start of the working hours.

    With ``start`` (home: lat, lon) every located customer is routed from there; without it the
    first located customer in ``stops`` is visited first and the others are routed from it.
    The customers without coordinates come after the routed ones, grouped by city and then
    district (pinyin order, no city last; the given order within a group), ``routed=False``.
    Travel takes ``leg_km / speed_kmh`` hours, each visit ``minutes_per_visit``."""
    settings = settings or PlanSettings()
    if start is not None and coordinates({"lat": start[0], "lon": start[1]}) is None:
        raise ValueError(f"the start {start!r} is not a (lat, lon) in degrees")
    seen: set[str] = set()
    located: list[tuple[dict, Point]] = []
    unlocated: list[dict] = []
    for record in stops:
        cid = str(record.get("id"))
        if cid in seen:
            continue
        seen.add(cid)
        point = coordinates(record)
        if point is None:
            unlocated.append(dict(record))
        else:
            located.append((dict(record), point))

    ordered: list[dict] = []
    legs: list[float] = []
    if located:
        if start is None:
            first, origin = located[0]
            rest = located[1:]
            ordered.append(first)
            legs.append(0.0)
        else:
            origin, rest = start, located
        dist = distance_matrix([origin, *(point for _, point in rest)])
        here = 0
        for index in route(dist)[0]:
            ordered.append(rest[index - 1][0])
            legs.append(dist[here][index])
            here = index

    groups = sorted(range(len(unlocated)), key=lambda k: (*_place_key(unlocated[k]), k))

    starts_at = settings.at(day, settings.day_start)
    minutes = 0.0
    travel = 0.0
    planned: list[PlannedStop] = []
    for n, (record, leg) in enumerate([*zip(ordered, legs, strict=True),
                                       *((unlocated[k], None) for k in groups)], start=1):
        if leg is not None:
            hours = leg / settings.speed_kmh
            travel += hours * 60
            minutes += hours * 60
        arrive = starts_at + timedelta(minutes=round(minutes))
        minutes += settings.minutes_per_visit
        leave = starts_at + timedelta(minutes=round(minutes))
        planned.append(PlannedStop(n, record, leg is not None, leg, arrive, leave))
    visits = settings.minutes_per_visit * len(planned)
    return DayPlan(
        day=day, settings=settings, start=start, stops=tuple(planned), total_km=math.fsum(legs),
        travel_minutes=travel, visit_minutes=visits, starts_at=starts_at,
        ends_at=planned[-1].leave if planned else starts_at,
        day_ends_at=settings.at(day, settings.day_end),
    )


def _place_key(customer: Mapping[str, Any]) -> tuple[int, str, int, str]:
    """Sorts by city, then district (pinyin order), an empty one after the others."""
    city = str(customer.get("city") or "").strip()
    district = str(customer.get("district") or "").strip()
    return (not city, collation_key(city), not district, collation_key(district))


# ------------------------------------------------------------------ plain text


@dataclass(frozen=True)
class PlanLabels:
    """The words of the text export; a screen passes them through its catalogue. Placeholders:
    ``{date}``, ``{stops}``, ``{km}``, ``{start}``, ``{end}``, ``{day_end}``, ``{minutes}``."""

    title: str = "Day plan {date}: {stops} stops, {km} km, {start}–{end}"
    from_home: str = "From home ({lat}, {lon})"
    from_first: str = "From the first customer"
    not_routed: str = "Not routed (no coordinates), by city and district; travel not counted:"
    overrun: str = "Does not fit the working hours: ends {end}, {minutes} min after {day_end}"
    no_leg: str = "—"


def _km(value: float) -> str:
    return f"{value:.1f} km"


def plan_text(plan: DayPlan, labels: PlanLabels | None = None) -> str:
    """The plan as plain text, one line per stop: order, time, customer name, address, leg km
    (lines end with ``\\n``)."""
    labels = labels or PlanLabels()
    zone = plan.settings.zone

    def hhmm(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%H:%M")

    lines = [labels.title.format(date=plan.day.isoformat(), stops=len(plan.stops),
                                 km=f"{plan.total_km:.1f}", start=hhmm(plan.starts_at),
                                 end=hhmm(plan.ends_at))]
    if plan.start is not None:
        lines.append(labels.from_home.format(lat=f"{plan.start[0]:.5f}",
                                             lon=f"{plan.start[1]:.5f}"))
    elif plan.routed:
        lines.append(labels.from_first)
    if not plan.fits:
        lines.append(labels.overrun.format(end=hhmm(plan.ends_at), day_end=hhmm(plan.day_ends_at),
                                           minutes=plan.overrun_minutes))
    width = len(str(len(plan.stops)))
    heading_done = False
    for stop in plan.stops:
        if not stop.routed and not heading_done:
            lines.append(labels.not_routed)
            heading_done = True
        leg = labels.no_leg if stop.leg_km is None else _km(stop.leg_km)
        cells = [f"{stop.order:>{width}}.", f"{hhmm(stop.arrive)}–{hhmm(stop.leave)}",
                 one_line(stop.name), one_line(stop.address), leg]
        lines.append("  ".join(cell for cell in cells if cell))
    return "\n".join(lines) + "\n"


def write_text(plan: DayPlan, path: str | Path, labels: PlanLabels | None = None) -> Path:
    """Save :func:`plan_text` to ``path`` (UTF-8, replaced atomically); returns the path."""
    target = Path(path)
    atomic_write(target, plan_text(plan, labels).encode("utf-8"))
    return target


# ------------------------------------------------------------------ iCalendar (RFC 5545)

PRODID = "-//fieldrep//day plan//EN"
FOLD_OCTETS = 75
"""RFC 5545 §3.1: a content line longer than 75 octets (without its CRLF) is folded."""


def ical_escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma escaped, a line break as
    ``\\n``; other control characters, which TEXT may not hold, dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch == "\n" or ch == "\t" or not _control(ch))
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def _control(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or code == 0x7F


def ical_fold(line: str) -> str:
    """``line`` folded (RFC 5545 §3.1): at most 75 octets a line, each further line begun with a
    space, never inside a UTF-8 character; the pieces joined by CRLF."""
    data = line.encode("utf-8")
    if len(data) <= FOLD_OCTETS:
        return line
    pieces = []
    begin, room = 0, FOLD_OCTETS
    while len(data) - begin > room:
        cut = begin + room
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            cut -= 1
        pieces.append(data[begin:cut].decode("utf-8"))
        begin, room = cut, FOLD_OCTETS - 1  # the leading space takes one octet
    pieces.append(data[begin:].decode("utf-8"))
    return "\r\n ".join(pieces)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event_uid(day: date, customer_id: str) -> str:
    """The UID of a stop's event: the same for the same customer on the same plan date, so
    importing a changed plan again updates the events instead of doubling them."""
    return f"fieldrep-plan-{day:%Y%m%d}-{customer_id}@fieldrep"


def plan_ical(plan: DayPlan, *, stamp: datetime | None = None,
              notes: Mapping[str, str] | None = None) -> str:
    """The plan as an iCalendar object (RFC 5545): one VEVENT per stop, DTSTART and DTEND in
    UTC, SUMMARY the customer's name, LOCATION its address, GEO its coordinates when routed,
    DESCRIPTION ``notes[customer_id]`` when given (e.g. why the visit is planned). ``stamp``:
    the DTSTAMP (default: now). CRLF line endings, folded lines."""
    dtstamp = _utc(stamp or datetime.now(UTC))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH"]
    for stop in plan.stops:
        lines += ["BEGIN:VEVENT",
                  f"UID:{ical_escape(event_uid(plan.day, stop.customer_id))}",
                  f"DTSTAMP:{dtstamp}",
                  f"DTSTART:{_utc(stop.arrive)}",
                  f"DTEND:{_utc(stop.leave)}",
                  f"SUMMARY:{ical_escape(stop.name)}"]
        if stop.address:
            lines.append(f"LOCATION:{ical_escape(stop.address)}")
        point = coordinates(stop.customer) if stop.routed else None
        if point is not None:
            lines.append(f"GEO:{point[0]:.6f};{point[1]:.6f}")
        note = (notes or {}).get(stop.customer_id)
        if note:
            lines.append(f"DESCRIPTION:{ical_escape(note)}")
        lines += ["TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(ical_fold(line) + "\r\n" for line in lines)


def write_ical(plan: DayPlan, path: str | Path, *, stamp: datetime | None = None,
               notes: Mapping[str, str] | None = None) -> Path:
    """Save :func:`plan_ical` to ``path`` (UTF-8, CRLF kept, replaced atomically)."""
    target = Path(path)
    atomic_write(target, plan_ical(plan, stamp=stamp, notes=notes).encode("utf-8"))
    return target
