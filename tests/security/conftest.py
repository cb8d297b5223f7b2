"""Fixtures of the security suite: the attacked organisation, once per module and database.

Building the world takes a while on PostgreSQL, so each module builds it once (on SQLite and on
PostgreSQL, like tests/server) and every test starts from ``fresh``: the world restored to exactly
how it was built, whatever the test before it changed.
"""

from __future__ import annotations

import pytest

from server import schema
from tests.security._world import AttackWorld
from tests.server._world import database_engine


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def engine(request, tmp_path_factory):
    engine = database_engine(request.param, tmp_path_factory.mktemp(request.param))
    yield engine
    if request.param == "postgres":
        schema.drop_schema(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def world(engine) -> AttackWorld:
    return AttackWorld(engine)


@pytest.fixture
def fresh(world) -> AttackWorld:
    world.restore()
    return world
