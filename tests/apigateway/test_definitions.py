"""API definitions as input: OpenAPI 3, Swagger 2, SAM and CloudFormation (short-form tags)
files give the same routes and integrations; every problem with a file is a DefinitionError."""
import json
from pathlib import Path

import pytest

from vtl_engine.apigateway import BackendResponse, MethodRequest, mock_backend_response
from vtl_engine.apigateway.definitions import DefinitionError, load_definition, split_route
from vtl_engine.core.errors import VtlError

API = Path(__file__).resolve().parents[2] / "fixtures" / "api"
ORDER = (API.parent / "examples" / "order.json").read_text()
LAMBDA = ":lambda:path/2015-03-31/functions/"


@pytest.mark.parametrize("name, kind, routes", [
    ("openapi.yaml", "openapi3", ["POST /orders", "DELETE /orders/{orderId}", "GET /orders/{orderId}"]),
    ("swagger2.json", "swagger2", ["POST /orders", "DELETE /orders/{orderId}", "GET /orders/{orderId}"]),
    ("sam-template.yaml", "sam", ["GET /health", "POST /orders", "GET /orders/{orderId}"]),
    ("cloudformation.yaml", "cloudformation", ["GET /", "POST /orders", "GET /orders/{orderId}"]),
])
def test_every_kind_lists_its_routes(name, kind, routes):
    api = load_definition(API / name)
    assert (api.kind, api.routes()) == (kind, routes)


@pytest.mark.parametrize("name", ["openapi.yaml", "swagger2.json", "sam-template.yaml",
                                  "cloudformation.yaml"])
def test_post_orders_is_a_lambda_integration_whose_template_reshapes_the_order(name):
    integration = load_definition(API / name).integration("post /orders")
    assert integration.is_lambda and integration.passthrough_behavior == "WHEN_NO_TEMPLATES"
    sent = integration.integration_request(MethodRequest(body=ORDER))
    body = json.loads(sent.body)
    assert body["customer"] == "Ada O'Brien"
    assert body["items"] == [{"sku": "A-1", "quantity": 2}, {"sku": "B-7", "quantity": 1}]
    assert sent.headers["X-Request-Id"] == sent.context["requestId"]
    # a media type without a template is refused, as WHEN_NO_TEMPLATES does
    refused = integration.integration_request(MethodRequest(body="<a/>",
                                                            headers={"Content-Type": "text/xml"}))
    assert refused.status_code == 415


@pytest.mark.parametrize("name", ["openapi.yaml", "swagger2.json", "sam-template.yaml",
                                  "cloudformation.yaml"])
def test_lambda_errors_select_the_400_response(name):
    integration = load_definition(API / name).integration("POST /orders")
    request = MethodRequest(body=ORDER)
    error = BackendResponse(body='{"errorMessage": "Invalid quantity"}',
                            error_message="Invalid quantity")
    answer = integration.integration_response(error, request)
    assert answer.status_code == 400
    assert json.loads(answer.body) == {"message": "Invalid quantity"}
    assert integration.integration_response(BackendResponse(body='{"orderId": "o-1"}'),
                                            request).status_code == 200


@pytest.mark.parametrize("name", ["openapi.yaml", "cloudformation.yaml", "sam-template.yaml"])
def test_http_integration_maps_path_parameters_and_selects_by_status(name):
    integration = load_definition(API / name).integration("GET /orders/{orderId}")
    request = MethodRequest(path={"orderId": "ord-1"})
    assert integration.integration_request(request).path == {"id": "ord-1"}
    missing = integration.integration_response(BackendResponse(status_code=404), request)
    assert (missing.status_code, missing.body) == (404, '{"message": "order ord-1 not found"}')


def test_mock_integration_status_comes_from_the_request_template():
    integration = load_definition(API / "openapi.yaml").integration("DELETE /orders/{orderId}")
    for order_id, status in (("ord-1", 204), ("nope", 404)):
        request = MethodRequest(path={"orderId": order_id})
        sent = integration.integration_request(request)
        assert integration.integration_response(mock_backend_response(sent), request,
                                                sent).status_code == status


def test_cloudformation_intrinsics_become_plausible_text():
    api = load_definition(API / "cloudformation.yaml")
    create = api.integration("POST /orders")
    # !Sub with pseudo parameters and a parameter without default; !Select; !If takes the true arm
    assert create.uri.startswith("arn:aws:apigateway:us-east-1:lambda:path/")
    assert "${OrdersFunctionArn}" in create.uri
    assert '"table": "orders-table"' in create.request_templates["application/json"]
    assert create.request_parameters["integration.request.header.X-Stage"] == "'production'"
    # !Join with a nested !If; ${!Literal} stays ${Literal} for the template to read
    assert api.integration("GET /orders/{orderId}").uri == "https://orders.example.com/orders/{id}"
    health = api.integration("GET /").responses[0].response_templates["application/json"]
    assert '"requestId": "${context.requestId}"' in health
    assert api.stage_variables == {"env": "production", "tableName": "stack-orders"}


def test_sam_parameter_defaults_and_function_events():
    api = load_definition(API / "sam-template.yaml")
    assert api.integration("GET /orders/{orderId}").uri == "https://orders.example.com/orders/{id}"
    assert api.integration("GET /health").type == "AWS_PROXY"
    assert api.stage_variables == {"env": "production"}


