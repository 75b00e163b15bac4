"""REST APIs built in moto through boto3 calls, as a user builds them, and the requests sent to
them: shared by the moto end-to-end tests, each scenario with what AWS answers."""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import boto3
import requests
import responses
from moto import mock_aws

from vtl_engine.integrations.moto import installed, stage_url

REGION = "us-east-1"
ACCOUNT = "123456789012"
JSON = "application/json"
# moto's Lambda that answers without Docker: it echoes the event (docs/moto.md)
MOTO_CONFIG = {"lambda": {"use_docker": False}}


class Api:
    """A REST API made through boto3, one route at a time."""

    def __init__(self, name: str = "shop", region: str = REGION) -> None:
        self.region = region
        self.client = boto3.client("apigateway", region_name=region)
        self.id = self.client.create_rest_api(name=name, description=name)["id"]
        root = self.client.get_resources(restApiId=self.id)["items"][0]["id"]
        self.resources = {"/": root}

    def resource(self, path: str) -> str:
        """The id of the resource at `path`, made (with its parents) when missing."""
        if path not in self.resources:
            parent, _, part = path.rpartition("/")
            self.resources[path] = self.client.create_resource(
                restApiId=self.id, parentId=self.resource(parent or "/"), pathPart=part)["id"]
        return self.resources[path]

    def route(self, route: str, *, type: str = "MOCK", uri: str | None = None,
              integration_method: str | None = None, request_templates: dict | None = None,
              passthrough: str | None = None, request_parameters: dict | None = None,
              timeout_ms: int | None = None,
              responses: tuple[dict, ...] = ({"statusCode": "200"},)) -> None:
        """One method with its integration, integration responses (boto3's put_integration_response
        arguments) and a method response for each, declaring the headers they map."""
        method, path = route.split(" ", 1)
        ids = {"restApiId": self.id, "resourceId": self.resource(path), "httpMethod": method}
        self.client.put_method(**ids, authorizationType="NONE")
        integration = {"type": type, "uri": uri, "integrationHttpMethod": integration_method,
                       "requestTemplates": request_templates, "passthroughBehavior": passthrough,
                       "requestParameters": request_parameters, "timeoutInMillis": timeout_ms}
        self.client.put_integration(**ids, **{k: v for k, v in integration.items() if v})
        for response in responses:
            headers = {target: False for target in response.get("responseParameters", {})}
            self.client.put_method_response(**ids, statusCode=response["statusCode"],
                                            responseParameters=headers)
            self.client.put_integration_response(**ids, **response)

    def deploy(self, stage: str = "dev", variables: dict | None = None) -> str:
        self.client.create_deployment(restApiId=self.id, stageName=stage,
                                      variables=variables or {})
        return stage_url(self.id, stage, self.region)


@dataclass
class Call:
    """The request a scenario sends, and what to check in moto afterwards (with the drop-in)."""

    method: str
    url: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    check: Callable[[], None] | None = None


@dataclass
class Outcome:
    status: int | None
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def shown(self, width: int = 72) -> str:
        text = self.error if self.error is not None else f"{self.status} {self.body!r}"
        text = " ".join(text.split())
        return text if len(text) <= width else text[:width - 1] + "…"


@dataclass
class Scenario:
    """One API and request (`build` makes them in moto, with the echo server's URL) and AWS's
    answer: status, body (exact, or as JSON with `as_json`) and headers."""

    name: str
    build: Callable[[str], Call]
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    as_json: bool = False

    def accepts(self, outcome: Outcome) -> bool:
        if outcome.error is not None or outcome.status != self.status:
            return False
        if any(outcome.headers.get(k) != v for k, v in self.headers.items()):
            return False
        if self.as_json:
            try:
                return json.loads(outcome.body) == json.loads(self.body)
            except ValueError:
                return False
        return outcome.body == self.body


