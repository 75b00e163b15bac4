"""Proxy integrations (apigateway/proxy.py through Integration and invoke): the Lambda proxy
event against the shapes API Gateway sent, the function's result read as API Gateway reads it,
HTTP_PROXY passing the request and the answer through, and the execution log of both."""
import base64
import json
from pathlib import Path

import pytest

from vtl_engine.apigateway import (BackendResponse, Integration, IntegrationResponse,
                                   MethodRequest, invoke, test_invoke_method)
from vtl_engine.apigateway.proxy import ProxyResponseError, lambda_proxy_response

from test_invoke import entries

SAM_TEMPLATE = Path(__file__).resolve().parents[2] / "fixtures" / "api" / "sam-template.yaml"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:SimpleLambda4ProxyResource"
LAMBDA_URI = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FUNCTION}/invocations"
EVENT_KEYS = ["resource", "path", "httpMethod", "headers", "multiValueHeaders",
              "queryStringParameters", "multiValueQueryStringParameters", "pathParameters",
              "stageVariables", "requestContext", "body", "isBase64Encoded"]
MALFORMED = "Execution failed due to configuration error: Malformed Lambda proxy response"


def lambda_proxy(**kwargs) -> Integration:
    return Integration(type="AWS_PROXY", uri=LAMBDA_URI, http_method="POST", **kwargs)


def event_for(request: MethodRequest, route: str = "POST /{proxy+}") -> dict:
    done = invoke(lambda_proxy(), request, route=route)
    assert done.response is None   # only the request side ran
    return json.loads(done.integration_request.body)


# -- the event: the developer guide's example, field by field ---------------------------------

def test_the_event_of_the_developer_guides_example():
    """"Input format of a Lambda function for proxy integration": POST
    /testStage/hello/world?name=me with a stage variable, on ANY /{proxy+} (the example's
    CloudFront headers left out; its multivalueName comes from a second request)."""
    request = MethodRequest(
        body='{\r\n\t"a": 1\r\n}',
        headers={"Content-Type": "application/json", "headerName": "headerValue",
                 "Host": "gy415nuibc.execute-api.us-east-1.amazonaws.com",
                 "User-Agent": "PostmanRuntime/2.4.5"},
        querystring={"name": "me", "multivalueName": "me"},
        multi_value_querystring={"multivalueName": ["you", "me"]},
        path={"proxy": "hello/world"}, stage_variables={"stageVariableName": "stageVariableValue"},
        context={"accountId": "12345678912", "resourceId": "roq9wj", "stage": "testStage",
                 "requestId": "deef4878-7910-11e6-8f14-25afc3e9ae33", "apiId": "gy415nuibc",
                 "identity": {"sourceIp": "192.168.196.186"}})
    event = event_for(request, "ANY /{proxy+}")
    assert list(event) == EVENT_KEYS
    assert event["resource"] == "/{proxy+}" and event["path"] == "/hello/world"
    assert event["httpMethod"] == "POST"   # the request's, on an ANY method
    assert event["headers"]["headerName"] == "headerValue"
    assert event["multiValueHeaders"]["Content-Type"] == ["application/json"]
    assert event["queryStringParameters"] == {"name": "me", "multivalueName": "me"}
    assert event["multiValueQueryStringParameters"] == {"name": ["me"],
                                                        "multivalueName": ["you", "me"]}
    assert event["pathParameters"] == {"proxy": "hello/world"}
    assert event["stageVariables"] == {"stageVariableName": "stageVariableValue"}
    assert event["body"] == '{\r\n\t"a": 1\r\n}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert {k: context[k] for k in ("accountId", "resourceId", "stage", "requestId",
                                     "resourcePath", "httpMethod", "apiId")} == {
        "accountId": "12345678912", "resourceId": "roq9wj", "stage": "testStage",
        "requestId": "deef4878-7910-11e6-8f14-25afc3e9ae33", "resourcePath": "/{proxy+}",
        "httpMethod": "POST", "apiId": "gy415nuibc"}
    assert context["identity"]["sourceIp"] == "192.168.196.186"
    assert context["identity"]["userAgent"] == "PostmanRuntime/2.4.5"
    assert context["identity"]["cognitoIdentityPoolId"] is None
    assert context["path"] == "/testStage/hello/world"
    assert context["protocol"] == "HTTP/1.1" and type(context["requestTimeEpoch"]) is int


