"""Running test cases: render what a case names, compare with what it expects, report.

`render_case` gives an Outcome (what came out of the template or the API route);
`compare` lists what differs from the case's Expectation, with unified diffs; `run_cases`
does both for many files and tells a Reporter as it goes.
"""
from __future__ import annotations

import dataclasses
import difflib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson

from ..apigateway import (
    BackendResponse,
    Integration,
    MappingResult,
    MethodRequest,
    MethodResponse,
    render_mapping_template,
)
from ..apigateway.definitions import ApiDefinition, DefinitionError, load_definition, split_route
from ..apigateway.invoke import invoke
from ..apigateway.utf8 import payload_text
from ..core.errors import VtlError
from ..userfiles import read_user_text
from .cases import NOT_GIVEN, Case, CaseFileError, Expectation, RequestSpec, load_case_file


@dataclass
class Outcome:
    """What rendering produced, in the terms an Expectation uses."""

    body: str = ""
    #: the status set (responseOverride.status), given by API Gateway itself (415, 500), or sent
    status: int | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    request_override: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: why rendering failed, when it did
    error: str | None = None
    #: the template's error itself (with its line, column and caret snippet), when it failed
    exception: VtlError | None = field(default=None, repr=False, compare=False)

    def json(self) -> Any:
        """The body, parsed as JSON (orjson.JSONDecodeError when it is not JSON)."""
        return orjson.loads(self.body)


@dataclass
class CaseResult:
    case: Case
    failures: list[str]
    seconds: float
    #: what the case rendered (None when it could not run: a file it names cannot be read)
    outcome: Outcome | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


# -- rendering ----------------------------------------------------------------------------------

def render_template_file(path: Path, request: RequestSpec, dialect: str = "aws",
                         coverage: bool = False) -> Outcome:
    """Render the request template in `path` for `request`. A template error is an Outcome
    with `error` set; a file that cannot be read is a CaseFileError."""
    source = read_user_text(path, CaseFileError)
    try:
        result = render_mapping_template(
            source, body=request.body,
            params={"path": request.path, "querystring": request.query,
                    "header": request.headers},
            context=request.context, stage_variables=request.stage_variables,
            dialect=dialect, coverage=coverage, name=str(path))
    except VtlError as e:
        return Outcome(error=_located(path, e), exception=e)
    return mapping_outcome(result)


#: `$context.requestOverride` and `responseOverride` as a render that set none leaves them
_NO_REQUEST_OVERRIDE = {"path": {}, "header": {}, "querystring": {}}
_NO_RESPONSE_OVERRIDE = {"header": {}}


def mapping_outcome(result: MappingResult) -> Outcome:
    """A template's result in an Expectation's terms: the body, the response overrides'
    status and headers, and the request overrides."""
    context = result.context
    if context.get("requestOverride") == _NO_REQUEST_OVERRIDE and \
            context.get("responseOverride") == _NO_RESPONSE_OVERRIDE:   # most renders (batch)
        return Outcome(body=result.body, request_override={"header": {}, "querystring": {},
                                                           "path": {}})
    return Outcome(body=result.body, status=result.status_override,
                   headers=result.response_header_overrides,
                   request_override={"header": result.header_overrides,
                                     "querystring": result.querystring_overrides,
                                     "path": result.path_overrides})


def render_route(integration: Integration, route: str, side: str, request: RequestSpec,
                 backend: BackendResponse | None = None) -> Outcome:
    """Run `request` on `route` ("POST /orders/{id}") through `integration`, as API Gateway
    does (apigateway.invoke): what the backend receives, or, when `side` is "response", what the
    client receives. Without `backend`, a MOCK integration answers as API Gateway's mock does
    and any other answers 200 with no body."""
    method_request = MethodRequest(body=request.body, headers=dict(request.headers),
                                   querystring=dict(request.query), path=dict(request.path),
                                   context=request.context,
                                   stage_variables=dict(request.stage_variables))
    if side == "response" and backend is None and integration.type != "MOCK":
        backend = BackendResponse()
    try:
        done = invoke(integration, method_request, route=route,
                      backend=backend if side == "response" else None)
    except VtlError as e:
        return Outcome(error=str(e), exception=e)
    sent = done.integration_request
    if sent is None:   # API Gateway answered by itself before any backend
        return _response_outcome(done.response)
    if side == "request":
        overrides = done.overrides
        return Outcome(body=payload_text(sent.body), status=overrides.status_override,
                       headers=overrides.response_header_overrides,
                       request_override={"header": sent.headers, "querystring": sent.querystring,
                                         "path": sent.path})
    return _response_outcome(done.response)


