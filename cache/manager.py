"""A manager's actions on the laptop, queued in the outbox like any change: ``customer.assign``
(a pool customer to a rep of the team) and ``customer.transfer`` (a customer, or a whole book
split among reps, to another rep), with the pool of the manager's scope to choose from.

What the laptop knows is checked first, in the server's words (``sync/protocol/refusals.py``):
the role (a manager or an admin), the rep (of the manager's team), the territory (the new owner's
covers it, when the snapshot holds the territories), the policy's max_held, a move already
waiting. The server judges again at sync (``server/domain/manager.py``) and a refusal there
(claimed meanwhile) comes back as a rejection. A book split is planned by the same function the
server shares the pool with (``sync/protocol/sharing.py``), so the preview is what is queued.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cache import overlay
from cache.commands import refused
from cache.errors import NotFound
from cache.ids import uuid7
from cache.journal import Change, Op, now
from sync.protocol import ownership, rules, sharing
from sync.protocol.refusals import Refusal

if TYPE_CHECKING:
    from cache.commands import Commands
    from cache.journal import Journal
    from cache.session import Session
    from cache.view import LocalView

MOVES = ("customer.assign", "customer.transfer")
BOOK = "book.transfer"


def book_moves(outbox: list[dict]) -> dict[str, str]:
    """N (issue 10): customer id → new owner's id of the pending ``book.transfer`` operations."""
    out: dict[str, str] = {}
    for op in outbox:
        if op["kind"] != BOOK:
            continue
        fields = op.get("fields") or {}
        to = fields.get("to") or []
        for cid, i in fields.get("moves") or []:
            out[cid] = to[i]
    return out


