"""`vtl render`: a template file, or a route of an API definition (request and response side)."""
import json

import pytest

ORDER = "fixtures/examples/order.json"
APIS = ["fixtures/api/openapi.yaml", "fixtures/api/swagger2.json",
        "fixtures/api/sam-template.yaml", "fixtures/api/cloudformation.yaml"]


def test_renders_the_readme_example(cli):
    run = cli("render", "fixtures/examples/order.vtl", "--body", ORDER, "--query", "express=true",
              "--stage-var", "env=prod")
    assert run.code == 0, run
    assert '"customer": "Ada O\\\'Brien",' in run.out   # escapeJavaScript's \' as AWS prints it
    assert '"express": true,' in run.out and '"stage": "prod",' in run.out
    assert run.err == ""


def test_pretty_and_verbose(cli, tmp_path):
    template = tmp_path / "t.vtl"
    template.write_text('#set($context.responseOverride.status = 201)'
                        '#set($context.requestOverride.header.X-Trace = "t-1")'
                        '{"id": "$input.params(\'id\')", "n": $input.json(\'$.n\')}')
    context = tmp_path / "context.json"
    context.write_text('{"requestId": "req-1"}')
    run = cli("render", str(template), "--path", "id=7", "--body", "-", "--pretty", "--verbose",
              "--context", str(context), stdin='{"n": [1, 2]}')
    assert run.code == 0, run
    assert json.loads(run.out) == {"id": "7", "n": [1, 2]}
    assert run.out.startswith('{\n  "id": "7",')
    assert "Status override: 201" in run.err
    assert "Request header overrides: {X-Trace=t-1}" in run.err
    assert "Render time: " in run.err and " ms" in run.err


@pytest.mark.parametrize("api", APIS)
def test_api_route_request_side(cli, api):
    run = cli("render", "--api", api, "--route", "POST /orders", "--content-type",
              "application/json", "--body", ORDER)
    assert run.code == 0, run
    body = json.loads(run.out)
    assert body["customer"] == "Ada O'Brien"
    assert body["items"][1] == {"sku": "B-7", "quantity": 1}


def test_api_route_verbose_prints_the_execution_log(cli):
    run = cli("render", "--api", APIS[0], "--route", "post /orders", "--body", ORDER,
              "--query", "express=true", "--context", "-", "--verbose",
              stdin='{"requestId": "req-42"}')
    assert run.code == 0, run
    assert json.loads(run.out)["orderId"] == "req-42"
    lines = run.err.splitlines()
    assert lines[:2] == ["Route: POST /orders (AWS integration, openapi3 fixtures/api/openapi.yaml)",
                         "Execution log for request req-42"]
    logged = [line.split(" : ", 1)[1] for line in lines[2:] if " UTC " in line and " : " in line]
    assert logged[:4] == ["Starting execution for request: req-42",
                          "HTTP Method: POST, Resource Path: /orders",
                          "Method request path: {}", "Method request query string: {express=true}"]
    assert "Endpoint request headers: {X-Request-Id=req-42, X-Source=openapi, " \
           "X-Order-Channel=web}" in logged
    assert "Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/" \
           "arn:aws:lambda:us-east-1:123456789012:function:create-order/invocations" in logged
    assert not any(line.startswith("Method completed") for line in logged)  # no backend given


def test_response_side_selects_by_lambda_error_message(cli):
    run = cli("render", "--api", APIS[2], "--route", "POST /orders", "--response",
              "--body", "-", "--error-message", "Invalid quantity: -1", "--verbose",
              stdin='{"errorMessage": "Invalid quantity: -1", "errorType": "ValueError"}')
    assert run.code == 0, run
    head, body = run.out.split("\n\n", 1)
    assert head == "HTTP/1.1 400 Bad Request\nContent-Type: application/json"
    assert json.loads(body) == {"message": "Invalid quantity: -1"}
    assert "Method completed with status: 400" in run.err


