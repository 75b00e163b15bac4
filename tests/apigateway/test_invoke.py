"""A route's whole flow (vtl_engine.apigateway.invoke): route matching, the execution log in
AWS's format, TestInvokeMethod's response, API Gateway's own answers."""
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from vtl_engine import VtlSyntaxError
from vtl_engine.apigateway import (BackendResponse, Integration, IntegrationResponse,
                                   MethodRequest, invoke, match_route, test_invoke_method)
from vtl_engine.apigateway.invoke import RouteNotFound

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL_LOG = ROOT / "fixtures" / "aws" / "lambda-non-proxy-tutorial.log"
STAMP = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4} : ")


def entries(log: str) -> list[tuple[str, str]]:
    """A log's lines as (label, value); a value that spans lines (a body) joined back."""
    found: list[list[str]] = []
    for line in log.splitlines()[1:]:
        if STAMP.match(line):
            found.append(STAMP.sub("", line, count=1).split(": ", 1) + [""])
        else:
            found[-1][1] += "\n" + line
    return [(label, value) for label, value, *_ in found]


# -- the documented example -----------------------------------------------------------------------

# the tutorial's template, but for one space: its log shows `"day": ` where the template it
# gives has two spaces
TUTORIAL_TEMPLATE = """#set($inputRoot = $input.path('$'))
{
  "city": "$input.params('city')",
  "time": "$input.params('time')",
  "day": "$input.params('day')",
  "name" : "$inputRoot.callerName"
}"""
GREETING = '{"greeting":"Good morning, John of Seattle. Happy Wednesday!"}'


def tutorial_invocation():
    integration = Integration(
        type="AWS", passthrough_behavior="WHEN_NO_TEMPLATES",
        uri="arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/arn:aws:lambda:"
            "us-west-2:123456789012:function:GetStartedLambdaIntegration/invocations",
        request_templates={"application/json": TUTORIAL_TEMPLATE},
        responses=[IntegrationResponse(status_code="200")])
    request = MethodRequest(body='{ "callerName": "John" }', headers={"day": "Wednesday"},
                            querystring={"time": "morning"}, path={"city": "Seattle"},
                            context={"requestId": "test-invoke-request", "httpMethod": "POST"})
    return invoke(integration, request, route="ANY /{city}",
                  backend=BackendResponse(200, GREETING, {"Content-Type": "application/json"}))


def test_the_log_matches_the_lambda_tutorials_field_by_field():
    """The Lambda non-proxy tutorial's test-invoke log (AWS API Gateway developer guide), in
    fixtures/aws/ with its signing headers left out. Lines we cannot know (request validation,
    the headers AWS signs the call with, the backend's own headers, the trace id) are compared
    by label only; newer logs say "Received response. Status: 200, …" and put the endpoint's
    headers before its body, which is what we write."""
    documented = entries(TUTORIAL_LOG.read_text())
    ours = entries(tutorial_invocation().log)
    absent = {"Request validation succeeded for content type application/json"}
    by_label = {"Endpoint request headers", "Received response. Integration latency",
                "Endpoint response headers", "Method response headers"}
    expected_labels = [label for label, _ in documented if label not in absent]
    # the newer order: headers, then body
    i = expected_labels.index("Endpoint response body before transformations")
    expected_labels[i:i + 2] = ["Endpoint response headers",
                                "Endpoint response body before transformations"]
    assert [label.split(". Status")[0] if label.startswith("Received response") else label
            for label, _ in ours] == [
        "Received response" if label.startswith("Received response") else label
        for label in expected_labels]
    ours_by_label = dict(ours)
    for label, value in documented:
        if label in absent or label in by_label or label.startswith("Received response"):
            continue
        if label == "Starting execution for request":
            continue  # compared below: the request id is ours to give
        assert ours_by_label[label] == value, label
    assert ours[0] == ("Starting execution for request", "test-invoke-request")
    assert re.fullmatch(r"Received response\. Status: 200, Integration latency: \d+ ms",
                        next(f"{l}: {v}" for l, v in ours if l.startswith("Received response")))
    assert ours_by_label["Method response headers"] == "{Content-Type=application/json}"


def test_lines_are_stamped_and_long_ones_truncated_at_1024_bytes():
    when = datetime(2026, 12, 4, 9, 5, 7, tzinfo=timezone.utc)
    integration = Integration(type="MOCK", request_templates={"application/json": '{}'},
                              responses=[IntegrationResponse()])
    done = invoke(integration, MethodRequest(body="é" * 2000, context={"requestId": "r-1"}),
                  route="POST /x", now=lambda: when)
    lines = done.log.splitlines()
    assert lines[0] == "Execution log for request r-1"
    assert lines[1] == "Fri Dec 04 09:05:07 UTC 2026 : Starting execution for request: r-1"
    body_line = next(line for line in lines if "before transformations" in line)
    text = body_line.split(" : ", 1)[1]
    assert text.endswith(" [TRUNCATED]")
    assert len(text[:-len(" [TRUNCATED]")].encode()) <= 1024


