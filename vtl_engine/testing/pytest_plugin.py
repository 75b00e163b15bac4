"""The pytest plugin (entry point `pytest11`, loaded when vtl_engine is installed).

- `vtl` fixture: render a template file or a route of an API definition in one line, compare
  JSON with a readable diff, and snapshot outputs::

      def test_order(vtl):
          out = vtl.render("order.vtl", body={"items": []}, query={"express": "true"})
          vtl.assert_json(out, {"express": True, "items": []})
          vtl.snapshot(out)                     # --vtl-update-snapshots writes it

- `vtl_moto` fixture: moto's REST API stages answer as API Gateway does for the test's length
  (`vtl_engine.integrations.moto`; needs the `moto` extra).

- `*.vtltest.yaml` / `.yml` / `.json` case files (the `vtl test` format) are collected as
  tests, one per case.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from .cases import (
    BackendSpec,
    Case,
    CaseFileError,
    RequestSpec,
    is_case_file,
    load_case_file,
)
from .runner import (
    ApiDefinitions,
    Outcome,
    json_mismatch,
    pretty_json,
    render_route,
    route_of,
    render_template_file,
    run_case,
    text_diff,
)

_DEFINITIONS = pytest.StashKey[ApiDefinitions]()
_SNAPSHOTS_WRITTEN = pytest.StashKey[list]()
SNAPSHOT_DIRECTORY = "__vtl_snapshots__"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("vtl", "VTL mapping templates (vtl_engine)")
    group.addoption("--vtl-update-snapshots", action="store_true", default=False,
                    help="write the outputs vtl.snapshot() is given as the expected ones")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_DEFINITIONS] = ApiDefinitions()
    config.stash[_SNAPSHOTS_WRITTEN] = []


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    written = config.stash.get(_SNAPSHOTS_WRITTEN, [])
    if written:
        terminalreporter.write_line(f"vtl: {len(written)} snapshot(s) written")


# -- assertions ---------------------------------------------------------------------------------

def assert_json_equal(actual: Outcome | str | Any, expected: Any) -> None:
    """Assert that `actual` (an Outcome, JSON text, or a parsed value) is JSON equal to
    `expected`; the failure shows a unified diff of both, pretty-printed with sorted keys."""
    __tracebackhide__ = True
    body = _body(actual) if isinstance(actual, (Outcome, str)) else pretty_json(actual)
    failures = json_mismatch(expected, body)
    if failures:
        raise AssertionError(failures[0])


def assert_body_equal(actual: Outcome | str, expected: str) -> None:
    """Assert that the output is exactly `expected`; the failure shows a unified diff."""
    __tracebackhide__ = True
    body = _body(actual)
    if body != expected:
        raise AssertionError("body differs (- expected, + actual):\n" + text_diff(expected, body))


def _body(actual: Outcome | str) -> str:
    __tracebackhide__ = True
    if isinstance(actual, Outcome):
        if actual.error is not None:
            raise AssertionError(f"rendering failed: {actual.error}")
        return actual.body
    return actual


# -- the fixture --------------------------------------------------------------------------------

class Vtl:
    """Renders templates for one test; paths are relative to the test file's directory."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request
        self.base = Path(request.path).parent
        self._definitions = request.config.stash[_DEFINITIONS]
        self._snapshots = 0

    def render(self, template: str | Path, *, body: Any = "", headers: dict | None = None,
               query: dict | None = None, path: dict | None = None,
               stage_variables: dict | None = None, context: dict | None = None,
               dialect: str = "aws", expect_error: bool = False) -> Outcome:
        """Render the request template in file `template` for a request. `body` may be text
        or a value to send as JSON. A template that fails raises its VtlError; with
        `expect_error=True` the render must fail, and its Outcome (`error` set) is returned."""
        __tracebackhide__ = True
        request = _request(body, headers, query, path, stage_variables, context)
        try:
            outcome = render_template_file(self.base / template, request, dialect)
        except CaseFileError as e:   # the template file cannot be read
            pytest.fail(str(e), pytrace=False)
        return _as_expected(outcome, expect_error)

    def route(self, api: str | Path, route: str, *, side: str = "request", body: Any = "",
              headers: dict | None = None, query: dict | None = None, path: dict | None = None,
              stage_variables: dict | None = None, context: dict | None = None,
              backend: dict | None = None, expect_error: bool = False) -> Outcome:
        """Run `route` ("POST /orders") of the API definition in file `api`: its request side
        (what the backend receives), or with side="response" both sides, the backend answering
        `backend` ({"status", "body", "headers", "error_message"}) — what the client receives.
        A template that fails raises its VtlError (API Gateway would answer 500); with
        `expect_error=True` it must fail, and the Outcome (status 500, `error` set) is returned."""
        __tracebackhide__ = True
        if side not in ("request", "response"):
            raise ValueError(f"side is 'request' or 'response', not {side!r}")
        request = _request(body, headers, query, path, stage_variables, context)
        try:
            integration, request = self._definitions.route(self.base / api, route, request)
        except CaseFileError as e:
            pytest.fail(str(e), pytrace=False)
        answer = None
        if backend is not None:
            spec = BackendSpec(**{k: _as_body(v) if k == "body" else v
                                  for k, v in backend.items()})
            answer = spec.response()
        return _as_expected(render_route(integration, route_of(route), side, request, answer),
                            expect_error)

    assert_json = staticmethod(assert_json_equal)
    assert_body = staticmethod(assert_body_equal)

    def snapshot(self, actual: Outcome | str, name: str | None = None) -> None:
        """Compare the output with the snapshot stored for this test (JSON as JSON, other
        text exactly). `pytest --vtl-update-snapshots` writes it instead."""
        __tracebackhide__ = True
        body = _body(actual)
        self._snapshots += 1
        stem = _file_name(self._request.node.name)
        stem += f"-{_file_name(name)}" if name else (
            f"-{self._snapshots}" if self._snapshots > 1 else "")
        directory = self.base / SNAPSHOT_DIRECTORY / Path(self._request.path).stem
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            parsed, file = None, directory / f"{stem}.txt"
        else:
            file = directory / f"{stem}.json"
        config = self._request.config
        if config.getoption("vtl_update_snapshots"):
            directory.mkdir(parents=True, exist_ok=True)
            file.write_text(body if file.suffix == ".txt" else pretty_json(parsed),
                            encoding="utf-8")
            config.stash[_SNAPSHOTS_WRITTEN].append(file)
            return
        if not file.exists():
            raise AssertionError(f"no snapshot {file}; run pytest --vtl-update-snapshots "
                                 "to write it")
        expected = file.read_text(encoding="utf-8")
        try:
            if file.suffix == ".txt":
                assert_body_equal(body, expected)
            else:
                assert_json_equal(body, orjson.loads(expected))
        except AssertionError as e:
            raise AssertionError(f"snapshot {file} differs: {e}\nIf the new output is right, "
                                 f"run pytest --vtl-update-snapshots to write it") from None


