"""What a worker process does for the page: one render of the templates for the form's request,
and what the page shows beside it (lint warnings, the generated Python, line coverage), as plain
data that travels back to the server.

A job names its templates by id: "request" and "response" for a template of its own, and, for a
route of an API definition, "request <media type>" and "response <n> <media type>" (n counts
the integration's responses, in the definition's order) for the route's templates, as the page
edited them.

Without a route, the request template is rendered exactly as `vtl render` renders it
(`render_mapping_template`), so the page shows the bytes the command prints; the response
template then renders the backend's answer as a default integration response would.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..apigateway import (BackendResponse, Integration, IntegrationRequest, IntegrationResponse,
                          MethodRequest, MethodResponse, mock_backend_response,
                          render_mapping_template)
from ..apigateway.definitions import ApiDefinition, load_definition, split_route
from ..apigateway.mapping import MappingResult, compiled_template
from ..core.errors import VtlError, VtlLimitError, VtlSyntaxError
from ..testing.coverage import TemplateCoverage
from ..tools.lint import lint
from .form import FormError, read_backend, read_request

DIALECTS = ("aws", "velocity")
EXTRAS = frozenset({"lint", "python", "coverage"})


def run_job(job: dict[str, Any], api_path: str | None) -> dict[str, Any]:
    """The answer to one render request of the page (`job` as the page sent it; `api_path`
    the API definition the server was started with). Never raises for anything the page sent:
    a bad field is `form_error`, a template error is `error`."""
    try:
        return Render(job, api_path).run()
    except FormError as e:
        return {"form_error": {"field": e.field, "message": e.message}}
    except VtlError as e:   # the definition itself (an invalid mapping, a missing route)
        return {"form_error": {"field": "route", "message": e.message}}


class Render:
    """One render: reads the job, runs the templates, collects what the page shows."""

    def __init__(self, job: dict[str, Any], api_path: str | None) -> None:
        if not isinstance(job, dict):
            raise FormError("job", "expected an object")
        self.dialect = job.get("dialect", "aws")
        if self.dialect not in DIALECTS:
            raise FormError("dialect", f"expected aws or velocity, got {self.dialect!r}")
        extras = job.get("extras", [])
        if not isinstance(extras, list) or not EXTRAS.issuperset(extras):
            raise FormError("extras", f"expected a list of {', '.join(sorted(EXTRAS))}")
        self.extras = set(extras)
        templates = job.get("templates")
        if not isinstance(templates, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in templates.items()):
            raise FormError("templates", "expected an object of template texts")
        self.templates: dict[str, str] = templates
        self.form = read_request(job.get("request"))
        self.backend_form = job.get("backend")
        self.route = job.get("route")
        if self.route is not None:
            if api_path is None:
                raise FormError("route", "the playground was started without --api")
            self.api = definition(api_path)
            self.integration = self._integration(self.api.integration(self.route))
            # the route says what $context.httpMethod and resourcePath are
            self.form.method, self.form.resource_path = split_route(self.route)
        self.result: dict[str, Any] = {"request_side": None, "response": None, "gateway": None,
                                       "error": None, "log": [], "timing": {}, "templates": {}}

    def run(self) -> dict[str, Any]:
        started = time.perf_counter()
        self._compile_all()
        if self.result["error"] is None:
            flow = self._route_flow if self.route is not None else self._template_flow
            try:
                flow(coverage=False)
            except VtlError as e:   # a template of this render failed: it is the one at fault
                self.result["error"] = self._error(e)
        self.result["timing"]["total_ms"] = _ms(time.perf_counter() - started)
        self._extras()
        return self.result

    # -- the templates --------------------------------------------------------------------------

    def _integration(self, integration: Integration) -> Integration:
        """The route's integration with the page's edits of its templates."""
        requests = dict(integration.request_templates)
        responses = [dataclasses.replace(r, response_templates=dict(r.response_templates))
                     for r in integration.responses]
        for template_id, source in self.templates.items():
            side, _, rest = template_id.partition(" ")
            if side == "request" and rest in requests:
                requests[rest] = source
                continue
            number, _, media_type = rest.partition(" ")
            if side == "response" and number.isdigit() and int(number) < len(responses) and \
                    media_type in responses[int(number)].response_templates:
                responses[int(number)].response_templates[media_type] = source
                continue
            raise FormError("templates", f"{self.route} has no template {template_id!r}")
        return dataclasses.replace(integration, request_templates=requests, responses=responses,
                                   dialect=self.dialect)

    def _sources(self) -> dict[str, str]:
        """Every template of this render, by id."""
        if self.route is None:
            return {k: v for k, v in self.templates.items() if k in ("request", "response")}
        sources = {f"request {m}": s for m, s in self.integration.request_templates.items()}
        for number, response in enumerate(self.integration.responses):
            sources.update((f"response {number} {m}", s)
                           for m, s in response.response_templates.items())
        return sources

    def _compile_all(self) -> None:
        """Compile every template first: a syntax error is shown wherever it is, and the
        render time excludes the compile (as `vtl render --verbose` reports them)."""
        started = time.perf_counter()
        for template_id, source in self._sources().items():
            try:
                compiled_template(source, self.dialect)
            except VtlError as e:
                entry = self._entry(template_id)
                entry["syntax_error"] = _error_data(e, template_id)
                if self.result["error"] is None and self._used(template_id):
                    self.result["error"] = entry["syntax_error"]
        self.result["timing"]["compile_ms"] = _ms(time.perf_counter() - started)

    def _used(self, template_id: str) -> bool:
        """Whether this request runs that template (a route's other media types do not)."""
        if self.route is None:
            return template_id == "request" or bool(self.templates.get("response"))
        return True   # the route's flow decides: its error, if any, is reported by the flow

    def _entry(self, template_id: str) -> dict[str, Any]:
        return self.result["templates"].setdefault(template_id, {})

    # -- a template of its own -------------------------------------------------------------------

    def _template_flow(self, coverage: bool) -> None:
        form = self.form
        source = self.templates.get("request", "")
        started = time.perf_counter()
        result = render_mapping_template(source, body=form.body, params=form.params,
                                         context=form.full_context,
                                         stage_variables=form.stage_variables,
                                         dialect=self.dialect, coverage=coverage)
        if coverage:
            return self._template_response(result, coverage)
        self.result["timing"]["request_ms"] = _ms(time.perf_counter() - started)
        self.result["request_side"] = _request_side(result.body, "request", result)
        self._log([("Method request path", form.path),
                   ("Method request query string", form.query),
                   ("Method request headers", form.headers),
                   ("Stage variables", form.stage_variables),
                   ("Method request body before transformations", form.body),
                   ("Request template", "the request template"),
                   ("Endpoint request headers", result.header_overrides),
                   ("Endpoint request query string", result.querystring_overrides),
                   ("Endpoint request path", result.path_overrides),
                   ("Endpoint request body after transformations", result.body)])
        self._template_response(result, coverage)

    def _template_response(self, request_result: MappingResult, coverage: bool) -> None:
        """The response template (if any) over the backend's answer, as the default
        integration response of an HTTP integration runs it."""
        source = self.templates.get("response", "")
        templates = {"application/json": source} if source else {}
        integration = Integration(type="HTTP", responses=[IntegrationResponse(
            "200", None, templates)], dialect=self.dialect, coverage=coverage)
        request = self.form.method_request()
        sent = IntegrationRequest(request_result.body, {}, {}, {}, request_result.context)
        self._response_side(integration, request, sent, read_backend(self.backend_form),
                            "response" if source else None, coverage)

    # -- a route of the API definition -----------------------------------------------------------

    def _route_flow(self, coverage: bool) -> None:
        integration = dataclasses.replace(self.integration, coverage=coverage)
        request = self.form.method_request(self.api.stage_variables)
        started = time.perf_counter()
        sent = integration.integration_request(request)
        if coverage:
            if isinstance(sent, IntegrationRequest):
                backend = self._route_backend(integration, sent)
                integration.integration_response(backend, request, sent)
            return
        self.result["timing"]["request_ms"] = _ms(time.perf_counter() - started)
        self._log([("Method request path", request.path),
                   ("Method request query string", request.querystring),
                   ("Method request headers", request.headers),
                   ("Stage variables", request.stage_variables),
                   ("Method request body before transformations", request.body)])
        if isinstance(sent, MethodResponse):
            return self._gateway_answer(sent, "request")
        template_id = None if sent.template_media_type is None else \
            f"request {sent.template_media_type}"
        overrides = MappingResult("", sent.context)
        self.result["request_side"] = {
            **_request_side(sent.body, template_id, overrides),
            "headers": sent.headers, "querystring": sent.querystring, "path": sent.path}
        self._log([("Request template", sent.template_media_type or "none: the body passes "
                                                                    "through"),
                   ("Endpoint request URI", self.integration.uri or "none"),
                   ("Endpoint request headers", sent.headers),
                   ("Endpoint request query string", sent.querystring),
                   ("Endpoint request path", sent.path),
                   ("Endpoint request body after transformations", sent.body)])
        backend = self._route_backend(integration, sent)
        chosen = integration.select_response(backend)
        number = None if chosen is None else integration.responses.index(chosen)
        accepted = _accepted_template(chosen, request)
        self._response_side(integration, request, sent, backend,
                            None if accepted is None else f"response {number} {accepted}",
                            coverage)

    def _route_backend(self, integration: Integration, sent: IntegrationRequest
                       ) -> BackendResponse:
        """A MOCK integration answers by itself; any other answers what the form says."""
        if integration.type == "MOCK":
            return mock_backend_response(sent)
        return read_backend(self.backend_form)

    # -- the response side, both modes -----------------------------------------------------------

    def _response_side(self, integration: Integration, request: MethodRequest,
                       sent: IntegrationRequest, backend: BackendResponse,
                       template_id: str | None, coverage: bool) -> None:
        chosen = integration.select_response(backend)
        started = time.perf_counter()
        answer = integration.integration_response(backend, request, sent)
        if coverage:
            return
        self.result["timing"]["response_ms"] = _ms(time.perf_counter() - started)
        self._log([("Endpoint response status", backend.status_code),
                   ("Endpoint response headers", backend.headers),
                   ("Endpoint response body before transformations", backend.body),
                   ("Integration response", "none matches" if chosen is None else
                    f"{chosen.status_code} (selection pattern "
                    f"{chosen.selection_pattern or 'default'})")])
        if answer.error is not None or chosen is None:
            return self._gateway_answer(answer, "response")
        self.result["response"] = {"status": answer.status_code, "headers": answer.headers,
                                   "body": _text(answer.body), "template": template_id}
        self._log([("Method response body after transformations", answer.body),
                   ("Method response headers", answer.headers),
                   ("Method completed with status", answer.status_code)])

    def _gateway_answer(self, answer: MethodResponse, side: str) -> None:
        """API Gateway answered by itself: 415, or 500 when a template failed."""
        self.result["gateway"] = {"status": answer.status_code, "body": _text(answer.body),
                                  "side": side}
        self._log([("Method completed with status", answer.status_code),
                   ("Method response body", answer.body)])
        if isinstance(answer.error, VtlError):
            raise answer.error

    # -- what the page shows beside the render ---------------------------------------------------

    def _extras(self) -> None:
        sources = self._sources()
        for template_id, source in sources.items():
            entry = self._entry(template_id)
            if "syntax_error" in entry:
                continue
            if "lint" in self.extras:
                entry["lint"] = _lint(source, self.dialect)
            if "python" in self.extras:
                entry["python"] = compiled_template(source, self.dialect).python_source
        if "coverage" in self.extras and self.result["error"] is None:
            self._coverage(sources)

    def _coverage(self, sources: dict[str, str]) -> None:
        """Line coverage of this render alone: the flow again, with coverage on."""
        measured = {}
        for template_id, source in sources.items():
            template = compiled_template(source, self.dialect, coverage=True)
            points, hits = template.coverage
            hits.clear()
            measured[template_id] = TemplateCoverage(template_id, source, points, hits)
        flow: Callable[..., None] = self._route_flow if self.route is not None \
            else self._template_flow
        try:
            flow(coverage=True)
        except VtlError:
            return
        for template_id, measure in measured.items():
            marks = measure.line_marks()
            self._entry(template_id)["coverage"] = {
                "lines": {str(line): mark for line, mark in marks.items()},
                "notes": {str(line): notes for line, notes in measure.line_notes().items()},
                "percent": round(measure.percent, 1)}

    def _log(self, lines: list[tuple[str, Any]]) -> None:
        self.result["log"] += [[label, _shown(value)] for label, value in lines]

    def _error(self, error: VtlError) -> dict[str, Any]:
        return _error_data(error, self._template_of(error))

    def _template_of(self, error: VtlError) -> str | None:
        """The template whose line the error shows."""
        if not error.line or not error.snippet:
            return None
        shown = error.snippet.split("\n", 1)[0]
        for template_id, source in self._sources().items():
            lines = source.splitlines()
            if error.line <= len(lines) and lines[error.line - 1].expandtabs(1) == shown:
                return template_id
        return None


@lru_cache(maxsize=4)
def _definition(path: str, modified: float) -> ApiDefinition:
    return load_definition(path)


def definition(path: str) -> ApiDefinition:
    """The API definition at `path`, read again when the file changes."""
    return _definition(path, Path(path).stat().st_mtime)


def _accepted_template(chosen: IntegrationResponse | None, request: MethodRequest) -> str | None:
    """The media type of the response template API Gateway runs: the one the Accept header
    names, else the first."""
    if chosen is None or not chosen.response_templates:
        return None
    accept = next((str(v) for k, v in request.headers.items() if k.lower() == "accept"), "")
    wanted = accept.split(",", 1)[0].split(";", 1)[0].strip().lower() or "application/json"
    return next((m for m in chosen.response_templates if m.lower() == wanted),
                next(iter(chosen.response_templates)))


def _request_side(body: str | bytes, template_id: str | None,
                  result: MappingResult) -> dict[str, Any]:
    return {"body": _text(body), "template": template_id,
            "headers": result.header_overrides, "querystring": result.querystring_overrides,
            "path": result.path_overrides, "status_override": result.status_override,
            "response_headers": result.response_header_overrides}


def _lint(source: str, dialect: str) -> list[dict[str, Any]]:
    try:
        found = lint(source, dialect=dialect)
    except VtlSyntaxError:
        return []   # reported as the template's syntax error
    except VtlError as e:   # W103's sample render hit a limit: say so, as a warning
        return [{"code": "W103", "line": e.line or 1, "column": e.column or 1,
                 "message": f"the sample render failed: {e.message}"}]
    return [{"code": w.code, "line": w.line, "column": w.column, "message": w.message}
            for w in found]


def _error_data(error: VtlError, template_id: str | None) -> dict[str, Any]:
    data = {"message": error.message, "line": error.line, "column": error.column,
            "snippet": error.snippet, "template": template_id, "kind": type(error).__name__}
    if isinstance(error, VtlLimitError):
        data["limit"] = error.limit
    return data


def _shown(value: Any) -> str:
    """A value as the console's Test page prints it: maps as {k=v}."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={v}" for k, v in value.items()) + "}"
    return _text(value) if isinstance(value, (str, bytes)) else str(value)


def _text(body: str | bytes) -> str:
    return body if isinstance(body, str) else body.decode("utf-8", "replace")


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


