"""A route's whole flow, as API Gateway runs it and as the console's Test button (the
TestInvokeMethod API) shows it.

`invoke` takes one client request through an `Integration`: the integration request (parameter
mappings, the request template, the Lambda proxy event of an AWS_PROXY integration, or API
Gateway's own 400/415/500), the backend (a MOCK integration answers by itself; any other
backend is what the caller gives), the integration response (for a proxy integration, the
backend's answer passed on, or API Gateway's 502), and writes the execution log line by line as
API Gateway does. `match_route` finds the
route (and its path parameters) a request's path falls on; `test_invoke_method` is the whole of
TestInvokeMethod over an API definition, with boto3's response shape.

The log's lines and their order are those of API Gateway's test-invoke logs (the Lambda
non-proxy tutorial's example and logs users published, see docs/api-definitions.md); each line's
text after the timestamp is cut at 1,024 bytes with " [TRUNCATED]", as execution log events are.
"""
from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from .context import PATH_PARAMETER, filled_path, random_uuid
from .endpoints import endpoint_url
from .integration import (PROXY_TYPES, BackendResponse, Integration, IntegrationRequest,
                          IntegrationResponse, LambdaPayloadError, MethodRequest,
                          MethodResponse, mock_backend_response)
from .proxy import ProxyResponseError
from .mapping import MappingResult
from .utf8 import payload_text

#: what a caller gives for the backend: its answer, or a function that answers the request
Backend = BackendResponse | Callable[[IntegrationRequest], BackendResponse]

_LOG_EVENT_BYTES = 1024
_TRUNCATED = " [TRUNCATED]"
# what TestInvokeMethod puts in $context where a deployed stage has its own values
_TEST_INVOKE_CONTEXT = {
    "stage": "test-invoke-stage",
    "resourceId": "test-invoke-resource-id",
    "identity": {"apiKey": "test-invoke-api-key", "apiKeyId": "test-invoke-api-key-id",
                 "sourceIp": "test-invoke-source-ip"},
}


def java_map(values: Mapping[str, Any]) -> str:
    """A map as API Gateway's logs print it: {a=1, b=2}; a list as Java prints one, [1, 2]."""
    return "{" + ", ".join(f"{key}={_java_value(value)}" for key, value in values.items()) + "}"


def _java_value(value: Any) -> Any:
    return "[" + ", ".join(map(str, value)) + "]" if isinstance(value, list) else value


def _text(value: str | bytes | None) -> str:
    return payload_text(value) if value is None or isinstance(value, (str, bytes)) else str(value)


@dataclass
class ExecutionLog:
    """The lines of one request's execution log, each stamped as the console stamps them."""

    request_id: str
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    lines: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        encoded = text.encode("utf-8")
        if len(encoded) > _LOG_EVENT_BYTES:
            text = encoded[:_LOG_EVENT_BYTES].decode("utf-8", "ignore") + _TRUNCATED
        stamp = self.now().strftime("%a %b %d %H:%M:%S UTC %Y")
        self.lines.append(f"{stamp} : {text}")

    def text(self) -> str:
        return "\n".join([f"Execution log for request {self.request_id}", *self.lines]) + "\n"


@dataclass
class Invocation:
    """What became of one request on one route."""

    route: str
    request: MethodRequest
    #: what the client receives; None when only the request side ran (a non-MOCK integration
    #: invoked without a backend)
    response: MethodResponse | None
    #: what the backend received; None when API Gateway answered by itself first
    integration_request: IntegrationRequest | None = None
    backend: BackendResponse | None = None
    #: the integration response the backend's answer selected
    integration_response: IntegrationResponse | None = None
    execution_log: ExecutionLog | None = None
    latency_ms: int = 0
    #: API Gateway answered by itself (400, 415, 500, 502: a template failed, Lambda refused the
    #: payload, no integration response matched, a Lambda proxy result was malformed or the
    #: function failed), not through an integration response
    failed: bool = False

    @property
    def log(self) -> str:
        """The execution log, as TestInvokeMethod's `log` has it."""
        return self.execution_log.text() if self.execution_log else ""

    @property
    def overrides(self) -> MappingResult:
        """The `$context` overrides the request template set (empty when none ran)."""
        context = self.integration_request.context if self.integration_request else {}
        return MappingResult("", context)


