"""Fixtures of the server tests: a database of each kind, and a small organisation on it."""

from __future__ import annotations

import pytest

from server import schema
from tests.server._world import World, database_engine


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path):
    engine = database_engine(request.param, tmp_path)
    yield engine
    if request.param == "postgres":
        schema.drop_schema(engine)
    engine.dispose()


@pytest.fixture
def world(engine):
    return World(engine)
