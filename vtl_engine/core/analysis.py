"""What a template does, found before any code is written (as Jinja2's idtracking.py does).

`analyse` walks the tree once and answers what the code generator asks of the whole template:
which names it reads and binds, which variables it sets once, whether it runs template code out
of the compiler's sight, which variables its loops may keep in Python locals, and which paths of
a variable (`$context.identity.sourceIp`) it can read. The functions at the end answer the same
kind of question for one body (how deep its loops nest, whether it may resize a list).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from . import nodes as n
from .dialect import Dialect

#: the variables every #foreach binds besides its own
LOOP_VARIABLES = frozenset({"foreach", "velocityCount", "velocityHasNext"})

#: a path into a variable: the property names read one after another
Path = tuple[str, ...]


class _Any:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ANY"


#: what `Analysis.paths` gives for a variable whose reads cannot be told from the template
ANY = _Any()

#: every variable's paths (see Analysis.variable_paths)
VariablePaths = dict[str, frozenset[Path]] | _Any

# what runs template code the compiler does not see: macro bodies run from their calls (with
# arguments passed by name), #define blocks when printed, #evaluate's text
_OTHER_CODE = frozenset({n.Define, n.MacroDef, n.MacroCall, n.Evaluate})


@dataclass(frozen=True)
class Analysis:
    """The template-wide facts the code generator uses."""

    #: the names of every reference (a #set's target included)
    reads: frozenset[str]
    #: how many #set directives write each name
    set_counts: dict[str, int]
    #: the names loops bind: their variables, and $foreach, $velocityCount, $velocityHasNext
    loop_names: frozenset[str]
    #: whether the template has what may run template code out of the compiler's sight:
    #: #define, macros, #evaluate
    runs_other_code: bool
    #: the variables nothing in the template can rebind (no #set or #foreach of them, nothing
    #: that runs other code): the root function reads each once, at its start
    fixed: frozenset[str]
    #: the variables #foreach may keep in Python locals (None: none may). A loop keeps `v[var]`
    #: up to date for everything else, so its body may read the local instead, as long as
    #: nothing but the loop can change `v[var]` meanwhile: no #set of it, and nothing that runs
    #: other code
    loop_locals: frozenset[str] | None
    #: variable -> the #set that sets it once (see `_set_once`)
    set_once: dict[str, n.Set]
    #: the loop variables whose loops must hide them from the body of a null item, as Velocity
    #: 1.7 does (support.NullHolder): those the body may set (a #set, a loop of that name) or
    #: all of them when the template runs other code; they are never Python locals
    held: frozenset[str]
    _references: list[n.Reference] = field(repr=False)
    _targets: set[int] = field(repr=False)   # the ids of the references #set writes to

    def paths(self, name: str) -> frozenset[Path] | _Any:
        """The paths of variable `name` the template can read, each standing for everything
        below it (`()`: the whole value, as `$context` printed, passed or set to another name
        reads it); ANY when the template runs other code, which may read anything."""
        found = self.variable_paths()
        return found if found is ANY else found.get(name, frozenset())

    def variable_paths(self) -> VariablePaths:
        """`paths` of every variable the template names, at once (ANY for all of them when it
        runs other code)."""
        if self.runs_other_code:
            return ANY
        targets = self._targets
        found: dict[str, set[Path]] = {}
        for ref in self._references:
            found.setdefault(ref.name, set()).add(
                _path(ref.suffixes[:-1] if id(ref) in targets else ref.suffixes))
        return {name: frozenset(paths) for name, paths in found.items()}


def analyse(template: n.Template, dialect: Dialect) -> Analysis:
    references: list[n.Reference] = []
    set_counts: dict[str, int] = {}
    targets: set[int] = set()
    loops: list[n.Foreach] = []
    other_code = False
    for node in n.walk(template.body):
        kind = node.__class__
        if kind is n.Reference:
            references.append(node)
        elif kind is n.Set:
            name = node.target.name
            set_counts[name] = set_counts.get(name, 0) + 1
            targets.add(id(node.target))
        elif kind is n.Foreach:
            loops.append(node)
        elif kind in _OTHER_CODE:
            other_code = True
    reads = frozenset(ref.name for ref in references)
    loop_vars = {loop.var for loop in loops}
    loop_names = frozenset(loop_vars | LOOP_VARIABLES) if loop_vars else frozenset()
    if other_code:
        fixed: frozenset[str] = frozenset()
        loop_locals = None
        set_once: dict[str, n.Set] = {}
        held = frozenset(loop_vars)
    else:
        unbound = reads - set_counts.keys() - loop_names
        fixed = frozenset(name for name in unbound if name.isidentifier())
        held = frozenset(loop.var for loop in loops if _sets(loop.body, loop.var))
        loop_locals = reads - set_counts.keys() - held
        set_once = (_set_once(template.body, set_counts, loop_names, references)
                    if dialect.invalid.never_null else {})
    return Analysis(reads, set_counts, loop_names, other_code, fixed, loop_locals, set_once,
                    held, references, targets)


def _sets(body: list[n.Node], name: str) -> bool:
    """Whether `body` may set variable `name`: a #set of it, or a loop over it."""
    return any((x.__class__ is n.Set and x.target.name == name)
               or (x.__class__ is n.Foreach and x.var == name) for x in n.walk(body))


