"""The rep's records from the command line: customers, visits, feedback, claims, the queue,
follow-ups, conflicts and the outbox file.

Every write goes to the outbox (it works offline) and needs a login; a CUSTOMER is an id or a
search matching one customer, a FOLLOWUP or CONFLICT an id or its first letters.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cache import Store, recovery
from sync.protocol import rules
from sync.protocol.dates import parse_date
from tui.cli.common import CliError, cell, emit, label, need_session, say
from tui.cli.listing import row_line, table
from ui.i18n import _, _n, refusal_text
from ui.queue_text import due_cell, reason_text
from ui.times import day_text, due_text, local_time
from ui.values import LABELLED, stage_text, value_label
from ui.visit_input import default_outcome, parse_visit_time

CUSTOMER_COLUMNS = [("NAME", 36), ("TIER", 4), ("CITY", 10), ("STAGE", 9), ("OWNER", 14),
                    ("ID", 0)]
TOO_MANY = 1_000_000
"""More customers than any laptop holds: "every match" for the counts of a search."""


def _customer_row(c: dict) -> list:
    owner = c.get("owner_name") or (_("pool") if not c.get("owner_id") else "")
    stage = c.get("stage")
    return [c.get("name"), c.get("tier"), c.get("city"), stage_text(stage), owner,
            c.get("id", "")]


def _matching_ids(args: argparse.Namespace, store: Store) -> list[str]:
    """Every customer the listing is about, in its order: a search's matches best first, or all
    by name."""
    if args.search:
        return store.search_ids(args.search, limit=TOO_MANY)
    return store.all_customer_ids("name")


def _say_if_cut(shown: int, total: int) -> None:
    if shown < total:
        say(_("fieldrep: showing the first {shown} of {total} customers; --limit N shows more",
              shown=shown, total=total), err=True)


def cmd_customers(args: argparse.Namespace, store: Store) -> int:
    ids = _matching_ids(args, store)
    if args.group_by:
        return _grouped(args, store, ids)
    customers = [c for c in (store.customer(cid) for cid in ids[: args.limit]) if c]
    emit(args, customers, lambda: "\n".join(
        table(CUSTOMER_COLUMNS, map(_customer_row, customers), header=args.header))
        or _("no customers"))
    _say_if_cut(len(customers), len(ids))
    return 0


def _grouped(args: argparse.Namespace, store: Store, ids: list[str]) -> int:
    """``customers --group-by G``: each group with the customers in it (at most ``--limit`` in
    all), or with ``--count`` only how many."""
    matching = set(ids)
    groups = []

    def name(value: str) -> str:  # a group as shown (and ordered): its Chinese name in zh
        return value_label(args.group_by, value, store.policy) or "—"

    labelled = name if args.group_by in LABELLED else None  # else the index's own order
    for value, _count in store.groups(args.group_by, labelled):
        members = [cid for cid in store.customers_in_group(args.group_by, value)
                   if cid in matching]
        if members:
            groups.append((value, members))
    if args.count:
        counts = [{"group": value, "count": len(members)} for value, members in groups]
        emit(args, counts, lambda: "\n".join(table(
            [("GROUP", 30), ("COUNT", 0)], ([name(g["group"]), g["count"]] for g in counts),
            header=args.header)) or _("no customers"))
        return 0
    data: list[dict[str, Any]] = []
    room = args.limit
    for value, members in groups:
        listed = [c for c in (store.customer(cid) for cid in members[:room]) if c]
        room -= len(listed)
        data.append({"group": value, "count": len(members), "customers": listed})

    def text() -> str:
        lines: list[str] = []
        if args.header and any(g["customers"] for g in data):
            lines = [row_line([_(title) for title, _w in CUSTOMER_COLUMNS], CUSTOMER_COLUMNS)]
        for group in data:
            lines.append(_("{group} ({n})", group=name(group["group"]), n=group["count"]))
            lines.extend(table(CUSTOMER_COLUMNS, map(_customer_row, group["customers"]),
                               header=False, indent="  "))
        return "\n".join(lines) or _("no customers")

    emit(args, data, text)
    _say_if_cut(args.limit - room, len(matching))
    return 0


def cmd_show(args: argparse.Namespace, store: Store) -> int:
    customer = store.resolve_customer(args.customer)
    timeline = store.timeline(customer["id"])
    data = {**customer, "timeline": timeline}

    def text() -> str:
        owner = customer.get("owner_name") or _("pool (unowned)")
        if customer.get("protected_until"):
            owner = _("{owner}, protected until {day}", owner=owner,
                      day=day_text(customer.get("protected_until"), store.policy))
        stage = customer.get("stage")
        lines = [f"{customer['name']}  {_('[{tag}]', tag=customer.get('tier'))} "
                 f"{stage_text(stage)}",
                 f"{customer.get('city')}, {customer.get('province')} · "
                 f"{value_label('industry', customer.get('industry'), store.policy)}",
                 label(_("owner:")) + owner]
        for contact in customer.get("contacts") or []:
            lines.append(label(_("contact:")) + " ".join(
                str(contact.get(key) or "") for key in ("name", "title", "phone", "email")
            ).strip())
        lines.append("")
        for entry in timeline[:30]:
            record = entry["record"]
            what = (record.get("outcome") or record.get("text") or record.get("title") or "")
            mark = "" if entry.get("synced") else "  " + _("(not yet synced)")
            lines.append(f"{cell(local_time(entry.get('at'), store.policy), 16)}  "
                         f"{cell(_(entry['type']), 9)} "
                         f"{what}{mark}")
        return "\n".join(lines)

    emit(args, data, text)
    return 0


def cmd_visit_log(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    customer = store.resolve_customer(args.customer)
    if args.next_step and not args.due:
        raise CliError(_("--next-step needs --due (e.g. --due fri)"))
    due = _date(args.due, "--due", store) if args.due else None
    at = None
    if args.at is not None:
        try:
            at = parse_visit_time(args.at, datetime.now(UTC), rules.policy_zone(store.policy))
        except ValueError as error:
            raise CliError(f"--at: {error}") from None
    outcome = default_outcome(args.kind) if args.outcome is None else args.outcome
    visit = store.log_visit(customer["id"], kind=args.kind, outcome=outcome,
                            notes=args.notes or "", next_step=args.next_step or "", due=due,
                            amount=args.amount, at=at)

    def summary() -> str:
        line = _("logged: {kind} with {customer} at {when}: {outcome}", kind=_(args.kind),
                 customer=customer.get("name"),
                 when=local_time(visit.get("at"), store.policy, empty=""),
                 outcome=outcome)
        if args.next_step and due is not None:
            line += _("; follow-up “{step}” due {due}", step=args.next_step, due=due_text(due))
        return line + _("; it syncs next time ({id})", id=visit["id"])

    emit(args, visit, summary)
    return 0


VISIT_COLUMNS = [("DATE", 16), ("CUSTOMER", 30), ("KIND", 7), ("OUTCOME", 0)]


def cmd_visits(args: argparse.Namespace, store: Store) -> int:
    customer_id = store.resolve_customer(args.customer)["id"] if args.customer else None
    visits = sorted(store.visits(customer_id), key=lambda v: v.get("at") or "", reverse=True)
    names: dict[str, str] = {}

    def row(v: dict) -> list:
        cid = str(v.get("customer_id") or "")
        if cid not in names:
            names[cid] = (store.customer(cid) or {}).get("name", cid)
        mark = "" if v.get("synced") else "  " + _("(not yet synced)")
        return [local_time(v.get("at"), store.policy), names[cid], _(v.get("kind") or ""),
                f"{v.get('outcome')}{mark}"]

    emit(args, visits, lambda: "\n".join(
        table(VISIT_COLUMNS, map(row, visits), header=args.header)) or _("no visits"))
    return 0


def cmd_feedback(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    customer = store.resolve_customer(args.customer)
    refusal = rules.feedback_refusal(args.kind, args.score)
    if refusal is not None:
        raise CliError(_("{why}: add --score 1-5",
                         why=refusal_text(refusal.code, refusal.params, refusal.text)))
    record = store.add_feedback(customer["id"], kind=args.kind, text=args.text,
                                score=args.score, severity=args.severity)
    emit(args, record, record["id"])
    return 0


def cmd_followup_add(args: argparse.Namespace, store: Store) -> int:
    """Issue 12: the ``n`` key's headless twin; prints the new follow-up's id."""
    need_session(store)
    customer = store.resolve_customer(args.customer)
    due = _date(args.due, "--due", store)
    record = store.add_followup(customer["id"], title=args.title, due=due)
    emit(args, record, record["id"])
    return 0


def cmd_claim(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    customer = store.resolve_customer(args.customer)
    claimed = store.claim(customer["id"])
    emit(args, claimed, _("claim for {name} queued; the server decides at the next sync",
                          name=claimed["name"]))
    return 0


QUEUE_COLUMNS = [("DUE", 12), ("CUSTOMER", 30), ("TIER", 4), ("WHY", 0)]


def cmd_queue(args: argparse.Namespace, store: Store) -> int:
    entries = store.queue(datetime.now(UTC))
    today = store.today()

    def row(e: dict) -> list:
        why = reason_text(e, today) + (f"  ({e['followup_id']})" if e.get("followup_id")
                                       else "")
        return [due_cell(e, today), e.get("customer_name"), e.get("tier") or "", why]

    emit(args, entries, lambda: "\n".join(
        table(QUEUE_COLUMNS, map(row, entries), header=args.header))
        or _("nothing in the queue"))
    return 0


def _by_prefix(text: str, candidates: list[str], what: str) -> str:
    """The one candidate equal to ``text`` or starting with it (ids are long to type)."""
    if text in candidates:
        return text
    found = [c for c in dict.fromkeys(candidates) if c.startswith(text)] if len(text) >= 4 else []
    if len(found) > 1:
        raise CliError(_("“{text}” starts {n} {what} ids; type more of it (e.g. {examples})",
                         text=text, n=len(found), what=_(what), examples=", ".join(found[:3])))
    return found[0] if found else text  # unknown: the store says so clearly


def _followup(store: Store, text: str) -> str:
    """FOLLOWUP: a follow-up id (or its first letters), or a queue entry's key."""
    text = text.strip().removeprefix("followup:")
    ids = [f["id"] for f in store.followups(include_closed=True)]
    keys = [e["key"] for e in store.queue(datetime.now(UTC))
            if not e["key"].startswith("followup:")]
    return _by_prefix(text, ids + keys, "follow-up")