def test_response_side_selects_by_status_and_maps_headers(cli):
    run = cli("render", "--api", APIS[3], "--route", "GET /orders/{orderId}", "--response",
              "--status", "404", "--path", "orderId=ord-9", "--body-only")
    assert run.code == 0, run
    assert json.loads(run.out) == {"message": "order ord-9 not found"}
    ok = cli("render", "--api", APIS[3], "--route", "GET /orders/{orderId}", "--response",
             "--body", "-", "--verbose", stdin='{"id": "ord-9"}')
    assert ok.out.startswith("HTTP/1.1 200 OK\nCache-Control: max-age=60\n"
                             "Content-Type: application/json\n\n"), ok
    assert "Method response headers: {Cache-Control=max-age=60, Content-Type=application/json}" \
        in ok.err, ok


def test_mock_integration_runs_the_round_trip(cli):
    run = cli("render", "--api", APIS[0], "--route", "DELETE /orders/{orderId}",
              "--path", "orderId=nope", "--verbose")
    assert run.code == 0, run
    assert run.out == 'HTTP/1.1 404 Not Found\nContent-Type: application/json\n\n' \
                      '{"message": "no such order"}\n'
    assert "Method completed with status: 404" in run.err
    assert "Endpoint request URI" not in run.err  # a MOCK integration calls no endpoint


def test_unsupported_media_type_shows_the_answer_and_fails(cli):
    run = cli("render", "--api", APIS[0], "--route", "POST /orders", "--content-type", "text/xml",
              "--body", ORDER)
    assert run.code == 1
    assert run.out.startswith("HTTP/1.1 415 Unsupported Media Type\n")
    assert run.err.count("\n") == 1 and "API Gateway answers 415 by itself" in run.err


def test_a_lambda_payload_that_is_not_json_gets_lambdas_400(cli, tmp_path):
    api = tmp_path / "api.yaml"
    api.write_text(
        'openapi: "3.0.1"\npaths:\n  /x:\n    post:\n      x-amazon-apigateway-integration:\n'
        '        type: aws\n        httpMethod: POST\n        uri: "arn:aws:apigateway:us-east-1:'
        'lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations"\n'
        '        requestTemplates:\n          application/json: \'{"name": "$util.escapeJavaScript('
        '$input.path(\'\'$.name\'\'))"}\'\n        responses:\n          default:\n'
        '            statusCode: "200"\n')
    run = cli("render", "--api", str(api), "--route", "POST /x", "--body", "-", "--verbose",
              stdin='{"name": "O\'Brien"}')
    assert run.code == 1, run
    head, body = run.out.split("\n\n", 1)
    assert head == "HTTP/1.1 400 Bad Request\nContent-Type: application/json"
    assert body == (r'''{"message": "Could not parse request body into json: Could not parse '''
                    r'''payload into json: Unrecognized character escape \'\'\' (code 39)\n at '''
                    r'''[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` '''
                    r'''disabled); line: 1, column: 13]"}''' "\n")
    assert "Lambda cannot parse the request template's output as JSON" in run.err
    assert "Method completed with status: 400" in run.err


@pytest.mark.parametrize("options, message", [
    (["--status", "404"], "--status describes the backend's answer: it needs --response"),
    (["--error-message", "x"], "--error-message describes the backend's answer"),
    (["--response", "--status", "999"], "--status must be an HTTP status code (100 to 599)"),
    (["--response", "--status", "42"], "not 42"),
])
def test_backend_options_that_cannot_be_are_refused(cli, options, message):
    run = cli("render", "--api", APIS[0], "--route", "GET /orders/{orderId}", *options)
    assert run.code == 1 and message in run.err and run.err.count("\n") == 1, run


