"""Fixtures of the server tests: a database of each kind, and a small organisation on it (as an
engine, as a URL for a real server process, or as a few records for the import)."""

from __future__ import annotations

import pytest

from server import db, schema
from server.org import add_rep, add_team, add_territory, ensure_policy
from tests.conftest import postgres_url, require_or_skip
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


def small_org(engine) -> tuple[dict, str]:
    """The policy, team East, territory ZJ (Zhejiang) and its rep Ana: (Ana, her token)."""
    with db.writing(engine) as conn:
        ensure_policy(conn)
        add_team(conn, "East", "region")
        add_territory(conn, "ZJ", provinces=["Zhejiang"])
        return add_rep(conn, "Ana", team="East", territories=["ZJ"])


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """A fresh database of each kind with the small organisation, for a real server process:
    {url, engine, rep, token}."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'server.db'}"
    else:
        url = postgres_url()
        require_or_skip("PostgreSQL", url is not None, "FIELDREP_REQUIRE_POSTGRES")
    engine = db.make_engine(url)
    schema.drop_schema(engine)
    schema.create_schema(engine)
    rep, token = small_org(engine)
    yield {"url": url, "engine": engine, "rep": rep, "token": token}
    if request.param == "postgres":
        schema.drop_schema(engine)
    engine.dispose()


@pytest.fixture
def org(engine):
    """The small organisation on ``engine``: {engine, ana, token}."""
    ana, token = small_org(engine)
    return {"engine": engine, "ana": ana, "token": token}