def invoke(integration: Integration, request: MethodRequest, *, route: str,
           backend: Backend | None = None,
           now: Callable[[], datetime] | None = None) -> Invocation:
    """Run `request` through `integration` on `route` ("POST /orders/{id}").

    `request.context` may name `requestId`, `httpMethod`, `resourcePath` and anything else of
    `$context`; what it does not name comes from the route and build_context's defaults. A MOCK
    integration answers by itself; another runs its response side only when `backend` is given.
    """
    started = time.perf_counter()
    method, resource_path = route.split(" ", 1)
    given = dict(request.context or {})
    given.setdefault("requestId", random_uuid())
    given.setdefault("resourcePath", resource_path)
    if method != "ANY":
        given.setdefault("httpMethod", method)
    request = dataclasses.replace(request, context=given)
    log = ExecutionLog(given["requestId"], **({"now": now} if now else {}))
    log.add(f"Starting execution for request: {given['requestId']}")
    log.add(f"HTTP Method: {given.get('httpMethod', 'GET')}, "
            f"Resource Path: {filled_path(resource_path, request.path)}")
    log.add(f"Method request path: {java_map(request.path)}")
    log.add(f"Method request query string: {java_map(request.querystring)}")
    log.add(f"Method request headers: {java_map(request.headers)}")
    log.add(f"Method request body before transformations: {_text(request.body)}")
    done = Invocation(route, request, None, execution_log=log)

    sent = integration.integration_request(request)
    if isinstance(sent, MethodResponse):  # 400, 415 or 500, before any backend
        if isinstance(sent.error, LambdaPayloadError):  # Lambda's Invoke refused the payload
            uri = endpoint_url(integration.type, integration.uri, {}, {},
                               request.stage_variables)
            log.add(f"Endpoint request URI: {uri}")
            log.add(f"Endpoint request body after transformations: {_text(sent.error.payload)}")
            log.add(f"Sending request to {uri}")
            log.add("Received response. Status: 400, Integration latency: 0 ms")
            log.add(f"Endpoint response body before transformations: {sent.error.answer}")
        else:
            _gateway_failure(log, sent, "request")
        done.failed = True
        return _finished(done, sent, started)
    done.integration_request = sent
    if integration.type == "MOCK":
        answer = mock_backend_response(sent)
    else:
        uri = endpoint_url(integration.type, integration.uri, sent.path, sent.querystring,
                           request.stage_variables)
        log.add(f"Endpoint request URI: {uri}")
        log.add(f"Endpoint request headers: {java_map(sent.headers)}")
        log.add(f"Endpoint request body after transformations: {_text(sent.body)}")
        if backend is None:
            done.latency_ms = _elapsed_ms(started)
            return done
        log.add(f"Sending request to {uri}")
        called = time.perf_counter()
        answer = backend(sent) if callable(backend) else backend
        log.add(f"Received response. Status: {answer.status_code}, "
                f"Integration latency: {_elapsed_ms(called)} ms")
        log.add(f"Endpoint response headers: {java_map(answer.headers)}")
        log.add(f"Endpoint response body before transformations: {_text(answer.body)}")
    done.backend = answer
    if integration.type in PROXY_TYPES:   # no integration response: the answer passes on
        response = integration.integration_response(answer, request, sent)
        done.failed = response.error is not None
    else:
        done.integration_response = integration.select_response(answer)
        response = integration.integration_response(answer, request, sent)
        done.failed = done.integration_response is None or response.error is not None
    if isinstance(response.error, ProxyResponseError):
        log.add(str(response.error))
    elif done.failed and done.integration_response is None:
        log.add("Execution failed due to configuration error: No match for output mapping and "
                f"no default output mapping configured. Endpoint Response Status Code: "
                f"{answer.status_code}")
    elif done.failed:
        _gateway_failure(log, response, "response")
    else:
        log.add(f"Method response body after transformations: {_text(response.body)}")
        log.add(f"Method response headers: {java_map(response.headers)}")
        log.add("Successfully completed execution")
    return _finished(done, response, started)


def _gateway_failure(log: ExecutionLog, response: MethodResponse, side: str) -> None:
    """The line API Gateway logs when it answers by itself."""
    if response.status_code == 500:
        log.add(f"Execution failed due to configuration error: Unable to transform {side}")
    elif response.error is not None:
        log.add(f"Execution failed: {response.error}")
    else:
        log.add(f"Execution failed: {_text(response.body)}")


def _finished(done: Invocation, response: MethodResponse, started: float) -> Invocation:
    done.response = response
    done.execution_log.add(f"Method completed with status: {response.status_code}")
    done.latency_ms = _elapsed_ms(started)
    return done


def _elapsed_ms(since: float) -> int:
    return int((time.perf_counter() - since) * 1000)


# -- routes ---------------------------------------------------------------------------------------

def match_route(routes: Iterable[str], method: str, path: str
                ) -> tuple[str, dict[str, str]] | None:
    """The route ("GET /orders/{id}") a request for `method` `path` falls on, and its path
    parameters (URL-decoded), as API Gateway matches resources: a literal segment before a
    `{param}`, a `{param}` before a greedy `{proxy+}`; the method itself before `ANY`."""
    method = method.upper()
    segments = [unquote(s) for s in path.strip("/").split("/")] if path.strip("/") else []
    best: tuple[tuple, str, dict[str, str]] | None = None
    for route in routes:
        route_method, resource = route.split(" ", 1)
        if route_method not in (method, "ANY"):
            continue
        found = _match_resource(resource, segments)
        if found is None:
            continue
        rank, params = found
        key = (rank, route_method == method)
        if best is None or key > best[0]:
            best = (key, route, params)
    return None if best is None else (best[1], best[2])


