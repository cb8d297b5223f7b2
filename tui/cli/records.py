"""The rep's records from the command line: customers, visits, feedback, claims, the queue,
follow-ups, conflicts and the outbox file.

Every write goes to the outbox (it works offline) and needs a login; a CUSTOMER is an id or a
search matching one customer, a FOLLOWUP or CONFLICT an id or its first letters.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from cache import Store
from sync.protocol import rules
from sync.protocol.dates import parse_date
from tui.cli.common import CliError, cell, emit, need_session, short_date
from ui.i18n import _, refusal_text


def _customer_line(c: dict) -> str:
    owner = c.get("owner_name") or ("pool" if not c.get("owner_id") else "")
    return "  ".join([cell(c.get("name"), 36), cell(c.get("tier"), 1), cell(c.get("city"), 10),
                      cell(c.get("stage"), 9), cell(owner, 14), c.get("id", "")])


def cmd_customers(args: argparse.Namespace, store: Store) -> int:
    if args.search:
        customers = store.search(args.search, limit=args.limit)
    else:
        customers = [store.customer(cid) for cid in store.all_customer_ids("name")[: args.limit]]
    customers = [c for c in customers if c]
    if args.group_by:
        groups = store.groups(args.group_by)
        if args.search:
            ids = {c["id"] for c in customers}
            data = []
            for value, _count in groups:
                members = [cid for cid in store.customers_in_group(args.group_by, value)
                           if cid in ids]
                if members:
                    data.append({"group": value, "count": len(members)})
        else:
            data = [{"group": value, "count": count} for value, count in groups]
        emit(args, data, lambda: "\n".join(f"{cell(g['group'] or '—', 30)}  {g['count']}"
                                           for g in data) or "no customers")
        return 0
    emit(args, customers,
         lambda: "\n".join(_customer_line(c) for c in customers) or "no customers")
    return 0


def cmd_show(args: argparse.Namespace, store: Store) -> int:
    customer = store.resolve_customer(args.customer)
    timeline = store.timeline(customer["id"])
    data = {**customer, "timeline": timeline}

    def text() -> str:
        owner = customer.get("owner_name") or "pool (unowned)"
        lines = [f"{customer['name']}  [{customer.get('tier')}] {customer.get('stage')}",
                 f"{customer.get('city')}, {customer.get('province')} · {customer.get('industry')}",
                 f"owner: {owner}"
                 + (f", protected until {short_date(customer.get('protected_until'))}"
                    if customer.get("protected_until") else "")]
        for contact in customer.get("contacts") or []:
            lines.append(f"contact: {contact.get('name')} {contact.get('title', '')} "
                         f"{contact.get('phone', '')} {contact.get('email', '')}".rstrip())
        lines.append("")
        for entry in timeline[:30]:
            record = entry["record"]
            what = (record.get("outcome") or record.get("text") or record.get("title") or "")
            mark = "" if entry.get("synced") else "  (not yet synced)"
            lines.append(f"{short_date(entry.get('at'))}  {entry['type']:<9} {what}{mark}")
        return "\n".join(lines)

    emit(args, data, text)
    return 0


def cmd_visit_log(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    customer = store.resolve_customer(args.customer)
    if args.next_step and not args.due:
        raise CliError("--next-step needs --due (e.g. --due fri)")
    due = _date(args.due, "--due") if args.due else None
    visit = store.log_visit(customer["id"], kind=args.kind, outcome=args.outcome,
                            notes=args.notes or "", next_step=args.next_step or "", due=due,
                            amount=args.amount)
    emit(args, visit, visit["id"])
    return 0


def cmd_visits(args: argparse.Namespace, store: Store) -> int:
    customer_id = store.resolve_customer(args.customer)["id"] if args.customer else None
    visits = sorted(store.visits(customer_id), key=lambda v: v.get("at") or "", reverse=True)
    names = {}

    def text() -> str:
        lines = []
        for v in visits:
            cid = v.get("customer_id")
            if cid not in names:
                names[cid] = (store.customer(cid) or {}).get("name", cid)
            mark = "" if v.get("synced") else "  (not yet synced)"
            lines.append(f"{short_date(v.get('at'))}  {cell(names[cid], 30)}  "
                         f"{v.get('kind'):<7} {v.get('outcome')}{mark}")
        return "\n".join(lines) or "no visits"

    emit(args, visits, text)
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


def cmd_claim(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    customer = store.resolve_customer(args.customer)
    claimed = store.claim(customer["id"])
    emit(args, claimed, _("claim for {name} queued; the server decides at the next sync",
                          name=claimed["name"]))
    return 0


def cmd_queue(args: argparse.Namespace, store: Store) -> int:
    entries = store.queue(datetime.now(UTC))

    def text() -> str:
        return "\n".join(
            f"{short_date(e.get('due')):<10}  {cell(e.get('customer_name'), 30)}  "
            f"{e.get('tier') or ' '}  {e.get('reason')}"
            + (f"  ({e['followup_id']})" if e.get("followup_id") else "")
            for e in entries
        ) or "nothing in the queue"

    emit(args, entries, text)
    return 0


def _by_prefix(text: str, candidates: list[str], what: str) -> str:
    """The one candidate equal to ``text`` or starting with it (ids are long to type)."""
    if text in candidates:
        return text
    found = [c for c in dict.fromkeys(candidates) if c.startswith(text)] if len(text) >= 4 else []
    if len(found) > 1:
        raise CliError(f"{text!r} starts {len(found)} {what} ids; type more of it "
                       f"(e.g. {', '.join(found[:3])})")
    return found[0] if found else text  # unknown: the store says so clearly


def _followup(store: Store, text: str) -> str:
    """FOLLOWUP: a follow-up id (or its first letters), or a queue entry's key."""
    text = text.strip().removeprefix("followup:")
    ids = [f["id"] for f in store.followups(include_closed=True)]
    keys = [e["key"] for e in store.queue(datetime.now(UTC))
            if not e["key"].startswith("followup:")]
    return _by_prefix(text, ids + keys, "follow-up")


