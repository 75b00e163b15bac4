"""What differs between plain Apache Velocity 1.7 and the VTL that AWS API Gateway runs.

The evidence (../shared/reference, section 8.1) says API Gateway is Velocity 1.7 with three
settings: invalid references evaluate to "", inline macros are not allowed, and there is no
#evaluate; and that the values it puts in a template come from JSON (arrays print as JSON).
All of that lives here, in one object per dialect that the parser, the compiler, the renderer
and the hosts (API Gateway's `$input`, the emulator adapters) are given:

- `directives` and `inline_macros`: what the parser and compiler accept;
- `invalid`: what an invalid reference becomes (InvalidIsNull, InvalidIsEmpty), as the Python
  the compiler writes for a reference, and as what the first tier (interpreter.py) does;
- `values` and `helpers`: how values print and what Java class they show (whether the caller's
  lists are ArrayLists or JSON arrays), with the runtime functions the compiled code calls.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from . import nodes as n
from .layout import BREAK, choice, either, literal
from .lexer import Directives
from .runtime.support import Helpers, empty_if_invalid, null_text, truth
from .runtime.values import JAVA_DATA, JSON_DATA, JavaValues

_BLOCK_DIRECTIVES = frozenset({"foreach", "macro", "define", "literal"})

class Code(Protocol):
    """Where code is being written (the compiler's Frame)."""

    def bind(self, code: str) -> tuple[str, str]:
        """`code` as (name, first use): a local as it is, anything else into a temporary."""

    def use(self, name: str) -> str:
        """`name`, a runtime helper the code calls."""


class InvalidIsNull:
    """Velocity 1.7's invalid reference (undefined, null, a method that does not exist): null.
    It prints as its own text (`$!a`: as nothing), is false in #if, and is null in an
    expression. Each method gives the Python for one use of a reference whose value's code is
    `value` (None when invalid)."""

    #: whether a reference's value in an expression is never None
    never_null = False
    #: whether `\$a` is evaluated and printed as a statement of its own
    escaped_is_statement = False

    def operand(self, value: str, code: Code) -> str:
        """The reference as an expression's operand."""
        return value

    def condition(self, value: str, code: Code) -> str:
        """The reference as #if tests it."""
        return f"{code.use('truth')}({value})"

    def printed(self, node: n.Reference, value: str, code: Code, in_loop: bool) -> str:
        """The text the reference prints (no `\\` before its `$`, or an even number)."""
        escape = "\\" * (node.escapes // 2)
        if node.quiet:
            null = literal(escape * 2)
        elif escape:
            null = f"{literal(escape * 2)} + {code.use('null_text')}(v, {literal(node.literal)})"
        else:
            null = f"{code.use('null_text')}(v, {literal(node.literal)})"
        return _text_or(value, escape, null, code)

    # The same at render time, for the first tier (interpreter.py), given the reference's
    # value (None when invalid)

    def operand_value(self, value: Any) -> Any:
        return value

    def condition_value(self, value: Any) -> bool:
        return truth(value)

    def write(self, node: n.Reference, value: Any, v: Any, w: Callable[[str], Any],
              helpers: Helpers) -> None:
        """Write what `printed` gives."""
        escape = "\\" * (node.escapes // 2)
        text = helpers.text_or_none(value)
        if text is not None:
            w(escape + text)
        elif node.quiet:
            w(escape * 2)
        else:
            w(escape * 2 + null_text(v, node.literal))


class InvalidIsEmpty(InvalidIsNull):
    """API Gateway's (an InvalidReferenceEventHandler): an invalid reference evaluates to "".
    So it prints as nothing, is true in #if (only false itself is false), equals "", and `\\$a`
    always prints `$a` (after evaluating `$a` for what it may do)."""

    never_null = True
    escaped_is_statement = True

    def operand(self, value: str, code: Code) -> str:
        t, first_use = code.bind(value)
        return choice(t, f"{first_use} is not None", "''")

    def condition(self, value: str, code: Code) -> str:
        return f"({value}) is not False"

    def printed(self, node: n.Reference, value: str, code: Code, in_loop: bool) -> str:
        escape = "\\" * (node.escapes // 2)
        if escape:
            return _text_or(f"{code.use('empty_if_invalid')}({value})", escape,
                            literal(escape * 2 + node.literal), code)
        t, first_use = code.bind(value)
        # the common case, a String, is written without a call; in a loop an Integer and a
        # Double that Java prints as Python does (see values.double_to_string) too
        other = f"{code.use('text_or_empty')}({t}, {literal(node.literal)})"
        if in_loop:
            other = either(f"str({t})", f"{t}.__class__ is int",
                           either(f"repr({t})",
                                  f"{t}.__class__ is float{BREAK} and 1e-3 <= abs({t}) < 1e7",
                                  other, False), False)
        return either(t, f"{first_use}.__class__ is str", other, False)

    def operand_value(self, value: Any) -> Any:
        return "" if value is None else value

    def condition_value(self, value: Any) -> bool:
        return value is not False

    def write(self, node: n.Reference, value: Any, v: Any, w: Callable[[str], Any],
              helpers: Helpers) -> None:
        if node.escapes < 2:
            w(value if value.__class__ is str else helpers.text_or_empty(value, node.literal))
            return
        escape = "\\" * (node.escapes // 2)
        text = helpers.text_or_none(empty_if_invalid(value))
        w(escape * 2 + node.literal if text is None else escape + text)


def _text_or(value: str, escape: str, null: str, code: Code) -> str:
    """The text of `value` after `escape`, or `null` when it has none."""
    t, first_use = code.bind(f"{code.use('text_or_none')}({value})")
    return either(f"{literal(escape)} + {t}" if escape else t, f"{first_use} is not None", null,
                  False)


@dataclass(frozen=True)
class Dialect:
    """One dialect; the module has a constant named after it in capitals (AWS, VELOCITY), which
    code compiled for it imports."""

    name: str
    directives: Directives
    #: `#macro` defines a macro (velocimacro.permissions.allow.inline)
    inline_macros: bool
    #: what an invalid reference becomes
    invalid: InvalidIsNull
    #: the caller's data: JSON (lists are JSON arrays, printed as JSON) or Java objects (lists
    #: are ArrayLists); lists the template makes are Java lists (values.JavaList) in both
    values: JavaValues
    #: the runtime functions code compiled for this dialect calls that print values, call
    #: their methods or compare them
    helpers: Helpers = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "helpers", Helpers(self.values))


VELOCITY = Dialect(
    name="velocity",
    directives=Directives(block=_BLOCK_DIRECTIVES,
                          line=frozenset({"include", "parse", "evaluate", "break"})),
    inline_macros=True,
    invalid=InvalidIsNull(),
    values=JAVA_DATA,
)

AWS = Dialect(
    name="aws",
    directives=Directives(block=_BLOCK_DIRECTIVES, line=frozenset({"include", "parse", "break"})),
    inline_macros=False,
    invalid=InvalidIsEmpty(),
    values=JSON_DATA,
)

DIALECTS = {d.name: d for d in (VELOCITY, AWS)}


def get_dialect(name: str | Dialect) -> Dialect:
    if isinstance(name, Dialect):
        return name
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown dialect {name!r}: expected one of {sorted(DIALECTS)}") from None
