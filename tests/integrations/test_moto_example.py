"""A REST API with a MOCK integration and mapping templates, made through boto3 under
@mock_aws, deployed, and called with requests: as API Gateway answers with vtl_moto, and as
moto alone answers without it."""
import boto3
import pytest
import requests
from moto import mock_aws

REQUEST_TEMPLATE = """\
#set($context.requestOverride.path.orderId = $input.path('$.id'))
#set($context.responseOverride.header.Location = "/orders/$input.path('$.id')")
{"statusCode": 201}"""
RESPONSE_TEMPLATE = """\
{"orderId": "$context.requestOverride.path.orderId", "channel": "$input.params('X-Channel')"}"""


def deploy_orders_api() -> str:
    client = boto3.client("apigateway", region_name="us-east-1")
    api_id = client.create_rest_api(name="orders")["id"]
    root_id = client.get_resources(restApiId=api_id)["items"][0]["id"]
    orders = client.create_resource(restApiId=api_id, parentId=root_id, pathPart="orders")["id"]
    method = {"restApiId": api_id, "resourceId": orders, "httpMethod": "POST"}
    client.put_method(**method, authorizationType="NONE")
    client.put_integration(**method, type="MOCK",
                           requestTemplates={"application/json": REQUEST_TEMPLATE})
    client.put_method_response(**method, statusCode="201",
                               responseParameters={"method.response.header.Location": False})
    client.put_integration_response(**method, statusCode="201", selectionPattern="",
                                    responseTemplates={"application/json": RESPONSE_TEMPLATE})
    client.create_deployment(restApiId=api_id, stageName="dev")
    return f"https://{api_id}.execute-api.us-east-1.amazonaws.com/dev/orders"


@mock_aws
def test_the_api_answers_as_api_gateway(vtl_moto):
    answer = requests.post(deploy_orders_api(), json={"id": "o-1"}, headers={"X-Channel": "web"})
    assert answer.status_code == 201
    assert answer.content == b'{"orderId": "o-1", "channel": "web"}'
    assert answer.headers["Location"] == "/orders/o-1"


@mock_aws
def test_moto_alone_does_not_run_the_integration():
    with pytest.raises(NotImplementedError, match="The MOCK type has not been implemented"):
        requests.post(deploy_orders_api(), json={"id": "o-1"}, headers={"X-Channel": "web"})
