"""Proxy routes (AWS_PROXY, HTTP_PROXY) through the `vtl` command as a user runs it: `vtl render
--api` prints the Lambda proxy event or the request passed through, and with `--response` the
client's answer or API Gateway's 502; `vtl test` cases and `--save-case` on such routes."""
import json
import textwrap

import pytest

SAM = "fixtures/api/sam-template.yaml"
HEALTH = "GET /health"
HTTP_PROXY_API = textwrap.dedent("""\
    openapi: "3.0.1"
    info: {title: pass-through, version: "1"}
    paths:
      /{proxy+}:
        x-amazon-apigateway-any-method:
          x-amazon-apigateway-integration:
            type: http_proxy
            httpMethod: ANY
            uri: https://backend.example.com/v1/{proxy}
            requestParameters:
              integration.request.path.proxy: method.request.path.proxy
              integration.request.header.X-Via: "'gateway'"
    """)


@pytest.fixture
def http_proxy_api(tmp_path):
    api = tmp_path / "pass-through.yaml"
    api.write_text(HTTP_PROXY_API)
    return str(api)


def test_the_request_side_prints_the_event_the_function_receives(cli):
    run = cli("render", "--api", SAM, "--route", HEALTH, "--query", "verbose=1",
              "--header", "X-Trace=t-1", "--pretty")
    assert run.code == 0, run
    event = json.loads(run.out)
    assert list(event)[:3] == ["resource", "path", "httpMethod"]
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/health", "/health", "GET")
    assert event["queryStringParameters"] == {"verbose": "1"}
    assert event["multiValueHeaders"] == {"X-Trace": ["t-1"]}
    assert event["stageVariables"] == {"env": "production"}   # the SAM stage's Variables
    assert event["body"] is None and event["isBase64Encoded"] is False
    assert event["requestContext"]["resourcePath"] == "/health"
    assert run.out.startswith('{\n  "resource": "/health",')


def test_the_response_side_prints_what_the_client_gets(cli, tmp_path):
    result = tmp_path / "result.json"
    result.write_text(json.dumps({"statusCode": 201, "body": "hi",
                                  "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}}))
    run = cli("render", "--api", SAM, "--route", HEALTH, "--response", "--body", str(result))
    assert run.code == 0, run
    assert run.out == ("HTTP/1.1 201 Created\nContent-Type: application/json\n"
                       "Set-Cookie: a=1\nSet-Cookie: b=2\n\nhi")
    body_only = cli("render", "--api", SAM, "--route", HEALTH, "--response", "--body", "-",
                    "--body-only", stdin='{"statusCode": 201, "body": "hi"}')
    assert (body_only.code, body_only.out) == (0, "hi")


def test_a_malformed_result_is_api_gateways_502(cli):
    run = cli("render", "--api", SAM, "--route", HEALTH, "--response", "--body", "-",
              "--verbose", stdin='{"statusCode": 200, "body": {"not": "text"}}')
    assert run.code == 1
    assert run.out == ('HTTP/1.1 502 Bad Gateway\nContent-Type: application/json\n\n'
                       '{"message":"Internal server error"}')
    assert ("Execution failed due to configuration error: Malformed Lambda proxy response"
            in run.err)
    assert run.err.rstrip().endswith(
        "vtl: API Gateway answers 502 by itself: Malformed Lambda proxy response")


def test_a_function_error_is_a_502_too(cli):
    run = cli("render", "--api", SAM, "--route", HEALTH, "--response", "--error-message", "boom",
              "--body", "-", stdin='{"errorMessage": "boom", "errorType": "Error"}')
    assert run.code == 1 and run.out.startswith("HTTP/1.1 502 Bad Gateway")
    assert "Lambda execution failed with status 200 due to customer function error: boom." \
        in run.err


def test_http_proxy_passes_the_request_through(cli, http_proxy_api):
    run = cli("render", "--api", http_proxy_api, "--route", "PUT /{proxy+}", "--path",
              "proxy=orders/o-1", "--query", "dry=1", "--header", "Host=api.example.com",
              "--content-type", "text/plain", "--body", "-", "--verbose", stdin="raw text")
    assert run.code == 0, run
    assert run.out == "raw text"
    assert ("Endpoint request URI: https://backend.example.com/v1/orders/o-1?dry=1"
            in run.err)
    assert "Endpoint request headers: {Content-Type=text/plain, X-Via=gateway}" in run.err


def test_http_proxy_answers_with_the_backends_answer(cli, http_proxy_api):
    run = cli("render", "--api", http_proxy_api, "--route", "GET /{proxy+}", "--path",
              "proxy=orders/o-9", "--response", "--status", "404", "--backend-header",
              "Content-Type=text/html", "--body", "-", stdin="<h1>no such order</h1>")
    assert run.code == 0, run
    assert run.out == "HTTP/1.1 404 Not Found\nContent-Type: text/html\n\n<h1>no such order</h1>"


CASES = textwrap.dedent("""\
    api: ../sam-template.yaml
    route: GET /health
    side: response
    cases:
      - name: the function's answer reaches the client
        backend:
          body: {statusCode: 503, headers: {Retry-After: "120"}, body: '{"status": "down"}'}
        expect:
          status: 503
          headers: {Retry-After: "120", Content-Type: application/json}
          json: {status: down}
      - name: a result without statusCode is a 200
        backend:
          body: {body: ok}
        expect: {status: 200, body: ok}
      - name: an answer that is not a proxy result is API Gateway's 502
        backend:
          body: {status: up}
        expect:
          error: Malformed Lambda proxy response    # API Gateway's own 502, and why
    """)


def test_vtl_test_cases_on_a_proxy_route(cli, tmp_path):
    api = tmp_path / "api"
    api.mkdir()
    (api / "sam-template.yaml").write_text(open(SAM, encoding="utf-8").read())
    (api / "cases").mkdir()
    (api / "cases" / "health.vtltest.yaml").write_text(CASES)
    run = cli("test", str(api / "cases"))
    assert run.code == 0, run
    assert run.out.rstrip().splitlines()[-1].startswith("3 passed in ")


@pytest.mark.parametrize("side", ["request", "response"])
def test_a_saved_case_of_a_proxy_route_passes(cli, tmp_path, side):
    """The request side's event holds the time and ids of the request: --save-case pins them,
    so the saved case compares the whole event."""
    case = tmp_path / f"health-{side}.vtltest.yaml"
    options = ["--response", "--body", "-"] if side == "response" else []
    saved = cli("render", "--api", SAM, "--route", HEALTH, "--query", "a=1", *options,
                "--save-case", str(case), stdin='{"statusCode": 200, "body": "up"}')
    assert saved.code == 0, saved
    run = cli("test", str(case))
    assert run.code == 0, run
    assert run.out.rstrip().splitlines()[-1].startswith("1 passed in ")
