"""Test case files for mapping templates: the format, finding the files, reading them.

A case file (`NAME.vtltest.yaml`, `.vtltest.yml` or `.vtltest.json`) sits beside the templates
it tests. Its top level names what is tested and holds a list of `cases`; any of `template`,
`api`, `route`, `side`, `dialect` and `request` may also be given per case, overriding the file's:

    template: order.vtl              # relative to this file
    cases:
      - name: an express order
        request: {body: {...}, headers: {...}, query: {...}, path: {...},
                  stage_variables: {...}, context: {...}}
        expect: {json: {...}}        # or body: exact text; status, headers, request_override, error

or, for a route of an API definition, `api: openapi.yaml`, `route: POST /orders`, `side:
request|response` and, for the response side, `backend: {status, body, headers,
error_message}`. docs/testing.md describes every key.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from ..apigateway import BackendResponse
from ..core.errors import shown
from ..core.dialect import DIALECTS
from ..userfiles import read_user_text, yaml_problem

CASE_FILE_SUFFIXES = (".vtltest.yaml", ".vtltest.yml", ".vtltest.json")
SIDES = ("request", "response")
_SKIPPED_DIRECTORIES = {"node_modules", "__pycache__", "site-packages"}

_TARGET_KEYS = {"template", "api", "route", "side", "dialect", "request"}
_FILE_KEYS = _TARGET_KEYS | {"cases"}
_CASE_KEYS = _TARGET_KEYS | {"name", "backend", "expect"}
_REQUEST_KEYS = {"body", "body_file", "headers", "query", "path", "stage_variables", "context"}
_BACKEND_KEYS = {"status", "body", "body_file", "headers", "error_message"}
_EXPECT_KEYS = {"body", "json", "status", "headers", "request_override", "error"}
_OVERRIDE_KEYS = {"header", "querystring", "path"}


class CaseFileError(Exception):
    """A case file that cannot be read or does not follow the format; the message is one line
    that starts with the file's name."""


class _NotGiven:
    """`expect.json` may be JSON null, so "not given" needs its own marker: one object, also
    once pickled (replay sends expectations to worker processes)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()


@dataclass
class RequestSpec:
    """The client's request: what `$input`, `$context` and `$stageVariables` see."""

    body: str | bytes = ""
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    path: dict[str, str] = field(default_factory=dict)
    stage_variables: dict[str, str] = field(default_factory=dict)
    context: dict[str, Any] | None = None


@dataclass
class BackendSpec:
    """What the backend answered, for the response side of an API route."""

    status: int = 200
    body: str | bytes = ""
    headers: dict[str, str] = field(default_factory=dict)
    error_message: str | None = None

    def response(self) -> BackendResponse:
        """The answer as the route flow (apigateway.invoke) takes it."""
        return BackendResponse(status_code=self.status, body=self.body, headers=dict(self.headers),
                               error_message=self.error_message)


@dataclass
class Expectation:
    """What a case expects; only what is given is compared."""

    body: str | None = None
    json: Any = NOT_GIVEN
    status: Any = NOT_GIVEN                       # an int, or None for "no status set"
    headers: dict[str, str | None] = field(default_factory=dict)
    request_override: dict[str, dict[str, str | None]] = field(default_factory=dict)
    error: str | None = None


@dataclass
class Case:
    """One test case: a template file, or a route of an API definition, and a request."""

    name: str
    file: Path
    #: its place in the file's `cases` list (from 0)
    index: int = 0
    template: Path | None = None
    api: Path | None = None
    route: str | None = None
    side: str = "request"
    dialect: str = "aws"
    request: RequestSpec = field(default_factory=RequestSpec)
    backend: BackendSpec | None = None
    expect: Expectation = field(default_factory=Expectation)

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"

    @property
    def target(self) -> str:
        """What the case renders, as a person would name it."""
        if self.template is not None:
            return str(self.template)
        return f"{self.api} {self.route} ({self.side})"


# -- finding case files -------------------------------------------------------------------------

def is_case_file(path: Path) -> bool:
    return path.name.endswith(CASE_FILE_SUFFIXES)


