"""Every mutation kind, pushed by a rep of East and by the manager of the other team, at another
rep's records, another team's customers, pool customers in and out of their territories and ids
that do not exist: the answer holds nothing outside the caller's audience, every refusal has a
code, and nothing beyond the caller's rights changes (the table is in _matrix.py)."""

from __future__ import annotations

import pytest

from tests.security._matrix import CELLS, cell_id, covers_every_kind_and_target, run_cell


def test_the_matrix_has_a_row_for_every_mutation_kind_and_target():
    assert covers_every_kind_and_target() == []


@pytest.mark.parametrize(("caller", "kind", "target", "expect"), CELLS,
                         ids=[cell_id(c) for c in CELLS])
def test_an_attack_leaks_nothing_and_changes_nothing_beyond_rights(fresh, caller, kind, target,
                                                                   expect):
    run_cell(fresh, caller, kind, target, expect)
