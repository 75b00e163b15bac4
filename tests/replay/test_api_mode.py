"""--api: each record through its route of an API definition (the route flow of
apigateway.invoke), the route found from the record's method and path."""
from pathlib import Path

from replay_support import FIXTURES, read_results, write_lines

from vtl_engine.apigateway.definitions import load_definition
from vtl_engine.apigateway.invoke import match_route
from vtl_engine.apigateway.mapping import compiled_template
from vtl_engine.tools.cli import main

API = Path(__file__).resolve().parents[2] / "fixtures" / "api" / "openapi.yaml"
EXPORT = FIXTURES / "cloudwatch-export.json"


def run(command, *args) -> int:
    return main([command, *map(str, args), "--no-progress", "-j", "1"])


def test_the_logged_requests_through_their_route_give_what_was_logged(capsys):
    assert run("replay", EXPORT, "--api", API) == 0
    assert "8 records: 6 same, 0 different, 0 error, 2 skipped" in capsys.readouterr().out
    # the response side runs the integration response on the backend's logged answer: the
    # Lambda error selects the 400 response by its message
    assert run("replay", EXPORT, "--api", API, "--side", "response") == 0
    assert "8 records: 7 same, 0 different, 0 error, 1 skipped" in capsys.readouterr().out


def test_against_an_older_definition(tmp_path, capsys):
    older = tmp_path / "older.yaml"
    older.write_text(API.read_text().replace('"quantity": $item', '"qty": $item'))
    results = tmp_path / "r.jsonl"
    assert run("replay", EXPORT, "--api", API, "--against-api", older, "--results",
               results) == 1
    assert "8 records: 0 same, 7 different, 0 error, 1 skipped" in capsys.readouterr().out
    groups = {g for r in read_results(results) for g in r["groups"]}
    assert {"$.items[*].qty", "$.items[*].quantity"} <= groups


def test_routes_found_from_method_and_path(tmp_path):
    inputs = write_lines(tmp_path / "in.jsonl", [
        {"method": "DELETE", "path": "/orders/ord-1"},
        {"method": "DELETE", "path": "/orders/nope"},
        {"method": "GET", "path": "/orders/ord-9?fields=total", "context": {"requestId": "q"}},
        {"method": "PATCH", "path": "/orders/ord-9"},
        {"route": "DELETE /orders/{orderId}", "path": {"orderId": "ord-2"}},
    ])
    out = tmp_path / "out.jsonl"
    assert run("batch", inputs, "--api", API, "-o", out, "--side", "response") == 0
    deleted, missing, got, patched, named = read_results(out)
    assert (deleted["status"], deleted["body"]) == (204, "")
    assert (missing["status"], missing["body"]) == (404, '{"message": "no such order"}')
    assert got["error"] == ("skipped: no backend answer in the record for the response side")
    assert patched["error"] == (f"skipped: no route of {API} takes PATCH /orders/ord-9")
    assert named["status"] == 204
    assert run("batch", inputs, "--api", API, "-o", out) == 0
    request_side = read_results(out)
    assert request_side[2]["request_override"] == {
        "header": {"X-Request-Id": "q"}, "querystring": {"fields": "total"},
        "path": {"id": "ord-9"}}


def test_each_template_of_the_definition_is_compiled_once(tmp_path):
    # before any record is read, under the name each renders with (a name of this folder's)
    api = tmp_path / "openapi.yaml"
    api.write_text(API.read_text())
    routes = load_definition(api)
    templates = {template for route in routes.routes()
                 for template in routes.integration(route).templates()}
    inputs = write_lines(tmp_path / "in.jsonl", [
        {"method": "DELETE", "path": "/orders/ord-1"},
        {"method": "POST", "path": "/orders", "body": {"customer": {"name": "Ada"}}}])
    compiled = compiled_template.cache_info().misses
    assert run("batch", inputs, "--api", api, "-o", tmp_path / "out.jsonl",
               "--side", "response") == 0
    assert compiled_template.cache_info().misses - compiled == len(templates)


def test_binary_bytes_the_backend_receives_are_read_as_api_gateway_reads_them(tmp_path):
    api = tmp_path / "api.yaml"
    api.write_text("""openapi: "3.0.1"
paths:
  /files:
    put:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: PUT
        uri: "https://example.com/files"
        contentHandling: CONVERT_TO_BINARY
""")
    # base64 of an encoded surrogate: one malformed sequence to Java (one U+FFFD)
    inputs = write_lines(tmp_path / "in.jsonl", [{"method": "PUT", "path": "/files",
                                                  "body": "7aCA"}])
    out = tmp_path / "out.jsonl"
    assert run("batch", inputs, "--api", api, "-o", out) == 0
    assert read_results(out)[0]["body"] == "\ufffd"


ANY_METHOD_API = """openapi: "3.0.1"
paths:
  /things/{id}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: MOCK
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '$context.httpMethod $context.resourcePath'
"""


def test_a_route_is_named_where_its_integration_sits_and_matched_once(tmp_path, monkeypatch):
    import vtl_engine.replay.render as render

    matched = []

    def counted(*args):
        matched.append(args)
        return match_route(*args)

    monkeypatch.setattr(render, "match_route", counted)
    api = tmp_path / "api.yaml"
    api.write_text(ANY_METHOD_API)
    inputs = write_lines(tmp_path / "in.jsonl", [
        {"method": "GET", "path": "/things/1", "expected": {"body": "GET /things/{id}"}},
        {"route": "get /things/{id}", "path": {"id": "2"},
         "expected": {"body": "GET /things/{id}"}}])
    results = tmp_path / "r.jsonl"
    assert run("replay", inputs, "--api", api, "--side", "response", "--results", results) == 0
    assert [r["route"] for r in read_results(results)] == ["ANY /things/{id}"] * 2
    assert len(matched) == 1   # the record that names its route is not matched


def test_a_template_that_does_not_parse_is_an_error_naming_it(tmp_path, capsys):
    api = tmp_path / "api.yaml"
    api.write_text(ANY_METHOD_API.replace("'$context.httpMethod $context.resourcePath'",
                                          "'#if($x'"))
    inputs = write_lines(tmp_path / "in.jsonl", [
        {"method": "GET", "path": "/things/1", "expected": {"body": "x"}}])
    results = tmp_path / "r.jsonl"
    assert run("replay", inputs, "--api", api, "--side", "response", "--results", results) == 1
    result, = read_results(results)
    assert result["route"] == "ANY /things/{id}"
    assert result["reason"].startswith("#if( is never closed")
    assert f"{api} ANY /things/{{id}} response 200 (default) application/json" in result["reason"]
