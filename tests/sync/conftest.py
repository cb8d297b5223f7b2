"""The one organisation fixture of the sync tests: ``org``, a real server process seeded to order.

A module (or a test) says what its organisation holds with a marker, read by :func:`org`::

    pytestmark = pytest.mark.org(reps=["Ana", "Bo"], managers=["Mei"], customers=12)

``territories`` maps a territory to its provinces (default: East, in Zhejiang); ``reps`` and
``managers`` are names, each covering every territory, or a mapping of name to the territories it
covers; ``customers`` are imported in the first territory's first province. Without the marker
the organisation has the territory East and nobody in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest

from tests.sync._harness import Org, make_customers

Cover = Iterable[str] | Mapping[str, list[str]]


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "org(territories=None, reps=(), managers=(), customers=0): what the org fixture seeds",
    )


def seed(
    org: Org,
    *,
    territories: Mapping[str, list[str]] | None = None,
    reps: Cover = (),
    managers: Cover = (),
    customers: int = 0,
) -> Org:
    """Territories, then reps, then managers, then customers, through the server's admin CLI."""
    territories = {"East": ["Zhejiang"]} if territories is None else territories
    for name, provinces in territories.items():
        org.add_territory(name, provinces)
    for role, people in (("rep", reps), ("manager", managers)):
        covers = people if isinstance(people, Mapping) else {n: list(territories) for n in people}
        for name, covered in covers.items():
            org.add_rep(name, covered, role=role)
    if customers:
        first = next(iter(territories.values()))[0]
        org.import_customers(make_customers(customers, first))
    return org


@pytest.fixture
def org(request, tmp_path):
    """A started server with the organisation the ``org`` marker asks for; stopped afterwards."""
    marker = request.node.get_closest_marker("org")
    org = seed(Org.create(tmp_path / "server"), **(marker.kwargs if marker else {}))
    org.start()
    yield org
    org.stop()
