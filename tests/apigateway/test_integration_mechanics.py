"""Integration request and response mechanics: template choice, passthrough behaviours and the
415, selection patterns, mapping expressions, overrides, MOCK integrations."""
import pytest

from vtl_engine.apigateway import (BackendResponse, Integration, IntegrationRequest,
                                   IntegrationResponse, MethodRequest, MethodResponse,
                                   mock_backend_response)
from vtl_engine.apigateway.utf8 import payload_text

LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
              "arn:aws:lambda:us-east-1:123456789012:function:f/invocations")
JSON_TEMPLATE = '{"from": "json", "body": $input.json(\'$\')}'
XML_TEMPLATE = "<from>xml</from>"


def integration(behavior="WHEN_NO_MATCH", templates=None, **kwargs):
    return Integration(type="HTTP", uri="https://example.com", passthrough_behavior=behavior,
                       request_templates={} if templates is None else templates, **kwargs)


def request(body='{"a": 1}', content_type=None, **kwargs):
    headers = kwargs.pop("headers", {})
    if content_type is not None:
        headers["Content-Type"] = content_type
    return MethodRequest(body=body, headers=headers, **kwargs)


# -- request template selection and passthrough behaviours --------------------------------------

@pytest.mark.parametrize("content_type, expected", [
    ("application/json", '{"from": "json", "body": {"a":1}}'),
    ("application/json; charset=UTF-8", '{"from": "json", "body": {"a":1}}'),
    ("Application/JSON", '{"from": "json", "body": {"a":1}}'),
    (None, '{"from": "json", "body": {"a":1}}'),           # no Content-Type: application/json
    ("application/xml", XML_TEMPLATE),
])
def test_template_chosen_by_content_type(content_type, expected):
    chosen = integration(templates={"application/json": JSON_TEMPLATE,
                                    "application/xml": XML_TEMPLATE})
    result = chosen.integration_request(request(content_type=content_type))
    assert isinstance(result, IntegrationRequest)
    assert result.body == expected


def test_content_type_header_name_is_case_insensitive():
    chosen = integration(templates={"application/xml": XML_TEMPLATE})
    result = chosen.integration_request(request(headers={"content-type": "application/xml"}))
    assert result.body == XML_TEMPLATE and result.template_media_type == "application/xml"


# (behaviour, templates defined, content type) -> passed through / transformed / 415
PASSTHROUGH_TABLE = [
    ("WHEN_NO_MATCH", True, "application/json", "transformed"),
    ("WHEN_NO_MATCH", True, "text/plain", "passed"),
    ("WHEN_NO_MATCH", False, "text/plain", "passed"),
    ("WHEN_NO_TEMPLATES", True, "application/json", "transformed"),
    ("WHEN_NO_TEMPLATES", True, "text/plain", 415),
    ("WHEN_NO_TEMPLATES", False, "text/plain", "passed"),
    ("NEVER", True, "application/json", "transformed"),
    ("NEVER", True, "text/plain", 415),
    ("NEVER", False, "text/plain", 415),
    ("NEVER", False, None, 415),
]


@pytest.mark.parametrize("behavior, has_templates, content_type, outcome", PASSTHROUGH_TABLE)
def test_passthrough_behaviors(behavior, has_templates, content_type, outcome):
    chosen = integration(behavior, {"application/json": JSON_TEMPLATE} if has_templates else {})
    result = chosen.integration_request(request(body="raw text", content_type=content_type))
    if outcome == 415:
        assert isinstance(result, MethodResponse)
        assert result.status_code == 415
        assert result.body == '{"message":"Unsupported Media Type"}'
        assert result.headers["Content-Type"] == "application/json"
    elif outcome == "passed":
        assert result.body == "raw text" and result.template_media_type is None
    else:
        assert result.body == '{"from": "json", "body": "raw text"}'


def test_openapi_spelling_is_accepted():
    spec = {"type": "mock", "passthroughBehavior": "when_no_templates",
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "responses": {"default": {"statusCode": "200"}}}
    chosen = Integration.from_openapi(spec)
    assert chosen.type == "MOCK" and chosen.passthrough_behavior == "WHEN_NO_TEMPLATES"
    assert chosen.responses[0].selection_pattern is None


def test_unknown_passthrough_behavior_is_refused():
    with pytest.raises(ValueError):
        integration("SOMETIMES")


