"""What differs between plain Apache Velocity 1.7 and the VTL that AWS API Gateway runs.

The evidence (../shared/reference, section 8.1) says API Gateway is Velocity 1.7 with three
settings: invalid references evaluate to "", inline macros are not allowed, and there is no
#evaluate; and that the values it puts in a template come from JSON (arrays print as JSON).
All of that lives here, in one object the parser, compiler and renderer consult.
"""
from __future__ import annotations

from dataclasses import dataclass

from .lexer import Directives

_BLOCK_DIRECTIVES = frozenset({"foreach", "macro", "define", "literal"})


@dataclass(frozen=True)
class Dialect:
    name: str
    directives: Directives
    #: an unresolvable reference (undefined, null, unknown method) evaluates to "" instead of
    #: null: it prints nothing, is true in #if and equals "" (an InvalidReferenceEventHandler)
    invalid_reference_is_empty: bool
    #: `#macro` defines a macro (velocimacro.permissions.allow.inline)
    inline_macros: bool
    #: the caller's lists (plain Python lists) are JSON arrays: json-smart's JSONArray, which
    #: prints as compact JSON; lists the template makes are Java lists (values.JavaList)
    json_context: bool


VELOCITY = Dialect(
    name="velocity",
    directives=Directives(block=_BLOCK_DIRECTIVES,
                          line=frozenset({"include", "parse", "evaluate", "break"})),
    invalid_reference_is_empty=False,
    inline_macros=True,
    json_context=False,
)

AWS = Dialect(
    name="aws",
    directives=Directives(block=_BLOCK_DIRECTIVES, line=frozenset({"include", "parse", "break"})),
    invalid_reference_is_empty=True,
    inline_macros=False,
    json_context=True,
)

DIALECTS = {d.name: d for d in (VELOCITY, AWS)}


def get_dialect(name: str | Dialect) -> Dialect:
    if isinstance(name, Dialect):
        return name
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown dialect {name!r}: expected one of {sorted(DIALECTS)}") from None
