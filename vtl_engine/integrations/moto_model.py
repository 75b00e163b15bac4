"""A moto REST API as vtl_engine reads API definitions: its methods' integrations as an
`ApiDefinition` (routes like "GET /orders/{id}", each with the OpenAPI-shaped
`x-amazon-apigateway-integration` its `Integration` is built from), what both a deployed
stage and TestInvokeMethod run.

Only moto's stored model is read (the attributes its `put_integration`,
`put_integration_response` and `put_method_response` calls set); nothing is changed.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from ..apigateway.definitions import ApiDefinition, split_route
from ..apigateway.integration import (
    PROXY_TYPES,
    BackendResponse,
    Integration,
    IntegrationRequest,
    MethodRequest,
    MethodResponse,
    gateway_response,
)

#: what ApiDefinition.kind says for a definition read from moto
KIND = "moto"
# AWS's default when put_integration names no passthroughBehavior (moto keeps None)
DEFAULT_PASSTHROUGH = "WHEN_NO_MATCH"


class MethodResponseMissing(Exception):
    """The integration response chosen has a status the method has no method response for."""

    def __init__(self, status: str) -> None:
        super().__init__(f"Output mapping refers to an invalid method response: {status}")


@dataclass
class MotoIntegration(Integration):
    """An Integration that also knows its method's method responses: a chosen integration
    response whose status has none is API Gateway's 500 (moto accepts such an API; AWS
    refuses to deploy most of them). A proxy integration has neither: its answer passes on."""

    method_statuses: frozenset[str] = frozenset()

    def integration_response(self, backend: BackendResponse, request: MethodRequest,
                             integration_request: IntegrationRequest | None = None
                             ) -> MethodResponse:
        chosen = None if self.type in PROXY_TYPES else self.select_response(backend)
        if chosen is not None and chosen.status_code not in self.method_statuses:
            return gateway_response(500, MethodResponseMissing(chosen.status_code))
        return super().integration_response(backend, request, integration_request)


@dataclass
class MotoApiDefinition(ApiDefinition):
    """An ApiDefinition read from moto, whose integrations are MotoIntegrations."""

    #: route -> the status codes its method has method responses for
    method_statuses: dict[str, frozenset[str]] = field(default_factory=dict)

    def integration(self, route: str) -> MotoIntegration:
        found = super().integration(route)
        method, path = split_route(route)
        statuses = self.method_statuses.get(f"{method} {path}",
                                            self.method_statuses.get(f"ANY {path}", frozenset()))
        return MotoIntegration(**{f.name: getattr(found, f.name) for f in fields(Integration)},
                               method_statuses=statuses)


def rest_api_definition(rest_api: Any, stage_name: str | None = None) -> MotoApiDefinition:
    """`rest_api` (moto's `RestAPI`) as an ApiDefinition: every method with an integration, and
    the variables of stage `stage_name` (none without one)."""
    integrated = {route: method for route, method in methods(rest_api).items()
                  if method.method_integration is not None}
    stage = rest_api.stages.get(stage_name) if stage_name else None
    return MotoApiDefinition(
        f"moto REST API {rest_api.id} ({rest_api.name})", KIND,
        {route: integration_spec(method.method_integration)
         for route, method in integrated.items()},
        dict(stage.variables or {}) if stage is not None else {},
        method_statuses={route: frozenset(str(code) for code in method.method_responses)
                         for route, method in integrated.items()})


def methods(rest_api: Any) -> dict[str, Any]:
    """Route ("GET /orders/{id}") -> moto's `Method`, for every method of every resource."""
    found = {}
    for resource in rest_api.resources.values():
        path = resource.get_path()
        for method_type, method in resource.resource_methods.items():
            found[f"{method_type.upper()} {path}"] = method
    return found


def resource_id(rest_api: Any, path: str) -> str | None:
    """The id of the resource at `path` ("/orders/{id}")."""
    return next((resource.id for resource in rest_api.resources.values()
                 if resource.get_path() == path), None)


def integration_spec(integration: Any) -> dict[str, Any]:
    """moto's `Integration` in the shape of an OpenAPI export's
    `x-amazon-apigateway-integration`; `responses` keyed by selection pattern ("default" for
    none), the first of several responses without a pattern kept, as API Gateway allows one."""
    responses: dict[str, Any] = {}
    for response in (integration.integration_responses or {}).values():
        responses.setdefault(response.selection_pattern or "default", {
            "statusCode": str(response.status_code),
            "responseTemplates": _templates(response.response_templates),
            "responseParameters": dict(response.response_parameters or {}),
            "contentHandling": response.content_handling,
        })
    return {
        "type": integration.integration_type,
        "uri": integration.uri or "",
        "httpMethod": integration.http_method,
        "requestTemplates": _templates(integration.request_templates),
        "passthroughBehavior": integration.passthrough_behaviour or DEFAULT_PASSTHROUGH,
        "requestParameters": dict(integration.request_parameters or {}),
        "contentHandling": integration.content_handling,
        "timeoutInMillis": integration.timeout_in_millis,
        "connectionType": integration.connection_type,
        "responses": responses,
    }


def _templates(templates: dict[str, Any] | None) -> dict[str, str]:
    # moto stores an empty template as None; on AWS it is an empty template
    return {media_type: source or "" for media_type, source in (templates or {}).items()}
