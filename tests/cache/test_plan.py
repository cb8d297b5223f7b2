"""The day plan (cache/plan.py): the visits proposed from the queue as of the day, the order
(routed from the start, the customers without coordinates grouped after them), legs, total,
times and the working-hours warning, and the plain-text and iCalendar exports."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cache import plan as P
from cache.route import haversine_km
from sync.protocol.models import Policy
from tests.cache.conftest import ME, customer, iso, now, open_filled

DAY = date(2026, 3, 12)
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOME = (31.0, 121.0)


def located(cid: str, lat: float, lon: float, **extra) -> dict:
    return {"id": cid, "name": extra.pop("name", cid), "address": extra.pop("address", f"{cid} road"),
            "city": extra.pop("city", "上海"), "lat": lat, "lon": lon, **extra}


def ids(plan: P.DayPlan) -> list[str]:
    return [s.customer_id for s in plan.stops]


# ------------------------------------------------------------------ order, legs, total


def test_located_customers_are_visited_in_the_shortest_order_from_home():
    # three customers due east of home, given out of order: the route goes out once
    stops = [located("far", 31.0, 121.3), located("near", 31.0, 121.1),
             located("mid", 31.0, 121.2)]
    plan = P.plan_day(stops, DAY, start=HOME)
    assert ids(plan) == ["near", "mid", "far"]
    assert [s.order for s in plan.stops] == [1, 2, 3]
    assert all(s.routed for s in plan.stops)
    points = [HOME, (31.0, 121.1), (31.0, 121.2), (31.0, 121.3)]
    legs = [haversine_km(a, b) for a, b in itertools.pairwise(points)]
    assert [s.leg_km for s in plan.stops] == pytest.approx(legs)
    assert plan.total_km == pytest.approx(sum(legs))
    assert plan.total_km == pytest.approx(haversine_km(HOME, (31.0, 121.3)))  # no detour


def test_the_order_is_the_shortest_of_all_orders_not_the_nearest_first():
    # a is 1.9 km west of home, b c d 1, 2 and 3 km east: nearest first would go east and come
    # all the way back (7.6 km); the shortest goes west first (6.7 km)
    stops = [located("d", 31.0, 121.03), located("b", 31.0, 121.01), located("a", 31.0, 120.98),
             located("c", 31.0, 121.02)]
    plan = P.plan_day(stops, DAY, start=HOME)
    assert ids(plan) == ["a", "b", "c", "d"]
    points = {s["id"]: (s["lat"], s["lon"]) for s in stops}

    def length(order) -> float:
        path = [HOME, *(points[c] for c in order)]
        return sum(haversine_km(x, y) for x, y in itertools.pairwise(path))

    assert plan.total_km == pytest.approx(min(map(length, itertools.permutations(points))))
    assert length(["b", "c", "d", "a"]) > plan.total_km + 0.5  # what nearest first does


def test_without_home_the_first_located_customer_starts_the_day_with_a_zero_leg():
    stops = [{"id": "nowhere", "name": "No coordinates", "city": "上海"},
             located("first", 31.0, 121.3), located("x", 31.0, 121.0),
             located("y", 31.0, 121.2)]
    plan = P.plan_day(stops, DAY)
    assert ids(plan) == ["first", "y", "x", "nowhere"]
    assert plan.stops[0].leg_km == 0.0
    assert plan.start is None
    assert plan.total_km == pytest.approx(haversine_km((31.0, 121.3), (31.0, 121.0)))


def test_a_customer_given_twice_is_visited_once():
    stops = [located("a", 31.0, 121.1), located("b", 31.0, 121.2), located("a", 31.0, 121.1)]
    assert ids(P.plan_day(stops, DAY, start=HOME)) == ["a", "b"]


def test_customers_without_coordinates_come_after_grouped_by_city_then_district():
    stops = [
        {"id": "sh-none", "name": "S3", "city": "上海"},
        {"id": "no-city", "name": "N", "city": ""},
        {"id": "sh-xuhui", "name": "S2", "city": "上海", "district": "徐汇"},
        located("routed", 31.0, 121.1),
        {"id": "nb", "name": "B", "city": "宁波", "district": "北仑"},
        {"id": "sh-pudong", "name": "S1", "city": "上海", "district": "浦东"},
        {"id": "boston", "name": "Boston Co", "city": "Boston"},
        {"id": "hz", "name": "H", "city": "杭州"},
        {"id": "sh-pudong-2", "name": "S1b", "city": "上海", "district": "浦东"},
    ]
    plan = P.plan_day(stops, DAY, start=HOME)
    # pinyin order: boston < hangzhou < ningbo < shanghai; in 上海 pudong < xuhui < no district;
    # the given order inside a group; no city last
    assert ids(plan) == ["routed", "boston", "hz", "nb", "sh-pudong", "sh-pudong-2",
                         "sh-xuhui", "sh-none", "no-city"]
    assert [s.routed for s in plan.stops] == [True] + [False] * 8
    assert [s.leg_km for s in plan.not_routed] == [None] * 8
    assert plan.total_km == pytest.approx(plan.stops[0].leg_km)
    assert plan.stops[3].address == "宁波 北仑"  # no address: city and district


@pytest.mark.parametrize("lat, lon", [("31.2", 121.4), (True, 121.4), (None, 121.4), (91.0, 121.4),
                                      (31.2, -181.0), (math.nan, 121.4), (0.0, 0.0),
                                      (31.2, math.inf)])
def test_a_customer_with_unusable_coordinates_is_not_routed(lat, lon):
    plan = P.plan_day([{"id": "odd", "name": "Odd", "lat": lat, "lon": lon}], DAY, start=HOME)
    assert [s.routed for s in plan.stops] == [False]
    assert plan.total_km == 0.0


def test_a_bad_start_is_refused():
    with pytest.raises(ValueError):
        P.plan_day([located("a", 31.0, 121.1)], DAY, start=(95.0, 121.0))


def test_an_empty_day_fits_and_ends_when_it_starts():
    plan = P.plan_day([], DAY, start=HOME)
    assert plan.stops == () and plan.total_km == 0.0 and plan.fits
    assert plan.ends_at == plan.starts_at


# ------------------------------------------------------------------ times and the fit warning


def test_times_count_travel_at_the_speed_and_minutes_per_visit_in_the_policy_zone():
    settings = P.PlanSettings(speed_kmh=30, minutes_per_visit=45, zone=SHANGHAI)
    first, second = (31.0, 121.1), (31.1, 121.1)
    plan = P.plan_day([located("a", *first), located("b", *second)], DAY, start=HOME,
                      settings=settings)
    leg1, leg2 = haversine_km(HOME, first), haversine_km(first, second)
    day_start = datetime(2026, 3, 12, 9, 0, tzinfo=SHANGHAI)
    assert plan.starts_at == day_start
    a, b = plan.stops
    assert a.arrive == day_start + timedelta(minutes=round(leg1 / 30 * 60))
    assert a.leave == day_start + timedelta(minutes=round(leg1 / 30 * 60 + 45))
    assert b.arrive == day_start + timedelta(minutes=round((leg1 + leg2) / 30 * 60 + 45))
    assert b.leave == plan.ends_at
    assert plan.travel_minutes == pytest.approx((leg1 + leg2) / 30 * 60)
    assert plan.visit_minutes == 90
    assert a.arrive.tzinfo is UTC and a.arrive.hour == 1  # 09:xx in Shanghai is 01:xx UTC
    assert plan.fits and plan.overrun_minutes == 0


def test_a_day_that_runs_past_the_working_hours_is_flagged_with_the_overrun():
    # 12 visits of 45 minutes are 9 hours: with any travel at all, past 09:00–18:00
    stops = [located(f"c{k}", 31.0 + k * 0.01, 121.0) for k in range(1, 13)]
    plan = P.plan_day(stops, DAY, start=HOME, settings=P.PlanSettings(zone=SHANGHAI))
    assert not plan.fits
    end = datetime(2026, 3, 12, 18, 0, tzinfo=SHANGHAI)
    assert plan.day_ends_at == end
    assert plan.overrun_minutes == round((plan.ends_at - end).total_seconds() / 60) > 0
    # the same day fits longer hours, and a shorter one fits the default
    longer = P.PlanSettings(day_start=time(8), day_end=time(20), zone=SHANGHAI)
    assert P.plan_day(stops, DAY, start=HOME, settings=longer).fits
    assert P.plan_day(stops[:10], DAY, start=HOME, settings=P.PlanSettings(zone=SHANGHAI)).fits


def test_stops_without_coordinates_take_their_visit_time_only():
    plan = P.plan_day([located("a", 31.0, 121.1), {"id": "b", "name": "B", "city": "上海"}],
                      DAY, start=HOME)
    a, b = plan.stops
    assert b.arrive == a.leave and b.leave == b.arrive + timedelta(minutes=45)


def test_settings_come_from_the_policy_when_it_has_them_else_the_defaults():
    default = P.PlanSettings.from_policy(Policy())
    assert (default.speed_kmh, default.minutes_per_visit) == (30.0, 45.0)
    assert (default.day_start, default.day_end) == (time(9), time(18))
    assert default.zone == SHANGHAI
    later = SimpleNamespace(timezone="Europe/Berlin", plan_speed_kmh=20,
                            plan_minutes_per_visit=0, working_hours="08:30–17:00")
    settings = P.PlanSettings.from_policy(later)
    assert (settings.speed_kmh, settings.minutes_per_visit) == (20, 0)
    assert (settings.day_start, settings.day_end) == (time(8, 30), time(17))
    assert settings.zone == ZoneInfo("Europe/Berlin")
    assert P.PlanSettings.from_policy(Policy(), speed_kmh=50).speed_kmh == 50


@pytest.mark.parametrize("bad", [{"speed_kmh": 0}, {"speed_kmh": math.nan},
                                 {"minutes_per_visit": -1},
                                 {"day_start": time(18), "day_end": time(9)}])
def test_impossible_settings_are_refused(bad):
    with pytest.raises(ValueError):
        P.PlanSettings(**bad)


@pytest.mark.parametrize("text", ["9-18", "18:00-09:00", "09:00", "nine-five", "09:00-25:00"])
def test_unreadable_working_hours_are_refused(text):
    with pytest.raises(ValueError):
        P.parse_working_hours(text)


def test_the_json_form_has_local_times_and_rounded_figures():
    plan = P.plan_day([located("a", 31.0, 121.1)], DAY, start=HOME,
                      settings=P.PlanSettings(zone=SHANGHAI))
    data = plan.to_json()
    assert data["date"] == "2026-03-12" and data["fits"] is True
    assert data["starts_at"] == "2026-03-12T09:00:00+08:00"
    assert data["stops"][0]["arrive"].startswith("2026-03-12T09:")
    assert data["stops"][0]["leg_km"] == round(haversine_km(HOME, (31.0, 121.1)), 3)
    assert data["stops"][0]["routed"] is True


# ------------------------------------------------------------------ proposing from the queue


def test_propose_keeps_the_queue_reasons_due_by_the_day_one_visit_per_customer():
    entries = [
        {"reason_code": "overdue", "customer_id": "a", "due": "2026-03-01", "reason": "r1"},
        {"reason_code": "complaint", "customer_id": "b", "due": "2026-03-10", "reason": "r2"},
        {"reason_code": "pool_return", "customer_id": "p", "due": "2026-03-10", "reason": "r3"},
        {"reason_code": "cadence", "customer_id": "a", "due": "2026-03-11", "reason": "r4"},
        {"reason_code": "followup", "customer_id": "c", "due": "2026-03-12", "reason": "r5"},
        {"reason_code": "followup", "customer_id": "d", "due": "2026-03-13", "reason": "r6"},
        {"reason_code": "protection_expiring", "customer_id": "gone", "due": None, "reason": "r7"},
    ]
    known = {cid: {"id": cid, "name": cid.upper()} for cid in "abcdp"}
    proposed = P.propose(entries, known.get, DAY)
    assert [p.customer_id for p in proposed] == ["a", "b", "c"]
    assert proposed[0].reasons == ["r1", "r4"]
    assert proposed[0].reason_codes == ["overdue", "cadence"]
    assert proposed[0].entries == (entries[0], entries[3])  # the queue's own entries


def test_the_queue_moment_is_the_start_of_the_working_day_or_now_when_later_that_day():
    settings = P.PlanSettings(zone=SHANGHAI)
    start = datetime(2026, 3, 12, 9, tzinfo=SHANGHAI)
    assert P.queue_moment(DAY, settings) == start
    afternoon = datetime(2026, 3, 12, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai
    assert P.queue_moment(DAY, settings, afternoon) == afternoon
    evening_before = datetime(2026, 3, 11, 12, tzinfo=UTC)  # 20:00 the day before
    assert P.queue_moment(DAY, settings, evening_before) == start


@pytest.fixture
def plan_store(fieldrep_home):
    customers = [
        customer("c-tomorrow", "明天到期", owner=ME, tier="B", last_visit_at=iso(-29)),
        customer("c-fresh", "Fresh Foods", owner=ME, tier="B", last_visit_at=iso(-2)),
        customer("c-ending", "Maple Bank", owner=ME, tier="C", protected_until=iso(2)),
        customer("c-upset", "Upset Ltd", owner=ME, tier="C", lat=31.2, lon=121.5),
    ]
    store = open_filled(fieldrep_home, customers)
    yield store
    store.close()


def test_the_proposal_is_the_queue_as_of_that_day_with_the_queue_reasons(plan_store):
    today = now().date()
    tomorrow = today + timedelta(days=1)
    due = plan_store.add_followup("c-fresh", title="Bring the samples", due="+1d")
    plan_store.add_followup("c-fresh", title="Much later", due="+5d")
    plan_store.add_feedback("c-upset", kind="complaint", text="Late delivery, twice")
    settings = P.PlanSettings.from_policy(plan_store.policy)

    for_today = {p.customer_id: p for p in P.proposed_visits(plan_store, today, settings, now())}
    assert "c-tomorrow" not in for_today  # its B cadence (30 days) is due tomorrow, not today
    assert "c-fresh" not in for_today     # its follow-up is due tomorrow

    proposed = P.proposed_visits(plan_store, tomorrow, settings)
    by_id = {p.customer_id: p for p in proposed}
    assert set(by_id) == {"c-tomorrow", "c-fresh", "c-ending", "c-upset"}
    assert by_id["c-tomorrow"].reason_codes == ["cadence"]
    assert by_id["c-fresh"].reason_codes == ["due_today"]  # the +5d one is not due by then
    assert by_id["c-fresh"].entries[0]["followup_id"] == due["id"]
    assert by_id["c-ending"].reason_codes == ["protection_expiring"]
    assert by_id["c-upset"].reason_codes == ["complaint"]
    queue = plan_store.queue(P.queue_moment(tomorrow, settings))
    for visit in proposed:  # the reasons are the queue's, entry for entry, in its order
        assert list(visit.entries) == [e for e in queue if e["customer_id"] == visit.customer_id
                                       and e["reason_code"] != "followup"]
    assert [p.customer_id for p in proposed] == list(dict.fromkeys(
        e["customer_id"] for e in queue if e["reason_code"] != "followup"))
    plan = P.plan_day([p.customer for p in proposed], tomorrow, start=HOME, settings=settings)
    assert [s.customer_id for s in plan.routed] == ["c-upset"]
    assert len(plan.not_routed) == 3


# ------------------------------------------------------------------ plain text


def sample_plan(**settings) -> P.DayPlan:
    stops = [
        located("c1", 31.0, 121.1, name="上海振华重工（集团）股份有限公司浦东新区张江高科技园区分公司",
                address="浦东新区张江路 1 号, 3 楼; B 座 \\ 东门\n前台"),
        located("c2", 31.0, 121.2, name="Acme, Inc.; Boston"),
        {"id": "c3", "name": "宁波港集团", "city": "宁波", "district": "北仑"},
    ]
    return P.plan_day(stops, DAY, start=HOME,
                      settings=P.PlanSettings(zone=SHANGHAI, **settings))


def test_the_text_has_one_line_per_stop_with_order_time_name_address_and_leg():
    plan = sample_plan()
    lines = P.plan_text(plan).splitlines()
    assert lines[0].startswith("Day plan 2026-03-12: 3 stops, ")
    stop_lines = [line for line in lines if line[:2] in ("1.", "2.", "3.")]
    assert len(stop_lines) == 3
    first = plan.stops[0]
    assert stop_lines[0] == "  ".join([
        "1.", f"{first.arrive.astimezone(SHANGHAI):%H:%M}–{first.leave.astimezone(SHANGHAI):%H:%M}",
        first.name, "浦东新区张江路 1 号, 3 楼; B 座 \\ 东门 前台", f"{first.leg_km:.1f} km"])
    assert stop_lines[2].endswith("宁波港集团  宁波 北仑  —")
    heading = lines.index(P.PlanLabels().not_routed)
    assert lines[heading + 1] == stop_lines[2]  # the stops without coordinates, said so
    assert not any("Does not fit" in line for line in lines)


def test_the_text_warns_when_the_day_does_not_fit_in_the_given_words():
    plan = sample_plan(minutes_per_visit=240)
    labels = P.PlanLabels(overrun="超出工作时间：{end} 结束，晚 {minutes} 分钟（{day_end}）")
    text = P.plan_text(plan, labels)
    assert f"超出工作时间：{plan.ends_at.astimezone(SHANGHAI):%H:%M} 结束，晚 " \
           f"{plan.overrun_minutes} 分钟（18:00）" in text


def test_write_text_saves_the_text(tmp_path):
    plan = sample_plan()
    path = P.write_text(plan, tmp_path / "plan.txt")
    assert path.read_bytes().decode("utf-8") == P.plan_text(plan)


# ------------------------------------------------------------------ iCalendar


STAMP = datetime(2026, 3, 11, 20, 0, tzinfo=UTC)


def unescape(value: str) -> str:
    out, k = [], 0
    while k < len(value):
        ch = value[k]
        if ch == "\\" and k + 1 < len(value):
            nxt = value[k + 1]
            out.append("\n" if nxt in "nN" else nxt)
            k += 2
        else:
            out.append(ch)
            k += 1
    return "".join(out)


def parse_ical(data: bytes) -> list[list[tuple[str, str]]]:
    """The components of an iCalendar file, each a list of (name, value), read the RFC's way:
    every line ends with CRLF, is at most 75 octets, is valid UTF-8 on its own, and a line
    that begins with a space continues the one before."""
    assert data.endswith(b"\r\n")
    physical = data[:-2].split(b"\r\n")
    for line in physical:
        assert len(line) <= 75, line
        assert b"\n" not in line and b"\r" not in line
        line.decode("utf-8")  # a folded line never splits a character
    logical: list[bytes] = []
    for line in physical:
        if line.startswith(b" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    components: list[list[tuple[str, str]]] = []
    stack: list[list[tuple[str, str]]] = []
    for raw in logical:
        name, _, value = raw.decode("utf-8").partition(":")
        if name == "BEGIN":
            stack.append([("BEGIN", value)])
        elif name == "END":
            assert stack[-1][0] == ("BEGIN", value)
            components.append(stack.pop())
        else:
            stack[-1].append((name, value))
    assert not stack
    return components


def test_the_calendar_has_an_event_per_stop_that_reads_back_exactly():
    plan = sample_plan()
    notes = {"c2": "Overdue: send the quote, then call"}
    data = P.plan_ical(plan, stamp=STAMP, notes=notes).encode("utf-8")
    components = parse_ical(data)
    calendar = dict(components[-1])
    assert calendar["BEGIN"] == "VCALENDAR" and calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    events = [dict(c) for c in components if c[0] == ("BEGIN", "VEVENT")]
    assert len(events) == 3
    for event, stop in zip(events, plan.stops, strict=True):
        assert unescape(event["SUMMARY"]) == stop.name
        assert unescape(event["LOCATION"]) == stop.address
        assert event["DTSTART"] == f"{stop.arrive.astimezone(UTC):%Y%m%dT%H%M%S}Z"
        assert event["DTEND"] == f"{stop.leave.astimezone(UTC):%Y%m%dT%H%M%S}Z"
        assert event["DTSTAMP"] == "20260311T200000Z"
        assert event["UID"].endswith("@fieldrep") and stop.customer_id in event["UID"]
    assert events[0]["DTSTART"].startswith("20260312T01")  # 09:xx in Shanghai
    assert events[0]["GEO"] == "31.000000;121.100000"
    assert "GEO" not in events[2]  # not routed
    assert unescape(events[1]["DESCRIPTION"]) == notes["c2"]
    assert "DESCRIPTION" not in events[0]
    # the escapes themselves: , ; \ and the line break
    assert events[0]["LOCATION"] == "浦东新区张江路 1 号\\, 3 楼\\; B 座 \\\\ 东门\\n前台"
    assert events[1]["SUMMARY"] == "Acme\\, Inc.\\; Boston"
    # the long Chinese name was folded, and survived
    text = data.decode("utf-8")
    assert "\r\n " in text and plan.stops[0].name not in text


def test_uids_are_stable_per_date_and_customer():
    plan = sample_plan()
    again = sample_plan(minutes_per_visit=30)  # the same day planned otherwise
    other_day = P.plan_day([located("c1", 31.0, 121.1)], DAY + timedelta(days=1), start=HOME)

    def uids(p: P.DayPlan) -> dict[str, str]:
        events = [dict(c) for c in parse_ical(P.plan_ical(p, stamp=STAMP).encode())
                  if c[0] == ("BEGIN", "VEVENT")]
        return {s.customer_id: e["UID"] for s, e in zip(p.stops, events, strict=True)}

    assert uids(plan) == uids(again)
    assert len(set(uids(plan).values())) == 3
    assert uids(other_day)["c1"] != uids(plan)["c1"]


def test_write_ical_keeps_crlf_and_utf8(tmp_path):
    plan = sample_plan()
    path = P.write_ical(plan, tmp_path / "plan.ics", stamp=STAMP)
    data = path.read_bytes()
    assert data == P.plan_ical(plan, stamp=STAMP).encode("utf-8")
    assert data.count(b"\r\n") == data.count(b"\n")  # no bare line feed


@given(st.text(alphabet=st.sampled_from("a,;\\\n中文字😀é "), max_size=120),
       st.sampled_from(["SUMMARY:", "LOCATION:", "X:"]))
def test_folding_never_splits_a_character_and_unfolds_to_the_line(text, name):
    line = name + P.ical_escape(text)
    folded = P.ical_fold(line)
    pieces = folded.encode("utf-8").split(b"\r\n")
    for n, piece in enumerate(pieces):
        assert len(piece) <= 75
        assert n == 0 or piece.startswith(b" ")
        piece.decode("utf-8")
    assert b"".join(p[1:] if n else p for n, p in enumerate(pieces)).decode() == line
    assert unescape(line[len(name):]) == text.replace("\r", "")
