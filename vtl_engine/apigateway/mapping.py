"""One mapping template render: the request's data in as `$input`, `$context`, `$stageVariables`
and `$util`; the body and the `$context` overrides the template set out."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..core.errors import VtlLimitError
from ..core.template import Template
from .arguments import check_request
from .context import build_context
from .input import Input, normalise_params
from .utf8 import payload_text
from .util import UTIL, Util

# what render_prepared puts in these variables, so calls on them compile to direct calls
KNOWN_OBJECTS = {"input": Input, "util": Util}


def _override(group: str, kind: str) -> property:
    """A MappingResult's overrides of one kind, read from `$context.<group>.<kind>`."""
    return property(lambda result: _group(_group(result.context, group), kind),
                    doc=f"`$context.{group}.{kind}` after the render (a map; empty if none)")


@dataclass
class MappingResult:
    """What a mapping template produced.

    `context` is the `$context` map after the render (a MOCK integration carries its overrides
    from the request template to the response template). The overrides are read from it when
    asked for (most renders set none): `header_overrides`, `querystring_overrides` and
    `path_overrides` from `requestOverride`, `status_override` and `response_header_overrides`
    from `responseOverride`.
    """

    body: str
    context: dict[str, Any]

    @property
    def status_override(self) -> int | None:
        return status_code(_group(self.context, "responseOverride").get("status"))

    header_overrides = _override("requestOverride", "header")
    querystring_overrides = _override("requestOverride", "querystring")
    path_overrides = _override("requestOverride", "path")
    response_header_overrides = _override("responseOverride", "header")


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
    try:
        full_context = build_context(context, parameters)
    except RecursionError:   # the caller's $context data nests deeper than Python recurses
        raise VtlLimitError("recursion depth", sys.getrecursionlimit()) from None
    return render_prepared(template, payload_text(body), parameters, full_context,
                           dict(stage_variables or {}), dialect, coverage, name)


def render_prepared(template: str, body: str, params: dict[str, dict[str, Any]],
                    context: dict[str, Any], stage_variables: dict[str, Any],
                    dialect: str = "aws", coverage: bool = False,
                    name: str | None = None) -> MappingResult:
    """Render with request data already as the template sees it: `params` from
    normalise_params, a complete `$context` from build_context and the stage variables, each a
    map of the request's own (the template may change them in place). A host that serves many
    requests prepares what they share once."""
    compiled = compiled_template(template, dialect, coverage, name)
    variables = {"input": Input(body, params, compiled.dialect), "context": context,
                 "stageVariables": stage_variables, "util": UTIL}
    return MappingResult(compiled.render_values(variables), context)


@lru_cache(maxsize=256)
def compiled_template(source: str, dialect: str = "aws", coverage: bool = False,
                      name: str | None = None) -> Template:
    """A Template for `source`, reused across requests."""
    return Template(source, dialect=dialect, name=name, known_objects=KNOWN_OBJECTS,
                    coverage=coverage)


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
