"""What API Gateway does around the mapping templates of an integration.

An `Integration` holds the fields of an OpenAPI export's `x-amazon-apigateway-integration`.
`integration_request` turns a client's `MethodRequest` into what the backend receives (or the
415 API Gateway answers itself); `integration_response` turns the backend's answer into what
the client receives. In both, parameter mappings come first, then the body template, then the
`$context` overrides the template set. Proxy integrations (`AWS_PROXY`, `HTTP_PROXY`) run no
templates: proxy.py builds what they send and reads what they answer.
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import VtlRuntimeError, shown
from ..core.runtime.javaregex import compile_java
from ..core.runtime.signals import JavaException
from ..core.runtime.values import to_string
from .arguments import (CONTEXT_SHAPE, NAMES_SHAPE, check_body, check_list, check_mapping,
                        check_templates)
from .context import build_context
from .input import Input
from .jsondata import parse_body, to_json
from .jsonpath import NOT_FOUND, compile_path
from .lambdajson import invokes_lambda, lambda_rejection
from .mapping import MappingResult, render_prepared, status_code
from .proxy import (ProxyResponseError, event_json, http_proxy_parameters, lambda_proxy_event,
                    lambda_proxy_response)
from .utf8 import payload_text

PASSTHROUGH_BEHAVIORS = ("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER")
PROXY_TYPES = ("AWS_PROXY", "HTTP_PROXY")
DEFAULT_MEDIA_TYPE = "application/json"

_REQUEST_TARGET = re.compile(r"integration\.request\.(header|querystring|path)\.(.+)")
_RESPONSE_TARGET = re.compile(r"method\.response\.header\.(.+)")
_REQUEST_SOURCE = re.compile(
    r"method\.request\.(?:(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)"
    r"|(body)(?:\.(.+))?)|stageVariables\.(.+)|context\.(.+)|'(.*)'", re.DOTALL)
_RESPONSE_SOURCE = re.compile(
    r"integration\.response\.(?:(header|multivalueheader)\.(.+)|(body)(?:\.(.+))?)"
    r"|stageVariables\.(.+)|context\.(.+)|'(.*)'", re.DOTALL)
_PARAM_KIND = {"path": "path", "querystring": "querystring", "header": "header",
               "multivaluequerystring": "querystring", "multivalueheader": "header"}


# -- what comes in and goes out -----------------------------------------------------------------

@dataclass
class MethodRequest:
    """The client's request as the method sees it (one value per parameter name)."""

    body: str | bytes = ""
    headers: dict[str, Any] = field(default_factory=dict)
    querystring: dict[str, Any] = field(default_factory=dict)
    path: dict[str, Any] = field(default_factory=dict)
    #: what is known of `$context` (merged over realistic defaults)
    context: dict[str, Any] | None = None
    stage_variables: dict[str, Any] = field(default_factory=dict)
    #: every value of a header or query string parameter sent more than once, as lists (the
    #: maps above hold one value each, the last): what a proxy integration passes on
    multi_value_headers: dict[str, list[Any]] | None = None
    multi_value_querystring: dict[str, list[Any]] | None = None

    def __post_init__(self) -> None:
        check_body(self.body)
        for name in ("headers", "querystring", "path", "stage_variables"):
            check_mapping(getattr(self, name), name, NAMES_SHAPE)
        check_mapping(self.context, "context", CONTEXT_SHAPE)
        for name in ("multi_value_headers", "multi_value_querystring"):
            check_mapping(getattr(self, name), name, '{"name": ["value", "value"]}')

    @property
    def params(self) -> dict[str, dict[str, Any]]:
        """The `$input.params()` map."""
        return {"path": dict(self.path), "querystring": dict(self.querystring),
                "header": dict(self.headers)}


@dataclass
class IntegrationRequest:
    """What the backend receives."""

    body: str | bytes
    headers: dict[str, Any]
    #: one value per name; for HTTP_PROXY a parameter the client sent more than once is a list
    querystring: dict[str, Any]
    path: dict[str, Any]
    #: `$context` after the request template: the same request's response side reads it on
    context: dict[str, Any]
    #: the media type whose template ran; None when the body passed through
    template_media_type: str | None = None


