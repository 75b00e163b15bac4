"""Rendering a record: with a template (the request's template, or with side "response" the
integration response's, given the backend's answer), or through an API definition's route.

A Renderer is made once per process for a Target and reused for every record: templates are
compiled once (and found in the disk cache by other processes).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from ..apigateway import render_mapping_template
from ..apigateway.definitions import DefinitionError, load_definition
from ..apigateway.integration import Integration
from ..apigateway.invoke import match_route
from ..core.errors import VtlError
from ..testing.cases import RequestSpec
from ..testing.runner import Outcome, mapping_outcome, render_route, route_of
from ..userfiles import read_user_text
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

    def render(self, record: Record) -> tuple[None, Outcome]:
        """No route (a template runs on its own), and the record's outcome."""
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
                                             record.stage_variables, self.target.dialect,
                                             name=name)
        except VtlError as error:
            return None, Outcome(error=located(name, error), exception=error)
        return None, mapping_outcome(result)

    def _own_template(self, path: str) -> str:
        """A record's own template file, read once."""
        found = self._own_templates.get(path)
        if found is None:
            try:
                found = read_user_text(path, Skipped)
            except Skipped as error:
                found = Skipped(f"cannot read its template ({error})")
            self._own_templates[path] = found
        if isinstance(found, Exception):
            raise found
        return found


class ApiRenderer:
    """A record through its route of an API definition (testing.runner.render_route: the route
    flow of apigateway.invoke): the request side (what the backend receives, or API Gateway's
    own answer) or both sides (what the client receives, given the backend's recorded answer; a
    MOCK integration answers by itself). The route is the record's own, or the one its method
    and path fall on."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.definition = load_definition(target.api)
        self.routes = self.definition.routes()
        self._integrations: dict[str, Integration | Skipped] = {}

    def render(self, record: Record) -> tuple[str, Outcome]:
        """The route the record ran on, named as the definition names it (where its
        integration sits: "ANY /things/{id}" for GET /things/{id} there), and its outcome."""
        route, path_parameters = self._match(record)
        integration = self._integration(route)
        backend = None
        if self.target.side == "response" and integration.type != "MOCK":
            if record.backend is None:
                raise Skipped("no backend answer in the record for the response side")
            backend = record.backend.response()
        request = RequestSpec(body=record.body, headers=record.headers, query=record.query,
                              path=path_parameters, context=record.request_context(),
                              stage_variables={**self.definition.stage_variables,
                                               **record.stage_variables})
        outcome = render_route(integration, route, self.target.side, request, backend)
        return integration.name.removeprefix(f"{self.definition.path} "), outcome

    def _match(self, record: Record) -> tuple[str, dict[str, str]]:
        if record.route is not None:
            return route_of(record.route), dict(record.path_parameters)
        if record.method is None or record.path is None:
            raise Skipped("the record has no route, nor a method and path to find one")
        found = match_route(self.routes, record.method, record.path)
        if found is None:
            raise Skipped(f"no route of {self.target.api} takes {record.method} {record.path}")
        route, parameters = found
        return route, {**record.path_parameters, **parameters}

    def _integration(self, route: str) -> Integration:
        found = self._integrations.get(route)
        if found is None:
            try:
                found = replace(self.definition.integration(route), dialect=self.target.dialect)
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