def _as_expected(outcome: Outcome, expect_error: bool) -> Outcome:
    """`outcome` when it is what the test expects; else the template's error raised (a render
    that was to succeed), or a failure (one that was to fail)."""
    __tracebackhide__ = True
    if expect_error:
        if outcome.error is None:
            pytest.fail(f"expected the render to fail (expect_error=True), but it succeeded "
                        f"and output:\n{outcome.body}", pytrace=False)
        return outcome
    if outcome.exception is not None:
        raise outcome.exception.with_traceback(None)   # the test's line, not the engine's
    if outcome.error is not None:
        pytest.fail(f"rendering failed: {outcome.error}", pytrace=False)
    return outcome


def _request(body: Any, headers: dict | None, query: dict | None, path: dict | None,
             stage_variables: dict | None, context: dict | None) -> RequestSpec:
    return RequestSpec(body=_as_body(body), headers=_texts(headers), query=_texts(query),
                       path=_texts(path), stage_variables=_texts(stage_variables),
                       context=context)


def _as_body(body: Any) -> str:
    if body is None:
        return ""
    return body if isinstance(body, str) else orjson.dumps(body).decode()


def _texts(values: dict | None) -> dict[str, str]:
    return {str(k): v if isinstance(v, str) else orjson.dumps(v).decode()
            for k, v in (values or {}).items()}


def _file_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "snapshot"


@pytest.fixture
def vtl(request: pytest.FixtureRequest) -> Vtl:
    """Render mapping templates from files or API definitions, assert, snapshot."""
    return Vtl(request)


@pytest.fixture
def vtl_moto() -> Iterator[None]:
    """moto's deployed REST API stages answered by vtl_engine for this test (docs/moto.md)."""
    from ..integrations.moto import installed  # moto is imported only by tests that ask
    with installed():
        yield


# -- collecting case files ----------------------------------------------------------------------

def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if is_case_file(file_path):
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    """A `vtl test` case file: one test item per case."""

    def collect(self):
        try:
            cases = load_case_file(self.path)
        except CaseFileError as e:
            raise self.CollectError(str(e)) from None
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseFailed(Exception):
    """A case whose outcome differs from what it expects."""


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        result = run_case(self.case, self.config.stash[_DEFINITIONS])
        if not result.passed:
            raise CaseFailed("\n".join(result.failures))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:
        if isinstance(excinfo.value, CaseFailed):
            return f"{self.case.target}: {self.case.name}\n{excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.case.target}: {self.case.name}"