def _set_once(body: list[n.Node], set_counts: dict[str, int], loop_names: frozenset[str],
              references: list[n.Reference]) -> dict[str, n.Set]:
    """The variables whose one #set is in the root body itself (so it runs once, before
    everything after it), gives a value that is never null (a reference, in a dialect where an
    invalid one is ""), and nothing reads the name before or in it: the root function then keeps
    the value in a local too, which what comes after reads."""
    candidates = {x.target.name: x for x in body
                  if isinstance(x, n.Set) and set_counts[x.target.name] == 1
                  and x.target.name not in loop_names
                  and not x.target.suffixes and not x.target.quiet
                  and not x.target.literal.startswith("${")
                  and isinstance(x.value, n.Reference) and x.target.name.isidentifier()}
    first_read: dict[str, tuple[int, int]] = {}
    for ref in references:
        if ref.name in candidates:
            at = (ref.line, ref.column)
            first_read[ref.name] = min(first_read.get(ref.name, at), at)
    found = {}
    for name, node in candidates.items():
        inside = {x.name for x in n.walk([node.value]) if isinstance(x, n.Reference)}
        at = (node.line, node.column)
        if name not in inside and not first_read.get(name, at) < at:
            found[name] = node
    return found


def _path(suffixes: list[n.Suffix]) -> Path:
    """The path a reference reads of its variable: its leading properties. What follows them
    (a method, an index, whose key may only be known when rendering) works on the value there,
    all of it; a #set's target reads the value it changes (its suffixes but the last)."""
    path: list[str] = []
    for suffix in suffixes:
        if not isinstance(suffix, n.Property):
            break
        path.append(suffix.name)
    return tuple(path)


# ---- one body --------------------------------------------------------------------------------

def loop_depth(body: Iterable[n.Node]) -> int:
    """How deep #foreach loops nest in `body` (0: none)."""
    deepest = 0
    for loop in _find_all(body, n.Foreach):
        deepest = max(deepest, 1 + loop_depth(loop.body))
    return deepest


# the Java List methods that add or remove items (Iterator.remove too)
_RESIZING_METHODS = frozenset({"add", "addAll", "remove", "clear"})


def may_resize(body: Iterable[n.Node]) -> bool:
    """Whether `body` calls a method that may change a list's size."""
    return any(x.name in _RESIZING_METHODS for x in _find_all(body, n.Method))


def has_interpolated_strings(body: Iterable[n.Node]) -> bool:
    """Whether `body` has a string with template code in it (compiled to a function)."""
    return any(x.body is not None for x in _find_all(body, n.StringLiteral))


def _find_all(body: Iterable[n.Node], node_type: type[n.N]) -> Iterable[n.N]:
    return (x for x in n.walk(body) if isinstance(x, node_type))
