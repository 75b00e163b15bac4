"""LocalStack drop-in: its REST API mapping templates rendered by vtl_engine, as AWS renders them.

`LocalStackTemplateEngine` has the interface of LocalStack's
`localstack.services.apigateway.next_gen.execute_api.template_mapping.ApiGatewayVtlTemplate`;
`install()` puts one instance on LocalStack's two integration handlers, and makes the step that
calls the integration answer Lambda's 400 for a payload that is not JSON, as API Gateway does,
instead of calling the function; `uninstall()` puts LocalStack's own back. Nothing here imports
LocalStack until `install()` is called, so the adapter also serves emulators that merely copy
LocalStack's interface.

    from vtl_engine.integrations.localstack import install
    install()   # in the LocalStack process; the extension in localstack_extension.py does this
"""
from __future__ import annotations

import functools
import importlib
import inspect
import logging
from collections.abc import Callable, Mapping
from importlib import metadata
from typing import Any

import orjson

from ..apigateway.context import copy_context, copy_value
from ..apigateway.input import PARAM_KINDS, Input
from ..apigateway.integration import DEFAULT_MEDIA_TYPE
from ..apigateway.lambdajson import invokes_lambda, lambda_rejection
from ..apigateway.mapping import compiled_template, render_prepared, status_code
from ..apigateway.utf8 import payload_text
from ..apigateway.util import UTIL
from ..core.dialect import AWS
from ..core.errors import VtlError

LOG = logging.getLogger(__name__)

HANDLERS_MODULE = "localstack.services.apigateway.next_gen.execute_api.handlers"
GATEWAY_RESPONSE_MODULE = "localstack.services.apigateway.next_gen.execute_api.gateway_response"
CONTEXT_MODULE = "localstack.services.apigateway.next_gen.execute_api.context"
CHAIN_MODULE = "localstack.services.apigateway.next_gen.execute_api.api"
HANDLER_NAMES = ("integration_request_handler", "integration_response_handler")
# the attribute of each handler that holds its template engine
ENGINE_ATTRIBUTE = "_vtl_template"
# where install() keeps what it replaced: on the handler, on the wrapped __call__
ORIGINAL_ATTRIBUTE = "_vtl_engine_replaced"
# the handler whose step calls the integration (and so Lambda), and what the Lambda payload check
# uses of LocalStack: how the step is called, what it reads of the request's context, and the
# chain's respond(), which answers and skips the remaining steps
INTEGRATION_HANDLER = "integration_handler"
HANDLER_CALL = ("self", "chain", "context", "response")
CONTEXT_FIELDS = {"RestApiInvocationContext": ("integration", "integration_request"),
                  "IntegrationRequest": ("body",)}
CHAIN_CLASS = "RestApiGatewayHandlerChain"
RESPOND = ("self", "status_code", "payload", "headers")
# the parameters LocalStack calls each method with, in order
INTERFACE = {
    "render_request": ("template", "variables", "context_overrides"),
    "render_response": ("template", "variables", "context_overrides"),
    "render_vtl": ("template", "variables", "as_json"),
}
# LocalStack's responseOverride.status when no template set one
UNSET_STATUS = 0


class LocalStackIntegrationError(RuntimeError):
    """LocalStack is not importable here, or what this adapter uses of its API Gateway (the
    template engine's interface, the integration step) is not what it was written for."""


