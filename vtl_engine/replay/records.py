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

from ..testing.cases import BackendSpec, Expectation, Shapes

SIDES = ("request", "response")

#: the keys of a JSON Lines record, and the alternative spellings taken for them (API Gateway's
#: own, as in a Lambda proxy event, and `expect` as in a case file)
_KEYS = {"id", "method", "path", "query", "headers", "body", "stage_variables", "context",
         "route", "template", "backend", "expected"}
_ALIASES = {"stageVariables": "stage_variables", "expect": "expected"}
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

class _Shapes(Shapes):
    """A record's shapes, in JSON's terms; a wrong one is a RecordError."""

    words = {dict: "an object", type(None): "null"}


def record_from_json(value: Any, source: str, line: int, base: Path | None = None) -> Record:
    """A record from one JSON Lines value; `base` is the folder `template` and `body_file`
    are relative to. Raises RecordError naming the first thing wrong."""
    shapes = _Shapes(Path() if base is None else base, RecordError)
    if not isinstance(value, dict):
        raise RecordError(f"expected a JSON object, got {shapes.kind(value)}")
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
        path_parameters, path = shapes.strings(path, "path"), None
    if "query" in value:
        given = shapes.strings(get("query"), "query")
        query = {**query, **given} if query else given
    body = get("body")
    context = get("context")
    if context is not None and type(context) is not dict:
        raise RecordError(f"context: expected an object, got {shapes.kind(context)}")
    template = get("template")
    if template is not None:
        template = shapes.text(template, "template")
        template = str(base / template) if base is not None else template
    expected = get("expected")
    if expected is not None:
        expectation = shapes.expectation(expected, "expected")
        expected = {side: expectation for side in SIDES}
    backend = get("backend")
    return Record(
        source, line,
        None if get("id") is None else shapes.text(get("id"), "id"),
        None if method is None else shapes.text(method, "method").upper(),
        path,
        None if get("route") is None else shapes.text(get("route"), "route"),
        template, query, path_parameters, shapes.strings(get("headers"), "headers"),
        "" if body is None else body if type(body) is str else orjson.dumps(body).decode(),
        shapes.strings(get("stage_variables"), "stage_variables"), context,
        None if backend is None else shapes.backend(backend, "backend"),
        expected or {}, [], False, None)
