"""What a worker process does for the page: one render of the templates for the form's request,
and what the page shows beside it (lint warnings, the generated Python, line coverage), as plain
data that travels back to the server.

A job names its templates by id: "request" and "response" for a template of its own, and, for a
route of an API definition, "request <media type>" and "response <n> <media type>" (n counts
the integration's responses, in the definition's order) for the route's templates, as the page
edited them.

Both go through the library's route flow (`apigateway.invoke`), which writes the execution
log as TestInvokeMethod does. Without a route, the page's request template is the only request
template of an HTTP integration (so it runs whatever the Content-Type) and its response
template, if any, the default integration response's: the request side renders exactly what
`vtl render` renders for the same request (tests/playground/test_jobs.py compares the bytes).
"""
from __future__ import annotations

import dataclasses
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..apigateway import Integration, IntegrationRequest, IntegrationResponse, MethodResponse
from ..apigateway.integration import header_media_type
from ..apigateway.definitions import ApiDefinition, load_definition, split_route
from ..apigateway.invoke import Invocation, invoke
from ..apigateway.mapping import compiled_template
from ..apigateway.utf8 import payload_text
from ..core.dialect import DIALECTS
from ..core.errors import VtlError, VtlLimitError, VtlSyntaxError
from ..testing.coverage import TemplateCoverage
from ..tools.lint import lint
from .form import FormError, read_backend, read_request