def test_a_mock_integration_logs_no_endpoint():
    integration = Integration(type="MOCK", request_templates={"application/json":
                                                              '{"statusCode": 201}'},
                              responses=[IntegrationResponse(status_code="201")])
    done = invoke(integration, MethodRequest(), route="GET /things")
    labels = [label for label, _ in entries(done.log)]
    assert labels == ["Starting execution for request", "HTTP Method", "Method request path",
                      "Method request query string", "Method request headers",
                      "Method request body before transformations",
                      "Method response body after transformations", "Method response headers",
                      "Successfully completed execution", "Method completed with status"]
    assert done.response.status_code == 201 and not done.failed


def test_without_a_backend_only_the_request_side_runs():
    integration = Integration(type="HTTP", uri="https://example.com/{id}",
                              request_parameters={"integration.request.path.id":
                                                  "method.request.path.id"})
    done = invoke(integration, MethodRequest(body="x", path={"id": "7"}), route="GET /a/{id}")
    assert done.response is None and done.integration_request.body == "x"
    assert dict(entries(done.log))["Endpoint request URI"] == "https://example.com/7"


def test_api_gateways_own_answers_are_logged_and_marked():
    never = Integration(type="HTTP", uri="https://example.com", passthrough_behavior="NEVER",
                        request_templates={"application/json": "{}"})
    done = invoke(never, MethodRequest(headers={"Content-Type": "text/plain"}), route="POST /")
    assert done.failed and done.response.status_code == 415
    broken = Integration(type="MOCK", request_templates={"application/json": "#end"},
                         responses=[IntegrationResponse()])
    with pytest.raises(VtlSyntaxError):  # a template that does not parse is the user's to fix
        invoke(broken, MethodRequest(), route="POST /")
    failing_template = Integration(type="MOCK", responses=[IntegrationResponse()],
                                   request_templates={"application/json": "$util.parseJson('{')"})
    done = invoke(failing_template, MethodRequest(), route="POST /")
    assert done.failed and done.response.status_code == 500
    assert "Execution failed due to configuration error: Unable to transform request" in done.log
    failing = Integration(type="MOCK", request_templates={"application/json": "{}"},
                          responses=[IntegrationResponse(status_code="200",
                                                         selection_pattern="4\\d\\d")])
    done = invoke(failing, MethodRequest(), route="POST /")
    assert done.failed and done.response.status_code == 500
    assert "No match for output mapping and no default output mapping configured. Endpoint " \
           "Response Status Code: 200" in done.log


# -- routes ---------------------------------------------------------------------------------------

ROUTES = ["GET /orders", "GET /orders/{id}", "GET /orders/special", "ANY /orders/{id}",
          "GET /files/{path+}", "POST /{proxy+}", "GET /"]


@pytest.mark.parametrize("method, path, expected", [
    ("GET", "/orders", ("GET /orders", {})),
    ("get", "/orders/", ("GET /orders", {})),
    ("GET", "/orders/42", ("GET /orders/{id}", {"id": "42"})),
    ("GET", "/orders/special", ("GET /orders/special", {})),
    ("DELETE", "/orders/42", ("ANY /orders/{id}", {"id": "42"})),
    ("GET", "/orders/a%20b", ("GET /orders/{id}", {"id": "a b"})),
    ("GET", "/files/a/b/c.txt", ("GET /files/{path+}", {"path": "a/b/c.txt"})),
    ("POST", "/orders/42/items", ("POST /{proxy+}", {"proxy": "orders/42/items"})),
    ("GET", "/", ("GET /", {})),
    ("GET", "/files", None),
    ("PUT", "/orders", None),
])
def test_routes_match_as_api_gateway_matches_resources(method, path, expected):
    assert match_route(ROUTES, method, path) == expected


# -- TestInvokeMethod -----------------------------------------------------------------------------

def test_test_invoke_method_answers_in_boto3s_shape():
    answer = test_invoke_method(str(ROOT / "fixtures" / "api" / "openapi.yaml"),
                                httpMethod="DELETE", pathWithQueryString="/orders/nope?x=1",
                                headers={"Accept": "application/json"})
    assert set(answer) == {"status", "body", "headers", "multiValueHeaders", "log", "latency"}
    assert answer["status"] == 404 and answer["body"] == '{"message": "no such order"}'
    assert answer["headers"] == {"Content-Type": "application/json"}
    assert answer["multiValueHeaders"] == {"Content-Type": ["application/json"]}
    logged = dict(entries(answer["log"]))
    assert logged["HTTP Method"] == "DELETE, Resource Path: /orders/nope"
    assert logged["Method request path"] == "{orderId=nope}"
    assert logged["Method request query string"] == "{x=1}"
    assert logged["Method completed with status"] == "404"
    assert isinstance(answer["latency"], int)


def test_test_invoke_method_names_a_path_no_route_takes():
    with pytest.raises(RouteNotFound, match="no route takes GET /nowhere"):
        test_invoke_method(str(ROOT / "fixtures" / "api" / "openapi.yaml"), httpMethod="GET",
                           pathWithQueryString="/nowhere")
