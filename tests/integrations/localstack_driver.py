"""Creates and deploys one REST API in a running LocalStack with boto3; runs inside LocalStack's
own environment (Python 3.13), called by localstack_harness.py.

    python localstack_driver.py ENDPOINT  < routes.json   ->  prints {"api_id": ...}

Each route: {"path": "c1/{id}", "integration": "MOCK" | "HTTP", "uri": ...,
"request_template": str | null, "response_template": str | null}; every method is POST.
"""
from __future__ import annotations

import json
import sys

import boto3

STAGE = "test"
JSON = "application/json"


def create_api(endpoint: str, routes: list[dict]) -> str:
    client = boto3.client("apigateway", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    api_id = client.create_rest_api(name="vtl-engine-e2e")["id"]
    resources = {"": client.get_resources(restApiId=api_id)["items"][0]["id"]}
    for route in routes:
        resource_id = _resource(client, api_id, resources, route["path"])
        _method(client, api_id, resource_id, route)
    client.create_deployment(restApiId=api_id, stageName=STAGE)
    return api_id


def _resource(client, api_id: str, resources: dict[str, str], path: str) -> str:
    parent = ""
    for part in path.split("/"):
        current = f"{parent}/{part}" if parent else part
        if current not in resources:
            resources[current] = client.create_resource(
                restApiId=api_id, parentId=resources[parent], pathPart=part)["id"]
        parent = current
    return resources[parent]


def _method(client, api_id: str, resource_id: str, route: dict) -> None:
    where = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": "POST"}
    client.put_method(**where, authorizationType="NONE")
    request_template = route.get("request_template")
    integration = {"type": route["integration"], "passthroughBehavior": "WHEN_NO_MATCH"}
    if route["integration"] == "MOCK":
        request_template = request_template or '{"statusCode": 200}'
    else:
        integration.update(integrationHttpMethod="POST", uri=route["uri"])
    if request_template is not None:
        integration["requestTemplates"] = {JSON: request_template}
    client.put_integration(**where, **integration)
    client.put_method_response(**where, statusCode="200")
    response = {"statusCode": "200", "selectionPattern": ""}
    if route.get("response_template") is not None:
        response["responseTemplates"] = {JSON: route["response_template"]}
    client.put_integration_response(**where, **response)


if __name__ == "__main__":
    print(json.dumps({"api_id": create_api(sys.argv[1], json.load(sys.stdin))}))