#: the URI of the HTTP integration a template of its own runs in (the log names it)
PLACEHOLDER_BACKEND = "http://backend.invalid"
#: what the page's own templates (no route) are named after (Integration.name)
OWN_TEMPLATES = "playground"
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
                                       "error": None, "log": "", "timing": {}, "templates": {}}

    def run(self) -> dict[str, Any]:
        started = time.perf_counter()
        self._compile_all()
        if self.result["error"] is None:
            try:
                self._render()
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

    def _sources(self) -> dict[str, tuple[str | None, str]]:
        """Every template of this render, by id: the name the flow compiles it under
        (Integration.template_name: what its coverage and errors are kept by) and its text."""
        if self.route is None:
            own = self._template_integration()
            sources = {"request": (own.template_name(next(iter(own.request_templates))),
                                   self.templates.get("request", ""))}
            if self.templates.get("response"):
                response = own.responses[0]
                sources["response"] = (own.template_name("application/json", response),
                                       self.templates["response"])
            return sources
        integration = self.integration
        sources = {f"request {m}": (integration.template_name(m), s)
                   for m, s in integration.request_templates.items()}
        for number, response in enumerate(integration.responses):
            sources.update((f"response {number} {m}", (integration.template_name(m, response), s))
                           for m, s in response.response_templates.items())
        return sources

    def _compile_all(self) -> None:
        """Compile every template first: a syntax error is shown wherever it is, and the
        render time excludes the compile (as `vtl render --verbose` reports them)."""
        started = time.perf_counter()
        for template_id, (name, source) in self._sources().items():
            try:
                compiled_template(source, self.dialect, name=name)
            except VtlError as e:
                entry = self._entry(template_id)
                entry["syntax_error"] = _error_data(e, template_id)
                if self.result["error"] is None and self._used(template_id):
                    self.result["error"] = entry["syntax_error"]
        self.result["timing"]["compile_ms"] = _ms(time.perf_counter() - started)

    def _used(self, template_id: str) -> bool:
        """Whether a syntax error in that template stops the render before it starts: a
        template of its own, yes; a route's template only if the request chooses it (the
        route's flow then raises it)."""
        return self.route is None and (template_id == "request" or
                                       bool(self.templates.get("response")))

    def _entry(self, template_id: str) -> dict[str, Any]:
        return self.result["templates"].setdefault(template_id, {})

    # -- the flow: API Gateway's, through invoke ------------------------------------------------

    def _flow(self, coverage: bool) -> Invocation:
        """The request through the route (or, for a template of its own, an HTTP integration
        whose only templates are the page's), as `vtl render --api` runs it."""
        if self.route is not None:
            integration, route = self.integration, self.route
            request = self.form.method_request(self.api.stage_variables)
            backend = None if integration.type == "MOCK" else read_backend(self.backend_form)
        else:
            integration, route = self._template_integration(), \
                f"{self.form.method} {self.form.resource_path}"
            request = self.form.method_request()
            backend = read_backend(self.backend_form)
        integration = dataclasses.replace(integration, coverage=coverage)
        return invoke(integration, request, route=route, backend=backend)

    def _template_integration(self) -> Integration:
        """The page's request template, run whatever the request's Content-Type, and its
        response template (if any) as the default integration response's."""
        response = self.templates.get("response", "")
        return Integration(
            type="HTTP", uri=PLACEHOLDER_BACKEND,
            request_templates={header_media_type(self.form.headers, "Content-Type"):
                               self.templates.get("request", "")},
            responses=[IntegrationResponse("200", None,
                                           {"application/json": response} if response else {})],
            dialect=self.dialect, name=OWN_TEMPLATES)

    def _render(self) -> None:
        started = time.perf_counter()
        done = self._flow(coverage=False)
        self.result["timing"]["render_ms"] = _ms(time.perf_counter() - started)
        self.result["log"] = done.log
        sent = done.integration_request
        if sent is not None:
            overrides = done.overrides
            self.result["request_side"] = {
                "body": payload_text(sent.body), "headers": sent.headers,
                "querystring": sent.querystring, "path": sent.path,
                "template": self._request_template_id(sent),
                "status_override": overrides.status_override,
                "response_headers": overrides.response_header_overrides}
        answer = done.response
        if answer is None:
            return
        if done.failed:
            self.result["gateway"] = {"status": answer.status_code,
                                      "body": payload_text(answer.body),
                                      "reason": _gateway_reason(answer)}
            if isinstance(answer.error, VtlError):
                raise answer.error
            return
        self.result["response"] = {"status": answer.status_code, "headers": answer.headers,
                                   "body": payload_text(answer.body),
                                   "template": self._response_template_id(done)}

    def _request_template_id(self, sent: IntegrationRequest) -> str | None:
        if sent.template_media_type is None:
            return None
        return "request" if self.route is None else f"request {sent.template_media_type}"

    def _response_template_id(self, done: Invocation) -> str | None:
        chosen = done.integration_response
        if chosen is None or not chosen.response_templates:
            return None
        if self.route is None:
            return "response"
        return (f"response {self.integration.responses.index(chosen)} "
                f"{done.response.template_media_type}")

    # -- what the page shows beside the render ---------------------------------------------------

    def _extras(self) -> None:
        sources = self._sources()
        # lint renders a sample request: not again for a template that ran out of time
        timed_out = (self.result["error"] or {}).get("limit") == "max_render_seconds"
        for template_id, (name, source) in sources.items():
            entry = self._entry(template_id)
            if "syntax_error" in entry:
                continue
            if "lint" in self.extras and not timed_out:
                entry["lint"] = _lint(source, self.dialect)
            if "python" in self.extras:
                entry["python"] = compiled_template(source, self.dialect,
                                                    name=name).python_source
        if "coverage" in self.extras and self.result["error"] is None:
            self._coverage(sources)

    def _coverage(self, sources: dict[str, tuple[str | None, str]]) -> None:
        """Line coverage of this render alone: the flow again, with coverage on."""
        measured = {}
        for template_id, (name, source) in sources.items():
            template = compiled_template(source, self.dialect, coverage=True, name=name)
            points, hits = template.coverage
            hits.clear()
            measured[template_id] = TemplateCoverage(template_id, source, points, hits)
        try:
            self._flow(coverage=True)
        except VtlError:
            return
        for template_id, measure in measured.items():
            marks = measure.line_marks()
            self._entry(template_id)["coverage"] = {
                "lines": {str(line): mark for line, mark in marks.items()},
                "notes": {str(line): notes for line, notes in measure.line_notes().items()},
                "percent": round(measure.percent, 1)}

    def _error(self, error: VtlError) -> dict[str, Any]:
        return _error_data(error, self._template_of(error))

    def _template_of(self, error: VtlError) -> str | None:
        """The template the error is in, by the name it was compiled under."""
        return next((template_id for template_id, (name, _) in self._sources().items()
                     if name == error.template_name), None)


@lru_cache(maxsize=4)
def _definition(path: str, modified: float) -> ApiDefinition:
    return load_definition(path)


def definition(path: str) -> ApiDefinition:
    """The API definition at `path`, read again when the file changes."""
    return _definition(path, Path(path).stat().st_mtime)


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


def _gateway_reason(answer: MethodResponse) -> str:
    """Why API Gateway answered by itself, in words."""
    if answer.error is not None:
        return str(answer.error).split("\n", 1)[0]
    return {415: "no request template for this Content-Type, and the passthrough behaviour "
                 "refuses it",
            500: "no integration response matches, or the body cannot be converted"
            }.get(answer.status_code, "")


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)