def cmd_done(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    record = store.complete_followup(_followup(store, args.followup))
    emit(args, record, f"done: {record.get('title')}")
    return 0


def cmd_snooze(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    until = _date(args.until, "--until")
    record = store.snooze_followup(_followup(store, args.followup), until)
    emit(args, record, f"snoozed until {until.isoformat()}: {record.get('title')}")
    return 0


def cmd_conflicts(args: argparse.Namespace, store: Store) -> int:
    conflicts = store.conflicts()
    emit(args, conflicts, lambda: "\n".join(
        f"{c['id']}  {c.get('customer_name')}: {c['field']} — mine {c.get('mine')!r}, "
        f"theirs {c.get('theirs')!r}" for c in conflicts) or "no conflicts")
    return 0


def cmd_resolve(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    conflict_id = _by_prefix(args.conflict.strip(), [c["id"] for c in store.conflicts()],
                             "conflict")
    if conflict_id not in {c["id"] for c in store.conflicts()}:
        raise CliError(f"no conflict {args.conflict!r} (fieldrep conflicts lists them)")
    store.resolve_conflict(conflict_id, args.keep)
    then = "it is sent again at the next sync" if args.keep == "mine" else "the server's stands"
    emit(args, {"id": conflict_id, "kept": args.keep}, f"kept {args.keep}; {then}")
    return 0


def cmd_export_outbox(args: argparse.Namespace, store: Store) -> int:
    count = store.export_outbox(args.file)
    emit(args, {"exported": count, "file": args.file},
         f"wrote {count} pending operation(s) to {args.file}")
    return 0


def cmd_import_outbox(args: argparse.Namespace, store: Store) -> int:
    need_session(store)
    count = store.import_outbox(args.file)
    emit(args, {"imported": count, "file": args.file},
         f"queued {count} operation(s) from {args.file}; they sync next time")
    return 0


def _date(text: str, flag: str) -> date:
    try:
        return parse_date(text)
    except ValueError as error:
        raise CliError(f"{flag}: {error}") from None