@pytest.mark.parametrize("kind", ["AWS_PROXY", "HTTP_PROXY"])
def test_proxy_integrations_never_run_templates(kind):
    chosen = Integration(type=kind, uri=LAMBDA_URI, passthrough_behavior="NEVER",
                         request_templates={"application/json": JSON_TEMPLATE},
                         request_parameters={"integration.request.header.X": "'y'"})
    result = chosen.integration_request(request(content_type="text/plain"))
    assert isinstance(result, IntegrationRequest) and result.template_media_type is None
    assert '"from"' not in payload_text(result.body)


def test_a_failing_template_is_a_500():
    chosen = integration(templates={"application/json": "$util.base64Decode('***')"})
    result = chosen.integration_request(request())
    assert result.status_code == 500 and result.body == '{"message":"Internal server error"}'
    assert "Illegal base64 character" in str(result.error)


# -- request parameter mappings ----------------------------------------------------------------

@pytest.mark.parametrize("source, expected", [
    ("method.request.path.id", "42"),
    ("method.request.querystring.q", "find me"),
    ("method.request.header.X-Token", "t0k"),
    ("method.request.multivaluequerystring.q", "find me"),
    ("method.request.multivalueheader.X-Token", "t0k"),
    ("method.request.body", '{"name": "n/1", "obj": {"a": [1]}, "num": 2.5}'),
    ("method.request.body.name", "n/1"),                  # a string as itself
    ("method.request.body.obj", '{"a":[1]}'),             # anything else as JSON
    ("method.request.body.obj.a[0]", "1"),
    ("method.request.body.num", "2.5"),
    ("method.request.body.missing", None),                 # nothing mapped
    ("method.request.path.missing", None),
    ("stageVariables.backend", "orders-v2"),
    ("stageVariables.missing", None),
    ("context.requestId", "req-1"),
    ("context.identity.sourceIp", "203.0.113.7"),
    ("context.missing.deeper", None),
    ("'static value'", "static value"),
])
def test_request_mapping_expressions(source, expected):
    chosen = integration(templates={}, request_parameters={"integration.request.header.X": source})
    result = chosen.integration_request(request(
        body='{"name": "n/1", "obj": {"a": [1]}, "num": 2.5}', path={"id": "42"},
        querystring={"q": "find me"}, headers={"X-Token": "t0k"},
        stage_variables={"backend": "orders-v2"},
        context={"requestId": "req-1", "identity": {"sourceIp": "203.0.113.7"}}))
    assert result.headers.get("X") == expected


def test_mapping_targets_and_overrides():
    template = ('#set($context.requestOverride.header.X-Mapped = "overridden")'
                '#set($context.requestOverride.querystring.extra = "e")'
                '#set($context.requestOverride.path.id = "7")body')
    chosen = integration(templates={"application/json": template}, request_parameters={
        "integration.request.header.X-Mapped": "'mapped'",
        "integration.request.querystring.q": "method.request.querystring.q",
        "integration.request.path.id": "method.request.path.id"})
    result = chosen.integration_request(request(querystring={"q": "1"}, path={"id": "42"}))
    assert result.body == "body"
    assert result.headers == {"X-Mapped": "overridden"}      # overrides come after mappings
    assert result.querystring == {"q": "1", "extra": "e"}
    assert result.path == {"id": "7"}


@pytest.mark.parametrize("target, source", [
    ("integration.request.body.x", "'v'"),
    ("integration.request.header.X", "method.request.cookie.x"),
    ("integration.request.header.X", "unquoted static"),
])
def test_invalid_mapping_expressions_are_refused(target, source):
    with pytest.raises(ValueError):
        integration(request_parameters={target: source})


# -- integration response selection ------------------------------------------------------------

def lambda_integration(*responses):
    return Integration(type="AWS", uri=LAMBDA_URI, responses=list(responses))


DEFAULT = IntegrationResponse("200", None, {"application/json": "ok $input.json('$')"})
NOT_FOUND = IntegrationResponse("404", ".*Not Found.*",
                                {"application/json": "nf $input.path('$.errorMessage')"})
BAD = IntegrationResponse("400", "Bad.*", {"application/json": "bad"})


@pytest.mark.parametrize("error, status", [
    (None, 200),                                   # success: the default response
    ("Item Not Found", 404),
    ("Not Found", 404),
    ("Bad input", 400),
    ("Very Bad input", 200),                       # a pattern must match the whole message
    ("line one\nItem Not Found", 200),             # "." does not match a line break
    ("Something else", 200),                       # no match: the default
])
def test_lambda_errors_select_by_error_message(error, status):
    chosen = lambda_integration(DEFAULT, NOT_FOUND, BAD)
    backend = BackendResponse(body='{"errorMessage": "%s"}' % (error or "").replace("\n", "\\n"),
                              error_message=error)
    assert chosen.integration_response(backend, MethodRequest()).status_code == status