class LocalStackTemplateEngine:
    """LocalStack's `ApiGatewayVtlTemplate` interface over vtl_engine's compiled, cached templates.

    Arguments are never changed (a template's `#set($context…)` writes into a copy); the
    overrides come back as new dicts. The instance holds no per-request state, so one serves
    every thread. `on_error` turns a template failure into the exception the host wants (install()
    gives LocalStack's 500 "Internal server error", as AWS answers); without it the VtlError rises.
    """

    def __init__(self, on_error: Callable[[VtlError], Exception] | None = None) -> None:
        self._on_error = on_error

    def render_request(self, template: str, variables: Mapping[str, Any],
                       context_overrides: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """An integration request template: the body, and both overrides (which LocalStack
        hands to the response template)."""
        body, context = self._render_mapping(template, variables, context_overrides)
        return body, {"requestOverride": _request_override(context),
                      "responseOverride": _response_override(context)}

    def render_response(self, template: str, variables: Mapping[str, Any],
                        context_overrides: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """An integration response template: the body and the responseOverride (`status` an
        int from 100 to 599, or 0 for none, as LocalStack reads it)."""
        body, context = self._render_mapping(template, variables, context_overrides)
        return body, _response_override(context)

    def render_vtl(self, template: str, variables: Mapping[str, Any] | None,
                   as_json: bool = False) -> Any:
        """Any template with `variables` as its top-level names; an `input` given as
        `{"body", "params"}` becomes `$input`, and `$util` is API Gateway's."""
        if not template:
            return template
        given = dict(variables or {})
        section = given.get("input")
        if isinstance(section, Mapping):
            given["input"] = _input(section)
        names = copy_value(given)
        if isinstance(names.get("context"), dict):
            names["context"] = copy_context(names["context"])
        names["util"] = UTIL
        try:
            rendered = compiled_template(template).render(names)
        except VtlError as error:
            raise self._failure(error) from None
        return orjson.loads(rendered) if as_json else rendered

    def _render_mapping(self, template: str, variables: Mapping[str, Any],
                        context_overrides: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
        section = variables.get("input") or {}
        context = copy_context({**(variables.get("context") or {}),
                                **_overrides_as_aws_shows_them(context_overrides or {})})
        try:
            result = render_prepared(template or "", _body_text(section.get("body")),
                                     _params(section.get("params")), context,
                                     dict(variables.get("stageVariables") or {}))
        except VtlError as error:
            raise self._failure(error) from None
        return result.body, result.context

    def _failure(self, error: VtlError) -> Exception:
        LOG.info("mapping template failed: %s", error)
        return error if self._on_error is None else self._on_error(error)


def _overrides_as_aws_shows_them(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """LocalStack's overrides as a template on AWS sees them: requestOverride's maps in AWS's
    order, and no `status` in responseOverride until a template sets one (LocalStack's 0)."""
    request = overrides.get("requestOverride") or {}
    response = dict(overrides.get("responseOverride") or {})
    if response.get("status") in (UNSET_STATUS, None):
        response.pop("status", None)
    return {
        "requestOverride": {"path": request.get("path") or {},
                            "header": request.get("header") or {},
                            "querystring": request.get("querystring") or {},
                            **_other_keys(request)},
        "responseOverride": {"header": response.pop("header", None) or {}, **response},
    }


def _other_keys(request: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in request.items() if key not in PARAM_KINDS}


def _request_override(context: Mapping[str, Any]) -> dict[str, Any]:
    found = context.get("requestOverride")
    return found if isinstance(found, dict) else {"path": {}, "header": {}, "querystring": {}}


def _response_override(context: Mapping[str, Any]) -> dict[str, Any]:
    found = context.get("responseOverride")
    response = dict(found) if isinstance(found, dict) else {}
    response.setdefault("header", {})
    response["status"] = status_code(response.get("status")) or UNSET_STATUS
    return response


def _input(section: Mapping[str, Any]) -> Input:
    """`$input` for a template of the aws dialect (compiled_template's)."""
    return Input(_body_text(section.get("body")), _params(section.get("params")), AWS)


def _body_text(body: Any) -> str:
    if body is None or isinstance(body, (str, bytes, bytearray)):
        return payload_text(body)
    return str(body)


def _params(params: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The three parameter maps as plain dicts, whatever LocalStack held them in. A name repeated
    in a werkzeug `Headers` or `MultiDict` gives its last value, as AWS's proxy events keep it
    (what AWS shows templates then is not documented)."""
    given = params or {}
    return {kind: _single_values(given.get(kind)) for kind in PARAM_KINDS}


def _single_values(section: Any) -> dict[str, Any]:
    if not section:
        return {}
    if hasattr(section, "lists"):  # werkzeug MultiDict: each name with its values
        return {key: values[-1] for key, values in section.lists()}
    if hasattr(section, "getlist"):  # werkzeug Headers: items() is every pair, in order
        return dict(section.items())
    return dict(section)


# -- install / uninstall ----------------------------------------------------------------------

def install() -> LocalStackTemplateEngine:
    """Make LocalStack's REST API invocations render through vtl_engine; idempotent.

    Raises LocalStackIntegrationError, changing nothing, if LocalStack cannot be imported, its
    handlers do not hold an engine with the interface this adapter implements, or its
    integration step is not what the Lambda payload check was written for.
    """
    handlers = _handlers()
    integration_step = _integration_handler_class()
    engine = LocalStackTemplateEngine(on_error=_internal_server_error())
    for handler in handlers:
        current = getattr(handler, ENGINE_ATTRIBUTE)
        if isinstance(current, LocalStackTemplateEngine):
            continue
        setattr(handler, ORIGINAL_ATTRIBUTE, current)
        setattr(handler, ENGINE_ATTRIBUTE, engine)
    if not _checks_lambda_payloads(integration_step):
        integration_step.__call__ = _answering_lambda_rejections(vars(integration_step)["__call__"])
    LOG.info("vtl_engine renders API Gateway mapping templates (LocalStack %s)",
             localstack_version())
    return engine


def uninstall() -> None:
    """Give LocalStack's handlers back the engines install() replaced, and its integration step
    the call install() wrapped."""
    for handler in _handlers():
        original = getattr(handler, ORIGINAL_ATTRIBUTE, None)
        if original is not None:
            setattr(handler, ENGINE_ATTRIBUTE, original)
            delattr(handler, ORIGINAL_ATTRIBUTE)
    integration_step = _integration_handler_class()
    if _checks_lambda_payloads(integration_step):
        integration_step.__call__ = getattr(vars(integration_step)["__call__"], ORIGINAL_ATTRIBUTE)


def is_installed() -> bool:
    """Whether both of LocalStack's handlers render through vtl_engine and its integration step
    answers Lambda's 400."""
    return all(isinstance(getattr(handler, ENGINE_ATTRIBUTE), LocalStackTemplateEngine)
               for handler in _handlers()) and _checks_lambda_payloads(_integration_handler_class())


def lambda_payload_rejection(integration: Mapping[str, Any] | None,
                             integration_request: Mapping[str, Any] | None) -> str | None:
    """The body of the 400 API Gateway answers when `integration` sends Lambda a payload that is
    not JSON (`integration_request["body"]`, the request template's output); None when Lambda
    is not called or the payload parses. Both are LocalStack's dicts of the same names."""
    integration = integration or {}
    if not invokes_lambda(integration.get("type") or "", integration.get("uri") or ""):
        return None
    return lambda_rejection((integration_request or {}).get("body") or b"")


def _answering_lambda_rejections(call: Callable[..., None]) -> Callable[..., None]:
    """LocalStack's integration step, answering Lambda's 400 itself for a payload that is not
    JSON: the function is not called and no integration response runs. The chain's respond()
    sends the body as API Gateway words it; raising one of LocalStack's gateway errors instead
    would escape the message as json.dumps does (no `\\'`, no `\\/`), not as AWS does."""

    @functools.wraps(call)
    def call_integration(handler: Any, chain: Any, context: Any, response: Any) -> None:
        rejected = lambda_payload_rejection(context.integration, context.integration_request)
        if rejected is None:
            call(handler, chain, context, response)
            return
        LOG.info("Lambda refuses a payload that is not JSON (400): %s", rejected)
        chain.respond(400, rejected, {"Content-Type": DEFAULT_MEDIA_TYPE})

    setattr(call_integration, ORIGINAL_ATTRIBUTE, call)
    return call_integration


def _checks_lambda_payloads(integration_step: type) -> bool:
    return hasattr(vars(integration_step)["__call__"], ORIGINAL_ATTRIBUTE)


def localstack_version() -> str:
    """The installed LocalStack's version, or "none"."""
    for distribution in ("localstack-core", "localstack"):
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    return "none"


def _handlers() -> list[Any]:
    module = _import(HANDLERS_MODULE)
    found = []
    for name in HANDLER_NAMES:
        handler = getattr(module, name, None)
        engine = getattr(handler, ENGINE_ATTRIBUTE, None)
        if engine is None:
            raise _interface_changed(f"{HANDLERS_MODULE}.{name} has no {ENGINE_ATTRIBUTE}")
        original = getattr(handler, ORIGINAL_ATTRIBUTE, engine)
        for method, parameters in INTERFACE.items():
            if _parameters(getattr(original, method, None))[:len(parameters)] != parameters:
                raise _interface_changed(
                    f"{type(original).__name__}.{method} does not take {', '.join(parameters)}")
        found.append(handler)
    return found


def _integration_handler_class() -> type:
    """The class of LocalStack's integration step, once what the Lambda payload check uses of
    LocalStack is as this adapter was written for: the step's own __call__, the context fields
    it reads and the chain's respond()."""
    handler = getattr(_import(HANDLERS_MODULE), INTEGRATION_HANDLER, None)
    step = type(handler)
    call = vars(step).get("__call__")
    if _parameters(getattr(call, ORIGINAL_ATTRIBUTE, call)) != HANDLER_CALL:
        raise _interface_changed(f"{HANDLERS_MODULE}.{INTEGRATION_HANDLER} is not a handler "
                                 f"whose class takes {', '.join(HANDLER_CALL[1:])}")
    context = _import(CONTEXT_MODULE)
    for class_name, fields in CONTEXT_FIELDS.items():
        declared = getattr(getattr(context, class_name, None), "__annotations__", {})
        missing = [name for name in fields if name not in declared]
        if missing:
            raise _interface_changed(f"{CONTEXT_MODULE}.{class_name} has no {', '.join(missing)}")
    chain = getattr(_import(CHAIN_MODULE), CHAIN_CLASS, None)
    if _parameters(getattr(chain, "respond", None))[:len(RESPOND)] != RESPOND:
        raise _interface_changed(f"{CHAIN_MODULE}.{CHAIN_CLASS}.respond does not take "
                                 f"{', '.join(RESPOND[1:])}")
    return step


def _internal_server_error() -> Callable[[VtlError], Exception]:
    error_class = getattr(_import(GATEWAY_RESPONSE_MODULE), "InternalServerError", None)
    if error_class is None:
        raise _interface_changed(f"{GATEWAY_RESPONSE_MODULE} has no InternalServerError")
    return lambda error: error_class("Internal server error")


def _import(module_name: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ImportError as e:
        raise LocalStackIntegrationError(
            f"LocalStack's API Gateway ({module_name}) cannot be imported (LocalStack "
            f"{localstack_version()} found): {e}. Install vtl_engine into LocalStack's own "
            "environment: pip install 'vtl_engine[localstack]'") from None


def _parameters(method: Any) -> tuple[str, ...]:
    if not callable(method):
        return ()
    try:
        return tuple(inspect.signature(method).parameters)
    except (TypeError, ValueError):
        return ()


def _interface_changed(detail: str) -> LocalStackIntegrationError:
    return LocalStackIntegrationError(
        f"LocalStack {localstack_version()}'s API Gateway interface is not the one vtl_engine "
        f"supports (written for LocalStack 2026.3): {detail}")