def run(scenario: Scenario, echo_url: str, with_drop_in: bool) -> Outcome:
    """The scenario in a fresh mock_aws, with or without vtl_engine's drop-in; the checks of
    moto's state run with the drop-in only."""
    with mock_aws(config=MOTO_CONFIG), installed() if with_drop_in else nullcontext():
        try:
            call = scenario.build(echo_url)
            try:
                answer = requests.request(call.method, call.url, timeout=30, **call.kwargs)
            except Exception as error:  # what moto alone raises for what it does not do
                return Outcome(None, "", error=f"{type(error).__name__}: {error}")
            if with_drop_in and call.check is not None:
                call.check()
            return Outcome(answer.status_code, answer.text, dict(answer.headers))
        finally:
            responses.reset()


# -- the scenarios ------------------------------------------------------------------------------

SCENARIOS: list[Scenario] = []


def scenario(name: str, status: int, body: str, headers: dict[str, str] | None = None,
             as_json: bool = False) -> Callable[[Callable[[str], Call]], Callable[[str], Call]]:
    def register(build: Callable[[str], Call]) -> Callable[[str], Call]:
        SCENARIOS.append(Scenario(name, build, status, body, headers or {}, as_json))
        return build
    return register


def answer_json(status: int, document: Any, headers: dict[str, str] | None = None
                ) -> tuple[int, dict[str, str], str]:
    return status, {"Content-Type": JSON, **(headers or {})}, json.dumps(document)


@scenario("MOCK: status and header overrides", 201, '{"status": 201, "order": "o-1"}',
          {"X-Order": "o-1", "Content-Type": JSON})
def _mock_overrides(echo_url: str) -> Call:
    api = Api()
    api.route("POST /orders", request_templates={JSON: (
        "#set($context.responseOverride.status = 201)\n"
        "#set($context.responseOverride.header.X-Order = $input.path('$.id'))\n"
        '{"statusCode": 200}')},
        responses=({"statusCode": "200", "responseTemplates": {JSON: (
            '{"status": $context.responseOverride.status, '
            '"order": "$context.responseOverride.header.X-Order"}')}},))
    return Call("POST", api.deploy() + "/orders", {"json": {"id": "o-1"}})


@scenario("MOCK: selectionPattern picks the 400 response", 400,
          '{"message": "quantity must be positive"}')
def _mock_selection(echo_url: str) -> Call:
    api = Api()
    api.route("POST /orders", request_templates={
        JSON: '{"statusCode": #if($input.path(\'$.quantity\') > 0)200#{else}400#end}'},
        responses=({"statusCode": "200", "responseTemplates": {JSON: '{"ok": true}'}},
                   {"statusCode": "400", "selectionPattern": r"4\d{2}",
                    "responseTemplates": {JSON: '{"message": "quantity must be positive"}'}}))
    return Call("POST", api.deploy() + "/orders", {"json": {"quantity": 0}})


@scenario("path parameters: /orders/{id}", 200,
          '{"id": "o-42", "resource": "/orders/{id}", "path": "/dev/orders/o-42"}')
def _path_parameters(echo_url: str) -> Call:
    api = Api()
    api.route("GET /orders", responses=({"statusCode": "200", "responseTemplates": {
        JSON: '{"list": true}'}},))
    api.route("GET /orders/{id}", request_templates={JSON: '{"statusCode": 200}'},
              responses=({"statusCode": "200", "responseTemplates": {JSON: (
                  '{"id": "$input.params(\'id\')", "resource": "$context.resourcePath", '
                  '"path": "$context.path"}')}},))
    return Call("GET", api.deploy() + "/orders/o-42")


@scenario("greedy path parameter: /files/{proxy+}", 200, "a/b/c.txt")
def _greedy_path(echo_url: str) -> Call:
    api = Api()
    api.route("GET /files/{proxy+}", request_templates={JSON: '{"statusCode": 200}'},
              responses=({"statusCode": "200",
                          "responseTemplates": {JSON: "$input.params('proxy')"}},))
    return Call("GET", api.deploy() + "/files/a/b/c.txt")


