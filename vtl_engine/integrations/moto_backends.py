"""What the backend of a moto REST API's integration answers, reached as API Gateway reaches it:
an HTTP request, sent with `requests`.

- HTTP: the integration's URI (path parameters and stage variables filled in, the mapped query
  string added), its HTTP method, the mapped headers and the body after the request template.
  `responses` mocks and real servers both answer.
- AWS service integrations (`arn:aws:apigateway:REGION:SERVICE:action/ACTION` or `…:path/PATH`):
  the same request to the service's endpoint, `https://SERVICE.REGION.amazonaws.com/…`, which
  moto's `mock_aws` answers with its own backend, as it answers boto3. An action is sent in the
  service's protocol: JSON services get `X-Amz-Target` (DynamoDB, Step Functions, …), query
  services `?Action=` (SNS, and SQS, which API Gateway still calls with its query protocol).
  The request carries moto's `x-moto-account-id` header, so it reaches the REST API's account.
- Lambda (non-proxy, `…:lambda:path/2015-03-31/functions/ARN/invocations`): moto's Invoke. A
  function error (`X-Amz-Function-Error`) gives its `errorMessage` to the selection patterns.
- Lambda proxy (`AWS_PROXY`, the same URI): moto's Invoke with the Lambda proxy event; the
  function's result is read as API Gateway reads it (apigateway/proxy.py).
- `HTTP_PROXY`: the client's request to the URI, with the integration's method (the client's
  for ANY), its headers, query string and body as they came, the mappings added.

Anything else raises `MotoIntegrationError`, which says what is not supported.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import requests

from ..apigateway.endpoints import service_endpoint, with_path_parameters, with_stage_variables
from ..apigateway.integration import BackendResponse, IntegrationRequest
from ..apigateway.proxy import lambda_function_error, set_headers
from ..apigateway.utf8 import payload_text

Backend = Callable[[IntegrationRequest], BackendResponse]

#: API Gateway's integration timeout when none is set (29 s)
DEFAULT_TIMEOUT_MS = 29_000
SUPPORTED = ("MOCK; HTTP and HTTP_PROXY; AWS service integrations (action/ and path/ URIs) of "
             "services moto mocks; Lambda integrations, proxy (AWS_PROXY) and non-proxy")

_LAMBDA_FUNCTION = re.compile(r"2015-03-31/functions/(.+)/invocations")
# what moto's Lambda answers when it cannot start the function's Docker container
_DOCKER_FAILURE = "error running docker"


class MotoIntegrationError(NotImplementedError):
    """An integration the moto drop-in cannot run (its type, its service, or Lambda in Docker);
    the message names it."""


class GatewayError(Exception):
    """The backend could not be reached: API Gateway answers by itself, with `status`."""

    def __init__(self, status: int, message: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Target:
    """Where one integration sends its requests, and what it adds to them."""

    api_id: str
    account_id: str
    stage_variables: Mapping[str, Any]
    client_content_type: str | None


def backend_for(spec: Mapping[str, Any], target: Target, route: str) -> Backend | None:
    """The backend of the integration `spec` (as moto_model.integration_spec gives it); None for
    MOCK, which answers by itself. MotoIntegrationError for what is not supported."""
    kind = str(spec.get("type", "")).upper()
    if spec.get("connectionType") == "VPC_LINK":
        raise _unsupported(route, spec, "VPC links are not supported")
    if kind == "MOCK":
        return None
    timeout = int(spec.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS) / 1000
    if kind in ("HTTP", "HTTP_PROXY"):
        uri = with_stage_variables(spec.get("uri") or "", target.stage_variables)
        method = spec.get("httpMethod") or "GET"

        def call(sent: IntegrationRequest) -> BackendResponse:
            # a proxy integration's ANY method calls the backend with the client's method
            chosen = sent.context["httpMethod"] if kind == "HTTP_PROXY" and \
                method.upper() == "ANY" else method
            return _http(chosen, with_path_parameters(uri, sent.path), sent, target, {}, timeout)
        return call
    if kind == "AWS":
        return _aws_backend(spec, target, route, timeout)
    if kind == "AWS_PROXY":
        return _lambda_proxy_backend(spec, target, route, timeout)
    raise _unsupported(route, spec, f"{kind or 'no'} integrations are not supported")


def _aws_backend(spec: Mapping[str, Any], target: Target, route: str,
                 timeout: float) -> Backend:
    endpoint = service_endpoint(with_stage_variables(spec.get("uri") or "",
                                                     target.stage_variables))
    if endpoint is None:
        raise _unsupported(route, spec, "the URI is not arn:aws:apigateway:REGION:SERVICE:"
                                        "action/ACTION or …:path/PATH")
    service, kind, rest, host = endpoint.service, endpoint.kind, endpoint.rest, endpoint.host
    moto_service = _moto_service(host)
    if moto_service is None:
        raise _unsupported(route, spec, f"moto does not mock the {service} service")
    extra = {"x-moto-account-id": target.account_id}
    if kind == "path":
        function = _LAMBDA_FUNCTION.fullmatch(rest) if service == "lambda" else None
        method = spec.get("httpMethod") or "POST"

        def call(sent: IntegrationRequest) -> BackendResponse:
            answer = _http(method, f"https://{host}/{with_path_parameters(rest, sent.path)}",
                           sent, target, extra, timeout)
            return answer if function is None else _lambda_answer(answer, function.group(1))
        return call
    model = _service_model(moto_service, service)
    if model is None:
        raise _unsupported(route, spec, f"the {service} service's API is unknown to botocore")
    if model.protocol == "query" or "awsQueryCompatible" in model.metadata:
        return lambda sent: _http("POST", f"https://{host}/", sent, target, extra, timeout,
                                  {"Action": rest})
    if model.protocol == "json":
        version = model.metadata.get("jsonVersion", "1.0")
        json_headers = {**extra,
                        "X-Amz-Target": f"{model.metadata.get('targetPrefix')}.{rest}",
                        "Content-Type": f"application/x-amz-json-{version}"}
        return lambda sent: _http("POST", f"https://{host}/", sent, target, json_headers,
                                  timeout)
    raise _unsupported(route, spec, f"{service} speaks {model.protocol}: call it with a path/ "
                                    "URI, not an action")


def _lambda_proxy_backend(spec: Mapping[str, Any], target: Target, route: str,
                          timeout: float) -> Backend:
    """Lambda's Invoke, called with the Lambda proxy event (the integration request's body)."""
    endpoint = service_endpoint(with_stage_variables(spec.get("uri") or "",
                                                     target.stage_variables))
    function = _LAMBDA_FUNCTION.fullmatch(endpoint.rest) \
        if endpoint is not None and endpoint.service == "lambda" and endpoint.kind == "path" \
        else None
    if function is None:
        raise _unsupported(route, spec, "an AWS_PROXY integration's URI must be a Lambda "
                                        "function's …:lambda:path/2015-03-31/functions/ARN/"
                                        "invocations")
    url = f"https://{endpoint.host}/{endpoint.rest}"
    extra = {"x-moto-account-id": target.account_id}
    return lambda sent: _lambda_answer(_http("POST", url, sent, target, extra, timeout),
                                       function.group(1))


def _http(method: str, url: str, sent: IntegrationRequest, target: Target,
          extra: Mapping[str, str], timeout: float,
          query: Mapping[str, str] | None = None) -> BackendResponse:
    """Send what the integration request holds; API Gateway's own headers first, then
    `extra`, then the mapped ones (a mapping or an override wins)."""
    headers = {"Accept": "application/json", "User-Agent": f"AmazonAPIGateway_{target.api_id}",
               "x-amzn-apigateway-api-id": target.api_id}
    content_type = sent.template_media_type or target.client_content_type
    if sent.body and content_type:
        headers["Content-Type"] = content_type
    set_headers(headers, extra)
    set_headers(headers, {name: str(value) for name, value in sent.headers.items()})
    parameters = {**(query or {}), **{k: v if isinstance(v, list) else str(v)
                                      for k, v in sent.querystring.items()}}
    if parameters:   # an HTTP_PROXY client's repeated parameter is a list: each value goes
        url += ("&" if "?" in url else "?") + urlencode(parameters, doseq=True)
    body = sent.body.encode("utf-8") if isinstance(sent.body, str) else sent.body
    try:
        answer = requests.request(method, url, data=body or None, headers=headers,
                                  timeout=timeout, allow_redirects=False)
    except requests.Timeout as error:
        raise GatewayError(504, "Endpoint request timed out", f"{method} {url}: {error}") \
            from None
    except requests.RequestException as error:
        raise GatewayError(500, "Internal server error", f"{method} {url}: {error}") from None
    return BackendResponse(answer.status_code, answer.content, dict(answer.headers))


def _lambda_answer(answer: BackendResponse, function: str) -> BackendResponse:
    """moto's Invoke answer as API Gateway reads it: a function error's errorMessage selects
    the integration response; Lambda refusing the call is API Gateway's 500."""
    text = payload_text(answer.body)
    if answer.status_code >= 400:
        raise GatewayError(500, "Internal server error",
                           f"Lambda refused to invoke {function}: {answer.status_code} {text}")
    message = lambda_function_error(answer.headers, answer.body)
    if message is None:
        return answer
    if text.startswith(_DOCKER_FAILURE):
        raise MotoIntegrationError(
            f"moto runs Lambda function {function} in Docker, which failed ({text.strip()}). "
            "Without Docker, use moto's Lambda that answers without running code: "
            "mock_aws(config={'lambda': {'use_docker': False}}) (it echoes the request, or "
            "returns the results queued through moto's API)")
    answer.error_message = message
    return answer


@lru_cache(maxsize=64)
def _moto_service(host: str) -> str | None:
    from moto.backends import get_service_from_url
    return get_service_from_url(f"https://{host}/")


@lru_cache(maxsize=64)
def _service_model(moto_service: str, endpoint_prefix: str) -> Any:
    """botocore's model of the service (named as moto names it, or by its endpoint prefix)."""
    import botocore.session
    from botocore.exceptions import UnknownServiceError
    session = botocore.session.get_session()
    for name in (moto_service, endpoint_prefix):
        try:
            return session.get_service_model(name)
        except UnknownServiceError:
            continue
    return None


def _unsupported(route: str, spec: Mapping[str, Any], reason: str) -> MotoIntegrationError:
    return MotoIntegrationError(
        f"{route}: {reason} by vtl_engine's moto drop-in (type {spec.get('type')}, uri "
        f"{spec.get('uri') or 'none'}). Supported: {SUPPORTED}.")