@dataclass
class BackendResponse:
    """What the backend answered. For a Lambda function that failed, `error_message` is its
    errorMessage (what selection patterns match against) and `body` the error document."""

    status_code: int = 200
    body: str | bytes = ""
    headers: dict[str, Any] = field(default_factory=dict)
    error_message: str | None = None

    def __post_init__(self) -> None:
        if type(self.status_code) is not int:
            raise TypeError(f"status_code must be an int, not {self.status_code!r}")
        check_body(self.body)
        check_mapping(self.headers, "headers", NAMES_SHAPE)


@dataclass
class MethodResponse:
    """What the client receives. `error` is why API Gateway answered with an error, when a
    template failed (the client only sees the 500). A header a Lambda proxy result gives
    several values (multiValueHeaders) is a list."""

    status_code: int
    body: str | bytes
    headers: dict[str, Any] = field(default_factory=dict)
    error: Exception | None = None
    #: the media type of the response template that made the body (None: no template ran)
    template_media_type: str | None = None


UNSUPPORTED_MEDIA_TYPE = 415
_GATEWAY_ERRORS = {415: "Unsupported Media Type", 500: "Internal server error",
                   502: "Internal server error"}


class LambdaPayloadError(Exception):
    """Lambda refused the payload of a non-proxy integration: it is not JSON. API Gateway passes
    Lambda's 400 on to the client and the function never runs."""

    def __init__(self, payload: str | bytes, answer: str) -> None:
        super().__init__("Lambda cannot parse the request template's output as JSON")
        self.payload = payload
        #: the body of the 400 (`{"message": "Could not parse request body into json: …"}`)
        self.answer = answer


def gateway_response(status: int, error: Exception | None = None) -> MethodResponse:
    """A response API Gateway gives by itself (its default gateway responses)."""
    return MethodResponse(status, '{"message":"%s"}' % _GATEWAY_ERRORS[status],
                          {"Content-Type": DEFAULT_MEDIA_TYPE}, error)


# -- the integration ----------------------------------------------------------------------------

@dataclass
class IntegrationResponse:
    """One entry of `responses`: chosen when `selection_pattern` (None for the default) matches."""

    status_code: str = "200"
    selection_pattern: str | None = None
    response_templates: dict[str, str] = field(default_factory=dict)
    response_parameters: dict[str, str] = field(default_factory=dict)
    content_handling: str | None = None

    def __post_init__(self) -> None:
        check_templates(self.response_templates, "response_templates")
        check_mapping(self.response_parameters, "response_parameters", NAMES_SHAPE)
        _check_mappings(self.response_parameters, _RESPONSE_TARGET, _RESPONSE_SOURCE)
        if self.selection_pattern:
            try:
                compile_java(self.selection_pattern)
            except JavaException as error:
                raise ValueError(f"invalid selectionPattern: {error.message}") from None

    @classmethod
    def from_openapi(cls, key: str, spec: Mapping[str, Any]) -> IntegrationResponse:
        """From a `responses` entry; its key is the selection pattern, "default" the default."""
        return cls(status_code=str(spec.get("statusCode", "200")),
                   selection_pattern=None if key == "default" else key,
                   response_templates=dict(spec.get("responseTemplates") or {}),
                   response_parameters=dict(spec.get("responseParameters") or {}),
                   content_handling=spec.get("contentHandling"))


