"""Temporary stand-in for `vtl_engine.apigateway.invoke` (the lead's route flow), with its
interface, until it lands on main; this file is deleted then."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..apigateway.integration import (
    BackendResponse,
    Integration,
    IntegrationRequest,
    MethodRequest,
    MethodResponse,
    mock_backend_response,
)


@dataclass
class Invocation:
    response: MethodResponse
    integration_request: IntegrationRequest | None
    backend: BackendResponse | None
    log: str = ""


def invoke(integration: Integration, method_request: MethodRequest, route: str = "",
           backend: BackendResponse | Callable[[IntegrationRequest], BackendResponse] | None = None
           ) -> Invocation:
    sent = integration.integration_request(method_request)
    if isinstance(sent, MethodResponse):
        return Invocation(sent, None, None)
    if integration.type == "MOCK":
        answer = mock_backend_response(sent)
    else:
        answer = backend(sent) if callable(backend) else backend
    return Invocation(integration.integration_response(answer, method_request, sent), sent,
                      answer)


def match_route(routes: Iterable[str], method: str, path: str
                ) -> tuple[str, dict[str, str]] | None:
    found = []
    for route in routes:
        route_method, route_path = route.split(" ", 1)
        if route_method not in (method.upper(), "ANY"):
            continue
        names: list[str] = []
        pattern = ""
        for part in route_path.strip("/").split("/") if route_path != "/" else []:
            greedy = re.fullmatch(r"\{(\w+)\+\}", part)
            single = re.fullmatch(r"\{(\w+)\}", part)
            if greedy:
                names.append(greedy.group(1))
                pattern += "/(.+)"
            elif single:
                names.append(single.group(1))
                pattern += "/([^/]+)"
            else:
                pattern += "/" + re.escape(part)
        matched = re.fullmatch(pattern or "/?", path.rstrip("/") if path != "/" else "")
        if matched:
            found.append((route_path.count("{"), route_method == "ANY", route,
                          dict(zip(names, matched.groups()))))
    if not found:
        return None
    found.sort(key=lambda item: (item[0], item[1]))
    return found[0][2], found[0][3]
