"""moto drop-in: REST APIs deployed in moto answer as API Gateway does, mapping templates and all.

moto stores a REST API's integrations but does not run them as API Gateway does (no templates,
no MOCK, no path parameters). While this drop-in is installed, a request to a deployed stage,
`https://{api_id}.execute-api.{region}.amazonaws.com/{stage}/...` under `mock_aws`, runs the
integration with vtl_engine from moto's stored model: the route (path parameters, `{proxy+}`),
parameter mappings, request template, backend, integration response and method response.

    from vtl_engine.integrations.moto import installed
    with mock_aws(), installed():
        ...   # create, deploy, then requests.get(stage_url(api_id, "dev") + "/orders/42")

Two of moto's class attributes are replaced, and put back by `uninstall()`:
`moto.apigateway.models.RestAPI.update_integration_mocks` (how moto registers a stage's URLs
with `responses` when a stage is created or deployed: ours registers one URL pattern per stage,
answered here) and the `test_invoke_method` action of `APIGatewayResponse` (moto has none).
Stages deployed before `install()` are registered anew; at `uninstall()` moto registers its own
again. Nothing in moto is edited on disk.
"""
from __future__ import annotations

import importlib
import logging
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import orjson

from ..apigateway.integration import MethodRequest, MethodResponse
from ..apigateway.invoke import (RouteNotFound, invoke, match_route, multi_values,
                                  test_invoke_method)
from .moto_backends import Backend, GatewayError, MotoIntegrationError, Target, backend_for
from .moto_model import MotoApiDefinition, methods, resource_id, rest_api_definition

__all__ = ["MotoIntegrationError", "install", "installed", "is_installed", "stage_url",
           "uninstall"]

LOG = logging.getLogger(__name__)