@dataclass
class Integration:
    """An `x-amazon-apigateway-integration`: how one method reaches its backend."""

    type: str = "AWS"
    uri: str = ""
    request_templates: dict[str, str] = field(default_factory=dict)
    passthrough_behavior: str = "WHEN_NO_MATCH"
    request_parameters: dict[str, str] = field(default_factory=dict)
    responses: list[IntegrationResponse] = field(default_factory=list)
    content_handling: str | None = None
    #: the method the backend is called with (`httpMethod`); ANY or None: the client's
    http_method: str | None = None
    dialect: str = "aws"
    #: record which parts of the templates run (see Template.coverage)
    coverage: bool = False
    #: where the integration sits ("openapi.yaml POST /orders"): its templates are named after
    #: it (template_name), in error messages and in coverage
    name: str | None = None

    def __post_init__(self) -> None:
        self.type = self.type.upper()
        self.passthrough_behavior = self.passthrough_behavior.upper()
        if self.passthrough_behavior not in PASSTHROUGH_BEHAVIORS:
            raise ValueError(f"passthroughBehavior must be one of {PASSTHROUGH_BEHAVIORS}, "
                             f"not {self.passthrough_behavior!r}")
        check_templates(self.request_templates, "request_templates")
        check_mapping(self.request_parameters, "request_parameters", NAMES_SHAPE)
        check_list(self.responses, "responses", IntegrationResponse)
        _check_mappings(self.request_parameters, _REQUEST_TARGET, _REQUEST_SOURCE)

    @classmethod
    def from_openapi(cls, spec: Mapping[str, Any], dialect: str = "aws") -> Integration:
        """From the `x-amazon-apigateway-integration` object of an OpenAPI export."""
        return cls(type=spec.get("type", "AWS"), uri=spec.get("uri", ""),
                   request_templates=dict(spec.get("requestTemplates") or {}),
                   passthrough_behavior=spec.get("passthroughBehavior", "WHEN_NO_MATCH"),
                   request_parameters=dict(spec.get("requestParameters") or {}),
                   responses=[IntegrationResponse.from_openapi(key, value)
                              for key, value in (spec.get("responses") or {}).items()],
                   content_handling=spec.get("contentHandling"),
                   http_method=spec.get("httpMethod"), dialect=dialect)

    def template_name(self, media_type: str,
                      response: IntegrationResponse | None = None) -> str | None:
        """The name of the request template for `media_type` (of `response`'s template, when
        given): "openapi.yaml POST /orders request application/json", "openapi.yaml POST
        /orders response 400 (Invalid.*) application/json"; None for an unnamed integration."""
        if self.name is None:
            return None
        if response is None:
            return f"{self.name} request {media_type}"
        return (f"{self.name} response {response.status_code} "
                f"({response.selection_pattern or 'default'}) {media_type}")

    def templates(self) -> list[tuple[str | None, str]]:
        """Each template of the integration, request side first, with its name (see
        template_name) and its text."""
        found = [(self.template_name(media_type), source)
                 for media_type, source in self.request_templates.items()]
        for response in self.responses:
            found += [(self.template_name(media_type, response), source)
                      for media_type, source in response.response_templates.items()]
        return found

    @property
    def is_lambda(self) -> bool:
        """A Lambda function behind a non-proxy AWS integration: its errors select responses."""
        return invokes_lambda(self.type, self.uri)

    # -- request side ---------------------------------------------------------------------------

    def integration_request(self, request: MethodRequest) -> IntegrationRequest | MethodResponse:
        """What the backend receives for `request`, or the response API Gateway answers
        instead: 415 for a media type it may not pass through, 500 when the template fails,
        400 when a Lambda function is sent a payload that is not JSON (LambdaPayloadError).
        An AWS_PROXY integration sends the Lambda proxy event (its JSON is the body), an
        HTTP_PROXY one the client's request with the mapped parameters added."""
        params = request.params
        context = build_context(request.context, params)
        stage_variables = dict(request.stage_variables)
        if self.type == "AWS_PROXY":
            # the request parameter mappings do not reach a Lambda proxy event
            if (self.http_method or "POST").upper() != "POST":  # Lambda's Invoke is a POST
                return gateway_response(500, ValueError(
                    f"an AWS_PROXY integration calls Lambda with POST, not {self.http_method}"))
            event = lambda_proxy_event(request.body, request.headers, request.querystring,
                                       request.path, stage_variables, context,
                                       request.multi_value_headers,
                                       request.multi_value_querystring)
            return IntegrationRequest(event_json(event), {}, {}, {}, context)
        body = _binary_as_text(request.body, self.content_handling)
        input_ = Input(payload_text(body), params)
        mapped = {"header": {}, "querystring": {}, "path": {}}
        for target, source in self.request_parameters.items():
            kind, name = _REQUEST_TARGET.fullmatch(target).groups()
            value = _request_source(source, params, input_, stage_variables, context)
            if value is not None:
                mapped[kind][name] = value
        if self.type == "HTTP_PROXY":
            headers, querystring = http_proxy_parameters(
                request.headers, request.querystring, mapped["header"], mapped["querystring"],
                request.multi_value_querystring)
            return IntegrationRequest(request.body, headers, querystring, mapped["path"], context)
        media_type = header_media_type(request.headers, "Content-Type")
        template = _find_template(self.request_templates, media_type)
        if template is None:
            behavior = self.passthrough_behavior
            if behavior == "NEVER" or (behavior == "WHEN_NO_TEMPLATES" and self.request_templates):
                return gateway_response(UNSUPPORTED_MEDIA_TYPE)
            media_type = None
        else:
            media_type, source = template
            try:
                result = render_prepared(source, payload_text(body), params, context,
                                         stage_variables, self.dialect, self.coverage,
                                         self.template_name(media_type))
            except VtlRuntimeError as error:  # "Unable to transform request"
                return gateway_response(500, error)
            body = result.body
            for kind, overrides in (("header", result.header_overrides),
                                    ("querystring", result.querystring_overrides),
                                    ("path", result.path_overrides)):
                mapped[kind].update(overrides)
        body = _text_as_binary(body, self.content_handling)
        if body is None:
            return gateway_response(500)
        if self.is_lambda:
            rejected = lambda_rejection(body)
            if rejected is not None:
                return MethodResponse(400, rejected, {"Content-Type": DEFAULT_MEDIA_TYPE},
                                      LambdaPayloadError(body, rejected))
        return IntegrationRequest(body, mapped["header"], mapped["querystring"], mapped["path"],
                                  context, media_type)

    # -- response side --------------------------------------------------------------------------

    def select_response(self, backend: BackendResponse) -> IntegrationResponse | None:
        """The integration response for `backend`: the first whose selection pattern, a Java
        regex, matches all of the Lambda errorMessage (for a Lambda function) or of the status
        code; otherwise the default one (None if there is none)."""
        default = next((r for r in self.responses if not r.selection_pattern), None)
        if self.is_lambda:
            subject = backend.error_message
            if subject is None:
                return default
        else:
            subject = str(backend.status_code)
        for response in self.responses:
            if response.selection_pattern and \
                    compile_java(response.selection_pattern).fullmatch(subject) is not None:
                return response
        return default

    def integration_response(self, backend: BackendResponse, request: MethodRequest,
                             integration_request: IntegrationRequest | None = None
                             ) -> MethodResponse:
        """What the client receives once the backend has answered `request`.

        `integration_request` (from `integration_request`) carries the request's `$context`,
        overrides included, to the response template; without it a fresh one is built. A
        template that fails gives the 500 API Gateway gives; one that does not parse raises
        VtlSyntaxError. A proxy integration passes the backend's answer on: HTTP_PROXY as it
        is, AWS_PROXY read as a Lambda proxy result (502 with a ProxyResponseError when it is
        not one, or when the function failed).
        """
        if self.type == "HTTP_PROXY":
            return MethodResponse(backend.status_code, backend.body, dict(backend.headers))
        if self.type == "AWS_PROXY":
            try:
                status, body, headers = lambda_proxy_response(
                    backend.status_code, backend.body, backend.headers, backend.error_message)
            except ProxyResponseError as error:
                return gateway_response(error.status, error)
            return MethodResponse(status, body, headers)
        chosen = self.select_response(backend)
        if chosen is None:
            return gateway_response(500)
        params = request.params
        # a copy: the request's $context, overrides included, as the response template sees it
        context = build_context(integration_request.context if integration_request is not None
                                else request.context, params)
        stage_variables = dict(request.stage_variables)
        body = _binary_as_text(backend.body, chosen.content_handling)
        backend_input = Input(payload_text(body), params)
        headers: dict[str, Any] = {}
        for target, source in chosen.response_parameters.items():
            name = _RESPONSE_TARGET.fullmatch(target).group(1)
            value = _response_source(source, backend, backend_input, stage_variables, context)
            if value is not None:
                headers[name] = value
        media_type = None
        accept = header_media_type(request.headers, "Accept")
        template = _find_template(chosen.response_templates, accept)
        if template is None and chosen.response_templates:
            template = next(iter(chosen.response_templates.items()))
        if template is not None:
            media_type, source = template
            try:
                body = render_prepared(source, payload_text(body), params, context,
                                       stage_variables, self.dialect, self.coverage,
                                       self.template_name(media_type, chosen)).body
            except VtlRuntimeError as error:  # "Unable to transform response"
                return gateway_response(500, error)
        # the overrides in $context, set by this template or (MOCK) by the request template
        overrides = MappingResult("", context)
        headers.update(overrides.response_header_overrides)
        body = _text_as_binary(body, chosen.content_handling)
        if body is None:
            return gateway_response(500)
        headers.setdefault("Content-Type", media_type or _header(backend.headers, "Content-Type")
                           or DEFAULT_MEDIA_TYPE)
        return MethodResponse(overrides.status_override or int(chosen.status_code), body, headers,
                              template_media_type=template[0] if template is not None else None)