def test_multiline_pattern_with_dotall_flag_matches():
    chosen = lambda_integration(DEFAULT, IntegrationResponse("500", "(?s).*Not Found.*"))
    backend = BackendResponse(body="{}", error_message="line one\nNot Found")
    assert chosen.integration_response(backend, MethodRequest()).status_code == 500


def test_no_match_and_no_default_is_a_500():
    chosen = lambda_integration(NOT_FOUND)
    backend = BackendResponse(body="{}", error_message="Other")
    response = chosen.integration_response(backend, MethodRequest())
    assert response.status_code == 500
    assert response.body == '{"message":"Internal server error"}'


@pytest.mark.parametrize("backend_status, status", [(200, 200), (201, 200), (404, 404),
                                                     (403, 400), (500, 502)])
def test_http_integrations_select_by_status_code(backend_status, status):
    chosen = Integration(type="HTTP", uri="https://example.com", responses=[
        IntegrationResponse("200"), IntegrationResponse("404", "404"),
        IntegrationResponse("400", "4\\d{2}"), IntegrationResponse("502", "5\\d{2}")])
    backend = BackendResponse(status_code=backend_status, body="x")
    assert chosen.integration_response(backend, MethodRequest()).status_code == status


def test_invalid_selection_pattern_is_refused():
    with pytest.raises(ValueError):
        IntegrationResponse("400", "(unclosed")


# -- response templates ------------------------------------------------------------------------

RESPONSE = IntegrationResponse("200", None, {"application/json": "json: $input.json('$.v')",
                                             "application/xml": "<v>$input.path('$.v')</v>"})


@pytest.mark.parametrize("accept, expected, content_type", [
    (None, "json: 1", "application/json"),
    ("application/xml", "<v>1</v>", "application/xml"),
    ("application/xml;q=0.9, application/json", "<v>1</v>", "application/xml"),  # first only
    ("text/html", "json: 1", "application/json"),       # no match: the first template
])
def test_response_template_chosen_by_accept(accept, expected, content_type):
    chosen = Integration(type="HTTP", uri="https://example.com", responses=[RESPONSE])
    headers = {} if accept is None else {"Accept": accept}
    response = chosen.integration_response(BackendResponse(body='{"v": 1}'),
                                           MethodRequest(headers=headers))
    assert response.body == expected and response.headers["Content-Type"] == content_type


def test_without_json_template_no_accept_takes_the_first_template():
    xml_only = IntegrationResponse("200", None, {"application/xml": "<x/>"})
    chosen = Integration(type="HTTP", uri="https://example.com", responses=[xml_only])
    assert chosen.integration_response(BackendResponse(body="{}"), MethodRequest()).body == "<x/>"


def test_without_templates_the_body_passes_through():
    chosen = Integration(type="HTTP", uri="https://example.com",
                         responses=[IntegrationResponse("200")])
    response = chosen.integration_response(
        BackendResponse(body="<raw/>", headers={"Content-Type": "text/xml"}), MethodRequest())
    assert response.body == "<raw/>" and response.headers["Content-Type"] == "text/xml"


@pytest.mark.parametrize("source, expected", [
    ("integration.response.header.X-Backend", "b"),
    ("integration.response.multivalueheader.X-Backend", "b"),
    ("integration.response.body", '{"v": {"w": "x"}}'),
    ("integration.response.body.v", '{"w":"x"}'),
    ("integration.response.body.v.w", "x"),
    ("integration.response.body.none", None),
    ("stageVariables.s", "sv"),
    ("context.requestId", "req-9"),
    ("'static'", "static"),
])
def test_response_mapping_expressions(source, expected):
    chosen = Integration(type="HTTP", uri="https://example.com", responses=[
        IntegrationResponse("200", response_parameters={"method.response.header.X": source})])
    response = chosen.integration_response(
        BackendResponse(body='{"v": {"w": "x"}}', headers={"X-Backend": "b"}),
        MethodRequest(stage_variables={"s": "sv"}, context={"requestId": "req-9"}))
    assert response.headers.get("X") == expected


def test_response_overrides_change_status_and_headers():
    template = ('#set($context.responseOverride.status = 418)'
                '#set($context.responseOverride.header.X-Mapped = "overridden")body')
    chosen = Integration(type="HTTP", uri="https://example.com", responses=[IntegrationResponse(
        "200", None, {"application/json": template},
        {"method.response.header.X-Mapped": "'mapped'"})])
    response = chosen.integration_response(BackendResponse(body="{}"), MethodRequest())
    assert (response.status_code, response.body) == (418, "body")
    assert response.headers["X-Mapped"] == "overridden"


