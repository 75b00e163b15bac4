"""Proxy integrations in moto with the drop-in, end to end: AWS_PROXY to moto's Lambda without
Docker (its queued results) or to Lambda's Invoke answering a function error, HTTP_PROXY to a
real echo server on loopback, and boto3's test_invoke_method on a Lambda proxy route."""
from __future__ import annotations

import base64
import json

import boto3
import requests
import responses
from moto import mock_aws
from moto_scenarios import MOTO_CONFIG, REGION, Api, lambda_function, lambda_uri, \
    queue_lambda_results


@mock_aws(config=MOTO_CONFIG)
def test_http_proxy_to_a_real_echo_server(vtl_moto, echo_url):
    api = Api()
    api.route("ANY /{proxy+}", type="HTTP_PROXY", integration_method="ANY",
              uri=f"{echo_url}/{{proxy}}", responses=(),
              request_parameters={"integration.request.path.proxy": "method.request.path.proxy",
                                  "integration.request.querystring.via": "'gateway'"})
    answer = requests.post(api.deploy() + "/reflect?tag=a&tag=b", data="hello",
                           headers={"Content-Type": "text/plain", "X-Client": "web"})
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    reached = answer.json()
    assert reached["query"] == "tag=a&tag=b&via=gateway"
    assert reached["body"] == "hello"
    headers = reached["headers"]
    assert headers["x-client"] == "web" and headers["content-type"] == "text/plain"
    # the client's Host is not passed on: the backend sees its own
    assert headers["host"] == echo_url.removeprefix("http://")


@mock_aws(config=MOTO_CONFIG)
def test_a_lambda_proxy_result_with_binary_body_and_repeated_headers(vtl_moto):
    api = Api()
    api.route("GET /logo", type="AWS_PROXY", integration_method="POST",
              uri=lambda_uri(lambda_function("logo")), responses=())
    queue_lambda_results({"statusCode": 200, "isBase64Encoded": True,
                          "headers": {"Content-Type": "image/png"},
                          "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
                          "body": base64.b64encode(b"\x89PNG\r\n").decode()})
    answer = requests.get(api.deploy() + "/logo")
    assert answer.status_code == 200 and answer.content == b"\x89PNG\r\n"
    assert answer.headers["Content-Type"] == "image/png"
    assert answer.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]


@mock_aws(config=MOTO_CONFIG)
def test_a_lambda_proxy_function_error_is_a_502(vtl_moto, caplog):
    function = lambda_function("failing")
    responses.add(responses.POST,
                  f"https://lambda.{REGION}.amazonaws.com/2015-03-31/functions/{function}"
                  "/invocations", status=200,
                  headers={"X-Amz-Function-Error": "Unhandled", "x-amzn-RequestId": "req-42"},
                  json={"errorMessage": "division by zero", "errorType": "ZeroDivisionError"})
    try:
        api = Api()
        api.route("GET /ratio", type="AWS_PROXY", integration_method="POST",
                  uri=lambda_uri(function), responses=())
        answer = requests.get(api.deploy() + "/ratio")
    finally:
        responses.reset()
    assert (answer.status_code, answer.text) == (502, '{"message":"Internal server error"}')
    assert ("Lambda execution failed with status 200 due to customer function error: "
            "division by zero. Lambda request id: req-42") in caplog.text


@mock_aws(config=MOTO_CONFIG)
def test_test_invoke_method_on_a_lambda_proxy_route(vtl_moto):
    api = Api()
    api.route("POST /orders", type="AWS_PROXY", integration_method="POST",
              uri=lambda_uri(lambda_function("orders")), responses=())
    queue_lambda_results({"statusCode": 202, "body": "queued"})
    resource = api.resource("/orders")
    tested = boto3.client("apigateway", region_name=REGION).test_invoke_method(
        restApiId=api.id, resourceId=resource, httpMethod="POST",
        pathWithQueryString="/orders?x=1", body='{"n": 1}')
    assert (tested["status"], tested["body"]) == (202, "queued")
    lines = [line.split(" : ", 1)[1] for line in tested["log"].splitlines()[1:]]
    sent = next(line for line in lines
                if line.startswith("Endpoint request body after transformations: "))
    assert sent.startswith('Endpoint request body after transformations: {"resource":"/orders",'
                           '"path":"/orders","httpMethod":"POST"')
    assert lines[-5:] == [
        'Endpoint response body before transformations: {"statusCode": 202, "body": "queued"}',
        "Method response body after transformations: queued",
        "Method response headers: {Content-Type=application/json}",
        "Successfully completed execution", "Method completed with status: 202"]
    assert any(line.startswith("Received response. Status: 200, Integration latency: ")
               for line in lines)
