"""``cache.Store`` is a ``SyncStore``: all the sync engine is typed against, the store offers.

``sync`` does not import ``cache``, so nothing in the product ties the two together; these tests
do. mypy reads ``_a_store_is_a_sync_store`` below (never called: it costs nothing at run time)
and must find it correct; at run time every member of the Protocol is on ``Store`` as the same
kind of thing (a property or a method) with the same parameters; and the Protocol lists exactly
the store's members that sync/engine.py uses (mypy proves it lists no fewer).
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from pathlib import Path

import mypy.api
import pytest

from cache import Store
from sync.store_protocol import SyncStore

ROOT = Path(__file__).resolve().parents[2]


def _a_store_is_a_sync_store(store: Store) -> SyncStore:
    return store  # mypy: Store must be structurally a SyncStore


def _members() -> dict[str, object]:
    return {name: value for name, value in vars(SyncStore).items() if not name.startswith("_")}


def _parameters(function: Callable[..., object]) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_mypy_finds_that_the_store_conforms_to_the_sync_store_protocol(tmp_path):
    out, err, status = mypy.api.run([
        "--config-file", str(ROOT / "pyproject.toml"),
        "--follow-imports=silent",  # errors elsewhere are make lint's business, not this test's
        "--cache-dir", str(tmp_path / "mypy"),
        __file__,
    ])
    assert status == 0, out + err


def _store_attributes_used_by(path: Path) -> set[str]:
    """Every ``store.X`` and ``self.store.X`` that the module's code reads or calls."""
    used = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        if (isinstance(owner, ast.Name) and owner.id == "store") or (
            isinstance(owner, ast.Attribute) and owner.attr == "store"
            and isinstance(owner.value, ast.Name) and owner.value.id == "self"
        ):
            used.add(node.attr)
    return used


def test_the_protocol_lists_exactly_what_the_engine_and_login_use_of_the_store():
    used = _store_attributes_used_by(ROOT / "sync" / "engine.py")
    used |= _store_attributes_used_by(ROOT / "sync" / "client.py")
    assert "outbox" in used and "session" in used  # the scan sees the engine's calls
    assert sorted(_members()) == sorted(used)


@pytest.mark.parametrize("name", sorted(_members()))
def test_each_member_of_the_protocol_is_on_the_store_as_the_same_kind_with_the_same_parameters(
    name,
):
    wanted = _members()[name]
    offered = inspect.getattr_static(Store, name, None)
    assert offered is not None, f"Store has no {name}"
    if isinstance(wanted, property):
        assert isinstance(offered, property), f"Store.{name} should be a property"
    else:
        assert callable(wanted) and callable(offered), f"Store.{name}() should be a method"
        assert _parameters(getattr(Store, name)) == _parameters(wanted)