def test_what_the_request_lacks_is_null():
    """A test invocation of POST /memo with only a query string (an event a user recorded from
    the console's Test button): no headers, no path parameters, no stage variables, no body."""
    event = event_for(MethodRequest(querystring={"MemoId": "001", "Memo": "Hello"}),
                      "POST /memo")
    assert (event["headers"], event["multiValueHeaders"], event["pathParameters"],
            event["stageVariables"], event["body"]) == (None, None, None, None, None)
    assert event["multiValueQueryStringParameters"] == {"MemoId": ["001"], "Memo": ["Hello"]}
    assert event_for(MethodRequest(), "POST /memo")["queryStringParameters"] is None
    assert event_for(MethodRequest(), "POST /memo")["multiValueQueryStringParameters"] is None


def test_a_repeated_parameter_keeps_its_last_value_in_the_single_value_map():
    """?category=electronics&category=books: LocalStack's snapshot of AWS's event has "books"
    in queryStringParameters and both in the multi-value map."""
    event = event_for(MethodRequest(
        querystring={"category": "books"},
        multi_value_querystring={"category": ["electronics", "books"]},
        headers={"Accept": "b"}, multi_value_headers={"Accept": ["a", "b"]}))
    assert event["queryStringParameters"] == {"category": "books"}
    assert event["multiValueQueryStringParameters"] == {"category": ["electronics", "books"]}
    assert event["headers"] == {"Accept": "b"}
    assert event["multiValueHeaders"] == {"Accept": ["a", "b"]}


def test_the_request_context_is_context_without_the_template_overrides():
    event = event_for(MethodRequest(context={"authorizer": {"principalId": "u-1", "n": 1}}))
    context = event["requestContext"]
    assert "requestOverride" not in context and "responseOverride" not in context
    assert context["authorizer"] == {"principalId": "u-1", "n": "1"}   # as $context has it


def test_request_templates_and_mappings_do_not_reach_the_event():
    chosen = lambda_proxy(request_templates={"application/json": '{"templated": true}'},
                          request_parameters={"integration.request.header.X-Mapped": "'v'"})
    done = invoke(chosen, MethodRequest(body='{"a": 1}'), route="POST /orders")
    event = json.loads(done.integration_request.body)
    assert event["body"] == '{"a": 1}' and event["headers"] is None


def test_an_aws_proxy_integration_calls_lambda_with_post_only():
    """LocalStack's AWS-validated snapshot: a GET integration method answers 500."""
    done = invoke(Integration(type="AWS_PROXY", uri=LAMBDA_URI, http_method="GET"),
                  MethodRequest(), route="GET /x", backend=BackendResponse(200, "{}"))
    assert done.response.status_code == 500 and done.failed
    assert done.integration_request is None


# -- the function's result --------------------------------------------------------------------

def test_the_result_becomes_the_clients_response():
    status, body, headers = lambda_proxy_response(200, json.dumps({
        "statusCode": 201, "headers": {"X-One": "1", "x-multi": "header", "Cached": True},
        "multiValueHeaders": {"X-Multi": ["a", "b"], "Set-Cookie": ["k=v"]},
        "body": "created", "isBase64Encoded": False}), {}, None)
    assert (status, body) == (201, "created")
    # multiValueHeaders win over headers of the same name, whatever its case
    assert headers == {"Content-Type": "application/json", "X-One": "1", "Cached": "true",
                       "X-Multi": ["a", "b"], "Set-Cookie": "k=v"}


@pytest.mark.parametrize("result, expected", [
    ({}, (200, "")),                                         # every key may be left out
    ({"statusCode": "404", "body": None}, (404, "")),        # a status as text
    ({"statusCode": 204.0}, (204, "")),
    ({"body": base64.b64encode(b"\x89PNG").decode(), "isBase64Encoded": True}, (200, b"\x89PNG")),
])
def test_lenient_results(result, expected):
    status, body, headers = lambda_proxy_response(200, json.dumps(result), {}, None)
    assert (status, body) == expected and headers["Content-Type"] == "application/json"