MODELS_MODULE = "moto.apigateway.models"
RESPONSES_MODULE = "moto.apigateway.responses"
# the RestAPI method moto calls with a stage name when it creates or deploys a stage
REGISTER_STAGE = "update_integration_mocks"
# the action of APIGatewayResponse that answers boto3's test_invoke_method (moto has none)
TEST_INVOKE = "test_invoke_method"
_ABSENT = object()
# the HTTP methods moto registers stage URLs for
HTTP_METHODS = ("GET", "DELETE", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
JSON = "application/json"
_FORBIDDEN = '{"message":"Forbidden"}'
_NO_ROUTE = '{"message":"Missing Authentication Token"}'
# how a backend's answer travelled to us, not what it says (requests has already decoded a
# gzip body): an HTTP_PROXY answer is passed on without them
_TRANSFER_HEADERS = frozenset({"content-length", "content-encoding", "transfer-encoding",
                               "connection"})


@dataclass
class _Installed:
    """What install() replaced, and the stage URLs it registered."""

    register_stage: Any
    #: moto's own TestInvokeMethod action, or _ABSENT
    test_invoke: Any
    #: (RestAPI, stage name) -> the responses registered for it
    stages: dict[tuple[int, str], tuple[Any, str, list[Any]]] = field(default_factory=dict)


_lock = threading.RLock()
_installed: _Installed | None = None


def install() -> None:
    """Make moto's deployed REST API stages answer through vtl_engine; idempotent.

    Raises MotoIntegrationError when moto (with its API Gateway) cannot be imported, or when
    its classes are not the ones this drop-in was written for.
    """
    global _installed
    with _lock:
        if _installed is not None:
            return
        rest_api_class = _import(MODELS_MODULE).RestAPI
        handler_class = _import(RESPONSES_MODULE).APIGatewayResponse
        original = getattr(rest_api_class, REGISTER_STAGE, None)
        if not callable(original) or not hasattr(rest_api_class, "resource_callback"):
            raise _interface_changed(f"RestAPI has no {REGISTER_STAGE}")
        if not callable(getattr(handler_class, "error", None)):
            raise _interface_changed("APIGatewayResponse has no error()")
        _installed = _Installed(original, handler_class.__dict__.get(TEST_INVOKE, _ABSENT))
        setattr(rest_api_class, REGISTER_STAGE, _register_stage)
        setattr(handler_class, TEST_INVOKE, _test_invoke_method)
        for rest_api in _live_rest_apis():
            _forget_moto_registrations(rest_api)
            for stage_name in rest_api.stages:
                _register_stage(rest_api, stage_name)
        LOG.info("vtl_engine answers moto's REST API stages (moto %s)", moto_version())


def uninstall() -> None:
    """Put moto's own behaviour back: its class attributes, and its URLs for every stage that
    was registered here while installed."""
    global _installed
    with _lock:
        if _installed is None:
            return
        state, _installed = _installed, None
        setattr(_import(MODELS_MODULE).RestAPI, REGISTER_STAGE, state.register_stage)
        handler_class = _import(RESPONSES_MODULE).APIGatewayResponse
        if state.test_invoke is _ABSENT:
            delattr(handler_class, TEST_INVOKE)
        else:
            setattr(handler_class, TEST_INVOKE, state.test_invoke)
        mock = _responses_mock()
        live = {id(rest_api) for rest_api in _live_rest_apis()}
        for rest_api, stage_name, registered in state.stages.values():
            for response in registered:
                mock.remove(response)
            if id(rest_api) in live and stage_name in rest_api.stages:
                state.register_stage(rest_api, stage_name)


def is_installed() -> bool:
    return _installed is not None


@contextmanager
def installed() -> Iterator[None]:
    """install() for the `with` block, uninstall() after it (unless it was installed before)."""
    already = is_installed()
    install()
    try:
        yield
    finally:
        if not already:
            uninstall()


def stage_url(api_id: str, stage_name: str, region: str = "us-east-1") -> str:
    """The invoke URL of a stage: `https://{api_id}.execute-api.{region}.amazonaws.com/{stage}`."""
    return f"https://{api_id}.execute-api.{region}.amazonaws.com/{stage_name}"


def moto_version() -> str:
    """The installed moto's version, or "none"."""
    try:
        return metadata.version("moto")
    except metadata.PackageNotFoundError:
        return "none"


# -- the stage URLs -----------------------------------------------------------------------------

def _register_stage(rest_api: Any, stage_name: str) -> None:
    """In place of RestAPI.update_integration_mocks: one URL pattern for the whole stage, any
    path below it, for every HTTP method; registered again, it replaces itself. A deployment
    without a stage (moto passes None) has no URL."""
    import responses

    if not stage_name:
        return

    host = re.escape(f"{rest_api.id}.execute-api.{rest_api.region_name}.amazonaws.com")
    pattern = re.compile(f"https://(?i:{host})/{re.escape(stage_name)}(?=[/?#]|$)")
    callback = partial(_answer, rest_api, stage_name)
    registered = [responses.CallbackResponse(method, pattern, callback, content_type=None)
                  for method in HTTP_METHODS]
    mock = _responses_mock()
    with _lock:
        for response in registered:
            mock.remove(response)   # the same stage registered before (equal: method and URL)
            mock.add(response)
        if _installed is not None:
            _installed.stages[(id(rest_api), stage_name)] = (rest_api, stage_name, registered)


def _answer(rest_api: Any, stage_name: str, request: Any) -> tuple[int, list[tuple[str, str]],
                                                                     str | bytes]:
    """What API Gateway answers `request` (a requests.PreparedRequest) to a URL of the stage."""
    stage = rest_api.stages.get(stage_name)
    if stage is None:
        return 403, [("Content-Type", JSON)], _FORBIDDEN
    url = urlsplit(request.url)
    found = match_route(methods(rest_api), request.method,
                        url.path[len(stage_name) + 1:] or "/")
    if found is None:
        return 403, [("Content-Type", JSON)], _NO_ROUTE
    route, path_parameters = found
    definition = _definition(rest_api, route, stage_name)
    headers = {"Host": url.netloc, **dict(request.headers)}
    request_id = str(uuid.uuid4())
    resource_path = route.split(" ", 1)[1]
    query = parse_qsl(url.query, keep_blank_values=True)
    method_request = MethodRequest(
        body=request.body or b"", headers=headers, querystring=dict(query),
        multi_value_querystring=multi_values(query), path=path_parameters,
        context={"apiId": rest_api.id, "stage": stage_name, "httpMethod": request.method,
                 "resourceId": resource_id(rest_api, resource_path) or "",
                 "accountId": rest_api.account_id, "requestId": request_id,
                 "deploymentId": stage.deployment_id or "", "domainName": url.netloc,
                 "identity": {"sourceIp": "127.0.0.1"}},
        stage_variables=definition.stage_variables)
    backend = _backend(rest_api, definition, route, definition.stage_variables, headers)
    try:
        response = invoke(definition.integration(route), method_request, route=route,
                          backend=backend).response
    except GatewayError as error:
        response = _gateway_error(rest_api, route, error)
    if response.error is not None:
        LOG.warning("%s %s answered %s: %s", rest_api.id, route, response.status_code,
                    response.error)
    sent_back = [(name, value) for name, values in response.headers.items()
                 if name.lower() not in _TRANSFER_HEADERS
                 for value in (values if isinstance(values, list) else [values])]
    return response.status_code, [*sent_back, ("x-amzn-RequestId", request_id)], response.body


def _definition(rest_api: Any, route: str, stage_name: str | None) -> MotoApiDefinition:
    """The REST API as vtl_engine reads it; MotoIntegrationError when `route` has no
    integration."""
    definition = rest_api_definition(rest_api, stage_name)
    if route not in definition.specs:
        raise MotoIntegrationError(f"{route} of REST API {rest_api.id} has no integration "
                                   "(API Gateway does not deploy such a method)")
    return definition


def _backend(rest_api: Any, definition: MotoApiDefinition, route: str,
             stage_variables: dict[str, Any], headers: dict[str, Any]) -> Backend | None:
    return backend_for(definition.specs[route], Target(
        rest_api.id, rest_api.account_id, stage_variables, _header(headers, "Content-Type")),
        route)


def _gateway_error(rest_api: Any, route: str, error: GatewayError) -> MethodResponse:
    """API Gateway's own answer when the backend could not be reached."""
    LOG.warning("%s %s: %s", rest_api.id, route, error)
    return MethodResponse(error.status, f'{{"message":"{error.message}"}}',
                          {"Content-Type": JSON}, error)


# -- TestInvokeMethod ---------------------------------------------------------------------------

def _test_invoke_method(handler: Any) -> tuple[int, dict[str, str], str]:
    """moto's missing TestInvokeMethod action (`handler` is moto's APIGatewayResponse): the
    method named by the URL, run with vtl_engine's test_invoke_method against moto's model."""
    _, _, api_id, _, resource, _, http_method = (unquote(part)
                                                  for part in handler.path.split("/")[:7])
    rest_api = handler.backend.get_rest_api(api_id)
    path = handler.backend.get_resource(api_id, resource).get_path()
    # an ANY method takes the request whose method TestInvokeMethod names
    route = next((route for route in (f"{http_method.upper()} {path}", f"ANY {path}")
                  if route in methods(rest_api)), f"{http_method.upper()} {path}")
    definition = _definition(rest_api, route, None)
    given = orjson.loads(handler.body or "{}")
    stage_variables = given.get("stageVariables") or {}
    headers = {name: values[-1]
               for name, values in (given.get("multiValueHeaders") or {}).items() if values}
    headers.update(given.get("headers") or {})
    try:
        result = test_invoke_method(
            definition, httpMethod=http_method,
            pathWithQueryString=given.get("pathWithQueryString") or path,
            body=given.get("body"), headers=given.get("headers"),
            multiValueHeaders=given.get("multiValueHeaders"), stageVariables=stage_variables,
            backend=_backend(rest_api, definition, route, stage_variables, headers),
            context={"apiId": rest_api.id, "accountId": rest_api.account_id})
    except RouteNotFound as error:
        return handler.error("NotFoundException", str(error), 404)
    except GatewayError as error:
        response = _gateway_error(rest_api, route, error)
        result = {"status": response.status_code, "body": response.body,
                  "headers": response.headers,
                  "multiValueHeaders": {k: [v] for k, v in response.headers.items()},
                  "log": f"Execution failed: {error}\n", "latency": 0}
    return 200, {"Content-Type": JSON}, orjson.dumps(result).decode()


def _header(headers: dict[str, Any], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


# -- moto's objects -----------------------------------------------------------------------------

def _live_rest_apis() -> Iterator[Any]:
    """Every REST API in moto's API Gateway backends now."""
    backends = _import(MODELS_MODULE).apigateway_backends
    for _, _, backend in backends.iter_backends():
        yield from list(backend.apis.values())


def _forget_moto_registrations(rest_api: Any) -> None:
    """Remove the stage URLs moto registered for `rest_api` (its resource_callback answers)."""
    mock = _responses_mock()
    for response in list(mock.registered()):
        callback = getattr(response, "callback", None)
        if getattr(callback, "__self__", None) is rest_api:
            mock.remove(response)


def _responses_mock() -> Any:
    """The `responses` mock moto's mock_aws intercepts requests with."""
    return _import("moto.core.models").responses_mock


def _import(module_name: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ImportError as e:
        raise MotoIntegrationError(
            f"moto's API Gateway ({module_name}) cannot be imported (moto {moto_version()} "
            f"found): {e}. Install it with: pip install 'vtl_engine[moto]'") from None


def _interface_changed(detail: str) -> MotoIntegrationError:
    return MotoIntegrationError(f"moto {moto_version()} is not a version vtl_engine's drop-in "
                                f"supports (written for moto 5.2): {detail}")