def _match_resource(resource: str, segments: list[str]
                    ) -> tuple[tuple[int, ...], dict[str, str]] | None:
    """How well `resource` matches `segments` (higher is more specific), and its parameters."""
    parts = resource.strip("/").split("/") if resource.strip("/") else []
    params: dict[str, str] = {}
    rank: list[int] = []
    for i, part in enumerate(parts):
        variable = PATH_PARAMETER.fullmatch(part)
        if variable and variable.group(2):  # {name+}: the rest of the path, at least one segment
            if i != len(parts) - 1 or i >= len(segments):
                return None
            params[variable.group(1)] = "/".join(segments[i:])
            return tuple(rank + [0]), params
        if i >= len(segments):
            return None
        if variable:
            params[variable.group(1)] = segments[i]
            rank.append(1)
        elif part == segments[i]:
            rank.append(2)
        else:
            return None
    if len(parts) != len(segments):
        return None
    return tuple(rank), params


# -- TestInvokeMethod ---------------------------------------------------------------------------

class Definition(Protocol):
    """What `test_invoke_method` needs of an API: its routes, each route's integration, and the
    stage variables it defines (an ApiDefinition has these; so can an adapter of another
    host's model)."""

    stage_variables: dict[str, str]

    def routes(self) -> list[str]: ...

    def integration(self, route: str) -> Integration: ...


class RouteNotFound(LookupError):
    """No route of the definition takes the request (API Gateway answers 404 or 403)."""


def test_invoke_method(definition: Definition | str | os.PathLike[str], *, httpMethod: str,
                       pathWithQueryString: str = "/", body: str | bytes | None = None,
                       headers: Mapping[str, str] | None = None,
                       multiValueHeaders: Mapping[str, list[str]] | None = None,
                       stageVariables: Mapping[str, str] | None = None,
                       backend: Backend | None = None, dialect: str = "aws",
                       context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """API Gateway's TestInvokeMethod, offline: the response in boto3's shape (`status`, `body`,
    `headers`, `multiValueHeaders`, `log`, `latency`).

    `definition` is an API definition file's path or an object with `routes()`,
    `integration(route)` and `stage_variables`. A non-MOCK integration needs `backend` (its
    answer, or a function of the IntegrationRequest) to get past the request side; without one
    the result is the request side's log and status 200 with an empty body.
    """
    if isinstance(definition, (str, os.PathLike)):
        from .definitions import load_definition
        definition = load_definition(definition)
    split = urlsplit(pathWithQueryString)
    matched = match_route(definition.routes(), httpMethod, split.path or "/")
    if matched is None:
        raise RouteNotFound(f"no route takes {httpMethod.upper()} {split.path or '/'} "
                            f"(routes: {', '.join(definition.routes()) or 'none'})")
    route, path_params = matched
    integration = definition.integration(route)
    integration.dialect = dialect
    header_values = {name: values[-1] for name, values in (multiValueHeaders or {}).items()
                     if values}
    header_values.update(headers or {})
    query = parse_qsl(split.query, keep_blank_values=True)
    # a test invocation has no stage: $context.path is the resource's path, filled in
    request = MethodRequest(
        body=body or "", headers=header_values, querystring=dict(query), path=path_params,
        context=_merged(_TEST_INVOKE_CONTEXT, {
            "httpMethod": httpMethod.upper(),
            "path": filled_path(route.split(" ", 1)[1], path_params), **(context or {})}),
        stage_variables={**definition.stage_variables, **(stageVariables or {})},
        multi_value_headers=dict(multiValueHeaders) if multiValueHeaders else None,
        multi_value_querystring=multi_values(query))
    done = invoke(integration, request, route=route, backend=backend)
    response = done.response or MethodResponse(200, "", {})
    every = {name: [_text(v) for v in value] if isinstance(value, list) else [_text(value)]
             for name, value in response.headers.items()}
    return {"status": response.status_code, "body": _text(response.body),
            "headers": {name: ",".join(values) for name, values in every.items()},
            "multiValueHeaders": every, "log": done.log, "latency": done.latency_ms}


def multi_values(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]] | None:
    """The parameters given more than once among `pairs` (a query string's), with all their
    values in order; None when each is given once."""
    found: dict[str, list[str]] = {}
    for name, value in pairs:
        found.setdefault(name, []).append(value)
    repeated = {name: values for name, values in found.items() if len(values) > 1}
    return repeated or None


def _merged(defaults: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    merged = {key: dict(value) if isinstance(value, Mapping) else value
              for key, value in defaults.items()}
    for key, value in given.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


test_invoke_method.__test__ = False  # a library function, not a test for pytest to collect