def mock_backend_response(integration_request: IntegrationRequest) -> BackendResponse:
    """What a MOCK integration answers: the status code the request template wrote as
    `{"statusCode": N}` (200 if it wrote none) and an empty body."""
    try:
        body = payload_text(integration_request.body)
        found = compile_path("$.statusCode").read(parse_body(body))
    except JavaException:  # a body that is not JSON names no status
        found = None
    return BackendResponse(status_code=status_code(found) or 200, body="")


# -- mapping expressions ------------------------------------------------------------------------

def _check_mappings(mappings: Mapping[str, str], targets: re.Pattern[str],
                    sources: re.Pattern[str]) -> None:
    # API Gateway refuses bad mapping expressions when the API is deployed; so do we, early
    for target, source in mappings.items():
        if targets.fullmatch(target) is None:
            raise ValueError(f"invalid mapping target {shown(target)}")
        if not isinstance(source, str) or sources.fullmatch(source) is None:
            raise ValueError(f"invalid mapping expression {shown(source)} for {shown(target)}")


def _request_source(source: str, params: dict[str, dict[str, Any]], input_: Input,
                    stage_variables: dict[str, Any], context: dict[str, Any]) -> str | None:
    kind, name, body, path, stage_variable, context_path, static = \
        _REQUEST_SOURCE.fullmatch(source).groups()
    if kind is not None:
        return _as_text(params[_PARAM_KIND[kind]].get(name))
    if body is not None:
        return input_.body if path is None else _body_value(input_, path)
    return _common_source(stage_variable, context_path, static, stage_variables, context)


