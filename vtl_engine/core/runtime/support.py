"""What generated render functions call: reference steps, printing, loops, macros, blocks.

The Java-like semantics of values (toString, arithmetic, methods) live in values.py, arith.py and
methods.py; this module is the glue between them and the code compiler.py writes. What gives a
different result for the two data models (values.JavaValues: the caller's lists as ArrayLists or
as JSONArrays) is a Helpers object's; each dialect has its own (dialect.py), which the code
compiled for it calls, so a render never asks which dialect it is in.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import budget as _budget
from .arith import add as _java_add
from .arith import comparison
from .host import HostObject
from .methods import (
    JavaIterator,
    gate_for,
    get_property,
    set_property,
    wrong_number_of_arguments,
)
from .signals import MISSING, JavaException, LimitExceeded
from .values import JavaValues, double_to_string, is_true


class StopRender(Exception):
    """#stop (or #break outside any loop): rendering ends, keeping what was written.

    `partial` is what a #define block being printed had written before the #stop: Velocity
    renders a printed block straight into the output, so that text stays.
    """

    partial = ""


class BreakScope(Exception):
    """#break($foreach.parent): unwinds to the loop whose $foreach is `scope`."""

    def __init__(self, scope: Any) -> None:
        self.scope = scope


_start_budget = _budget.Budget.__init__   # called by name: one lookup less per render


class RenderState(_budget.Budget):
    """Per-render bookkeeping: the limits, counters and (as a Budget) what may still be built.
    One per render, never shared; one object, since renders are many and short."""

    __slots__ = ("limits", "iterations", "macro_depth", "evaluate_depth", "compile_evaluated",
                 "macros", "out", "counted", "output_size")

    def __init__(self, limits: Any, compile_evaluated: Callable[[str], Any],
                 macros: dict[str, Any], out: list[str]) -> None:
        _start_budget(self, limits)
        self.limits = limits
        self.iterations = 0
        self.macro_depth = 0
        self.evaluate_depth = 0
        self.compile_evaluated = compile_evaluated
        self.macros = macros
        self.out = out          # the render's output pieces, measured at checkpoints
        self.counted = 0        # how many of them are in output_size
        self.output_size = 0


def checkpoint(st: RenderState) -> None:
    """The size and time checks that are too costly for every write: made at each loop
    iteration, macro call, block and #evaluate, which bound how much one stretch can write."""
    out = st.out
    if len(out) != st.counted:
        st.output_size += sum(map(len, out[st.counted:]))
        st.counted = len(out)
        if st.output_size > st.limits.max_output_size:
            raise LimitExceeded("max_output_size", st.limits.max_output_size)
    st.check_time()


# ---- reference steps: None in (an invalid reference so far) gives None out ---------------------

def prop(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):   # get_property's first rule, without the call: hosts' maps
        return obj.get(name)
    value = get_property(obj, name)
    return None if value is MISSING else value


def empty_if_invalid(value: Any) -> Any:
    """API Gateway's InvalidReferenceEventHandler: an invalid reference evaluates to ""."""
    return "" if value is None else value


# ---- printing ------------------------------------------------------------------------------------

def null_text(scope: Any, literal: str) -> str:
    """What Velocity prints for a null reference: its own text, or inside a macro, the text of
    the argument the caller passed for it (Velocity 1.7's ".literal.$arg" lookup)."""
    while scope.__class__ is NullHolder:
        scope = scope.parent
    if scope.__class__ is MacroScope:
        return scope.caller_literal(literal)
    return literal


# ---- #set ----------------------------------------------------------------------------------------

def assign_property(base: Any, name: str, value: Any) -> None:
    if base is not None and value is not None:
        set_property(base, name, value)


# ---- operators -----------------------------------------------------------------------------------

def truth(value: Any) -> bool:
    return value is not None and is_true(value)


# ---- #foreach ------------------------------------------------------------------------------------

