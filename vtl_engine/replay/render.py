"""Rendering a record: with a template (the request's template, or with side "response" the
integration response's, given the backend's answer), or through an API definition's route.

A Renderer is made once per process for a Target and reused for every record: templates are
compiled once (and found in the disk cache by other processes).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..apigateway import BackendResponse, render_mapping_template
from ..apigateway.definitions import DefinitionError, load_definition
from ..apigateway.integration import Integration
from ..core.errors import VtlError
from ..testing.cases import RequestSpec
from ..testing.runner import Outcome, render_route
from .records import Record


class Skipped(Exception):
    """A record that cannot be rendered: the message says why."""


@dataclass(frozen=True)
class Target:
    """What records are rendered with: a template's text (`template`, read from the file
    `name`) or an API definition file (`api`), in a dialect, on one side."""

    name: str
    template: str | None = None
    api: str | None = None
    dialect: str = "aws"
    side: str = "request"


class TemplateRenderer:
    def __init__(self, target: Target) -> None:
        self.target = target
        self._own_templates: dict[str, str | Exception] = {}

    def render(self, record: Record) -> Outcome:
        name, source = self.target.name, self.target.template
        if record.template is not None:
            name, source = record.template, self._own_template(record.template)
        if self.target.side == "response":
            if record.backend is None:
                raise Skipped("no backend answer in the record to run a response template on")
            body = record.backend.body
        else:
            body = record.body
        try:
            result = render_mapping_template(source, body, record.params, record.request_context(),
                                             record.stage_variables, self.target.dialect)
        except VtlError as error:
            return Outcome(error=located(name, error))
        return Outcome(body=result.body, status=result.status_override,
                       headers=result.response_header_overrides,
                       request_override={"header": result.header_overrides,
                                         "querystring": result.querystring_overrides,
                                         "path": result.path_overrides})

    def _own_template(self, path: str) -> str:
        """A record's own template file, read once."""
        found = self._own_templates.get(path)
        if found is None:
            try:
                found = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                found = Skipped(f"cannot read its template {path} ({e})")
            self._own_templates[path] = found
        if isinstance(found, Exception):
            raise found
        return found


class ApiRenderer:
    """A record through its route of an API definition: the request side (what the backend
    receives) or both sides (what the client receives, given the backend's recorded answer)."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.definition = load_definition(target.api)
        self._integrations: dict[str, Integration | Skipped] = {}

    def render(self, record: Record) -> Outcome:
        integration = self._integration(self.route_of(record))
        backend = None
        if self.target.side == "response" and integration.type != "MOCK":
            if record.backend is None:
                raise Skipped("no backend answer in the record for the response side")
            spec = record.backend
            backend = BackendResponse(status_code=spec.status, body=spec.body,
                                      headers=dict(spec.headers),
                                      error_message=spec.error_message)
        request = RequestSpec(body=record.body, headers=record.headers, query=record.query,
                              path=record.path_parameters,
                              stage_variables={**self.definition.stage_variables,
                                               **record.stage_variables},
                              context=record.request_context())
        return render_route(integration, self.target.side, request, backend)

    def route_of(self, record: Record) -> str:
        if record.route is None:
            raise Skipped("the record names no route")
        return record.route

    def _integration(self, route: str) -> Integration:
        found = self._integrations.get(route)
        if found is None:
            try:
                found = self.definition.integration(route)
                found.dialect = self.target.dialect
            except DefinitionError as error:
                found = Skipped(str(error))
            self._integrations[route] = found
        if isinstance(found, Skipped):
            raise found
        return found


@lru_cache(maxsize=8)
def renderer_for(target: Target) -> TemplateRenderer | ApiRenderer:
    """The process's renderer for `target`."""
    return ApiRenderer(target) if target.api is not None else TemplateRenderer(target)


def located(name: str, error: VtlError) -> str:
    """A template error on one line: `file:line:column: message`."""
    if error.line:
        return f"{error.template_name or name}:{error.line}:{error.column}: {error.message}"
    return error.message
