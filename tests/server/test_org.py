"""The organisation's admin rules refuse with codes: each refusal is a ``Denied`` carrying a
``Refusal`` (code, params) and its HTTP status, whose English is what the command line prints."""

from __future__ import annotations

import pytest

from server import db
from server.org import Denied, add_rep, add_team, add_territory


def _denied(call, *args, **kwargs) -> Denied:
    with pytest.raises(Denied) as caught:
        call(*args, **kwargs)
    return caught.value


def test_a_second_team_territory_or_rep_of_the_same_name_is_refused_by_code(world):
    with db.writing(world.engine) as conn:
        team = _denied(add_team, conn, "East", "region")
        territory = _denied(add_territory, conn, "ZJ", provinces=["Zhejiang"])
        rep = _denied(add_rep, conn, "Ana", team="East", territories=["ZJ"])
    assert team.refusal.wire() == {"code": "org.team_exists", "params": {"name": "East"}}
    assert str(team) == "a team called 'East' exists already"
    assert territory.refusal.code == "org.territory_exists"
    assert rep.refusal.code == "org.rep_exists" and rep.status == 422


def test_a_bad_role_a_missing_team_or_an_unknown_name_is_refused_by_code(world):
    with db.writing(world.engine) as conn:
        role = _denied(add_rep, conn, "Dee", team="East", territories=[], role="boss")
        no_team = _denied(add_rep, conn, "Dee", team=None, territories=[])
        territory = _denied(add_rep, conn, "Dee", team="East", territories=["Mars"])
        grouping = _denied(add_team, conn, "West", "astrology")
    assert role.refusal.wire() == {"code": "org.unknown_role",
                                   "params": {"role": "boss", "choices": "rep, manager, admin"}}
    assert no_team.refusal.code == "org.team_required"
    assert territory.refusal.wire() == {"code": "org.unknown_territory",
                                        "params": {"name": "Mars"}}
    assert grouping.refusal.code == "field.invalid"
    assert grouping.refusal.params["field"] == "grouping"


def test_the_api_answers_a_managers_refused_assignment_with_its_code_and_status(world):
    def assign(token: str, **body: str):
        return world.client.post("/v1/assign", headers=world.headers(token), json=body)

    lottery = assign(world.mei_token, strategy="lottery")
    assert lottery.status_code == 422 and lottery.json()["code"] == "assign.unknown_strategy"
    other = assign(world.mei_token, strategy="region", team_id="Other")
    assert other.status_code == 403 and other.json()["code"] == "manager.own_team_assign"
    nowhere = assign(world.root_token, strategy="region", team_id="Nowhere")
    assert nowhere.status_code == 422
    assert (nowhere.json()["code"], nowhere.json()["params"]) == ("org.unknown_team",
                                                                  {"name": "Nowhere"})