def test_any_method_answers_every_method(tmp_path):
    spec = {"openapi": "3.0.1", "paths": {"/things": {"x-amazon-apigateway-any-method": {
        "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {
            "application/json": '{"statusCode": 200}'}}}}}}
    path = tmp_path / "any.json"
    path.write_text(json.dumps(spec))
    api = load_definition(path)
    assert api.routes() == ["ANY /things"]
    assert api.integration("PATCH /things/").type == "MOCK"


@pytest.mark.parametrize("content, suffix, message", [
    (None, ".yaml", "no such file"),
    ("paths: [1,\n  }", ".yaml", "not valid YAML"),
    ('{"openapi": ', ".json", "not valid JSON"),
    ("- just\n- a list\n", ".yaml", "not an API definition"),
    ("title: nothing here\n", ".yml", "not an API definition"),
])
def test_unreadable_files_are_definition_errors(tmp_path, content, suffix, message):
    path = tmp_path / f"api{suffix}"
    if content is not None:
        path.write_text(content)
    with pytest.raises(DefinitionError) as raised:
        load_definition(path)
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert isinstance(raised.value, VtlError)


def test_unknown_route_lists_the_known_ones():
    api = load_definition(API / "openapi.yaml")
    with pytest.raises(DefinitionError, match=r"no route PUT /orders \(routes: POST /orders, "):
        api.integration("PUT /orders")
    with pytest.raises(DefinitionError, match="METHOD /path"):
        split_route("/orders")


def test_invalid_integration_names_its_route(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"swagger": "2.0", "paths": {"/x": {"get": {
        "x-amazon-apigateway-integration": {"type": "http", "passthroughBehavior": "sometimes"}}}}}))
    with pytest.raises(DefinitionError, match="GET /x: passthroughBehavior"):
        load_definition(path).integration("GET /x")


def test_yaml_templates_that_are_empty_or_numbers_are_text(tmp_path):
    path = tmp_path / "api.yaml"
    path.write_text('swagger: "2.0"\npaths:\n  /x:\n    post:\n'
                    '      x-amazon-apigateway-integration:\n        type: mock\n'
                    '        requestTemplates:\n          application/json:\n          text/plain: 42\n'
                    '        responses:\n          200:\n            statusCode: 200\n'
                    '            responseTemplates:\n              application/json:\n')
    integration = load_definition(path).integration("POST /x")
    assert integration.request_templates == {"application/json": "", "text/plain": "42"}
    assert integration.responses[0].selection_pattern == "200"
    assert integration.responses[0].response_templates == {"application/json": ""}


@pytest.mark.parametrize("document, message", [
    ({"openapi": "3.0.1", "paths": {"/x": {"get": {"x-amazon-apigateway-integration": {
        "type": 5}}}}}, "GET /x: type must be text, not 5"),
    ({"openapi": "3.0.1", "paths": {"/x": {"get": {"x-amazon-apigateway-integration": {
        "responses": {"default": "x"}}}}}}, "GET /x: the response for 'default' must be a mapping"),
    ({"openapi": "3.0.1", "paths": {"/x": {"get": {"x-amazon-apigateway-integration": {
        "responses": {"(": {}}}}}}}, "GET /x: invalid selectionPattern: Unclosed group"),
])
def test_malformed_integrations_are_one_line_errors(tmp_path, document, message):
    path = tmp_path / "api.json"
    path.write_text(json.dumps(document))
    with pytest.raises(DefinitionError) as raised:
        load_definition(path).integration("GET /x")
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_malformed_template_resources_are_skipped_or_refused(tmp_path):
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": {
        "M": {"Type": "AWS::ApiGateway::Method", "Properties": {"HttpMethod": "GET",
                                                               "Integration": "oops"}},
        "F": {"Type": "AWS::Serverless::Function", "Properties": {"Events": {"E": "x"}}}}}))
    assert load_definition(path).routes() == ["GET /"]
    path.write_text(json.dumps({"Resources": {"A": {"Type": "AWS::Serverless::Api",
                                                    "Properties": {"DefinitionUri": path.name}}}}))
    with pytest.raises(DefinitionError, match="includes itself"):
        load_definition(path)


def test_locate_finds_a_template_line_in_the_yaml_file():
    api = load_definition(API / "openapi.yaml")
    template = api.integration("POST /orders").request_templates["application/json"]
    lines = (API / "openapi.yaml").read_text().splitlines()
    line, column = api.locate(template, 4, 3)   # template line 4 is '  "orderId": …'
    assert lines[line - 1][column - 1:].startswith('"orderId": "$context.requestId"')
    # a one-line string in quotes without escapes
    single = api.integration("POST /orders").responses[2].response_templates["application/json"]
    line, column = api.locate(single, 1, 2)
    assert lines[line - 1][column - 1:].startswith('"message": "no such customer"}')
    # text with escapes, JSON files and !Sub with variables cannot be placed
    delete = api.integration("DELETE /orders/{orderId}").request_templates["application/json"]
    assert api.locate(delete, 1, 1) is None
    swagger = load_definition(API / "swagger2.json")
    assert swagger.locate(template, 1, 1) is None
    cloudformation = load_definition(API / "cloudformation.yaml")
    substituted = cloudformation.integration("POST /orders").request_templates["application/json"]
    assert cloudformation.locate(substituted, 1, 1) is None
