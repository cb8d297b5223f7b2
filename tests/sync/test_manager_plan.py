"""The book split's plan (``sync/protocol/sharing.plan``), the pure function both the laptop's
preview and the server's assignment run, over random small teams (hypothesis): applying the
moves it previews gives exactly the load per rep it says, every customer is moved once or said
to stay with why, only to a rep whose territory covers it (and names its region for the region
split), never beyond max_held, and the same inputs give the same plan.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.protocol import rules, sharing

PROVINCES = ("浙江", "江苏", "上海", "四川")


@st.composite
def teams(draw):
    territories = {f"t{i}": {"id": f"t{i}", "name": f"T{i}",
                             "provinces": draw(st.lists(st.sampled_from(PROVINCES), min_size=1,
                                                        max_size=2, unique=True))}
                   for i in range(draw(st.integers(1, 3)))}
    reps = [{"id": f"r{i}", "name": f"Rep {i}",
             "territory_ids": draw(st.lists(st.sampled_from(sorted(territories)), max_size=2,
                                            unique=True))}
            for i in range(draw(st.integers(1, 4)))]
    customers = [{"id": f"c{i:02d}", "name": draw(st.sampled_from(["甲", "乙", "丙"])),
                  "province": draw(st.sampled_from(PROVINCES)), "owner_id": "leaver"}
                 for i in range(draw(st.integers(0, 14)))]
    held = {r["id"]: draw(st.integers(0, 4)) for r in reps}
    return territories, reps, customers, held, draw(st.integers(1, 6)), draw(
        st.sampled_from(sorted(sharing.SPLITS)))


@settings(max_examples=300, deadline=None)
@given(teams())
def test_the_preview_is_what_its_moves_then_do(team):
    territories, reps, customers, held, cap, split = team

    def territories_of(rep_id):
        rep = next(r for r in reps if r["id"] == rep_id)
        return [territories[t] for t in rep["territory_ids"]]

    def covers(rep, customer):
        return any(rules.territory_covers(t, customer) for t in territories_of(rep["id"]))

    strategy = sharing.SPLITS[split]
    plan = sharing.plan(strategy, customers, reps, covers, territories_of, held, cap)

    # the queued operations, then applied: one owner change per move
    owners = {c["id"]: c["owner_id"] for c in customers}
    for move in plan.moves:
        owners[move.customer["id"]] = move.rep["id"]
    load = {r["id"]: held[r["id"]] + sum(1 for o in owners.values() if o == r["id"])
            for r in reps}
    assert plan.before == held
    assert plan.after == load, "the load after is what the moves do"

    said = [m.customer["id"] for m in plan.moves] + [
        c["id"] for c in plan.uncovered + plan.unmatched + plan.full]
    assert sorted(said) == sorted(c["id"] for c in customers), "each customer once"
    for move in plan.moves:
        assert covers(move.rep, move.customer)
        assert held[move.rep["id"]] < cap
        if split == "region":
            assert rules.eligible_for("region", move.customer, [move.rep],
                                      territories_of) == [move.rep], "names its region"
    for rep in reps:
        assert load[rep["id"]] <= max(cap, held[rep["id"]]), "never beyond max_held"
    for customer in plan.uncovered:
        assert not any(covers(r, customer) for r in reps)
    for customer in plan.full:
        covering = [r for r in reps if covers(r, customer)]
        eligible = rules.eligible_for(strategy, customer, covering, territories_of)
        assert eligible and all(load[r["id"]] >= cap for r in eligible)
    for customer in plan.unmatched:
        covering = [r for r in reps if covers(r, customer)]
        assert covering and not rules.eligible_for(strategy, customer, covering, territories_of)
    again = sharing.plan(strategy, customers, reps, covers, territories_of, held, cap)
    assert [(m.customer["id"], m.rep["id"]) for m in again.moves] == [
        (m.customer["id"], m.rep["id"]) for m in plan.moves]
