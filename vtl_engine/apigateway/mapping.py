"""One mapping template render: the request's data in as `$input`, `$context`, `$stageVariables`
and `$util`; the body and the `$context` overrides the template set out."""
from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any

from ..core.analysis import ANY
from ..core.errors import VtlLimitError
from ..core.runtime.signals import MISSING
from ..core.template import Template
from .arguments import check_request
from .context import RequestContext
from .input import Input, normalise_params
from .utf8 import payload_text
from .util import UTIL, Util

# what render_prepared puts in these variables, so calls on them compile to direct calls
KNOWN_OBJECTS = {"input": Input, "util": Util}


def _override(group: str, kind: str) -> property:
    """A MappingResult's overrides of one kind, read from `$context.<group>.<kind>`."""
    return property(lambda result: _map(_map(result.context_entry(group)).get(kind)),
                    doc=f"`$context.{group}.{kind}` after the render (a map; empty if none)")


class MappingResult:
    """What a mapping template produced.

    `context` is the `$context` map after the render (a MOCK integration carries its overrides
    from the request template to the response template). The overrides are read from it when
    asked for (most renders set none): `header_overrides`, `querystring_overrides` and
    `path_overrides` from `requestOverride`, `status_override` and `response_header_overrides`
    from `responseOverride`.
    """

    __slots__ = ("body", "_context", "_request")

    def __init__(self, body: str, context: dict[str, Any],
                 request: RequestContext | None = None) -> None:
        """With `request`, `context` holds only the keys of `$context` the template could
        read: the others are made from `request` when `context` is first asked for."""
        self.body = body
        self._context = context
        self._request = request

    @property
    def context(self) -> dict[str, Any]:
        request = self._request
        if request is not None:
            try:
                self._context = request.completed(self._context)
            except RecursionError:   # the caller's $context data nests deeper than Python recurses
                raise VtlLimitError("recursion depth", sys.getrecursionlimit()) from None
            self._request = None
        return self._context

    def context_entry(self, key: str) -> Any:
        """`$context.<key>` after the render (None if it has none), without making the rest of
        `$context`."""
        request = self._request
        if request is None or key in self._context:
            return self._context.get(key)
        value = request.entry(key)
        if value is MISSING:
            return None
        self._context[key] = value   # the value `context` will hold
        return value

    @property
    def status_override(self) -> int | None:
        return status_code(_map(self.context_entry("responseOverride")).get("status"))

    header_overrides = _override("requestOverride", "header")
    querystring_overrides = _override("requestOverride", "querystring")
    path_overrides = _override("requestOverride", "path")
    response_header_overrides = _override("responseOverride", "header")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not MappingResult:
            return NotImplemented
        return (self.body, self.context) == (other.body, other.context)

    def __repr__(self) -> str:
        return f"MappingResult(body={self.body!r}, context={self.context!r})"


def render_mapping_template(template: str, body: str | bytes = "",
                            params: dict[str, dict[str, Any]] | None = None,
                            context: dict[str, Any] | None = None,
                            stage_variables: dict[str, Any] | None = None,
                            dialect: str = "aws", coverage: bool = False,
                            name: str | None = None) -> MappingResult:
    """Render an API Gateway mapping template for one request.

    `params` holds the method request's `path`, `querystring` and `header` maps; `context` what
    the caller knows of `$context` (merged over realistic defaults). A body given as bytes is
    read as UTF-8 text, malformed bytes becoming U+FFFD (Java's new String(bytes, UTF_8)).
    Raises VtlSyntaxError for a template that does not parse and VtlRuntimeError where API
    Gateway would fail the request; TypeError or ValueError for an argument of the wrong shape.
    `coverage` records which parts of the template ran (see Template.coverage); `name` says
    where the template sits (a file, a place in an API definition), for error messages and
    coverage.
    """
    check_request(body, params, context, stage_variables)
    parameters = normalise_params(params)
    request = RequestContext(context, parameters)
    compiled = compiled_template(template, dialect, coverage, name)
    keys = _top_keys(compiled.paths("context"))
    try:
        # only the keys of $context the template can read, unless it may read it all
        made = request.whole() if keys is None else request.part(keys)
    except RecursionError:   # the caller's $context data nests deeper than Python recurses
        raise VtlLimitError("recursion depth", sys.getrecursionlimit()) from None
    body = _render(compiled, payload_text(body), parameters, made, dict(stage_variables or {}))
    return MappingResult(body, made, request if keys is not None else None)


def render_prepared(template: str, body: str, params: dict[str, dict[str, Any]],
                    context: dict[str, Any], stage_variables: dict[str, Any],
                    dialect: str = "aws", coverage: bool = False,
                    name: str | None = None) -> MappingResult:
    """Render with request data already as the template sees it: `params` from
    normalise_params, a complete `$context` from build_context and the stage variables, each a
    map of the request's own (the template may change them in place). A host that serves many
    requests prepares what they share once."""
    compiled = compiled_template(template, dialect, coverage, name)
    return MappingResult(_render(compiled, body, params, context, stage_variables), context)


def _render(compiled: Template, body: str, params: dict[str, dict[str, Any]],
            context: dict[str, Any], stage_variables: dict[str, Any]) -> str:
    return compiled.render_values({"input": Input(body, params, compiled.dialect),
                                   "context": context, "stageVariables": stage_variables,
                                   "util": UTIL})


@lru_cache(maxsize=256)
def compiled_template(source: str, dialect: str = "aws", coverage: bool = False,
                      name: str | None = None) -> Template:
    """A Template for `source`, reused across requests."""
    return Template(source, dialect=dialect, name=name, known_objects=KNOWN_OBJECTS,
                    coverage=coverage)


@lru_cache(maxsize=256)
def _top_keys(paths: frozenset[tuple[str, ...]] | Any) -> frozenset[str] | None:
    """The keys of `$context` a template can read, from its paths (Template.paths); None when
    it may read any (ANY, or `$context` read whole)."""
    if paths is ANY or () in paths:
        return None
    return frozenset(path[0] for path in paths)


def status_code(value: Any) -> int | None:
    """An overridden status as API Gateway takes it: a number from 100 to 599 (also written as a
    string), anything else ignored."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if type(value) is int and 100 <= value <= 599:
        return value
    return None


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