def test_invalid_status_override_is_ignored():
    chosen = Integration(type="HTTP", uri="https://example.com", responses=[IntegrationResponse(
        "201", None, {"application/json": "#set($context.responseOverride.status = 700)"})])
    assert chosen.integration_response(BackendResponse(body="{}"), MethodRequest()).status_code \
        == 201


# -- MOCK integrations: request-template overrides reach the response ----------------------------

def test_mock_overrides_set_in_the_request_template_reach_the_client():
    chosen = Integration(type="MOCK", request_templates={"application/json": (
        '#set($context.responseOverride.status = 444)'
        '#set($context.responseOverride.header.foo = "bar")'
        '#set($context.responseOverride.custom = "is also passed around")'
        '{"statusCode": 200}')}, responses=[IntegrationResponse("200", None, {
            "application/json": '{"status": "$context.responseOverride.status", '
                                '"custom": "$context.responseOverride.custom"}'})])
    method_request = MethodRequest()
    sent = chosen.integration_request(method_request)
    backend = mock_backend_response(sent)
    assert backend.status_code == 200 and backend.body == ""
    response = chosen.integration_response(backend, method_request, sent)
    assert response.status_code == 444
    assert response.headers["foo"] == "bar"
    assert response.body == '{"status": "444", "custom": "is also passed around"}'


def test_mock_without_response_templates_still_applies_overrides():
    chosen = Integration(type="MOCK", request_templates={"application/json": (
        '#set($context.responseOverride.status = 444){"statusCode": 200}')},
        responses=[IntegrationResponse("200")])
    method_request = MethodRequest()
    sent = chosen.integration_request(method_request)
    response = chosen.integration_response(mock_backend_response(sent), method_request, sent)
    assert (response.status_code, response.body) == (444, "")


def test_mock_status_code_selects_the_response():
    chosen = Integration(type="MOCK", request_templates={"application/json": (
        '{"statusCode": $input.params("code")}')}, responses=[
            IntegrationResponse("200"), IntegrationResponse("404", "404")])
    method_request = MethodRequest(querystring={"code": "404"})
    sent = chosen.integration_request(method_request)
    assert chosen.integration_response(mock_backend_response(sent), method_request,
                                       sent).status_code == 404


def test_mock_request_path_override_read_in_response_template():
    # reference §5: LocalStack's AWS-validated MOCK case with $util.base64Decode and parseJson
    chosen = Integration(type="MOCK", request_templates={"application/json": (
        "#set($body = $util.base64Decode($input.params('testPath')))"
        "#set($context.requestOverride.path.body = $body)"
        '{"statusCode": 200}')}, responses=[IntegrationResponse("200", None, {
            "application/json": "#set($b = $util.parseJson($context.requestOverride.path.body))"
                                "$b.message"})])
    method_request = MethodRequest(path={"testPath": "eyJtZXNzYWdlIjogInBhdGgyIn0="})
    sent = chosen.integration_request(method_request)
    assert chosen.integration_response(mock_backend_response(sent), method_request,
                                       sent).body == "path2"


def test_the_response_side_does_not_change_the_request_context():
    chosen = Integration(type="HTTP", uri="https://example.com", responses=[IntegrationResponse(
        "200", None, {"application/json": "#set($context.responseOverride.header.X = 'x')"})])
    method_request = MethodRequest()
    sent = chosen.integration_request(method_request)
    chosen.integration_response(BackendResponse(body="{}"), method_request, sent)
    assert sent.context["responseOverride"]["header"] == {}
    assert sent.context["requestId"]


# -- content handling --------------------------------------------------------------------------

def test_convert_to_text_base64_encodes_binary_for_templates():
    chosen = Integration(type="HTTP", uri="https://example.com", content_handling="CONVERT_TO_TEXT",
                         request_templates={"application/json": '{"data": "$input.body"}'})
    result = chosen.integration_request(MethodRequest(body=b"\x00\xffbin"))
    assert result.body == '{"data": "AP9iaW4="}'


def test_convert_to_binary_decodes_or_fails():
    chosen = Integration(type="HTTP", uri="https://example.com",
                         content_handling="CONVERT_TO_BINARY")
    assert chosen.integration_request(MethodRequest(body="AP9iaW4=")).body == b"\x00\xffbin"
    assert chosen.integration_request(MethodRequest(body="not base64!")).status_code == 500