class Manager:
    """The signed-in manager's assign, transfer and pool, on ``commands``' journal."""

    def __init__(self, commands: Commands, session: Session, view: LocalView,
                 journal: Journal) -> None:
        self._commands = commands
        self._session = session
        self._view = view
        self._journal = journal

    # ------------------------------------------------------------------ who

    def _me(self) -> dict:
        self._commands._rep()
        me = self._session.me or {}
        if me.get("role") not in ("manager", "admin"):
            raise refused(Refusal("role.manager_only"))
        return me

    def rep(self, text: str) -> dict:
        """The rep ``text`` names (id or name) among the team's reps (any rep for an admin)."""
        me = self._me()
        reps = self._session.reps
        found = reps.get(text) or next(
            (r for r in reps.values() if (r.get("name") or "").casefold() == text.casefold()),
            None)
        if found is None:
            raise refused(Refusal("manager.unknown_rep", {"name": text[:60]}), "rep")
        if me.get("role") == "manager" and found.get("team_id") != me.get("team_id"):
            raise refused(Refusal("manager.not_team_rep", {"rep": found.get("name")}), "rep")
        return found

    def _covers(self, rep: dict, customer: dict) -> bool:
        """Do ``rep``'s territories cover ``customer`` (True when the snapshot has none)?"""
        territories = {t["id"]: t for t in self._session.territories}
        theirs = [territories[t] for t in rep.get("territory_ids") or [] if t in territories]
        return not theirs or any(rules.territory_covers(t, customer) for t in theirs)

    def _territories_of(self, rep_id: str) -> list[dict]:
        territories = {t["id"]: t for t in self._session.territories}
        rep = self._session.reps.get(rep_id) or {}
        return [territories[t] for t in rep.get("territory_ids") or [] if t in territories]

    def held(self) -> dict[str, int]:
        """Customers held per rep id on this laptop, the moves waiting in the outbox counted."""
        counts: dict[str, int] = {}
        for customer in self._view.customers.values():
            owner = customer.get("owner_id")
            if owner:
                counts[owner] = counts.get(owner, 0) + 1
        for op in self._journal.doc["outbox"]:
            for cid, to in book_moves([op]).items():  # N: a pending book's moves
                counts[to] = counts.get(to, 0) + 1
                owner = (self._view.customers.get(cid) or {}).get("owner_id")
                if owner:
                    counts[owner] = counts.get(owner, 0) - 1
            if op["kind"] in MOVES:
                fields = op.get("fields") or {}
                to = str(fields.get("rep_id") or fields.get("to_rep_id"))
                counts[to] = counts.get(to, 0) + 1
                owner = (self._view.customers.get(op["record_id"]) or {}).get("owner_id")
                if owner:
                    counts[owner] = counts.get(owner, 0) - 1
        return counts

    # ------------------------------------------------------------------ moves

    def _judge(self, customer_id: str, rep: dict, held: dict[str, int],
               pending: set[str]) -> dict:
        customer = self._view.customers.get(customer_id)
        if customer is None:
            raise NotFound(f"no customer {customer_id!r}")
        name = customer.get("name", "")
        if customer_id in pending:
            raise refused(Refusal("manager.pending", {"name": name}))
        if customer.get("owner_id") == rep["id"]:
            raise refused(Refusal("manager.already_owner", {"name": name, "rep": rep["name"]}))
        if not self._covers(rep, customer):
            raise refused(Refusal("manager.target_territory", {"rep": rep["name"], "name": name}))
        cap = self._session.policy.max_held
        if held.get(rep["id"], 0) >= cap:
            raise refused(Refusal("manager.max_held", {"rep": rep["name"],
                                                       "held": held[rep["id"]], "cap": cap}))
        return customer

    def _queue(self, kind: str, moves: list[tuple[str, dict, dict]]) -> list[dict]:
        """One ``kind`` operation per (customer id, rep, fields), in one durable write."""
        change = Change(ops=[], layers={}, at=now())
        for cid, _rep, fields in moves:
            change.ops.append(Op(kind, cid, fields, self._view.customers[cid].get("version")))
            change.layers[cid] = {}
        self._commands._save(change, *[cid for cid, _, _ in moves])
        return [{**overlay.full(self._view.customers[cid]), "to_rep_id": rep["id"],
                 "to_rep": rep["name"]} for cid, rep, _ in moves]

    def _pending(self) -> set[str]:
        pending = {op["record_id"] for op in self._journal.doc["outbox"] if op["kind"] in MOVES}
        return pending | set(book_moves(self._journal.doc["outbox"]))  # N: a pending book's too

    def pending_moves(self) -> dict[str, str]:
        """Q: customer id → the rep it goes to, of the moves waiting in the outbox (assignments,
        transfers, books), so the Pool screen marks them."""
        out = book_moves(self._journal.doc["outbox"])
        for op in self._journal.doc["outbox"]:
            if op["kind"] in MOVES:
                fields = op.get("fields") or {}
                out[op["record_id"]] = str(fields.get("rep_id") or fields.get("to_rep_id"))
        return out

    def transfer_book(self, plan: dict, reason: str | None) -> dict:
        """N (issue 10): queue ``plan``'s moves (``plan_book``) as ONE ``book.transfer``
        operation (ids and an index into its reps: 5,000 fit a push), in one durable write."""
        giver = self.rep(plan["from_rep_id"])
        to = list(dict.fromkeys(m["to_rep_id"] for m in plan["moves"]))
        if not to:
            raise refused(Refusal("book.empty"))
        index = {rep_id: i for i, rep_id in enumerate(to)}
        fields: dict = {"from": giver["id"], "to": to,
                        "moves": [[m["customer_id"], index[m["to_rep_id"]]] for m in plan["moves"]]}
        if reason and reason.strip():
            fields["reason"] = reason.strip()
        self._commands._save(Change(ops=[Op("book.transfer", uuid7(), fields)], at=now()))
        return {**plan, "queued": len(plan["moves"])}

    def assign(self, customer_ids: list[str], rep_text: str) -> list[dict]:
        """Queue one ``customer.assign`` per pool customer of ``customer_ids`` to the rep
        ``rep_text`` names; all or none (the first refusal says which)."""
        rep = self.rep(rep_text)
        held, pending = self.held(), self._pending()
        moves = []
        for cid in dict.fromkeys(customer_ids):
            customer = self._judge(cid, rep, held, pending)
            if customer.get("owner_id") or customer.get("claim_pending"):
                raise refused(Refusal("manager.not_pool", {"name": customer.get("name", "")}))
            held[rep["id"]] = held.get(rep["id"], 0) + 1
            moves.append((cid, rep, {"rep_id": rep["id"]}))
        return self._queue("customer.assign", moves)

    def transfer(self, moves: list[tuple[str, str]], reason: str | None) -> list[dict]:
        """Queue one ``customer.transfer`` per (customer id, rep id or name), with ``reason``."""
        held, pending = self.held(), self._pending()
        queued = []
        note = {"reason": reason.strip()} if reason and reason.strip() else {}
        for cid, rep_text in moves:
            rep = self.rep(rep_text)
            self._judge(cid, rep, held, pending)
            held[rep["id"]] = held.get(rep["id"], 0) + 1
            pending.add(cid)
            queued.append((cid, rep, {"to_rep_id": rep["id"], **note}))
        return self._queue("customer.transfer", queued)

    def plan_book(self, from_text: str, to_texts: list[str], split: str) -> dict:
        """Who of ``to_texts`` gets which of ``from_text``'s customers by ``split`` (even or
        region), and the load per rep before and after; nothing is queued."""
        if split not in sharing.SPLITS:
            raise refused(Refusal("manager.unknown_split", {
                "split": split[:40], "choices": ", ".join(sharing.SPLITS)}), "split")
        giver = self.rep(from_text)
        targets = [self.rep(t) for t in dict.fromkeys(to_texts)]
        if any(t["id"] == giver["id"] for t in targets):
            raise refused(Refusal("manager.same_rep", {"rep": giver["name"]}), "to")
        pending = self._pending()
        book = sorted((c for c in self._view.customers.values()
                       if c.get("owner_id") == giver["id"] and c["id"] not in pending),
                      key=lambda c: (c.get("name") or "", c["id"]))
        held = self.held()
        shared = sharing.plan(sharing.SPLITS[split], book, targets, self._covers,
                              self._territories_of, held, self._session.policy.max_held)
        load = [{"rep_id": r["id"], "rep": r["name"], "before": shared.before[r["id"]],
                 "after": shared.after[r["id"]]} for r in targets]
        load.insert(0, {"rep_id": giver["id"], "rep": giver["name"],
                        "before": held.get(giver["id"], 0),
                        "after": held.get(giver["id"], 0) - len(shared.moves)})
        return {
            "from": giver["name"], "from_rep_id": giver["id"], "split": split,
            "moves": [{"customer_id": m.customer["id"], "customer": m.customer.get("name", ""),
                       "to_rep_id": m.rep["id"], "to_rep": m.rep["name"]} for m in shared.moves],
            "stay": [{"customer_id": c["id"], "customer": c.get("name", ""), "why": why}
                     for why, stay in (("uncovered", shared.uncovered),
                                       ("unmatched", shared.unmatched), ("full", shared.full))
                     for c in stay],
            "load": load,
        }

    def _team(self) -> list[dict]:
        """The reps (role rep) of the manager's team, by name; an admin's: every rep."""
        me = self._me()
        team = me.get("team_id")
        reps = [r for r in self._session.reps.values() if (r.get("role") or "rep") == "rep"
                and (me.get("role") == "admin" or (team and r.get("team_id") == team))]
        return sorted(reps, key=lambda r: ((r.get("name") or "").casefold(), r["id"]))

    def plan_pool(self, strategy: str, customer_ids: list[str] | None = None,
                  to_texts: list[str] | None = None) -> dict:
        """Q (issue 10): who of the team (or of ``to_texts``) gets which pool customers (those of
        ``customer_ids``, or the whole pool of the manager's scope) by ``strategy``, why (the
        rule that matched, as the ownership history will say it), which stay and why, and each
        rep's load before and after; nothing is queued. ``sharing.plan``, as the server's
        ``fieldrep-server assign`` runs it, so ``assign_plan`` queues exactly this."""
        if strategy not in rules.STRATEGIES:
            raise refused(Refusal("assign.unknown_strategy", {
                "strategy": strategy[:40], "choices": ", ".join(rules.STRATEGIES)}), "strategy")
        targets = ([self.rep(t) for t in dict.fromkeys(to_texts)] if to_texts
                   else self._team())
        if not targets:
            raise refused(Refusal("manager.no_reps"))
        pending = self._pending()
        if customer_ids is None:
            in_scope = self._session.coverage()
            chosen = [c for c in self._view.customers.values()
                      if not c.get("owner_id") and not c.get("claim_pending")
                      and c["id"] not in pending and in_scope(c)]
        else:
            chosen = []
            for cid in dict.fromkeys(customer_ids):
                customer = self._view.customers.get(cid)
                if customer is None:
                    raise NotFound(f"no customer {cid!r}")
                if cid in pending:
                    raise refused(Refusal("manager.pending", {"name": customer.get("name", "")}))
                if customer.get("owner_id") or customer.get("claim_pending"):
                    raise refused(Refusal("manager.not_pool",
                                          {"name": customer.get("name", "")}))
                chosen.append(customer)
        chosen.sort(key=lambda c: (c.get("name") or "", c["id"]))
        held = self.held()
        territories = {t["id"]: t for t in self._session.territories}
        theirs = {r["id"]: [territories[t] for t in r.get("territory_ids") or []
                            if t in territories] for r in targets}

        def covers(rep: dict, customer: dict) -> bool:  # _covers, the territories looked up once
            listed = theirs[rep["id"]]
            return not listed or any(rules.territory_covers(t, customer) for t in listed)

        def territories_of(rep_id: str) -> list[dict]:
            return theirs.get(rep_id) or self._territories_of(rep_id)

        # reps sharing their territories cover the same customers: each set judged once
        key_of = {r["id"]: tuple(t["id"] for t in theirs[r["id"]]) for r in targets}
        groups = {key: theirs[rid] for rid, key in key_of.items()}

        def covering(customer: dict) -> list[dict]:
            ok = {key: not listed or any(rules.territory_covers(t, customer) for t in listed)
                  for key, listed in groups.items()}
            return [r for r in targets if ok[key_of[r["id"]]]]

        shared = sharing.plan(strategy, chosen, targets, covers, territories_of, held,
                              self._session.policy.max_held, covering)
        moves = []
        for m in shared.moves:
            field, value = ownership.matched_key(strategy, m.customer,
                                                 territories_of(m.rep["id"]))
            moves.append({"customer_id": m.customer["id"], "customer": m.customer.get("name", ""),
                          "city": m.customer.get("city") or "", "to_rep_id": m.rep["id"],
                          "to_rep": m.rep["name"], "field": field, "value": value,
                          "count": m.count, "eligible": m.eligible})
        return {
            "strategy": strategy, "moves": moves,
            "stay": [{"customer_id": c["id"], "customer": c.get("name", ""), "why": why}
                     for why, stay in (("uncovered", shared.uncovered),
                                       ("unmatched", shared.unmatched), ("full", shared.full))
                     for c in stay],
            "load": [{"rep_id": r["id"], "rep": r["name"], "before": shared.before[r["id"]],
                      "after": shared.after[r["id"]]} for r in targets],
        }

    def assign_plan(self, plan: dict) -> list[dict]:
        """Queue ``plan``'s moves (``plan_pool``) as one ``customer.assign`` each, with the
        strategy (the ownership history says it), in one durable write; each judged again as
        ``assign`` judges (all or none)."""
        held, pending = self.held(), self._pending()
        moves = []
        for move in plan["moves"]:
            rep = self.rep(move["to_rep_id"])
            customer = self._judge(move["customer_id"], rep, held, pending)
            if customer.get("owner_id") or customer.get("claim_pending"):
                raise refused(Refusal("manager.not_pool", {"name": customer.get("name", "")}))
            held[rep["id"]] = held.get(rep["id"], 0) + 1
            pending.add(customer["id"])
            moves.append((customer["id"], rep, {"rep_id": rep["id"],
                                                "strategy": plan["strategy"]}))
        if not moves:
            raise refused(Refusal("assign.nothing"))
        return self._queue("customer.assign", moves)

    # ------------------------------------------------------------------ the pool

    def pool(self, latest: dict[str, dict]) -> list[dict]:
        """The pool customers of the manager's scope, by name, each with why it is there (its
        latest ownership event, ``latest`` by customer id: returned by whom, reclaimed and
        why), when anyone may claim it (``claimable_at``; None: now) and until when its
        previous owner may not (``cooloff_until``)."""
        self._me()
        covers = self._session.coverage()
        rows = []
        for customer in self._view.customers.values():
            if customer.get("owner_id") or not covers(customer):
                continue
            rows.append({**overlay.full(customer), "event": latest.get(customer["id"]),
                         "claimable_at": customer.get("claimable_at")})
        return sorted(rows, key=lambda c: (c.get("name") or "", c["id"]))
