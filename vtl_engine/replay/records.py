"""A captured request, whatever it was read from, and the JSON Lines record format.

Every reader turns its input into `Record`s: the client's request (the same fields as a
`*.vtltest.yaml` case's `request`), what is known of the backend's answer, and what was seen
to come out (an `Expectation` per side, as a case's `expect`). `where` names the record's place
in its input for every message about it.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import orjson

from ..testing.cases import BackendSpec, Expectation

SIDES = ("request", "response")

#: the keys of a JSON Lines record, and the alternative spellings taken for them (API Gateway's
#: own, as in a Lambda proxy event, and `expect` as in a case file)
_KEYS = {"id", "method", "path", "query", "headers", "body", "stage_variables", "context",
         "route", "template", "backend", "expected"}
_ALIASES = {"stageVariables": "stage_variables", "expect": "expected"}
_BACKEND_KEYS = {"status", "body", "headers", "error_message"}
_EXPECT_KEYS = {"body", "json", "status", "headers", "request_override", "error"}
_OVERRIDE_KEYS = {"header", "querystring", "path"}
_REQUEST_IDS = uuid.UUID("5d0c3b1e-7a4f-4e8b-9c2d-6f1a0b3e4c5d")


class RecordError(Exception):
    """A record that cannot be read: the message says what is wrong with it (its place is the
    record's own)."""


@dataclass(slots=True)
class Record:
    """One request to replay.

    `line` is where the record starts in `source`: a line for JSON Lines and plain-text logs, the
    entry's number for a HAR file, the first event's number for a CloudWatch JSON export.
    `problems` are parts of the input that could not be read, each said in words; `skip` is why
    the record cannot be rendered at all (its request was lost), None when it can;
    `unreadable` why the input at this place is no record at all (nothing else is set).
    """

    source: str
    line: int
    id: str | None = None
    method: str | None = None
    #: the URL path, without its query string
    path: str | None = None
    route: str | None = None
    #: a template file of the record's own, instead of the run's
    template: str | None = None
    query: dict[str, Any] = field(default_factory=dict)
    path_parameters: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    stage_variables: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] | None = None
    backend: BackendSpec | None = None
    #: what was seen to come out of each side ("request": what the backend received,
    #: "response": what the client received)
    expected: dict[str, Expectation] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    truncated: bool = False
    skip: str | None = None
    unreadable: str | None = None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"

    @property
    def params(self) -> dict[str, dict[str, Any]]:
        """The `$input.params()` map."""
        return {"path": self.path_parameters, "querystring": self.query, "header": self.headers}

    def request_context(self) -> dict[str, Any]:
        """`$context` as far as the record tells it: its own values over what its method and
        route say. A record without a `requestId` gets one made from its place in its input,
        the same at every run (two templates compared see the same one, and a batch run twice
        writes the same output)."""
        known: dict[str, Any] = {}
        if self.method:
            known["httpMethod"] = self.method
        if self.route:
            known["resourcePath"] = self.route.partition(" ")[2]
        if self.context:
            known.update(self.context)
        if "requestId" not in known:
            known["requestId"] = str(uuid.uuid5(_REQUEST_IDS, f"{self.source}:{self.line}"))
        return known


# -- JSON Lines -----------------------------------------------------------------------------------