@scenario("415 for an unmatched Content-Type (NEVER)", 415,
          '{"message":"Unsupported Media Type"}')
def _unsupported_media_type(echo_url: str) -> Call:
    api = Api()
    api.route("POST /echo", type="HTTP", uri=f"{echo_url}/echo", integration_method="POST",
              passthrough="NEVER", request_templates={JSON: '{"wrapped": $input.json(\'$\')}'})
    return Call("POST", api.deploy() + "/echo",
                {"data": "plain", "headers": {"Content-Type": "text/plain"}})


@scenario("WHEN_NO_MATCH passes an unmatched body through", 200, "plain text")
def _passthrough(echo_url: str) -> Call:
    api = Api()
    api.route("POST /echo", type="HTTP", uri=f"{echo_url}/echo", integration_method="POST",
              passthrough="WHEN_NO_MATCH",
              request_templates={JSON: '{"wrapped": $input.json(\'$\')}'})
    return Call("POST", api.deploy() + "/echo",
                {"data": "plain text", "headers": {"Content-Type": "text/plain"}})


@scenario("HTTP to a real echo server: template, mappings, overrides", 200,
          '{"name": "Ada", "stage": "dev"}|lang=en|yes|test', {"X-Echo": "1"})
def _echo_server(echo_url: str) -> Call:
    api = Api()
    api.route("POST /people", type="HTTP", uri=f"{echo_url}/reflect", integration_method="POST",
              request_templates={JSON: (
                  '#set($context.requestOverride.header.X-Over = "yes")'
                  '{"name": "$input.path(\'$.name\')", "stage": "$context.stage"}')},
              request_parameters={
                  "integration.request.querystring.lang": "method.request.header.Accept-Language",
                  "integration.request.header.X-Env": "stageVariables.env"},
              responses=({"statusCode": "200", "responseTemplates": {JSON: (
                  '#set($context.responseOverride.header.X-Echo = "1")'
                  "$input.path('$.body')|$input.path('$.query')|$input.path('$.headers.x-over')|"
                  "$input.path('$.headers.x-env')")}},))
    return Call("POST", api.deploy(variables={"env": "test"}) + "/people",
                {"json": {"name": "Ada"}, "headers": {"Accept-Language": "en"}})


@scenario("HTTP to a responses mock: URI path, query and header mappings", 200,
          '{"url": "https://orders.example.com/orders/o-7?fields=total", "api": "v1"}',
          {"X-Served-By": "orders-7", "Content-Type": JSON})
def _responses_mock(echo_url: str) -> Call:
    responses.add_callback(
        responses.GET, "https://orders.example.com/orders/o-7",
        lambda request: answer_json(200, {"url": request.url, "api": request.headers["X-Api"]},
                                    {"X-Server": "orders-7"}))
    api = Api()
    api.route("GET /orders/{id}", type="HTTP", uri="https://orders.example.com/orders/{orderId}",
              integration_method="GET", request_parameters={
                  "integration.request.path.orderId": "method.request.path.id",
                  "integration.request.querystring.fields": "method.request.querystring.f",
                  "integration.request.header.X-Api": "'v1'"},
              responses=({"statusCode": "200", "responseParameters": {
                  "method.response.header.X-Served-By": "integration.response.header.X-Server"},
                  "responseTemplates": {JSON: (
                      '{"url": "$input.path(\'$.url\')", "api": "$input.path(\'$.api\')"}')}},))
    return Call("GET", api.deploy() + "/orders/o-7?f=total")


