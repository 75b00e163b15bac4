"""`vtl render`: a template file, or a route of an API definition (request and response side)."""
import json
import re
import subprocess
import sys

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
                      '{"message": "no such order"}'
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
                    r'''disabled); line: 1, column: 13]"}''')
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
    assert (run.code, run.out) == (0, "2")


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
    assert (aws.out, velocity.out) == ("[]", "[$nothing]"), (aws, velocity)


def test_output_is_the_exact_bytes_when_piped_or_redirected_and_ends_a_line_on_a_terminal(
        cli, terminal, tmp_path):
    template = tmp_path / "t.vtl"
    template.write_text('{"a": 1}')   # no final newline
    assert cli("render", str(template)).out == '{"a": 1}'
    redirected = tmp_path / "out.json"
    with redirected.open("wb") as out:
        subprocess.run([sys.executable, "-m", "vtl_engine.tools.cli", "render", str(template)],
                       stdout=out, check=True, timeout=60)
    assert redirected.read_bytes() == b'{"a": 1}'
    assert terminal("render", str(template)) == b'{"a": 1}\r\n'
    template.write_text('{"a": 1}\n')   # the template's own newline is kept, not doubled
    assert cli("render", str(template)).out == '{"a": 1}\n'
    assert terminal("render", str(template)) == b'{"a": 1}\r\n'


BOM = b"\xef\xbb\xbf"


def test_a_template_files_byte_order_mark_is_not_output(cli, tmp_path):
    template = tmp_path / "t.vtl"
    template.write_bytes(BOM + b'{"a": "$input.path(\'$.a\')"}')
    run = cli("render", str(template), "--body", "-", stdin='{"a": 1}')
    assert (run.code, run.out) == (0, '{"a": "1"}'), run
    run = cli("render", "-", stdin="\ufeff$input.path('$.a')", )
    assert (run.code, run.out) == (0, ""), run
    # an API definition's own file, and the file it includes (SAM DefinitionUri)
    (tmp_path / "openapi.yaml").write_bytes(BOM + b"""openapi: 3.0.1
paths:
  /x:
    post:
      x-amazon-apigateway-integration:
        type: MOCK
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: '200', responseTemplates: {application/json: 'ok'}}}
""")
    (tmp_path / "sam.yaml").write_bytes(BOM + b"""Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: prod, DefinitionUri: openapi.yaml}
""")
    run = cli("render", "--api", str(tmp_path / "sam.yaml"), "--route", "POST /x", "--response",
              "--body-only")
    assert (run.code, run.out) == (0, "ok"), run


def test_a_body_with_a_byte_order_mark_is_kept_as_api_gateway_keeps_it_with_a_warning(
        cli, tmp_path):
    body = tmp_path / "body.json"
    body.write_bytes(BOM + b'{"a": 1}')
    run = cli("render", "-", "--body", str(body),
              stdin="[$input.path('$.a')] $input.json('$')")
    # json-smart (AWS's JSONPath provider) reads such a body as one string, not an object
    assert (run.code, run.out) == (0, '[] "\ufeff{\\"a\\": 1}"'), run
    assert run.err == (f"vtl: warning: {body}: starts with a UTF-8 byte order mark, which API "
                       "Gateway keeps: the body is then not JSON to $input.path and $input.json "
                       "(json-smart reads it as one string)\n")


def test_a_body_that_is_not_utf8_is_read_as_java_reads_it_with_a_warning(cli, tmp_path):
    body = tmp_path / "latin1.json"
    body.write_bytes(b'{"name": "Jos\xe9"}')
    run = cli("render", "-", "--body", str(body), stdin="$input.path('$.name')")
    assert (run.code, run.out) == (0, "Jos\ufffd"), run
    assert "not valid UTF-8 (byte 0xe9 at offset 13); read as API Gateway reads it, each malformed " \
           "sequence as U+FFFD" in run.err and run.err.count("\n") == 1
    run = cli("render", "--api", APIS[0], "--route", "POST /orders", "--body", str(body))
    assert run.code == 0 and "not valid UTF-8" in run.err, run


def test_save_case_writes_what_was_rendered_as_a_case_that_vtl_test_passes(cli, tmp_path):
    saved = tmp_path / "cases" / "order.vtltest.yaml"
    run = cli("render", "fixtures/examples/order.vtl", "--body", ORDER, "--query",
              "express=true", "--stage-var", "env=prod", "--save-case", str(saved))
    assert run.code == 0, run
    assert run.err == f"vtl: saved as a test case: vtl test {saved} runs it\n"
    text = saved.read_text()
    assert text.startswith("template: ../../")
    # the $context values that change at every request are pinned: the same as were rendered
    request_id = re.search(r"requestId: (\S+)", text).group(1)
    assert f'"orderId": "{request_id}"' in run.out and f'"orderId": "{request_id}"' in text
    assert cli("test", str(saved)).out.startswith(f"{saved} .  [1/1]")
    # a route's response side, the backend's answer kept as the case's backend
    saved = tmp_path / "route.vtltest.yaml"
    run = cli("render", "--api", APIS[0], "--route", "POST /orders", "--response",
              "--error-message", "Invalid quantity: -1", "--body", "-", "--save-case",
              str(saved), stdin='{"errorMessage": "Invalid quantity: -1"}')
    assert run.code == 0, run
    assert "  backend:\n    status: 200\n" in saved.read_text()
    assert "    status: 400\n    headers:\n      X-Error-Kind: validation\n" in saved.read_text()
    tested = cli("test", str(saved))
    assert tested.code == 0 and "1 passed" in tested.out, tested
    # a body that is not UTF-8 is named, not copied
    body = tmp_path / "latin1.json"
    body.write_bytes(b'{"name": "Jos\xe9"}')
    saved = tmp_path / "latin1.vtltest.yaml"
    run = cli("render", "--api", APIS[0], "--route", "POST /orders", "--body", str(body),
              "--save-case", str(saved))
    assert run.code == 0 and "body_file: latin1.json" in saved.read_text(), run
    assert cli("test", str(saved)).code == 0


def test_save_case_refuses_what_it_cannot_save(cli, tmp_path):
    run = cli("render", "fixtures/examples/order.vtl", "--save-case", str(tmp_path / "x.yaml"))
    assert run.code == 1 and "a saved case file is named *.vtltest.yaml" in run.err, run
    run = cli("render", "-", "--save-case", str(tmp_path / "x.vtltest.yaml"), stdin="$a")
    assert run.code == 1 and "needs the template in a file" in run.err, run
