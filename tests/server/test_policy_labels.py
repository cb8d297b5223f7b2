"""The policy's ``value_labels`` (the Chinese names of industries, customer types and product
lines): checked like the rest of the policy by `policy set` and `PUT /v1/policy` (issue 16)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from server import db
from server.app import create_app
from server.org import add_rep
from tests.server.test_admin_cli import admin  # noqa: F401  (the fixture)


def test_policy_set_names_a_value_in_chinese_and_an_empty_name_removes_it(admin):  # noqa: F811
    out, _ = admin("policy", "set", "value_labels.industry.Manufacturing=制造业",
                   "value_labels.product_line.Spare parts=备件")
    assert "value_labels.industry.Manufacturing: None → 制造业" in out
    shown = json.loads(admin("policy", "show", "--json")[0])
    assert shown["value_labels"] == {"industry": {"Manufacturing": "制造业"},
                                     "product_line": {"Spare parts": "备件"}}
    assert "value_labels.industry.Manufacturing = \"制造业\"" in admin("policy", "show")[0]
    out, _ = admin("policy", "set", "value_labels.industry.Manufacturing=")
    assert "value_labels.industry.Manufacturing: 制造业 → None" in out
    shown = json.loads(admin("policy", "show", "--json")[0])
    assert shown["value_labels"] == {"product_line": {"Spare parts": "备件"}}


def test_policy_set_refuses_an_unknown_kind_or_a_name_too_long_in_one_line(admin):  # noqa: F811
    _, err = admin("policy", "set", "value_labels.city.Boston=波士顿", code=1)
    assert "unknown setting 'value_labels.city.Boston'" in err
    assert "value_labels.industry.VALUE" in err
    _, err = admin("policy", "set", "value_labels.industry=制造业", code=1)
    assert "unknown setting 'value_labels.industry'" in err
    _, err = admin("policy", "set", "value_labels.industry.Retail=" + "零" * 81, code=1)
    assert "value_labels.industry.Retail" in err


def test_put_policy_checks_value_labels_like_every_other_key(admin):  # noqa: F811
    with db.writing(db.make_engine(admin.url)) as conn:
        _, root = add_rep(conn, "Root", team=None, territories=[], role="admin")
    client = TestClient(create_app(admin.url))
    h = {"Authorization": f"Bearer {root}"}
    policy = client.get("/v1/policy", headers=h).json()
    assert policy["value_labels"] == {}
    for bad in ({"city": {"Boston": "波士顿"}}, {"industry": {"Retail": ""}},
                {"industry": {"Retail": "零" * 81}}):
        response = client.put("/v1/policy", headers=h, json={**policy, "value_labels": bad})
        assert response.status_code == 422, bad
    good = {**policy, "value_labels": {"customer_type": {"B2B": "企业客户"}}}
    response = client.put("/v1/policy", headers=h, json=good)
    assert response.status_code == 200
    assert client.get("/v1/policy", headers=h).json()["value_labels"] == {
        "customer_type": {"B2B": "企业客户"}}