@pytest.mark.parametrize("args, message", [
    (["render", "missing.vtl"], "vtl: missing.vtl: no such file"),
    (["render", "fixtures/examples/order.vtl", "--body", "nope.json"], "vtl: nope.json: no such file"),
    (["render", "fixtures/examples/order.vtl", "--header", "Accept"],
     "vtl: --header expects KEY=VALUE, got 'Accept'"),
    (["render", "fixtures/examples/order.vtl", "--query", "=1"], "--query expects KEY=VALUE"),
    (["render", "fixtures/examples/order.vtl", "--context", "fixtures/examples/order.vtl"],
     "not valid JSON"),
    (["render", "--api", "fixtures/api/missing.yaml", "--route", "GET /"],
     "vtl: fixtures/api/missing.yaml: no such file"),
    (["render", "--api", "README.md", "--route", "GET /"], "vtl: README.md: not valid YAML"),
    (["render", "--api", "fixtures/api/openapi.yaml", "--route", "PUT /orders"],
     "no route PUT /orders (routes: POST /orders, DELETE /orders/{orderId}, "
     "GET /orders/{orderId})"),
    (["render", "--api", "fixtures/api/openapi.yaml", "--route", "/orders"], "METHOD /path"),
    (["render", "--api", "fixtures/api/openapi.yaml"],
     "--api needs --route, one of: POST /orders, DELETE /orders/{orderId}, GET /orders/{orderId}"),
    (["render"], "render needs a TEMPLATE"),
    (["render", "fixtures/examples/order.vtl", "--response"], "--response needs --api"),
])
def test_user_errors_are_one_line(cli, args, message):
    run = cli(*args)
    assert run.code == 1, run
    assert message in run.err and run.err.count("\n") == 1, run
    assert "Traceback" not in run.err and run.out == ""


def test_template_errors_show_where(cli, tmp_path):
    broken = tmp_path / "broken.vtl"
    broken.write_text('{"a": 1}\n#if($x\n')
    run = cli("render", str(broken))
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err.startswith(f"vtl: {broken}:2:")
    failing = tmp_path / "failing.vtl"
    failing.write_text("$util.parseJson('{oops')")
    run = cli("render", str(failing))
    assert run.code == 1 and "Traceback" not in run.err, run
    assert run.err.startswith(f"vtl: {failing}:1:1: ") and "invalid JSON" in run.err, run


def test_template_errors_in_an_api_definition_name_the_route(cli, tmp_path):
    api = tmp_path / "api.yaml"
    api.write_text('openapi: "3.0.1"\npaths:\n  /x:\n    post:\n'
                   '      x-amazon-apigateway-integration:\n        type: mock\n'
                   '        requestTemplates:\n          application/json: "#if($x"\n')
    run = cli("render", "--api", str(api), "--route", "POST /x")
    assert run.code == 1 and "Traceback" not in run.err
    # at its place in the file: line 8, the '(' after the opening quote at column 29
    assert run.err.startswith(f"vtl: {api}:8:33: #if( is never closed: missing ')' "
                              "[POST /x request application/json]\n"), run
    lines = api.read_text().splitlines()
    assert lines[7][32] == "("


def test_both_from_stdin_is_refused(cli):
    run = cli("render", "-", "--body", "-", stdin="x")
    assert run.code == 1 and "cannot both come from stdin" in run.err


def test_template_from_stdin(cli):
    run = cli("render", "-", stdin="#set($a = 2)$a")
    assert (run.code, run.out) == (0, "2\n")


def test_missing_argument_is_argparse_misuse(cli):
    run = cli("render", "--dialect", "jinja", "x.vtl")
    assert run.code == 2 and "invalid choice" in run.err



def test_http_endpoint_uri_is_filled_from_the_mapped_parameters(cli):
    run = cli("render", "--api", "fixtures/api/openapi.yaml", "--route", "GET /orders/{orderId}",
              "--path", "orderId=ord-1", "--query", "fields=total", "--verbose")
    assert run.code == 0, run
    assert "Endpoint request URI: https://orders.example.com/orders/ord-1?fields=total" in run.err


@pytest.mark.parametrize("context, message", [
    ('{"requestTime": "yesterday"}', "$context.requestTime must look like"),
    ('{"requestTimeEpoch": "now"}', "$context.requestTimeEpoch must be whole milliseconds"),
    ("[1, 2]", "expected a JSON object"),
])
def test_bad_context_values_are_one_line(cli, context, message):
    run = cli("render", "fixtures/examples/order.vtl", "--context", "-", stdin=context)
    assert run.code == 1 and message in run.err and run.err.count("\n") == 1, run


def test_dialects(cli):
    aws = cli("render", "-", stdin="[$nothing]")
    velocity = cli("render", "-", "--dialect", "velocity", stdin="[$nothing]")
    assert (aws.out, velocity.out) == ("[]\n", "[$nothing]\n"), (aws, velocity)