@scenario("HTTP backend 404 selects the 400 response", 400, '{"error": "gone"}')
def _backend_status(echo_url: str) -> Call:
    responses.add(responses.GET, "https://orders.example.com/old", json={"message": "gone"},
                  status=404)
    api = Api()
    api.route("GET /old", type="HTTP", uri="https://orders.example.com/old",
              integration_method="GET",
              responses=({"statusCode": "200"},
                         {"statusCode": "400", "selectionPattern": r"4\d{2}",
                          "responseTemplates": {JSON: '{"error": "$input.path(\'$.message\')"}'}}))
    return Call("GET", api.deploy() + "/old")


@scenario("DynamoDB PutItem, the item read back through boto3", 200,
          '{"saved": "o-1", "reply": {}}')
def _dynamodb(echo_url: str) -> Call:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    api = Api()
    api.route("POST /orders", type="AWS", integration_method="POST",
              uri=f"arn:aws:apigateway:{REGION}:dynamodb:action/PutItem",
              request_templates={JSON: (
                  '{"TableName": "orders", "Item": {"id": {"S": "$input.path(\'$.id\')"}, '
                  '"total": {"N": "$input.path(\'$.total\')"}}}')},
              responses=({"statusCode": "200", "responseTemplates": {
                  JSON: '{"saved": "$input.params(\'id\')", "reply": $input.json(\'$\')}'}},))

    def check() -> None:
        item = dynamodb.get_item(TableName="orders", Key={"id": {"S": "o-1"}})["Item"]
        assert item == {"id": {"S": "o-1"}, "total": {"N": "12.5"}}
    return Call("POST", api.deploy() + "/orders?id=o-1", {"json": {"id": "o-1", "total": 12.5}},
                check)


@scenario("SQS SendMessage (path URI), the message received through boto3", 200,
          '{"queued": true}')
def _sqs(echo_url: str) -> Call:
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="orders")["QueueUrl"]
    api = Api()
    api.route("POST /orders", type="AWS", integration_method="POST",
              uri=f"arn:aws:apigateway:{REGION}:sqs:path/{ACCOUNT}/orders",
              request_parameters={"integration.request.header.Content-Type":
                                  "'application/x-www-form-urlencoded'"},
              request_templates={
                  JSON: "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"},
              responses=({"statusCode": "200", "responseTemplates": {JSON: '{"queued": true}'}},))

    def check() -> None:
        message = sqs.receive_message(QueueUrl=queue)["Messages"][0]
        assert json.loads(message["Body"]) == {"id": "o-2", "note": "a&b é"}
    return Call("POST", api.deploy() + "/orders", {"json": {"id": "o-2", "note": "a&b é"}}, check)


@scenario("SNS Publish (action URI), delivered to a subscribed queue", 200, '{"published": true}')
def _sns(echo_url: str) -> Call:
    sns = boto3.client("sns", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    topic = sns.create_topic(Name="orders")["TopicArn"]
    queue = sqs.create_queue(QueueName="audit")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"],
                  Attributes={"RawMessageDelivery": "true"})
    api = Api()
    api = Api()
    api.route("POST /events", type="AWS", integration_method="POST",
              uri=f"arn:aws:apigateway:{REGION}:sns:action/Publish",
              request_parameters={"integration.request.header.Content-Type":
                                  "'application/x-www-form-urlencoded'"},
              request_templates={JSON: "TopicArn=$util.urlEncode($stageVariables.topic)"
                                       "&Message=$util.urlEncode($input.body)"},
              responses=({"statusCode": "200", "responseTemplates": {
                  JSON: '{"published": true}'}},))

    def check() -> None:
        message = sqs.receive_message(QueueUrl=queue)["Messages"][0]
        assert json.loads(message["Body"]) == {"event": "shipped"}
    return Call("POST", api.deploy(variables={"topic": topic}) + "/events",
                {"json": {"event": "shipped"}}, check)


