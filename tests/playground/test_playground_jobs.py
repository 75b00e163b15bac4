"""What a worker computes for the page (jobs.run_job), without the server: the same bytes as
`vtl render`, the route flow, errors placed on their template, lint, Python and coverage."""
from __future__ import annotations

import json

import pytest

from vtl_engine.playground.jobs import run_job
from vtl_engine.tools.cli import main

from playground_harness import EXAMPLES, ROOT

ORDER = (EXAMPLES / "order.vtl").read_text()
ORDER_BODY = (EXAMPLES / "order.json").read_text()
OPENAPI = str(ROOT / "fixtures" / "api" / "openapi.yaml")


def job(template: str, extras: list[str] | None = None, **request: str) -> dict:
    return {"templates": {"request": template}, "request": request, "extras": extras or []}


def vtl_render(capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> bytes:
    capsysbinary.readouterr()
    assert main(["render", *args]) == 0
    return capsysbinary.readouterr().out


CASES = [
    # (template, form fields, the same request as `vtl render` options)
    (ORDER, {"query": "express=true", "stage_variables": "env=prod", "body": ORDER_BODY,
             "context": '{"requestId": "r-1"}'},
     ["--query", "express=true", "--stage-var", "env=prod", "--body", "BODY", "--context",
      "CONTEXT"]),
    ("#set($context.requestOverride.header.X = $input.params('h'))$input.params('h')|"
     "$input.body|$context.httpMethod $context.resourcePath $context.requestId",
     {"headers": "h: a value\nContent-Type: text/plain", "body": "plain text",
      "context": '{"requestId": "r-2"}'},
     ["--header", "h=a value", "--content-type", "text/plain", "--body", "BODY", "--context",
      "CONTEXT"]),
    ("#foreach($k in $input.params().path.keySet())$k=$input.params($k)#end no newline",
     {"path": "id=42\nname=Ada", "context": '{"requestId": "r-3"}'},
     ["--path", "id=42", "--path", "name=Ada", "--context", "CONTEXT"]),
]


@pytest.mark.parametrize("template, form, options", CASES)
def test_a_template_renders_the_bytes_vtl_render_prints(template, form, options, tmp_path,
                                                       capsysbinary):
    (tmp_path / "t.vtl").write_text(template)
    (tmp_path / "body").write_text(form.get("body", ""))
    (tmp_path / "context.json").write_text(form.get("context", "{}"))
    options = [str(tmp_path / "body") if o == "BODY" else
               str(tmp_path / "context.json") if o == "CONTEXT" else o for o in options]
    expected = vtl_render(capsysbinary, str(tmp_path / "t.vtl"), *options)
    answer = run_job(job(template, **form), None)
    assert answer["error"] is None, answer
    body = answer["request_side"]["body"].encode()
    # `vtl render` ends what it prints with a newline when the output has none
    assert body == expected or body + b"\n" == expected


def test_the_velocity_dialect_is_the_page_s_choice():
    template = "[$undefined]"
    assert run_job(job(template), None)["request_side"]["body"] == "[]"
    assert run_job({**job(template), "dialect": "velocity"}, None)["request_side"]["body"] == \
        "[$undefined]"


def test_the_response_template_renders_the_backend_s_answer_with_the_request_s_overrides():
    answer = run_job({"templates": {
        "request": "#set($context.responseOverride.status = 201)sent",
        "response": "got $input.path('$.a') for $context.requestId"},
        "request": {"context": '{"requestId": "r-9"}'},
        "backend": {"status": 200, "body": '{"a": "x"}'}}, None)
    assert answer["response"] == {"status": 201, "headers": {"Content-Type": "application/json"},
                                  "body": "got x for r-9", "template": "response"}
    assert "Method response body after transformations: got x for r-9" in answer["log"]
    assert answer["log"].startswith("Execution log for request r-9\n")


def test_a_route_runs_the_whole_integration_with_the_log_of_test_invoke_method():
    answer = run_job({"route": "POST /orders", "templates": {}, "request": {
        "body": ORDER_BODY, "query": "express=true", "headers": "Content-Type: application/json",
        "context": '{"requestId": "r-1"}'}, "backend": {"status": 200, "body": "{}"}}, OPENAPI)
    sent = answer["request_side"]
    assert sent["template"] == "request application/json"
    assert sent["headers"]["X-Request-Id"] == "r-1"   # a parameter mapping
    assert '"express": true' in sent["body"]
    for line in ("Method request query string: {express=true}",
                 "Endpoint request body after transformations: {",
                 "Method completed with status: 200"):
        assert line in answer["log"]


def test_a_route_s_template_edited_on_the_page_replaces_the_definition_s():
    answer = run_job({"route": "POST /orders", "templates": {
        "request application/json": '{"edited": $input.json(\'$.total\')}'},
        "request": {"body": ORDER_BODY}}, OPENAPI)
    assert answer["request_side"]["body"] == '{"edited": 42.5}'


def test_a_media_type_without_a_template_gets_the_415_of_the_passthrough_behaviour():
    answer = run_job({"route": "POST /orders", "templates": {},
                      "request": {"headers": "Content-Type: text/xml", "body": "<a/>"}}, OPENAPI)
    assert answer["gateway"]["status"] == 415
    assert "passthrough" in answer["gateway"]["reason"]
    assert answer["error"] is None


def test_a_mock_integration_answers_by_itself():
    answer = run_job({"route": "DELETE /orders/{orderId}", "templates": {},
                      "request": {"path": "orderId=nope"}}, OPENAPI)
    assert answer["response"]["body"] == '{"message": "no such order"}'
    assert answer["response"]["status"] == 404


def test_an_error_is_placed_on_the_template_and_line_it_is_in():
    answer = run_job({"route": "POST /orders", "templates": {}, "request": {"body": "{"}},
                     OPENAPI)
    assert answer["gateway"]["status"] == 500
    assert answer["error"]["template"] == "request application/json"
    assert answer["error"]["line"] == 2
    syntax = run_job(job("line one\n#if($a)\nno end"), None)
    assert syntax["error"]["kind"] == "VtlSyntaxError"
    assert (syntax["error"]["template"], syntax["error"]["line"]) == ("request", 2)
    assert syntax["request_side"] is None


@pytest.mark.parametrize("template, dialect, limit", [
    ("#foreach($i in [1..100000000])$i#end", "aws", "max_range"),
    # API Gateway runs no macros (the aws dialect prints the call); Velocity recurses
    ("#macro(again $n)#again($n)#end#again(1)", "velocity", "max_macro_depth"),
])
def test_runaway_templates_answer_with_the_limit_s_error(template, dialect, limit):
    answer = run_job({**job(template, ["lint", "coverage"]), "dialect": dialect}, None)
    assert answer["error"]["limit"] == limit
    assert answer["error"]["kind"] == "VtlLimitError"


@pytest.mark.parametrize("field, request_fields", [
    ("context", {"context": "{not json"}),
    ("context", {"context": "[1]"}),
    ("headers", {"headers": "no colon here"}),
    ("path", {"path": "novalue"}),
    ("method", {"method": "FETCH"}),
])
def test_a_field_that_cannot_be_read_is_named(field, request_fields):
    answer = run_job(job("x", **request_fields), None)
    assert answer["form_error"]["field"] == field
    assert answer["form_error"]["message"]


def test_a_body_over_api_gateway_s_payload_limit_is_refused_before_any_template():
    answer = run_job(job("$input.body", body="x" * (10 * 1024 * 1024 + 1)), None)
    assert answer["form_error"]["field"] == "body"
    assert "10 MB" in answer["form_error"]["message"]


@pytest.mark.parametrize("bad", [None, [], {"templates": "x"}, {"templates": {"request": 1}},
                                 {"templates": {}, "dialect": "java"},
                                 {"templates": {}, "extras": ["everything"]},
                                 {"templates": {}, "route": "GET /x"}])
def test_a_malformed_job_is_a_form_error_not_an_exception(bad):
    assert "form_error" in run_job(bad, None)


def test_lint_python_and_coverage_come_with_the_render():
    unsilenced = ORDER.replace("## vtl: ignore[W102]\n", "")   # the example silences W102
    answer = run_job(job(unsilenced, ["lint", "python", "coverage"], body=ORDER_BODY), None)
    entry = answer["templates"]["request"]
    assert {w["code"] for w in entry["lint"]} == {"W102"}
    assert entry["lint"][0]["line"] == 7
    assert "def root(v, w, st" in entry["python"]
    assert entry["coverage"]["lines"]["9"] == "partial"   # not an express order
    assert entry["coverage"]["notes"]["9"] == ["#if arm never ran"]
    again = run_job(job(unsilenced, ["coverage"], body=ORDER_BODY, query="express=true"), None)
    # the last render's coverage alone: the earlier render's #else does not count
    assert again["templates"]["request"]["coverage"]["notes"]["9"] == ["#else arm never ran"]


def test_a_syntax_error_in_a_template_the_request_does_not_choose_stops_nothing():
    answer = run_job({"route": "POST /orders", "templates": {"request text/plain": "#if("},
                      "request": {"body": ORDER_BODY}}, OPENAPI)
    assert answer["error"] is None
    assert '"customer"' in answer["request_side"]["body"]
    assert answer["templates"]["request text/plain"]["syntax_error"]["line"] == 1
    chosen = run_job({"route": "POST /orders", "templates": {"request text/plain": "#if("},
                      "request": {"body": "x", "headers": "Content-Type: text/plain"}}, OPENAPI)
    assert chosen["error"]["template"] == "request text/plain"


SAM = str(ROOT / "fixtures" / "api" / "sam-template.yaml")


def test_a_lambda_proxy_route_shows_the_event_and_the_functions_answer():
    answer = run_job({"route": "GET /health", "templates": {},
                      "request": {"query": "deep=1", "context": '{"requestId": "r-5"}'},
                      "backend": {"status": 200,
                                  "body": '{"statusCode": 503, "body": "down"}'}}, SAM)
    assert answer["error"] is None and answer["gateway"] is None
    event = json.loads(answer["request_side"]["body"])
    assert event["queryStringParameters"] == {"deep": "1"}
    assert event["requestContext"]["requestId"] == "r-5"
    assert answer["request_side"]["template"] is None
    assert answer["response"] == {"status": 503, "headers": {"Content-Type": "application/json"},
                                  "body": "down", "template": None}
    assert "Method response body after transformations: down" in answer["log"]


def test_a_malformed_lambda_proxy_result_is_the_gateway_s_502_with_its_reason():
    answer = run_job({"route": "GET /health", "templates": {},
                      "backend": {"status": 200, "body": '{"up": true}'}}, SAM)
    assert answer["gateway"] == {
        "status": 502, "body": '{"message":"Internal server error"}',
        "reason": "Execution failed due to configuration error: Malformed Lambda proxy response"}


def test_a_route_s_coverage_counts_the_templates_the_flow_ran():
    answer = run_job({"route": "POST /orders", "templates": {}, "extras": ["coverage"],
                      "request": {"body": ORDER_BODY, "query": "express=true"},
                      "backend": {"status": 200, "body": "{}"}}, OPENAPI)
    assert answer["error"] is None
    request_side = answer["templates"]["request application/json"]["coverage"]
    assert request_side["percent"] > 50
    assert "covered" in request_side["lines"].values()


def test_an_error_is_placed_on_its_template_when_another_has_the_same_line():
    # the same text on both sides: only the response's body does not parse
    both = "#set($x = 1)\n$util.parseJson($input.body)"
    answer = run_job({"templates": {"request": both, "response": both},
                      "request": {"body": "{}"}, "backend": {"status": 200, "body": "{"}}, None)
    assert answer["error"]["line"] == 2
    assert answer["error"]["template"] == "response"