def test_the_functions_content_type_replaces_the_default():
    _, _, headers = lambda_proxy_response(
        200, '{"headers": {"content-type": "text/html"}, "body": "<p>"}', {}, None)
    assert headers == {"content-type": "text/html"}


@pytest.mark.parametrize("result", [
    '{"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": {"hey": "dude"}}',
    '{"statusCode": 200, "body": "ok", "cookies": ["a=b"]}',   # a key of HTTP APIs' format
    '"just a string"', "null", "", "not json", "[1, 2]",
    '{"statusCode": "two hundred"}', '{"statusCode": true}', '{"headers": ["a"]}',
    '{"headers": {"a": {"b": 1}}}', '{"multiValueHeaders": {"a": "b"}}',
    '{"isBase64Encoded": "yes"}',
])
def test_what_is_not_a_proxy_response_is_malformed(result):
    """The first is the body of a report of this error (an object where text belongs)."""
    with pytest.raises(ProxyResponseError, match=MALFORMED) as raised:
        lambda_proxy_response(200, result, {}, None)
    assert raised.value.status == 502


def test_a_function_error_is_a_502_with_lambdas_words():
    with pytest.raises(ProxyResponseError) as raised:
        lambda_proxy_response(200, '{"errorMessage": "boom", "errorType": "Error"}',
                              {"x-amzn-RequestId": "8f5e-11"}, "boom")
    assert str(raised.value) == ("Lambda execution failed with status 200 due to customer "
                                 "function error: boom. Lambda request id: 8f5e-11")
    assert raised.value.status == 502


def test_lambda_refusing_the_call_is_a_500():
    with pytest.raises(ProxyResponseError, match="Lambda invocation failed with status: 429") \
            as raised:
        lambda_proxy_response(429, '{"Reason": "ReservedFunctionConcurrentInvocationLimit"}',
                              {}, None)
    assert raised.value.status == 500


def test_a_body_that_is_not_base64_is_a_500():
    with pytest.raises(ProxyResponseError) as raised:
        lambda_proxy_response(200, '{"body": "not base64!", "isBase64Encoded": true}', {}, None)
    assert raised.value.status == 500


# -- the whole flow and its log ---------------------------------------------------------------

def test_a_lambda_proxy_route_from_end_to_end():
    result = {"statusCode": 201, "headers": {"Location": "/orders/o-1"}, "body": '{"id":"o-1"}'}
    done = invoke(lambda_proxy(), MethodRequest(body='{"item": 1}', headers={"A": "b"}),
                  route="POST /orders",
                  backend=BackendResponse(200, json.dumps(result),
                                          {"Content-Type": "application/json"}))
    assert not done.failed and done.integration_response is None
    assert done.response.status_code == 201 and done.response.body == '{"id":"o-1"}'
    assert done.response.headers == {"Content-Type": "application/json",
                                     "Location": "/orders/o-1"}
    log = dict(entries(done.log))
    assert log["Endpoint request URI"] == (
        f"https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/{FUNCTION}/invocations")
    sent = done.integration_request.body
    assert json.loads(sent)["body"] == '{"item": 1}'
    # the log cuts the event at 1,024 bytes, as execution logs cut every line
    shown = log["Endpoint request body after transformations"]
    assert shown.endswith(" [TRUNCATED]") and sent.startswith(shown[:-len(" [TRUNCATED]")])
    assert log["Endpoint response body before transformations"] == json.dumps(result)
    assert log["Method response body after transformations"] == '{"id":"o-1"}'
    assert log["Method response headers"] == \
        "{Content-Type=application/json, Location=/orders/o-1}"
    assert [label for label, _ in entries(done.log)][-2:] == [
        "Successfully completed execution", "Method completed with status"]