def _response_outcome(response: MethodResponse) -> Outcome:
    failed = response.error
    return Outcome(body=payload_text(response.body), status=response.status_code,
                   headers=dict(response.headers), error=None if failed is None else str(failed),
                   exception=failed if isinstance(failed, VtlError) else None)


def render_case(case: Case, definitions: ApiDefinitions, coverage: bool = False) -> Outcome:
    """What `case`'s template or route produces for its request."""
    if case.template is not None:
        return render_template_file(case.template, case.request, case.dialect, coverage)
    integration, request = definitions.route(case.api, case.route, case.request)
    integration = dataclasses.replace(integration, dialect=case.dialect, coverage=coverage)
    backend = None if case.backend is None else case.backend.response()
    return render_route(integration, route_of(case.route), case.side, request, backend)


def route_of(route: str) -> str:
    """A route as a request names it, "POST /orders/{id}" (a case may write "post /orders/")."""
    method, path = split_route(route)
    return f"{method} {path}"


def _located(path: Path, error: VtlError) -> str:
    """A template error as `file:line:column: message`, with its caret snippet."""
    where = f"{path}:{error.line}:{error.column}" if error.line else str(path)
    return f"{where}: {error.message}" + (f"\n{error.snippet}" if error.snippet else "")


# -- comparing ----------------------------------------------------------------------------------

def compare(expect: Expectation, outcome: Outcome) -> list[str]:
    """What differs between `expect` and `outcome`, one message each (diffs included)."""
    if expect.error is not None:
        if outcome.error is None:
            return [f"expected an error containing {expect.error!r}, but rendering succeeded"]
        if expect.error not in outcome.error:
            return [f"expected an error containing {expect.error!r}, got:\n{outcome.error}"]
        return []
    if outcome.error is not None:
        failures = [f"rendering failed: {outcome.error}"]
        if outcome.status is None:
            return failures
    else:
        failures = []
    if expect.body is not None and expect.body != outcome.body:
        failures.append("body differs (- expected, + actual):\n"
                        + text_diff(expect.body, outcome.body))
    if expect.json is not NOT_GIVEN:
        failures.extend(json_mismatch(expect.json, outcome.body))
    if expect.status is not NOT_GIVEN and expect.status != outcome.status:
        failures.append(f"status: expected {_status(expect.status)}, got {_status(outcome.status)}")
    failures.extend(map_mismatches("headers", expect.headers, outcome.headers,
                                    case_insensitive=True))
    for kind, expected in expect.request_override.items():
        failures.extend(map_mismatches(f"request_override.{kind}", expected,
                                        outcome.request_override.get(kind, {}),
                                        case_insensitive=kind == "header"))
    return failures


def json_mismatch(expected: Any, body: str) -> list[str]:
    """[] when `body` is JSON equal to `expected`, else a message with a diff of both,
    pretty-printed with sorted keys (numbers compare by value, true is not 1)."""
    try:
        actual = orjson.loads(body)
    except orjson.JSONDecodeError as e:
        return [f"body is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg}); "
                f"diff against the expected JSON (- expected, + actual):\n"
                + text_diff(pretty_json(expected), body)]
    if same_json(expected, actual):
        return []
    return ["JSON body differs (- expected, + actual):\n"
            + text_diff(pretty_json(expected), pretty_json(actual))]