def loop_items(value: Any) -> list:
    """What #foreach iterates: a list's items, a map's values, an iterator's remaining items;
    nothing for anything else."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, JavaIterator):
        return value.drain()
    return []


class ForeachScope(HostObject):
    """`$foreach`: the loop's position, as Velocity 1.7's ForeachScope shows it."""

    vtl_properties = frozenset({"index", "count", "hasNext", "first", "last", "parent",
                                "topmost"})
    vtl_methods = frozenset({"getIndex", "getCount", "hasNext", "getHasNext", "isFirst",
                             "getFirst", "isLast", "getLast", "getParent", "getTopmost"})
    __slots__ = ("index", "size", "parent", "counted")

    def __init__(self, size: int, parent: Any) -> None:
        self.index = 0
        self.counted = 0   # iterations before this index are counted (see loop_checkpoint)
        self.size = size
        self.parent = parent if isinstance(parent, ForeachScope) else None

    def vtl_call(self, name: str, args: list) -> Any:
        if args:   # its methods have no parameters
            raise wrong_number_of_arguments()
        return self.vtl_get(name[3:4].lower() + name[4:] if name.startswith("get") else
                            name[2:3].lower() + name[3:] if name.startswith("is") else name)

    def vtl_get(self, name: str) -> Any:
        if name == "index":
            return self.index
        if name == "count":
            return self.index + 1
        if name == "hasNext":
            return self.index + 1 < self.size
        if name == "first":
            return self.index == 0
        if name == "last":
            return self.index + 1 == self.size
        if name == "parent":
            return self.parent
        top = self
        while top.parent is not None:
            top = top.parent
        return top

    def vtl_to_string(self) -> str:
        # Velocity 1.7's Scope is a Map of values a template #set on it (which this scope does
        # not keep): it prints as an empty map
        return "{}"


def loop_checkpoint(st: RenderState, scope: ForeachScope, items: list) -> None:
    """Called at a loop's first iteration, every 32nd, and when the list it walks has changed
    size (Java's iterator then fails): the iterations run since the last call are counted
    against the render's limit, and the size and time checks made."""
    if len(items) != scope.size:
        raise JavaException("java.util.ConcurrentModificationException",
                            "the list changed while #foreach was iterating over it")
    st.iterations += scope.index - scope.counted
    scope.counted = scope.index
    if st.iterations > st.limits.max_loop_iterations:
        raise LimitExceeded("max_loop_iterations", st.limits.max_loop_iterations)
    checkpoint(st)


def end_loop(v: dict[str, Any], st: RenderState, scope: ForeachScope,
             saved: tuple[Any, ...], names: tuple[str, ...]) -> None:
    """When a loop ends (or is left by #break, #stop or an error): its last iterations are
    counted, and the variables it borrowed put back."""
    if scope.size:
        st.iterations += scope.index + 1 - scope.counted
    for name, value in zip(names, saved):
        if value is MISSING or value is None:   # (Velocity 1.7 removes what was null)
            v.pop(name, None)
        else:
            v[name] = value


class NullHolder:
    """The variables the body of a #foreach sees for a null item: Velocity 1.7 hides the loop
    variable from it (Foreach.NullHolderContext), however the body sets it, until something
    removes the variable (an inner loop of that name ending); setting it to null hides it again.
    What the body writes goes through to `parent`."""

    __slots__ = ("parent", "name", "hiding")

    def __init__(self, parent: Any, name: str) -> None:
        self.parent = parent
        self.name = name
        self.hiding = True

    def get(self, name: str, default: Any = None) -> Any:
        if name == self.name and self.hiding:
            return None
        return self.parent.get(name, default)

    def __setitem__(self, name: str, value: Any) -> None:
        if name == self.name and value is None:
            self.hiding = True
        self.parent[name] = value

    def pop(self, name: str, default: Any = None) -> Any:
        if name == self.name:
            self.hiding = False
        return self.parent.pop(name, default)


# ---- macros --------------------------------------------------------------------------------------

class MacroScope:
    """The variables a macro body sees (Velocity 1.7's ProxyVMContext, without local scope).

    Arguments are passed by name: each read of `$arg` evaluates the caller's expression again.
    `#set` inside the macro writes both the macro's own view and the caller's scope.
    """

    __slots__ = ("parent", "local", "args", "literals")

    def __init__(self, parent: Any, args: dict[str, Callable[[], Any]],
                 literals: dict[str, str]) -> None:
        self.parent = parent
        self.local: dict[str, Any] = {}
        self.args = args
        self.literals = literals

    def get(self, name: str, default: Any = None) -> Any:
        local = self.local
        if name in local:
            return local[name]
        thunk = self.args.get(name)
        if thunk is not None:
            return thunk()
        return self.parent.get(name, default)

    def __setitem__(self, name: str, value: Any) -> None:
        self.local[name] = value
        self.parent[name] = value

    def pop(self, name: str, default: Any = None) -> Any:
        self.local.pop(name, None)
        return self.parent.pop(name, default)

    def caller_literal(self, literal: str) -> str:
        found = self.literals.get(literal)
        if found is not None:
            return found
        return null_text(self.parent, literal)


def call_macro(st: RenderState, name: str, scope: Any, w: Callable[[str], Any],
               args: tuple[Callable[[], Any], ...], literals: tuple[str, ...],
               body: Any = None) -> bool:
    """Run macro `name`; returns False when there is no such macro (the caller prints the call's
    text instead)."""
    macro = st.macros.get(name)
    if macro is None:
        return False
    function, params = macro
    limit = st.limits.max_macro_depth
    if st.macro_depth >= limit:
        raise JavaException("org.apache.velocity.exception.MacroOverflowException",
                            f"Max calling depth of {limit} was exceeded in macro '{name}'")
    checkpoint(st)
    bound = dict(zip(params, args))
    frame = MacroScope(scope, bound, {"$" + p: lit for p, lit in zip(params, literals)})
    if body is not None:
        # the body renders in the macro's own scope, where $bodyContent is itself; its
        # recursion is bounded by the macro depth
        frame.local["bodyContent"] = Block(body, frame, st, max_depth=None)
    st.macro_depth += 1
    try:
        function(frame, w, st)
    finally:
        st.macro_depth -= 1
    return True


# ---- #define and block macro bodies --------------------------------------------------------------

class Block(HostObject):
    """A body of template code printed when referenced (#define's `$name`, `$bodyContent`)."""

    __slots__ = ("function", "scope", "st", "depth", "max_depth")

    def __init__(self, function: Callable, scope: Any, st: RenderState,
                 max_depth: int | None = -1) -> None:
        self.function = function
        self.scope = scope
        self.st = st
        self.depth = 0
        self.max_depth = st.limits.max_define_depth if max_depth == -1 else max_depth

    def vtl_to_string(self) -> str | None:
        return self.render(printed=False)

    def render(self, printed: bool) -> str | None:
        """The rendered body; None (printed as the reference's text) when the block is already
        being rendered `max_depth` times over (Velocity's directive.define.max.depth)."""
        if self.max_depth is not None and self.depth >= self.max_depth:
            return None
        checkpoint(self.st)
        out: list[str] = []
        self.depth += 1
        try:
            self.function(self.scope, out.append, self.st)
        except StopRender as stop:
            # printed, the block wrote into the output; as a value, into a discarded buffer
            stop.partial = "".join(out) + stop.partial if printed else ""
            raise
        finally:
            self.depth -= 1
        return _joined(out, self.st)


def render_string(function: Callable, scope: Any, st: RenderState, trim_last: bool) -> str:
    """An interpolated string literal's value (parsed with a space appended: see parser)."""
    out: list[str] = []
    try:
        function(scope, out.append, st)
    except StopRender as stop:
        stop.partial = ""   # the string's text is lost with it
        raise
    value = _joined(out, st)
    return value[:-1] if trim_last and value else value


def _joined(pieces: list[str], st: RenderState) -> str:
    """Text built from pieces, charged to the render's budget."""
    if len(pieces) > 8:   # they may repeat one huge string: measured before they are joined
        _budget.check_length(sum(map(len, pieces)))
    text = "".join(pieces)
    st.charge(len(text))
    return text


def include(w: Callable[[str], Any], directive: str, args: tuple) -> None:
    """#include / #parse: there are no template files to load. Velocity 1.7 writes a comment
    for a null argument and fails for a name it cannot find."""
    for i, arg in enumerate(args):
        if arg is None:
            w(f"<!-- {directive} error : error with arg {i} please see log. see error log -->")
            return
    raise JavaException("org.apache.velocity.exception.ResourceNotFoundException",
                        f"#{directive} cannot load templates: API Gateway has no template files")


# ---- what depends on the data model --------------------------------------------------------------

class Helpers:
    """The functions generated code calls whose result depends on the data model (`values`):
    what a value prints as, the methods it has, the class names an exception shows. Reference
    steps give None for an invalid reference so far, and take None in."""

    def __init__(self, values: JavaValues) -> None:
        to_string = values.to_string
        gate = gate_for(values)
        call_method = gate.call_method
        get_index = gate.get_index
        set_index = gate.set_index
        charge = _budget.charge

        def call(obj: Any, name: str, args: tuple) -> Any:
            if obj is None:
                return None
            value = call_method(obj, name, list(args))
            if value.__class__ is str:
                charge(len(value))   # a method applied again and again can grow a string
            return None if value is MISSING else value

        def call_known(obj: Any, cls: type, function: Callable[..., Any], name: str,
                       args: tuple, with_object: bool) -> Any:
            """A call compiled for a known object (see HostObject.vtl_direct): `function` when
            `obj` is of the class the host named, the general call otherwise."""
            if obj.__class__ is cls:
                return function(obj, *args) if with_object else function(*args)
            return call(obj, name, args)

        def index(obj: Any, key: Any) -> Any:
            if obj is None or key is None:
                return None
            value = get_index(obj, key)
            return None if value is MISSING else value

        def assign_index(base: Any, key: Any, value: Any) -> None:
            if base is not None and key is not None and value is not None:
                set_index(base, key, value)

        def text(value: Any) -> str:
            """A defined value as Velocity writes it."""
            return value if value.__class__ is str else to_string(value)

        def text_or_none(value: Any) -> str | None:
            """What Velocity writes for a reference's value: None for a null value, or for a
            block that declines to render (its toString() is null), either of which prints as
            the literal."""
            if value is None or value.__class__ is str:
                return value
            if value.__class__ is Block:
                return value.render(printed=True)
            return to_string(value)

        def text_or_empty(value: Any, literal: str) -> str:
            """text_or_none where an invalid reference prints as nothing (API Gateway's)."""
            cls = value.__class__
            if cls is int:
                return str(value)
            if cls is float:
                return double_to_string(value)
            if value is None:
                return ""
            if cls is Block:   # printed: what it writes before a #stop stays
                shown = value.render(printed=True)
                return literal if shown is None else shown
            return to_string(value)

        def add(left: Any, right: Any, left_literal: str, right_literal: str) -> Any:
            """`+`: with a String on either side Velocity 1.7 concatenates, writing a null
            operand as its source text."""
            if left.__class__ is str or right.__class__ is str:
                if left is None:
                    left = left_literal
                elif right is None:
                    right = right_literal
                left, right = text(left), text(right)
                charge(len(left) + len(right))
                return left + right
            return _java_add(left, right)

        def evaluate(st: RenderState, value: Any, scope: Any, w: Callable[[str], Any]) -> None:
            if value is not None:
                _evaluate(st, value, scope, w, text)

        self.call = call
        self.call_known = call_known
        self.index = index
        self.assign_index = assign_index
        self.text_or_none = text_or_none
        self.text_or_empty = text_or_empty
        self.add = add
        self.compare = comparison(values)
        self.evaluate = evaluate


def _evaluate(st: RenderState, value: Any, scope: Any, w: Callable[[str], Any],
              text: Callable[[Any], str]) -> None:
    """#evaluate of the text of `value`."""
    limit = st.limits.max_evaluate_depth
    if st.evaluate_depth >= limit:
        raise LimitExceeded("max_evaluate_depth", limit)
    checkpoint(st)
    compiled = st.compile_evaluated(text(value))
    saved = st.macros
    st.macros = {**saved, **compiled.macros}
    st.evaluate_depth += 1
    try:
        compiled.root(scope, w, st)
    except StopRender as stop:
        w(stop.partial)   # #stop inside #evaluate ends only the evaluated text
    finally:
        st.evaluate_depth -= 1
        st.macros = saved
