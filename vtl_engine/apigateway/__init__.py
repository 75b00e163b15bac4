"""The API Gateway layer: `$input`, `$util`, `$context`, `$stageVariables`, the overrides, and
the integration mechanics around mapping templates, on top of the VTL core.

    from vtl_engine.apigateway import render_mapping_template
    r = render_mapping_template(template, body, params={"header": {...}}, context={...})
    r.body, r.status_override, r.header_overrides, r.context
"""
from .context import build_context
from .input import Input
from .integration import (
    BackendResponse,
    Integration,
    IntegrationRequest,
    IntegrationResponse,
    LambdaPayloadError,
    MethodRequest,
    MethodResponse,
    mock_backend_response,
)
from .invoke import Invocation, invoke, match_route, test_invoke_method
from .mapping import MappingResult, render_mapping_template
from .util import UTIL, Util

__all__ = [
    "BackendResponse", "Input", "Integration", "IntegrationRequest", "IntegrationResponse",
    "Invocation", "LambdaPayloadError", "MappingResult", "MethodRequest", "MethodResponse",
    "UTIL", "Util", "build_context", "invoke", "match_route", "mock_backend_response",
    "render_mapping_template", "test_invoke_method",
]