def same_json(a: Any, b: Any) -> bool:
    """JSON equality: 1 equals 1.0, but true is not 1, and order matters only in lists."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def pretty_json(value: Any) -> str:
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
                            | orjson.OPT_NON_STR_KEYS).decode() + "\n"
    except TypeError:
        return repr(value) + "\n"


def text_diff(expected: str, actual: str) -> str:
    """A unified diff of two texts; a missing final newline and trailing blanks are shown."""
    diff = difflib.unified_diff(_diff_lines(expected), _diff_lines(actual),
                                "expected", "actual", lineterm="")
    return "\n".join(diff)


def _diff_lines(text: str) -> list[str]:
    lines = text.split("\n")
    shown = [line + "⏎" if line != line.rstrip() else line for line in lines[:-1]]
    last = lines[-1]
    if last:
        shown.append(last + "  (no newline at end)")
    return shown or [""]


def map_mismatches(what: str, expected: dict[str, Any], actual: dict[str, Any],
                    case_insensitive: bool) -> list[str]:
    """Only the keys `expected` lists are compared; None means "absent"."""
    got = listed_values(expected, actual, case_insensitive)
    return [f"{what}[{key!r}]: expected {_shown(want)}, got {_shown(got[key])}"
            for key, want in expected.items() if want != got[key]]


def listed_values(expected: dict[str, Any], actual: dict[str, Any],
                  case_insensitive: bool) -> dict[str, str | None]:
    """The names `expected` lists, with their values in `actual` as text (None: absent);
    header names are found in any case."""
    found = {str(k).lower(): v for k, v in actual.items()} if case_insensitive else actual
    values = {}
    for name in expected:
        value = found.get(name.lower() if case_insensitive else name)
        values[name] = None if value is None else str(value)
    return values


def _shown(value: str | None) -> str:
    return "absent" if value is None else repr(value)


def _status(status: int | None) -> str:
    return "none set" if status is None else str(status)


# -- running ------------------------------------------------------------------------------------

class Reporter(Protocol):
    def file_started(self, path: Path, count: int) -> None: ...
    def case_done(self, result: CaseResult) -> None: ...
    def file_done(self, path: Path) -> None: ...
    def file_failed(self, path: Path, error: str) -> None: ...


@dataclass
class RunSummary:
    results: list[CaseResult] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: cases left out by the selection (`vtl test -k`)
    deselected: int = 0

    @property
    def failed(self) -> list[CaseResult]:
        return [r for r in self.results if not r.passed]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.failed and bool(self.results)


def run_cases(files: list[Path], reporter: Reporter, definitions: ApiDefinitions,
              coverage: bool = False, selected: Callable[[Case], bool] | None = None,
              exitfirst: bool = False) -> RunSummary:
    """Run every case in `files` that `selected` keeps; a file that cannot be read, or whose
    template or API definition cannot be, is reported and counted, and the others still run.
    With `exitfirst`, the run stops at the first failure or file error."""
    summary = RunSummary()
    started = time.perf_counter()
    for path in files:
        try:
            cases = load_case_file(path)
        except CaseFileError as e:
            summary.file_errors.append(str(e))
            reporter.file_failed(path, str(e))
            if exitfirst:
                break
            continue
        kept = [case for case in cases if selected is None or selected(case)]
        summary.deselected += len(cases) - len(kept)
        if not kept:
            continue
        reporter.file_started(path, len(kept))
        for case in kept:
            result = run_case(case, definitions, coverage)
            summary.results.append(result)
            reporter.case_done(result)
            if exitfirst and not result.passed:
                break
        reporter.file_done(path)
        if exitfirst and summary.failed:
            break
    summary.seconds = time.perf_counter() - started
    return summary


def run_case(case: Case, definitions: ApiDefinitions, coverage: bool = False) -> CaseResult:
    started = time.perf_counter()
    try:
        outcome = render_case(case, definitions, coverage)
    except CaseFileError as e:
        return CaseResult(case, [str(e)], time.perf_counter() - started)
    return CaseResult(case, compare(case.expect, outcome), time.perf_counter() - started,
                      outcome)


class ApiDefinitions:
    """Reads each API definition once per run and finds routes in it; its errors are
    CaseFileErrors."""

    def __init__(self) -> None:
        self._loaded: dict[Path, ApiDefinition] = {}

    def definition(self, api: Path) -> ApiDefinition:
        if api not in self._loaded:
            try:
                self._loaded[api] = load_definition(api)
            except DefinitionError as e:   # its message names the file
                raise CaseFileError(str(e)) from None
        return self._loaded[api]

    def route(self, api: Path, route: str, request: RequestSpec
              ) -> tuple[Integration, RequestSpec]:
        """The integration of `route`, and `request` with the stage variables the definition
        gives its stage (SAM, CloudFormation) under the request's own."""
        definition = self.definition(api)
        try:
            integration = definition.integration(route)
        except DefinitionError as e:
            raise CaseFileError(str(e)) from None
        stage_variables = {**definition.stage_variables, **request.stage_variables}
        return integration, dataclasses.replace(request, stage_variables=stage_variables)
