"""What callers pass to the API Gateway layer's public entry points, checked where it comes in
(render_mapping_template, MethodRequest, BackendResponse, Integration), so a wrong shape is a
TypeError or ValueError naming the argument and the shape it needs, not an AttributeError from
deep inside. render_prepared, which hosts call per request with data they built, checks nothing.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .input import PARAM_KINDS

PARAMS_SHAPE = ('{"path": {"id": "42"}, "querystring": {"q": "x"}, '
                '"header": {"Content-Type": "application/json"}}')
CONTEXT_SHAPE = '{"requestId": "r-1", "identity": {"sourceIp": "10.0.0.1"}}'
STAGE_VARIABLES_SHAPE = '{"env": "prod"}'
TEMPLATES_SHAPE = '{"application/json": "{\\"id\\": \\"$input.params(\'id\')\\"}"}'
NAMES_SHAPE = '{"name": "value"}'


def check_mapping(value: Any, argument: str, example: str) -> None:
    """`value` is None or a mapping (of names to values, as `example` shows)."""
    if value is not None and not isinstance(value, Mapping):
        raise TypeError(f"{argument} must be a mapping such as {example}, "
                        f"not {_kind(value)}")


def check_body(value: Any, argument: str = "body") -> None:
    if not isinstance(value, (str, bytes, bytearray)):
        raise TypeError(f"{argument} must be text (str) or bytes, not {_kind(value)}")


def check_params(params: Any) -> None:
    """`params` is None or `{"path": {...}, "querystring": {...}, "header": {...}}` (any of the
    three levels may be left out)."""
    check_mapping(params, "params", PARAMS_SHAPE)
    for kind, values in (params or {}).items():
        if kind not in PARAM_KINDS:
            raise ValueError(f"params has no level {kind!r}: it maps 'path', 'querystring' and "
                             f"'header' each to a map of names to values, as in {PARAMS_SHAPE} "
                             f"(for a query string parameter: "
                             f"params={{'querystring': {{{kind!r}: ...}}}})")
        check_mapping(values, f"params[{kind!r}]", NAMES_SHAPE)


_PLAIN = frozenset({dict, type(None)})


def check_request(body: Any, params: Any, context: Any, stage_variables: Any) -> None:
    """The request data of render_mapping_template."""
    if (body.__class__ is str and context.__class__ in _PLAIN
            and stage_variables.__class__ in _PLAIN and _plain_params(params)):
        return   # the common shapes, told without the ABCs' isinstance (~1 us a call)
    check_body(body)
    check_params(params)
    check_mapping(context, "context", CONTEXT_SHAPE)
    check_mapping(stage_variables, "stage_variables", STAGE_VARIABLES_SHAPE)


def _plain_params(params: Any) -> bool:
    """Whether `params` is None or a dict of PARAM_KINDS to dicts."""
    if params is None:
        return True
    if params.__class__ is not dict:
        return False
    for kind, values in params.items():
        if values.__class__ is not dict or kind not in PARAM_KINDS:
            return False
    return True


def check_templates(templates: Any, argument: str) -> None:
    """A map of media types to template text."""
    check_mapping(templates, argument, TEMPLATES_SHAPE)
    for media_type, source in (templates or {}).items():
        if not isinstance(source, str):
            raise TypeError(f"{argument}[{media_type!r}] must be the template's text (str), "
                            f"not {_kind(source)}")


def check_list(values: Any, argument: str, item: type) -> None:
    if not isinstance(values, list) or not all(isinstance(v, item) for v in values):
        raise TypeError(f"{argument} must be a list of {item.__name__}, not {_kind(values)}")


def _kind(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"
