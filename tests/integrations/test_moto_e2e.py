"""End to end with the real libraries: REST APIs made in moto through boto3 calls, deployed,
and called with requests under mock_aws, with vtl_engine's drop-in installed. Each scenario's
answer must be AWS's; the same scenarios without the drop-in show where moto alone answers
otherwise (the table printed by test_moto_alone_differs, copied into docs/moto.md)."""
from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
import requests
import responses
import yaml
from moto import mock_aws
from moto_scenarios import MOTO_CONFIG, REGION, SCENARIOS, Outcome, Scenario, lambda_function, run

from vtl_engine.integrations.moto import stage_url


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_with_vtl_engine_moto_answers_as_aws(scenario: Scenario, echo_url: str) -> None:
    outcome = run(scenario, echo_url, with_drop_in=True)
    assert scenario.accepts(outcome), outcome


def test_moto_alone_differs(echo_url: str) -> None:
    rows = [(s, run(s, echo_url, with_drop_in=False), run(s, echo_url, with_drop_in=True))
            for s in SCENARIOS]
    print(differences_table(rows))
    assert all(s.accepts(ours) for s, _, ours in rows)
    assert sum(not s.accepts(alone) for s, alone, _ in rows) == len(rows)


def differences_table(rows: list[tuple[Scenario, Outcome, Outcome]]) -> str:
    lines = ["| case | moto alone | with vtl_engine |", "|---|---|---|"]
    for scenario, alone, ours in rows:
        lines.append(f"| {scenario.name} | {_cell(alone)} | {_cell(ours)} |")
    return "\n".join(lines)


def _cell(outcome: Outcome) -> str:
    return "`" + outcome.shown().replace("|", "\\|").replace("`", "'") + "`"


# -- an API imported from an OpenAPI export -----------------------------------------------------

OPENAPI = Path(__file__).resolve().parents[2] / "fixtures" / "api" / "openapi.yaml"


def openapi_for_moto() -> bytes:
    """fixtures/api/openapi.yaml as moto's import_rest_api takes it: moto needs
    `info.description`, and a `uri` and `httpMethod` on every integration (MOCK too)."""
    document = yaml.safe_load(OPENAPI.read_text())
    document["info"].setdefault("description", "orders")
    for operations in document["paths"].values():
        for method, operation in operations.items():
            integration = operation["x-amazon-apigateway-integration"]
            integration.setdefault("uri", "")
            integration.setdefault("httpMethod", method.upper())
    return json.dumps(document).encode()


@mock_aws(config=MOTO_CONFIG)
def test_an_imported_openapi_export_answers_as_aws(vtl_moto):
    client = boto3.client("apigateway", region_name=REGION)
    api_id = client.import_rest_api(body=openapi_for_moto())["id"]
    client.create_deployment(restApiId=api_id, stageName="prod")
    lambda_function("create-order")   # moto's Lambda without Docker echoes the event
    responses.add(responses.GET, "https://orders.example.com/orders/ord-1?fields=total",
                  json={"id": "ord-1", "total": 12.5, "items": [{"sku": "a"}]})
    url = stage_url(api_id, "prod", REGION)
    try:
        created = requests.post(url + "/orders?express=true",
                                json={"customer": {"name": "Ada"}, "items": []})
        found = requests.get(url + "/orders/ord-1?fields=total")
        deleted = requests.delete(url + "/orders/ord-1")
        missing = requests.delete(url + "/orders/x-1")
    finally:
        responses.reset()
    order_id = created.headers["x-amzn-RequestId"]   # the template's $context.requestId
    assert created.status_code == 200
    assert created.headers["Location"] == order_id
    assert json.loads(created.text) == {"orderId": order_id, "status": "",
                                        "links": {"self": f"/orders/{order_id}"}}
    assert (found.status_code, found.headers["Cache-Control"], found.text) == (
        200, "max-age=60", '{"orderId": "ord-1", "total": 12.5, "items": [{"sku":"a"}]}\n')
    assert (deleted.status_code, deleted.text) == (204, "")
    assert (missing.status_code, missing.text) == (404, '{"message": "no such order"}')
