"""One mapping template render: the request's data in as `$input`, `$context`, `$stageVariables`
and `$util`; the body and the `$context` overrides the template set out."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..errors import VtlLimitError, VtlRuntimeError
from ..template import Template, as_json_value
from .context import build_context
from .input import Input, normalise_params
from .util import UTIL, Util


# what render_prepared puts in these variables, so calls on them compile to direct calls
KNOWN_OBJECTS = {"input": Input, "util": Util}


@dataclass
class MappingResult:
    """What a mapping template produced.

    `context` is the `$context` map after the render (a MOCK integration carries its overrides
    from the request template to the response template); the `*_overrides` fields are read
    from it: `header_overrides`, `querystring_overrides` and `path_overrides` from
    `requestOverride`, `status_override` and `response_header_overrides` from `responseOverride`.
    """

    body: str
    context: dict[str, Any]
    status_override: int | None = None
    header_overrides: dict[str, Any] = field(default_factory=dict)
    querystring_overrides: dict[str, Any] = field(default_factory=dict)
    path_overrides: dict[str, Any] = field(default_factory=dict)
    response_header_overrides: dict[str, Any] = field(default_factory=dict)


def render_mapping_template(template: str, body: str | bytes = "",
                            params: dict[str, dict[str, Any]] | None = None,
                            context: dict[str, Any] | None = None,
                            stage_variables: dict[str, Any] | None = None,
                            dialect: str = "aws", coverage: bool = False) -> MappingResult:
    """Render an API Gateway mapping template for one request.

    `params` holds the method request's `path`, `querystring` and `header` maps; `context` what
    the caller knows of `$context` (merged over realistic defaults). A body given as bytes is
    read as UTF-8 text, malformed bytes becoming U+FFFD (Java's new String(bytes, UTF_8)).
    Raises VtlSyntaxError for a template that does not parse and VtlRuntimeError where API
    Gateway would fail the request. `coverage` records which parts of the template ran (see
    Template.coverage).
    """
    if isinstance(body, (bytes, bytearray)):
        body = bytes(body).decode("utf-8", "replace")
    elif not isinstance(body, str):
        raise VtlRuntimeError(f"the body must be text or bytes, not {type(body).__name__}")
    parameters = normalise_params(params)
    try:
        full_context = build_context(context, parameters)
    except RecursionError:   # the caller's $context data nests deeper than Python recurses
        raise VtlLimitError("recursion depth", sys.getrecursionlimit()) from None
    return render_prepared(template, body, parameters, full_context,
                           dict(stage_variables or {}), dialect, coverage)


def render_prepared(template: str, body: str, params: dict[str, dict[str, Any]],
                    context: dict[str, Any], stage_variables: dict[str, Any],
                    dialect: str = "aws", coverage: bool = False) -> MappingResult:
    """Render with a complete `$context` (which the template may change in place)."""
    compiled = compiled_template(template, dialect, coverage)
    if compiled.dialect.json_context:   # what Template.render would do; the context already is
        stage_variables = as_json_value(stage_variables)
    variables = {"input": Input(body, params), "context": context,
                 "stageVariables": stage_variables, "util": UTIL}
    return result_of(compiled.render_values(variables), context)


def result_of(body: str, context: dict[str, Any]) -> MappingResult:
    """`body` with the overrides `context` holds."""
    request = _group(context, "requestOverride")
    response = _group(context, "responseOverride")
    if not any(request.values()) and not response.get("status") and not response.get("header"):
        return MappingResult(body, context)   # nothing overridden: the common case, quickly
    return MappingResult(
        body=body,
        context=context,
        status_override=status_code(response.get("status")),
        header_overrides=_group(request, "header"),
        querystring_overrides=_group(request, "querystring"),
        path_overrides=_group(request, "path"),
        response_header_overrides=_group(response, "header"),
    )


@lru_cache(maxsize=256)
def compiled_template(source: str, dialect: str = "aws", coverage: bool = False) -> Template:
    """A Template for `source`, reused across requests."""
    return Template(source, dialect=dialect, known_objects=KNOWN_OBJECTS, coverage=coverage)


def status_code(value: Any) -> int | None:
    """An overridden status as API Gateway takes it: a number from 100 to 599 (also written as a
    string), anything else ignored."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if type(value) is int and 100 <= value <= 599:
        return value
    return None


def _group(container: dict[str, Any], key: str) -> dict[str, Any]:
    found = container.get(key)
    return found if isinstance(found, dict) else {}
