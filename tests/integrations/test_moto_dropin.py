"""The moto drop-in's own behaviour: install() and uninstall() (what moto gets back), the
fixture, API Gateway's own answers (403, 500, 504) and the errors that name what is not
supported."""
from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
import requests
from localstack_harness import EchoServer, free_port
from moto import mock_aws
from moto.apigateway.models import RestAPI
from moto_scenarios import JSON, REGION, Api, lambda_function, lambda_uri

from vtl_engine import VtlSyntaxError
from vtl_engine.integrations import moto as drop_in
from vtl_engine.integrations.moto import MotoIntegrationError, installed

MOTO_OWN = RestAPI.update_integration_mocks
DOCS = Path(__file__).resolve().parents[2] / "docs" / "moto.md"
INTERNAL_ERROR = '{"message":"Internal server error"}'


@pytest.fixture(autouse=True)
def not_installed_after():
    yield
    drop_in.uninstall()
    assert RestAPI.update_integration_mocks is MOTO_OWN


def mock_route(api: Api, route: str = "POST /orders") -> None:
    api.route(route, request_templates={JSON: '{"statusCode": 201}'},
              responses=({"statusCode": "201", "responseTemplates": {JSON: '{"made": true}'}},))


def test_install_is_idempotent_and_uninstall_gives_moto_its_own_back():
    drop_in.install()
    drop_in.install()
    assert drop_in.is_installed()
    assert RestAPI.update_integration_mocks is not MOTO_OWN
    drop_in.uninstall()
    drop_in.uninstall()
    assert not drop_in.is_installed()
    assert RestAPI.update_integration_mocks is MOTO_OWN


@mock_aws
def test_a_stage_deployed_before_install_is_answered_then_given_back():
    api = Api()
    mock_route(api)
    url = api.deploy() + "/orders"
    drop_in.install()
    answer = requests.post(url, json={})
    assert (answer.status_code, answer.text) == (201, '{"made": true}')
    drop_in.uninstall()
    with pytest.raises(NotImplementedError, match="The MOCK type has not been implemented"):
        requests.post(url, json={})


@mock_aws
def test_installed_keeps_an_earlier_install():
    drop_in.install()
    with installed():
        assert drop_in.is_installed()
    assert drop_in.is_installed()


def test_uninstall_after_mock_aws_has_ended():
    with mock_aws(), installed():
        api = Api()
        mock_route(api)
        api.deploy()
    assert not drop_in.is_installed()


@mock_aws
def test_the_vtl_moto_fixture_installs_for_one_test(vtl_moto):
    assert drop_in.is_installed()
    api = Api()
    mock_route(api)
    answer = requests.post(api.deploy() + "/orders", json={})
    assert answer.status_code == 201


def test_install_says_which_moto_it_does_not_fit(monkeypatch):
    monkeypatch.delattr(RestAPI, "update_integration_mocks")
    with pytest.raises(MotoIntegrationError, match=r"moto 5\.\d+\.\d+ is not a version"):
        drop_in.install()


# -- API Gateway's own answers ------------------------------------------------------------------

@mock_aws
def test_unknown_paths_and_methods_are_403_missing_authentication_token(vtl_moto):
    api = Api()
    mock_route(api)
    url = api.deploy()
    for method, path in (("POST", "/nothing"), ("GET", "/orders"), ("POST", "/orders/1")):
        answer = requests.request(method, url + path)
        assert (answer.status_code, answer.text) == \
            (403, '{"message":"Missing Authentication Token"}')


@mock_aws
def test_a_status_without_a_method_response_is_a_500(vtl_moto, caplog):
    api = Api()
    mock_route(api)
    ids = {"restApiId": api.id, "resourceId": api.resource("/orders"), "httpMethod": "POST"}
    api.client.delete_method_response(**ids, statusCode="201")
    with caplog.at_level(logging.WARNING, "vtl_engine.integrations.moto"):
        answer = requests.post(api.deploy() + "/orders", json={})
    assert (answer.status_code, answer.text) == (500, INTERNAL_ERROR)
    assert "invalid method response: 201" in caplog.text


@mock_aws
def test_no_integration_response_is_a_500(vtl_moto):
    api = Api()
    api.route("POST /orders", request_templates={JSON: '{"statusCode": 200}'}, responses=())
    answer = requests.post(api.deploy() + "/orders", json={})
    assert (answer.status_code, answer.text) == (500, INTERNAL_ERROR)


@mock_aws
def test_a_template_that_fails_is_a_500_and_the_reason_is_logged(vtl_moto, caplog):
    api = Api()
    api.route("POST /orders", request_templates={JSON: '{"statusCode": 200}'},
              responses=({"statusCode": "200",
                          "responseTemplates": {JSON: "$util.parseJson('{')"}},))
    with caplog.at_level(logging.WARNING, "vtl_engine.integrations.moto"):
        answer = requests.post(api.deploy() + "/orders", json={})
    assert (answer.status_code, answer.text) == (500, INTERNAL_ERROR)
    assert "parseJson" in caplog.text