@scenario("Step Functions StartExecution, its input read back", 200, '{"started": true}')
def _step_functions(echo_url: str) -> Call:
    states = boto3.client("stepfunctions", region_name=REGION)
    machine = states.create_state_machine(
        name="fulfil", roleArn=f"arn:aws:iam::{ACCOUNT}:role/fulfil",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}))
    api = Api()
    api.route("POST /fulfil", type="AWS", integration_method="POST",
              uri=f"arn:aws:apigateway:{REGION}:states:action/StartExecution",
              request_templates={JSON: (
                  '{"stateMachineArn": "$stageVariables.machine", '
                  '"input": "$util.escapeJavaScript($input.json(\'$\'))"}')},
              responses=({"statusCode": "200", "responseTemplates": {JSON: (
                  "#set($arn = $input.path('$.executionArn'))"
                  '{"started": $arn.startsWith("arn:aws:states:")}')}},))

    def check() -> None:
        arn = machine["stateMachineArn"]
        execution = states.list_executions(stateMachineArn=arn)["executions"][0]
        described = states.describe_execution(executionArn=execution["executionArn"])
        assert json.loads(described["input"]) == {"order": "o-3", "items": [1, 2]}
    return Call("POST", api.deploy(variables={"machine": machine["stateMachineArn"]}) + "/fulfil",
                {"json": {"order": "o-3", "items": [1, 2]}}, check)


def lambda_function(name: str, region: str = REGION) -> str:
    """A Lambda function in moto (whose Lambda without Docker echoes the event); its ARN."""
    iam = boto3.client("iam", region_name=region)
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    return boto3.client("lambda", region_name=region).create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handle",
        Code={"ZipFile": code.getvalue()})["FunctionArn"]


def lambda_uri(function_arn: str) -> str:
    return (f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}"
            "/invocations")


@scenario("Lambda non-proxy (moto's Lambda without Docker)", 200,
          '{"echoed": {"id":"o-4"}, "via": "lambda"}')
def _lambda(echo_url: str) -> Call:
    api = Api()
    api.route("POST /orders", type="AWS", integration_method="POST",
              uri=lambda_uri(lambda_function("create-order")),
              request_templates={JSON: '{"order": $input.json(\'$\'), "via": "lambda"}'},
              responses=({"statusCode": "200", "responseTemplates": {JSON: (
                  '{"echoed": $input.json(\'$.order\'), "via": "$input.path(\'$.via\')"}')}},))
    return Call("POST", api.deploy() + "/orders", {"json": {"id": "o-4"}})


@scenario("Lambda function error selects by errorMessage", 400,
          '{"message": "Invalid order: no items"}')
def _lambda_error(echo_url: str) -> Call:
    function = lambda_function("create-order")
    # moto's Lambda without Docker never fails: the failure is what Lambda's Invoke answers
    responses.add(responses.POST,
                  f"https://lambda.{REGION}.amazonaws.com/2015-03-31/functions/{function}"
                  "/invocations", status=200, headers={"X-Amz-Function-Error": "Unhandled"},
                  json={"errorMessage": "Invalid order: no items", "errorType": "ValueError"})
    api = Api()
    api.route("POST /orders", type="AWS", integration_method="POST", uri=lambda_uri(function),
              responses=({"statusCode": "200"},
                         {"statusCode": "400", "selectionPattern": "Invalid.*",
                          "responseTemplates": {JSON: (
                              '{"message": "$input.path(\'$.errorMessage\')"}')}}))
    return Call("POST", api.deploy() + "/orders", {"json": {"items": []}})


def queue_lambda_results(*results: Any) -> None:
    """What moto's Lambda without Docker answers next, through moto's own API."""
    requests.post("http://motoapi.amazonaws.com/moto-api/static/lambda-simple/response",
                  json={"results": [json.dumps(r) for r in results], "region": REGION},
                  timeout=10)


@scenario("Lambda proxy: the function's result (queued in moto's Lambda)", 201,
          '{"id": "o-5"}', {"Location": "/orders/o-5", "Content-Type": JSON})