def _open_followup(store: Store, text: str) -> str:
    """FOLLOWUP, refused (CliError) when it is already done or dismissed."""
    followup_id = _followup(store, text)
    record = next((f for f in store.followups(include_closed=True)
                   if f.get("id") == followup_id), None)
    if record is not None and record.get("status") in ("done", "dismissed"):
        raise CliError(_("that follow-up is already done: {title}", title=record.get("title"))
                       if record["status"] == "done" else
                       _("that follow-up was dismissed: {title}", title=record.get("title")))
    return followup_id


def cmd_done(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    record = store.complete_followup(_open_followup(store, args.followup))
    emit(args, record, _("done: {title}", title=record.get("title")))
    return 0


def cmd_snooze(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    until = _date(args.until, "--until", store)
    record = store.snooze_followup(_open_followup(store, args.followup), until)
    emit(args, record, _("snoozed until {day}: {title}", day=due_text(until),
                         title=record.get("title")))
    return 0


CONFLICT_COLUMNS = [("ID", 12), ("CUSTOMER", 24), ("FIELD", 12), ("MINE", 20), ("THEIRS", 0)]


def cmd_conflicts(args: argparse.Namespace, store: Store) -> int:
    conflicts = store.conflicts()
    rows = ([c["id"], c.get("customer_name"), c["field"], repr(c.get("mine")),
             repr(c.get("theirs"))] for c in conflicts)
    emit(args, conflicts, lambda: "\n".join(
        table(CONFLICT_COLUMNS, rows, header=args.header)) or _("no conflicts"))
    return 0


def cmd_resolve(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    conflict_id = _by_prefix(args.conflict.strip(), [c["id"] for c in store.conflicts()],
                             "conflict")
    if conflict_id not in {c["id"] for c in store.conflicts()}:
        raise CliError(_("no conflict “{id}” (fieldrep conflicts lists them)", id=args.conflict))
    store.resolve_conflict(conflict_id, args.keep)
    emit(args, {"id": conflict_id, "kept": args.keep},
         _("kept mine; it is sent again at the next sync") if args.keep == "mine"
         else _("kept theirs; the server's stands"))
    return 0


def cmd_export_outbox(args: argparse.Namespace, store: Store) -> int:
    count = store.export_outbox(args.file)
    emit(args, {"exported": count, "file": args.file},
         _n("wrote {n} pending operation to {file}", "wrote {n} pending operations to {file}",
            count, file=args.file))
    return 0


def cmd_import_outbox(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    count = store.import_outbox(args.file)
    if not count and not recovery.operations_in(Path(args.file)):
        raise CliError(_("{file} holds no operations to import (write one with fieldrep "
                         "export-outbox FILE)", file=args.file))
    emit(args, {"imported": count, "file": args.file},
         _n("queued {n} operation from {file}; it syncs next time",
            "queued {n} operations from {file}; they sync next time", count, file=args.file)
         if count else _("nothing new in {file}: every operation in it is already here",
                         file=args.file))
    return 0


def _date(text: str, flag: str, store: Store) -> date:
    """The day ``text`` names, counted from today in the team's time zone (the day the queue
    and the forms count in, not this machine's)."""
    try:
        return parse_date(text, store.today())
    except ValueError as error:
        raise CliError(f"{flag}: {error}") from None