def _response_source(source: str, backend: BackendResponse, input_: Input,
                     stage_variables: dict[str, Any], context: dict[str, Any]) -> str | None:
    kind, name, body, path, stage_variable, context_path, static = \
        _RESPONSE_SOURCE.fullmatch(source).groups()
    if kind is not None:
        return _as_text(backend.headers.get(name))
    if body is not None:
        return input_.body if path is None else _body_value(input_, path)
    return _common_source(stage_variable, context_path, static, stage_variables, context)


def _common_source(stage_variable: str | None, context_path: str | None, static: str | None,
                   stage_variables: dict[str, Any], context: dict[str, Any]) -> str | None:
    if stage_variable is not None:
        return _as_text(stage_variables.get(stage_variable))
    if context_path is not None:
        value: Any = context
        for step in context_path.split("."):
            value = value.get(step) if isinstance(value, dict) else None
        return _as_text(value)
    return static


def _body_value(input_: Input, path: str) -> str | None:
    """`...body.a.b`: a JSONPath without its `$.`; a string as itself, anything else as JSON.
    Nothing is mapped when the payload is not JSON."""
    try:
        found = compile_path("$." + path).read(input_.document())
    except JavaException:
        return None
    if found is NOT_FOUND or found is None:
        return None
    return found if type(found) is str else to_json(found)


def _as_text(value: Any) -> str | None:
    return None if value is None else value if type(value) is str else to_string(value)


# -- media types, content handling --------------------------------------------------------------

def _header(headers: Mapping[str, Any], name: str) -> Any:
    """A header's value, whatever the case of its name (HTTP header names are case-insensitive)."""
    found = headers.get(name)
    if found is None:
        lowered = name.lower()
        found = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return found


def header_media_type(headers: Mapping[str, Any], name: str) -> str:
    """The first media type a Content-Type or Accept header names, without parameters, as API
    Gateway picks a template by it; a missing header counts as application/json."""
    value = _header(headers, name)
    if not value:
        return DEFAULT_MEDIA_TYPE
    return str(value).split(",", 1)[0].split(";", 1)[0].strip().lower() or DEFAULT_MEDIA_TYPE


def _find_template(templates: Mapping[str, str], media_type: str) -> tuple[str, str] | None:
    for key, source in templates.items():
        if key.lower() == media_type:
            return key, source
    return None


def _binary_as_text(body: str | bytes, handling: str | None) -> str | bytes:
    """contentHandling CONVERT_TO_TEXT: a binary payload reaches templates base64-encoded."""
    if handling == "CONVERT_TO_TEXT" and isinstance(body, bytes):
        return base64.b64encode(body).decode("ascii")
    return body


def _text_as_binary(body: str | bytes, handling: str | None) -> str | bytes | None:
    """contentHandling CONVERT_TO_BINARY: the text (after any template) is base64-decoded; None
    when it is not base64, which API Gateway answers with a 500."""
    if handling == "CONVERT_TO_BINARY" and isinstance(body, str):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return None
    return body