def _lambda_proxy(echo_url: str) -> Call:
    api = Api()
    api.route("POST /orders", type="AWS_PROXY", integration_method="POST",
              uri=lambda_uri(lambda_function("orders")), responses=())
    result = {"statusCode": 201, "headers": {"Location": "/orders/o-5"}, "body": '{"id": "o-5"}'}
    queue_lambda_results(result, result)   # one for the stage, one for TestInvokeMethod
    return Call("POST", api.deploy() + "/orders", {"json": {"item": 1}})


@scenario("Lambda proxy: moto's echo is no proxy result, API Gateway's 502", 502,
          '{"message":"Internal server error"}')
def _lambda_proxy_malformed(echo_url: str) -> Call:
    api = Api()
    api.route("GET /health", type="AWS_PROXY", integration_method="POST",
              uri=lambda_uri(lambda_function("health")), responses=())
    return Call("GET", api.deploy() + "/health")


def _event_digest(request: Any) -> tuple[int, dict[str, str], str]:
    """A Lambda function (Lambda's Invoke, mocked) answering with what its event said."""
    event = json.loads(request.body)
    digest = {key: event[key] for key in ("resource", "path", "httpMethod", "pathParameters",
                                          "queryStringParameters",
                                          "multiValueQueryStringParameters", "stageVariables",
                                          "body", "isBase64Encoded")}
    digest["stage"] = event["requestContext"]["stage"]
    digest["header"] = event["headers"]["X-Client"]
    return answer_json(200, {"statusCode": 200, "body": json.dumps(digest, sort_keys=True)})


@scenario("Lambda proxy: the event the function receives", 200, json.dumps({
    "body": '{"n": 1}', "header": "web", "httpMethod": "PUT", "isBase64Encoded": False,
    "multiValueQueryStringParameters": {"tag": ["a", "b"]}, "path": "/items/i-1/parts",
    "pathParameters": {"proxy": "i-1/parts"}, "queryStringParameters": {"tag": "b"},
    "resource": "/items/{proxy+}", "stage": "dev", "stageVariables": {"env": "test"}},
    sort_keys=True))
def _lambda_proxy_event(echo_url: str) -> Call:
    function = lambda_function("items")
    responses.add_callback(
        responses.POST, f"https://lambda.{REGION}.amazonaws.com/2015-03-31/functions/{function}"
                        "/invocations", callback=_event_digest)
    api = Api()
    api.route("ANY /items/{proxy+}", type="AWS_PROXY", integration_method="POST",
              uri=lambda_uri(function), responses=())
    return Call("PUT", api.deploy(variables={"env": "test"}) + "/items/i-1/parts?tag=a&tag=b",
                {"data": '{"n": 1}', "headers": {"X-Client": "web"}})


def _passed_through(request: Any) -> tuple[int, dict[str, str], str]:
    """An HTTP backend (mocked) answering 207 with what reached it."""
    return 207, {"Content-Type": "text/plain", "X-Backend": "b-1"}, (
        f"{request.method} {request.url} {request.headers.get('X-Client')} "
        f"{request.headers.get('X-Via')} {request.body!r}")


@scenario("HTTP_PROXY: the request through, the backend's answer back", 207,
          "DELETE https://orders.example.com/v2/o-7/lines?all=1&all=2 web gateway b'bye'",
          {"X-Backend": "b-1", "Content-Type": "text/plain"})
def _http_proxy(echo_url: str) -> Call:
    responses.add_callback(responses.DELETE, "https://orders.example.com/v2/o-7/lines",
                           callback=_passed_through)
    api = Api()
    api.route("ANY /orders/{proxy+}", type="HTTP_PROXY", integration_method="ANY",
              uri="https://orders.example.com/v2/{proxy}", responses=(),
              request_parameters={"integration.request.path.proxy": "method.request.path.proxy",
                                  "integration.request.header.X-Via": "'gateway'"})
    return Call("DELETE", api.deploy() + "/orders/o-7/lines?all=1&all=2",
                {"data": "bye", "headers": {"X-Client": "web"}})