def record_from_json(value: Any, source: str, line: int, base: Path | None = None) -> Record:
    """A record from one JSON Lines value; `base` is the folder `template` files are relative
    to. Raises RecordError naming the first thing wrong."""
    if not isinstance(value, dict):
        raise RecordError(f"expected a JSON object, got {_kind(value)}")
    for alias, key in _ALIASES.items():
        if alias in value:
            if key in value:
                raise RecordError(f"give {key!r} or {alias!r}, not both")
            value[key] = value.pop(alias)
    if not _KEYS.issuperset(value):
        unknown = value.keys() - _KEYS
        raise RecordError(f"unknown key {sorted(unknown)[0]!r} (expected one of "
                          f"{', '.join(sorted(_KEYS | _ALIASES.keys()))})")
    get = value.get
    method = get("method")
    path, query, path_parameters = get("path"), {}, {}
    if type(path) is str:
        path, _, text = path.partition("?")
        query = dict(parse_qsl(text, keep_blank_values=True)) if text else {}
    elif path is not None:
        path_parameters, path = _strings(path, "path"), None
    if "query" in value:
        given = _strings(get("query"), "query")
        query = {**query, **given} if query else given
    body = get("body")
    context = get("context")
    if context is not None and type(context) is not dict:
        raise RecordError(f"context: expected an object, got {_kind(context)}")
    template = get("template")
    if template is not None:
        template = _text(template, "template")
        template = str(base / template) if base is not None else template
    expected = get("expected")
    if expected is not None:
        expectation = expectation_from_json(expected)
        expected = {side: expectation for side in SIDES}
    backend = get("backend")
    return Record(
        source, line,
        None if get("id") is None else _text(get("id"), "id"),
        None if method is None else _text(method, "method").upper(),
        path,
        None if get("route") is None else _text(get("route"), "route"),
        template, query, path_parameters, _strings(get("headers"), "headers"),
        "" if body is None else body if type(body) is str else orjson.dumps(body).decode(),
        _strings(get("stage_variables"), "stage_variables"), context,
        None if backend is None else backend_from_json(backend),
        expected or {}, [], False, None)


def backend_from_json(value: Any) -> BackendSpec:
    spec = _mapping(value, "backend", _BACKEND_KEYS)
    status = spec.get("status", 200)
    if type(status) is not int:
        raise RecordError(f"backend.status: expected a number, got {_kind(status)}")
    body = spec.get("body")
    message = spec.get("error_message")
    return BackendSpec(status=status,
                       body="" if body is None else body if type(body) is str
                       else orjson.dumps(body).decode(),
                       headers=_strings(spec.get("headers"), "backend.headers"),
                       error_message=None if message is None
                       else _text(message, "backend.error_message"))


def expectation_from_json(value: Any) -> Expectation:
    """`expected`: the keys of a case file's `expect` (body or json, status, headers,
    request_override, error)."""
    spec = _mapping(value, "expected", _EXPECT_KEYS)
    if "body" in spec and "json" in spec:
        raise RecordError("expected: give 'body' (exact text) or 'json', not both")
    expect = Expectation()
    if "body" in spec:
        expect.body = _text(spec["body"], "expected.body")
    if "json" in spec:
        expect.json = spec["json"]
    if "status" in spec:
        status = spec["status"]
        if status is not None and type(status) is not int:
            raise RecordError(f"expected.status: expected a number or null, got {_kind(status)}")
        expect.status = status
    expect.headers = _strings(spec.get("headers"), "expected.headers", nullable=True)
    overrides = _mapping(spec.get("request_override") or {}, "expected.request_override",
                         _OVERRIDE_KEYS)
    expect.request_override = {
        kind: _strings(values, f"expected.request_override.{kind}", nullable=True)
        for kind, values in overrides.items()}
    if "error" in spec:
        expect.error = _text(spec["error"], "expected.error")
    return expect


def _mapping(value: Any, place: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordError(f"{place}: expected an object, got {_kind(value)}")
    unknown = value.keys() - keys
    if unknown:
        raise RecordError(f"{place}: unknown key {sorted(unknown)[0]!r} (expected one of "
                          f"{', '.join(sorted(keys))})")
    return value


def _text(value: Any, place: str) -> str:
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return str(value)
    raise RecordError(f"{place}: expected text, got {_kind(value)}")


def _strings(value: Any, place: str, nullable: bool = False) -> dict[str, Any]:
    """A map of names to values: numbers and booleans as their text; of a list of values (a
    multi-value parameter) the last, as API Gateway's single-value maps keep."""
    if value is None:
        return {}
    if type(value) is not dict:
        raise RecordError(f"{place}: expected an object, got {_kind(value)}")
    for item in value.values():
        if type(item) is not str:
            break
    else:   # the usual case, kept as it is
        return value
    found = {}
    for key, item in value.items():
        if type(item) is str:
            found[key] = item
        elif item is None and nullable:
            found[key] = None
        elif isinstance(item, list) and item:
            found[key] = _text(item[-1], f"{place}.{key}")
        else:
            found[key] = _text(item, f"{place}.{key}")
    return found


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "a boolean",
            type(None): "null"}.get(type(value), type(value).__name__)