def find_case_files(paths: list[Path]) -> list[Path]:
    """The case files named, and those under the directories named (hidden directories and
    installed packages skipped), in a stable order. A missing path is a CaseFileError."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(_walk(path)))
        else:
            raise CaseFileError(f"{path}: no such file or directory")
    return found


def _walk(root: Path) -> Iterator[Path]:
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories
                             if not d.startswith(".") and d not in _SKIPPED_DIRECTORIES]
        for name in files:
            if name.endswith(CASE_FILE_SUFFIXES):
                yield Path(directory) / name


# -- reading them -------------------------------------------------------------------------------

def load_case_file(path: Path, text: str | None = None) -> list[Case]:
    """The cases in one file (in `text`, when given, as if the file held it: a change checked
    before it is written); a CaseFileError names the file and what is wrong with it."""
    document = _parse(path, read_user_text(path, CaseFileError) if text is None else text)
    where = _Where(path)
    top = where.mapping(document, "the file", _FILE_KEYS)
    entries = top.get("cases")
    if entries is None:
        raise CaseFileError(f"{path}: no 'cases' list")
    if not isinstance(entries, list) or not entries:
        raise CaseFileError(f"{path}: 'cases' must be a non-empty list")
    cases = [_case(where, top, entry, i) for i, entry in enumerate(entries, 1)]
    names = [case.name for case in cases]
    duplicate = next((name for name in names if names.count(name) > 1), None)
    if duplicate is not None:
        raise CaseFileError(f"{path}: two cases are named {duplicate!r}")
    return cases


def _parse(path: Path, text: str) -> Any:
    if path.suffix == ".json":
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as e:
            raise CaseFileError(f"{path}: invalid JSON at line {e.lineno}, column {e.colno}: "
                                f"{e.msg}") from None
    try:
        return yaml.load(text, Loader=CaseLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as e:
        problem, where = yaml_problem(e)
        raise CaseFileError(f"{path}: invalid YAML{where}: {problem}") from None


class CaseLoader(yaml.SafeLoader):
    """YAML 1.2's booleans: only true and false, so `on`, `yes` and `no` (a query parameter, a
    header value) stay text instead of becoming booleans as YAML 1.1 has them."""


_BOOL = "tag:yaml.org,2002:bool"
CaseLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
CaseLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                  list("tTfF"))


class Shapes:
    """Checks the shapes of the values read from a file (a case file's, a replay record's) and
    names the place of what is wrong: `error` makes the exception of a message. Files that
    values name (`body_file`) are relative to `folder`; `words` name the kinds of values in
    the file's own terms (YAML's mapping, JSON's object)."""

    words = {dict: "a mapping", type(None): "nothing"}

    def __init__(self, folder: Path, error: Callable[[str], Exception]) -> None:
        self.folder = folder
        self.error = error

    def fail(self, place: str, problem: str) -> Exception:
        return self.error(f"{place}: {problem}")

    def kind(self, value: Any) -> str:
        return self.words.get(type(value)) or _KINDS.get(type(value), type(value).__name__)

    def mapping(self, value: Any, place: str, keys: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(place, f"expected {self.words[dict]}, got {self.kind(value)}")
        unknown = sorted(str(k) for k in value if k not in keys)
        if unknown:
            raise self.fail(place, f"unknown key {unknown[0]!r} (expected one of "
                                   f"{', '.join(sorted(keys))})")
        return value

    def text(self, value: Any, place: str) -> str:
        kind = type(value)
        if kind is str:
            return value
        if kind is bool:
            return "true" if value else "false"
        if kind is int or kind is float:
            return str(value)
        raise self.fail(place, f"expected text, got {self.kind(value)}")

    def strings(self, value: Any, place: str, nullable: bool = False) -> dict[str, Any]:
        """A map of parameter names to values: numbers and booleans as their text; of a list
        of values (a multi-value parameter) the last, as API Gateway's single-value maps keep."""
        if value is None:
            return {}
        if type(value) is not dict:
            raise self.fail(place, f"expected {self.words[dict]}, got {self.kind(value)}")
        if all(type(item) is str and type(key) is str for key, item in value.items()):
            return value   # the usual case, kept as it is
        found = {}
        for key, item in value.items():
            if item is None and nullable:
                found[str(key)] = None
            elif type(item) is list and item:
                found[str(key)] = self.text(item[-1], f"{place}.{key}")
            else:
                found[str(key)] = self.text(item, f"{place}.{key}")
        return found

    def body(self, spec: Mapping[str, Any], place: str) -> str | bytes:
        """`body` (text as it is, anything else as JSON) or `body_file` (relative to the
        folder, its bytes as they are: the engine reads them as API Gateway does)."""
        if "body" in spec and "body_file" in spec:
            raise self.fail(place, "give 'body' or 'body_file', not both")
        if "body_file" in spec:
            name = self.text(spec["body_file"], f"{place}.body_file")
            try:
                return (self.folder / name).read_bytes()
            except OSError as e:
                raise self.fail(f"{place}.body_file", f"cannot read {name} "
                                                      f"({e.strerror or e})") from None
        body = spec.get("body")
        if body is None:
            return ""
        if isinstance(body, str):
            return body
        return orjson.dumps(body).decode()

    def backend(self, value: Any, place: str) -> BackendSpec:
        """`backend`: status, body or body_file, headers, error_message."""
        spec = self.mapping(value, place, _BACKEND_KEYS)
        status = spec.get("status", 200)
        if type(status) is not int:
            raise self.fail(f"{place}.status", f"expected a number, got {self.kind(status)}")
        message = spec.get("error_message")
        return BackendSpec(status=status, body=self.body(spec, place),
                           headers=self.strings(spec.get("headers"), f"{place}.headers"),
                           error_message=None if message is None
                           else self.text(message, f"{place}.error_message"))

    def expectation(self, value: Any, place: str) -> Expectation:
        """`expect`: body or json, status, headers, request_override, error."""
        spec = self.mapping(value, place, _EXPECT_KEYS)
        if "body" in spec and "json" in spec:
            raise self.fail(place, "give 'body' (exact text) or 'json', not both")
        expect = Expectation()
        if "body" in spec:
            expect.body = self.text(spec["body"], f"{place}.body")
        expect.json = spec.get("json", NOT_GIVEN)
        if "status" in spec:
            status = spec["status"]
            if status is not None and type(status) is not int:
                raise self.fail(f"{place}.status",
                                f"expected a number or null, got {self.kind(status)}")
            expect.status = status
        expect.headers = self.strings(spec.get("headers"), f"{place}.headers", nullable=True)
        overrides = self.mapping(spec.get("request_override") or {}, f"{place}.request_override",
                                 _OVERRIDE_KEYS)
        expect.request_override = {
            kind: self.strings(values, f"{place}.request_override.{kind}", nullable=True)
            for kind, values in overrides.items()}
        if "error" in spec:
            expect.error = self.text(spec["error"], f"{place}.error")
        return expect


class _Where(Shapes):
    """A case file's shapes: errors start with the file's name."""

    def __init__(self, path: Path) -> None:
        super().__init__(path.parent, lambda message: CaseFileError(f"{path}: {message}"))
        self.path = path

    def relative(self, value: Any, place: str) -> Path:
        return _relative_to_cwd(self.path.parent / self.text(value, place))


def _case(where: _Where, top: dict[str, Any], entry: Any, number: int) -> Case:
    named = entry.get("name") if isinstance(entry, dict) else None
    place = f"case {named!r}" if isinstance(named, str) else f"case {number}"
    spec = where.mapping(entry, place, _CASE_KEYS)
    name = where.text(spec.get("name", f"case {number}"), f"{place}.name")
    place = f"case {name!r}" if "name" in spec else place
    merged = {key: spec.get(key, top.get(key)) for key in _TARGET_KEYS - {"request"}}
    if "template" in spec or "api" in spec:   # the case's own target replaces the file's
        merged["template"], merged["api"] = spec.get("template"), spec.get("api")
    case = Case(name=name, file=where.path, index=number - 1)
    if (merged["template"] is None) == (merged["api"] is None):
        raise where.fail(place, "give either 'template' or 'api' (with 'route')")
    if merged["template"] is not None:
        case.template = where.relative(merged["template"], f"{place}.template")
    else:
        case.api = where.relative(merged["api"], f"{place}.api")
        if merged["route"] is None:
            raise where.fail(place, "'api' needs a 'route', such as 'POST /orders'")
        case.route = where.text(merged["route"], f"{place}.route")
    side = merged["side"] or "request"
    if side not in SIDES:
        raise where.fail(f"{place}.side", f"expected request or response, got {shown(side)}")
    case.side = side
    if case.side == "response" and case.template is not None:
        raise where.fail(place, "'side' is for API routes; a template file is just rendered")
    dialect = merged["dialect"] or "aws"
    if dialect not in DIALECTS:
        raise where.fail(f"{place}.dialect", f"expected aws or velocity, got {shown(dialect)}")
    case.dialect = dialect
    request = {**where.mapping(top.get("request") or {}, "request", _REQUEST_KEYS),
               **where.mapping(spec.get("request") or {}, f"{place}.request", _REQUEST_KEYS)}
    case.request = _request(where, request, f"{place}.request")
    if "backend" in spec:
        if case.side != "response":
            raise where.fail(place, "'backend' is only for cases with side: response")
        case.backend = where.backend(spec["backend"], f"{place}.backend")
    if "expect" not in spec:
        raise where.fail(place, "no 'expect'")
    case.expect = where.expectation(spec["expect"], f"{place}.expect")
    return case


def _request(where: _Where, spec: dict[str, Any], place: str) -> RequestSpec:
    context = spec.get("context")
    if context is not None and not isinstance(context, dict):
        raise where.fail(f"{place}.context", f"expected a mapping, got {where.kind(context)}")
    return RequestSpec(body=where.body(spec, place),
                       headers=where.strings(spec.get("headers"), f"{place}.headers"),
                       query=where.strings(spec.get("query"), f"{place}.query"),
                       path=where.strings(spec.get("path"), f"{place}.path"),
                       stage_variables=where.strings(spec.get("stage_variables"),
                                                     f"{place}.stage_variables"),
                       context=context)


def _relative_to_cwd(path: Path) -> Path:
    """`path` as short as it can be written: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path.resolve()


_KINDS = {list: "a list", str: "text", bool: "a boolean"}