def test_a_malformed_result_ends_the_log_as_api_gateway_does():
    """The lines of a reported test-invoke log of this error, in its order."""
    done = invoke(lambda_proxy(), MethodRequest(), route="GET /transcriptions",
                  backend=BackendResponse(200, '{"statusCode": 200, "body": {"hey": "dude"}}'))
    assert done.failed and done.response.status_code == 502
    assert done.response.body == '{"message":"Internal server error"}'
    assert [f"{label}: {value}" if value else label for label, value in entries(done.log)][-3:] \
        == ['Endpoint response body before transformations: '
            '{"statusCode": 200, "body": {"hey": "dude"}}',
            MALFORMED,
            "Method completed with status: 502"]


def test_a_function_error_through_the_flow():
    done = invoke(lambda_proxy(), MethodRequest(), route="GET /x",
                  backend=BackendResponse(200, '{"errorMessage": "boom"}', error_message="boom"))
    assert done.response.status_code == 502 and done.failed
    assert "due to customer function error: boom. Lambda request id: " in done.log


def test_integration_responses_of_a_proxy_integration_are_not_used():
    chosen = lambda_proxy(responses=[IntegrationResponse("200", None,
                                                         {"application/json": "templated"})])
    done = invoke(chosen, MethodRequest(), route="GET /x",
                  backend=BackendResponse(200, '{"statusCode": 418, "body": "teapot"}'))
    assert (done.response.status_code, done.response.body) == (418, "teapot")


def test_http_proxy_passes_the_request_and_the_answer_through():
    chosen = Integration(type="HTTP_PROXY", uri="https://backend.example.com/api/{proxy}",
                         http_method="ANY",
                         request_parameters={
                             "integration.request.path.proxy": "method.request.path.proxy",
                             "integration.request.header.X-Stage": "stageVariables.env",
                             "integration.request.querystring.source": "'gateway'"},
                         request_templates={"application/json": "never run"})
    received = []

    def backend(sent):
        received.append(sent)
        return BackendResponse(404, b"<h1>gone</h1>", {"Content-Type": "text/html",
                                                         "X-Backend": "1"})
    done = invoke(chosen, MethodRequest(
        body=b"raw \xff", headers={"Host": "api.example.com", "Content-Type": "text/plain",
                                   "Content-Encoding": "gzip", "X-Client": "c"},
        querystring={"tag": "b"}, multi_value_querystring={"tag": ["a", "b"]},
        path={"proxy": "a/b c"}, stage_variables={"env": "dev"}),
        route="PUT /{proxy+}", backend=backend)
    sent = received[0]
    assert sent.body == b"raw \xff"
    assert sent.headers == {"Content-Type": "text/plain", "X-Client": "c", "X-Stage": "dev"}
    assert sent.querystring == {"tag": ["a", "b"], "source": "gateway"}
    assert dict(entries(done.log))["Endpoint request URI"] == \
        "https://backend.example.com/api/a/b%20c?tag=a&tag=b&source=gateway"
    assert not done.failed and done.response.status_code == 404
    assert done.response.body == b"<h1>gone</h1>"
    assert done.response.headers == {"Content-Type": "text/html", "X-Backend": "1"}
    log = dict(entries(done.log))
    assert log["Endpoint response body before transformations"] == \
        log["Method response body after transformations"] == "<h1>gone</h1>"


def test_test_invoke_method_on_the_sam_templates_proxy_route():
    answer = test_invoke_method(
        SAM_TEMPLATE, httpMethod="GET", pathWithQueryString="/health?a=1&a=2",
        multiValueHeaders={"Accept": ["text/plain", "application/json"]},
        backend=lambda sent: BackendResponse(200, json.dumps({
            "statusCode": 200, "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": json.dumps(json.loads(sent.body))})))
    event = json.loads(answer["body"])
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert event["multiValueHeaders"] == {"Accept": ["text/plain", "application/json"]}
    assert event["requestContext"]["stage"] == "test-invoke-stage"
    assert event["requestContext"]["path"] == "/health"   # a test invocation has no stage
    assert event["stageVariables"] == {"env": "production"}
    assert answer["status"] == 200
    assert answer["multiValueHeaders"]["Set-Cookie"] == ["a=1", "b=2"]
    assert answer["headers"]["Set-Cookie"] == "a=1,b=2"
