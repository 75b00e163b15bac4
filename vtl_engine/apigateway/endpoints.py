"""Where an integration's backend is: its URI with the stage variables and the mapped path
parameters filled in, and an AWS integration's ARN read as the service endpoint it names
(`arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/…` is
`https://lambda.us-east-1.amazonaws.com/2015-03-31/…`)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from .context import PATH_PARAMETER

_SERVICE_ARN = re.compile(r"arn:[^:]+:apigateway:([^:]+):([^:]+):(action|path)/(.*)", re.DOTALL)
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([^}]+)\}")


@dataclass(frozen=True)
class ServiceEndpoint:
    """An AWS integration's `arn:aws:apigateway:REGION:SERVICE:action/ACTION` or `…:path/PATH`."""

    region: str
    service: str
    kind: str          # "action" or "path"
    rest: str          # the action's name (and parameters), or the path

    @property
    def host(self) -> str:
        return f"{self.service}.{self.region}.amazonaws.com"

    def url(self) -> str:
        if self.kind == "path":
            return f"https://{self.host}/{self.rest}"
        action, _, query = self.rest.partition("&")
        return f"https://{self.host}/?Action={action}" + (f"&{query}" if query else "")


def service_endpoint(uri: str) -> ServiceEndpoint | None:
    """The service an AWS integration's URI names; None when it is not such an ARN."""
    found = _SERVICE_ARN.fullmatch(uri)
    return None if found is None else ServiceEndpoint(*found.groups())


def with_stage_variables(uri: str, stage_variables: Mapping[str, Any]) -> str:
    """`${stageVariables.name}` in a URI replaced by the stage variable (empty when unset)."""
    return _STAGE_VARIABLE.sub(lambda m: str(stage_variables.get(m.group(1), "")), uri)


def with_path_parameters(uri: str, path: Mapping[str, Any]) -> str:
    """`{name}` and greedy `{name+}` in a URI from the mapped path parameters, URL-encoded but
    for their slashes (a proxy resource's `{proxy+}` mapped to `https://backend/{proxy}` is a
    path of several segments); a parameter with no value is left as written."""
    def fill(match: re.Match[str]) -> str:
        value = path.get(match.group(1))
        return match.group(0) if value is None else quote(str(value), safe="/")
    return PATH_PARAMETER.sub(fill, uri)


def endpoint_url(integration_type: str, uri: str, path: Mapping[str, Any],
                 querystring: Mapping[str, Any], stage_variables: Mapping[str, Any]) -> str:
    """The URL API Gateway calls (and logs as "Endpoint request URI"): an HTTP integration's URI
    filled in, with the mapped query string; an AWS integration's service endpoint."""
    uri = with_stage_variables(uri, stage_variables)
    if integration_type.startswith("HTTP"):
        uri = with_path_parameters(uri, path)
        # a parameter an HTTP_PROXY client sent more than once is a list: each value goes
        return f"{uri}?{urlencode(querystring, doseq=True)}" if querystring else uri
    service = service_endpoint(uri)
    return uri if service is None else service.url()
