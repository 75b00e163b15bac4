"""boto3's apigateway.test_invoke_method under mock_aws, answered by vtl_engine's
test_invoke_method while the drop-in is installed (moto alone does not implement it): the same
status, body and headers as invoking the deployed stage, and the execution log of API Gateway's
Lambda non-proxy tutorial, field by field."""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import boto3
import pytest
import requests
import responses
from botocore.exceptions import ClientError
from localstack_harness import free_port
from moto import mock_aws
from moto_scenarios import JSON, MOTO_CONFIG, REGION, SCENARIOS, Api, Call, lambda_function

from vtl_engine.apigateway import match_route

# scenarios whose answer does not depend on the stage ($context.stage, path, requestId differ)
SAME_ANSWER = [s for s in SCENARIOS if not s.name.startswith(
    ("path parameters", "HTTP to a real", "Lambda proxy: the event"))]


def arguments_for(call: Call) -> dict:
    """boto3's test_invoke_method arguments for the request `call` sends to a stage (with the
    stage's variables)."""
    url = urlsplit(call.url)
    api_id = url.hostname.split(".", 1)[0]
    _, stage, path = url.path.split("/", 2) if url.path.count("/") > 1 else (*url.path, "")
    path = f"/{path}"
    client = boto3.client("apigateway", region_name=REGION)
    resources = client.get_resources(restApiId=api_id)["items"]
    routes = {f"{method} {r['path']}": r["id"] for r in resources
              for method in r.get("resourceMethods", {})}
    route, _ = match_route(routes, call.method, path)
    headers = dict(call.kwargs.get("headers") or {})
    body = call.kwargs.get("data")
    if "json" in call.kwargs:
        body = json.dumps(call.kwargs["json"])
        headers.setdefault("Content-Type", JSON)
    return {"restApiId": api_id, "resourceId": routes[route], "httpMethod": call.method,
            "pathWithQueryString": path + (f"?{url.query}" if url.query else ""),
            "body": body or "", "headers": headers,
            "stageVariables": client.get_stage(restApiId=api_id, stageName=stage)["variables"]}


@pytest.mark.parametrize("scenario", SAME_ANSWER, ids=[s.name for s in SAME_ANSWER])
@mock_aws(config=MOTO_CONFIG)
def test_test_invoke_method_answers_as_the_deployed_stage(scenario, echo_url, vtl_moto):
    call = scenario.build(echo_url)
    try:
        tested = boto3.client("apigateway", region_name=REGION).test_invoke_method(
            **arguments_for(call))
        invoked = requests.request(call.method, call.url, timeout=30, **call.kwargs)
    finally:
        responses.reset()
    stage_headers = {k: v for k, v in invoked.headers.items() if k != "x-amzn-RequestId"}
    assert (tested["status"], tested["body"], tested["headers"]) == \
        (invoked.status_code, invoked.text, stage_headers)
    assert tested["log"].startswith("Execution log for request ")
    assert tested["log"].splitlines()[-1].endswith(
        f"Method completed with status: {invoked.status_code}")


# -- the Lambda non-proxy tutorial ----------------------------------------------------------------

def lead_tests() -> ModuleType:
    """tests/apigateway/test_invoke.py: the tutorial's template and answer, and how its log is
    read (`entries`)."""
    path = Path(__file__).resolve().parents[1] / "apigateway" / "test_invoke.py"
    spec = importlib.util.spec_from_file_location("vtl_tests_invoke", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TUTORIAL = lead_tests()


@mock_aws(config=MOTO_CONFIG)
def test_the_tutorials_log_field_by_field(vtl_moto):
    """The tutorial's API made in moto (us-west-2, function GetStartedLambdaIntegration, ANY
    /{city}), its function's answer queued in moto's Lambda without Docker, and its test-invoke
    request. Lines AWS writes that we cannot (request validation) or whose values are AWS's own
    (signing headers, latency, trace id) are compared by label."""
    api = Api("LambdaNonProxyAPI", region="us-west-2")
    function = lambda_function("GetStartedLambdaIntegration", "us-west-2")
    api.route("ANY /{city}", type="AWS", integration_method="POST",
              passthrough="WHEN_NO_TEMPLATES",
              uri=f"arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/{function}"
                  "/invocations", request_templates={JSON: TUTORIAL.TUTORIAL_TEMPLATE})
    requests.post("http://motoapi.amazonaws.com/moto-api/static/lambda-simple/response",
                  json={"results": [TUTORIAL.GREETING], "region": "us-west-2"})

    tested = api.client.test_invoke_method(
        restApiId=api.id, resourceId=api.resource("/{city}"), httpMethod="POST",
        pathWithQueryString="/Seattle?time=morning", body='{ "callerName": "John" }',
        headers={"day": "Wednesday"})

    assert (tested["status"], tested["body"]) == (200, TUTORIAL.GREETING)
    documented = [(label, value)
                  for label, value in TUTORIAL.entries(TUTORIAL.TUTORIAL_LOG.read_text())
                  if label != "Request validation succeeded for content type application/json"]
    ours = TUTORIAL.entries(tested["log"])
    by_label = {"Starting execution for request", "Endpoint request headers",
                "Endpoint response headers", "Method response headers"}

    def label(name: str) -> str:
        return "Received response" if name.startswith("Received response") else name
    expected = [label(name) for name, _ in documented]
    # newer logs give the endpoint's headers before its body
    i = expected.index("Endpoint response body before transformations")
    expected[i:i + 2] = expected[i + 1], expected[i]
    assert [label(name) for name, _ in ours] == expected
    found = dict(ours)
    for name, value in documented:
        if name not in by_label and not name.startswith("Received response"):
            assert found[name] == value, name
    received = next(f"{name}: {value}" for name, value in ours
                    if name.startswith("Received response"))
    assert re.fullmatch(r"Received response\. Status: 200, Integration latency: \d+ ms", received)


# -- moto's answers -------------------------------------------------------------------------------

@mock_aws
def test_moto_alone_does_not_implement_test_invoke_method():
    api = Api()
    api.route("POST /orders")
    with pytest.raises(NotImplementedError, match="test_invoke_method action has not been"):
        api.client.test_invoke_method(restApiId=api.id, resourceId=api.resource("/orders"),
                                      httpMethod="POST")


@mock_aws
def test_a_method_without_integration_is_named(vtl_moto):
    api = Api()
    api.client.put_method(restApiId=api.id, resourceId=api.resource("/bare"), httpMethod="GET",
                          authorizationType="NONE")
    with pytest.raises(Exception, match="GET /bare .* has no integration"):
        api.client.test_invoke_method(restApiId=api.id, resourceId=api.resource("/bare"),
                                      httpMethod="GET")


@mock_aws
def test_an_unknown_rest_api_is_moto_s_not_found(vtl_moto):
    with pytest.raises(ClientError, match="NotFoundException"):
        boto3.client("apigateway", region_name=REGION).test_invoke_method(
            restApiId="nosuchapi", resourceId="r", httpMethod="GET")


@mock_aws
def test_an_unreachable_backend_is_a_500(vtl_moto):
    api = Api()
    api.route("POST /orders", type="HTTP", integration_method="POST",
              uri=f"http://127.0.0.1:{free_port()}/gone")
    tested = api.client.test_invoke_method(restApiId=api.id, resourceId=api.resource("/orders"),
                                           httpMethod="POST", body="{}")
    assert (tested["status"], tested["body"]) == (500, '{"message":"Internal server error"}')
    assert "/gone" in tested["log"]