@mock_aws
def test_an_unreachable_backend_is_a_500_and_the_reason_is_logged(vtl_moto, caplog):
    api = Api()
    api.route("POST /orders", type="HTTP", integration_method="POST",
              uri=f"http://127.0.0.1:{free_port()}/gone")
    with caplog.at_level(logging.WARNING, "vtl_engine.integrations.moto"):
        answer = requests.post(api.deploy() + "/orders", json={})
    assert (answer.status_code, answer.text) == (500, INTERNAL_ERROR)
    assert "/gone" in caplog.text


class _Slow(BaseHTTPRequestHandler):
    release = threading.Event()

    def do_POST(self) -> None:
        self.release.wait(10)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@mock_aws
def test_a_backend_slower_than_the_integration_timeout_is_a_504(vtl_moto):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        api = Api()
        api.route("POST /slow", type="HTTP", integration_method="POST",
                  uri=f"http://127.0.0.1:{server.server_address[1]}/slow", timeout_ms=50)
        answer = requests.post(api.deploy() + "/slow", json={})
    finally:
        _Slow.release.set()
        server.shutdown()
        server.server_close()
    assert (answer.status_code, answer.text) == (504, '{"message":"Endpoint request timed out"}')


@mock_aws
def test_stage_variables_fill_the_integration_uri(vtl_moto):
    echo = EchoServer()
    try:
        api = Api()
        api.route("POST /say", type="HTTP", integration_method="POST",
                  uri="http://${stageVariables.host}/echo")
        host = echo.url.removeprefix("http://")
        answer = requests.post(api.deploy(variables={"host": host}) + "/say",
                               data="hello", headers={"Content-Type": "text/plain"})
    finally:
        echo.stop()
    assert (answer.status_code, answer.text) == (200, "hello")


# -- what is not supported ----------------------------------------------------------------------

@mock_aws
def test_an_aws_proxy_integration_needs_a_lambda_function(vtl_moto):
    api = Api()
    api.route("POST /orders", type="AWS_PROXY", integration_method="POST",
              uri=f"arn:aws:apigateway:{REGION}:sqs:path/123456789012/orders", responses=())
    with pytest.raises(MotoIntegrationError,
                       match=r"POST /orders: an AWS_PROXY integration's URI must be a Lambda"):
        requests.post(api.deploy() + "/orders", json={})


@mock_aws
def test_a_service_moto_does_not_mock_is_named(vtl_moto):
    api = Api()
    api.route("POST /x", type="AWS", integration_method="POST",
              uri=f"arn:aws:apigateway:{REGION}:nosuchservice:action/Do")
    with pytest.raises(MotoIntegrationError, match="moto does not mock the nosuchservice"):
        requests.post(api.deploy() + "/x", json={})


@mock_aws
def test_lambda_in_docker_says_how_to_do_without_docker(vtl_moto):
    api = Api()
    api.route("POST /x", type="AWS", integration_method="POST",
              uri=lambda_uri(lambda_function("in-docker")))
    with pytest.raises(MotoIntegrationError, match=r"'use_docker': False"):
        requests.post(api.deploy() + "/x", json={})


@mock_aws
def test_a_method_without_integration_is_named(vtl_moto):
    api = Api()
    mock_route(api)
    boto3.client("apigateway", region_name=REGION).put_method(
        restApiId=api.id, resourceId=api.resource("/bare"), httpMethod="GET",
        authorizationType="NONE")
    with pytest.raises(MotoIntegrationError, match="GET /bare .* has no integration"):
        requests.get(api.deploy() + "/bare")


@mock_aws
def test_a_deployment_without_a_stage_registers_nothing(vtl_moto):
    api = Api()
    mock_route(api)
    deployment = api.client.create_deployment(restApiId=api.id)["id"]
    api.client.create_stage(restApiId=api.id, stageName="later", deploymentId=deployment)
    answer = requests.post(drop_in.stage_url(api.id, "later") + "/orders", json={})
    assert answer.status_code == 201


def test_the_docs_example_is_the_example_test():
    example = Path(__file__).with_name("test_moto_example.py").read_text()
    assert f"```python\n{example}```" in DOCS.read_text()


@mock_aws
def test_a_template_that_does_not_parse_raises_with_its_place(vtl_moto):
    api = Api()
    api.route("POST /orders", request_templates={JSON: "#if($x"})
    with pytest.raises(VtlSyntaxError, match="line 1, column 4"):
        requests.post(api.deploy() + "/orders", json={})


@mock_aws
def test_a_deleted_stage_is_403_forbidden(vtl_moto):
    api = Api()
    mock_route(api)
    url = api.deploy("gone") + "/orders"
    api.client.delete_stage(restApiId=api.id, stageName="gone")
    answer = requests.post(url, json={})
    assert (answer.status_code, answer.text) == (403, '{"message":"Forbidden"}')
