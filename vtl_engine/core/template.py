"""Template: compiles a VTL source once (cached by source and dialect) and renders it.

A template's first renders do not wait for its compiled code: the interpreter (interpreter.py,
the first tier) runs its nodes as they are, which costs a fraction of generating Python and
compiling it; once those renders have together taken about as long as compiling would, the
compiled code (the second tier) takes over (FirstTier). With a disk cache, the compiled code is
what is kept for later processes, so a template is compiled at once there. `tier` (or the
environment variable VTL_TIER) forces one tier: 1 the first, 2 the compiled code.
"""
from __future__ import annotations

import os
import sys
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any, ClassVar

from . import interpreter, parser
from .analysis import ANY, Path as VariablePath, VariablePaths
from .dialect import Dialect, get_dialect
from .errors import VtlError, VtlLimitError, VtlRuntimeError, VtlSyntaxError
from .limits import DEFAULT_LIMITS, Limits
from .runtime import budget, support
from .runtime.host import HostObject
from .runtime.methods import direct_function, unwrap_direct
from .runtime.signals import JavaException, LimitExceeded

if TYPE_CHECKING:   # the code generator is imported when a template is first compiled: a
    from . import compiler  # template's first renders run on the first tier without it
    from .diskcache import DiskCache
    from .layout import Line

_MACRO_OVERFLOW = "org.apache.velocity.exception.MacroOverflowException"


@dataclass
class CompiledTemplate:
    """A template's generated code, loaded: what every render of it shares (read-only)."""

    first_tier: ClassVar[bool] = False

    root: Any
    macros: dict[str, tuple[Any, tuple[str, ...]]]
    #: gives the generated module's lines (see compiler.GeneratedModule.listing), for
    #: python_source
    listing: Callable[[], list[Line]]
    filename: str
    positions: list[tuple[int, int]]
    source: str
    name: str | None
    #: with coverage on: the bodies that may run, and the indexes of those that ran
    coverage_points: list[compiler.CoveragePoint]
    coverage_hits: set[int] | None
    #: the paths of each variable the template can read (see Template.paths)
    variable_paths: VariablePaths

    @cached_property
    def python_source(self) -> str:
        """The generated module laid out for reading (on first need)."""
        from .layout import lay_out
        return "\n".join(lay_out(self.listing())[0]) + "\n"


# generated code's file name -> its CompiledTemplate, to map a failing line to the template
_loaded: weakref.WeakValueDictionary[str, CompiledTemplate] = weakref.WeakValueDictionary()
# (source, dialect, name) -> the coverage points that ran, kept across recompiles (the points of
# a source are always the same), for the whole process, as coverage tools do. The name says where
# the template sits (its file, or its place in an API definition): two places holding the same
# text are counted apart, as coverage.py counts per file.
_coverage_hits: dict[tuple[str, str, str | None], set[int]] = {}
_disk_cache: DiskCache | None = None


def set_disk_cache(directory: str | os.PathLike[str] | None) -> None:
    """Keep compiled templates in `directory` too, for later processes (None: do not). The
    environment variable VTL_CACHE_DIR sets it at start-up."""
    global _disk_cache
    if directory is None:
        _disk_cache = None
        return
    from .diskcache import DiskCache
    _disk_cache = DiskCache(directory)


set_disk_cache(os.environ.get("VTL_CACHE_DIR") or None)


def disk_cache_dir() -> Path | None:
    return _disk_cache.directory if _disk_cache is not None else None


KnownObjects = tuple[tuple[str, type[HostObject]], ...]


@lru_cache(maxsize=1024)
def compile_source(source: str, dialect_name: str, name: str | None = None,
                   known_objects: KnownObjects = (), coverage: bool = False) -> CompiledTemplate:
    """Parse and compile `source`; cached in memory (and on disk when set_disk_cache is on),
    since the result never changes. With `coverage`, the code records which of its bodies run
    (such code is never cached on disk)."""
    from . import compiler
    from .diskcache import source_key
    disk = _disk_cache if not coverage else None
    known = dict(known_objects)
    extras = [f"{k}={c.__module__}.{c.__qualname__}" for k, c in known_objects]
    key = source_key(source, dialect_name, name, extras + ["coverage"] if coverage else extras)
    entry = disk.load(key) if disk is not None else None
    directs = _direct_functions(known, entry[3]) if entry is not None else None
    points: list[compiler.CoveragePoint] = []
    if directs is None:   # not cached, or the host no longer offers what it did
        dialect = get_dialect(dialect_name)
        tree = parser.parse(source, dialect, name)
        # the file name is the same in every process, so a cached code object keeps it
        filename = f"<vtl template {key[:16]}{': ' + name if name else ''}>"
        try:
            module = compiler.generate(tree, dialect, name, known, coverage)
            code = compile(module.source, filename, "exec")
        except RecursionError:   # an expression nested too deep to generate (a long chain)
            raise VtlLimitError("recursion depth", sys.getrecursionlimit(), None, None, source,
                                name) from None
        except SyntaxError as e:   # valid code that nests deeper than Python's parser allows
            raise VtlLimitError("nesting depth of the compiled code", e.msg, None, None,
                                source, name) from None
        if disk is not None:
            disk.store(key, (code, module.listing(), module.positions, module.direct_calls,
                             module.variable_paths))
        listing = module.listing
        positions = module.positions
        directs = module.direct_functions
        points = module.coverage_points
        variable_paths = module.variable_paths
    else:
        code, lines, positions, _, variable_paths = entry
        listing = lines.copy
    host = {f"known_{k}": c for k, c in known_objects}
    host.update(directs)
    if known_objects:
        host["general"] = _general_root(source, dialect_name, name, coverage)
    hits = _coverage_hits.setdefault((source, dialect_name, name), set()) if coverage else None
    if hits is not None:
        host["cov"] = hits.add
    namespace = compiler.namespace(get_dialect(dialect_name), host)
    exec(code, namespace)  # noqa: S102 - our own generated code
    compiled = CompiledTemplate(namespace["root"], namespace["MACROS"], listing,
                                code.co_filename, positions, source, name, points, hits,
                                variable_paths)
    _loaded[code.co_filename] = compiled
    return compiled


#: the first tier's renders may take this many times what parsing the template took, together,
#: before the template is compiled: about what compiling it costs (compile_source takes 8 times
#: the one-pass parse of the w2 workload, 15 times that of loops like w3 and w4's, more for
#: smaller templates): like renting until the rent paid equals the price, a template then costs
#: at most about twice what the better choice made at its start would have cost
COMPILE_COST = 8.0
#: and at most this many renders (a parse timed in a busy moment makes a budget too large)
MAX_FIRST_TIER_RENDERS = 32


class FirstTier:
    """A template's first renders: its nodes run by the interpreter (interpreter.py), no Python
    generated or compiled. Renders are timed; once they have together taken COMPILE_COST times
    what parsing took, or after MAX_FIRST_TIER_RENDERS of them, `next_tier` compiles the
    template and gives its compiled code, which every Template of the source then renders
    with."""

    first_tier = True
    # what a template reads is found by the compiler's analysis, which costs a first render
    # more than it saves: until it is compiled, a template may read anything
    variable_paths: ClassVar[VariablePaths] = ANY
    macros: ClassVar[dict[str, Any]] = {}   # a template with macros is never here
    coverage_points: ClassVar[list[compiler.CoveragePoint]] = []
    coverage_hits = None

    def __init__(self, run: Callable[..., None], key: tuple, parse_seconds: float,
                 switches: bool) -> None:
        self.source, self.name = key[0], key[2]
        self._key = key   # compile_source's arguments
        self._budget = COMPILE_COST * parse_seconds if switches else float("inf")
        self._renders = MAX_FIRST_TIER_RENDERS if switches else float("inf")
        self.seconds = 0.0   # the renders' time so far, and their number
        self.renders = 0
        self.compiled: CompiledTemplate | None = None

        def root(v: dict[str, Any], w: Callable[[str], Any], st: support.RenderState) -> None:
            started = perf_counter()
            try:
                run(v, w, st)
            finally:
                self.seconds += perf_counter() - started
                self.renders += 1
        self.root = root

    def next_tier(self) -> CompiledTemplate | None:
        """The compiled code, once the renders so far have paid for compiling it; None while
        they have not, and for good when it cannot be compiled (an expression nested deeper
        than Python compiles, which the first tier renders)."""
        if self.compiled is None and (self.seconds >= self._budget
                                      or self.renders >= self._renders):
            try:
                self.compiled = compile_source(*self._key)
            except VtlLimitError:
                self._budget = self._renders = float("inf")
        return self.compiled

    @property
    def python_source(self) -> str:
        return compile_source(*self._key).python_source


@lru_cache(maxsize=1024)
def first_tier(source: str, dialect_name: str, name: str | None = None,
               known_objects: KnownObjects = (), switches: bool = True) -> FirstTier | None:
    """The first tier of `source`, or None for a template it leaves to the compiler; with
    `switches` False it never gives way to the compiled code."""
    started = perf_counter()
    dialect = get_dialect(dialect_name)
    tree = parser.parse(source, dialect, name)
    if not interpreter.takes(tree, source):
        return None
    run = interpreter.Interpreter(tree, dialect, dict(known_objects)).root
    return FirstTier(run, (source, dialect_name, name, known_objects), perf_counter() - started,
                     switches)


def _code(source: str, dialect_name: str, name: str | None, known_objects: KnownObjects,
          coverage: bool, tier: int | None) -> CompiledTemplate | FirstTier:
    """What a Template of `source` starts rendering with (see the module's docstring)."""
    if tier != 2 and not coverage and _disk_cache is None:
        first = first_tier(source, dialect_name, name, known_objects, tier is None)
        if first is not None:
            return first.compiled or first
    return compile_source(source, dialect_name, name, known_objects, coverage)


def _general_root(source: str, dialect_name: str, name: str | None,
                  coverage: bool) -> Callable[..., None]:
    """What code compiled for known objects runs when a render's variables do not hold them:
    the same template compiled without known objects (on first need)."""

    def general(v: dict[str, Any], w: Callable[[str], Any], st: support.RenderState) -> None:
        compile_source(source, dialect_name, name, (), coverage).root(v, w, st)
    return general


def _direct_functions(known: dict[str, type[HostObject]],
                      direct_calls: list[tuple[str, str, str, tuple[Any, ...]]]
                      ) -> dict[str, Any] | None:
    """The functions behind a cached module's direct calls; None if a class offers one no
    more (then the template is compiled again)."""
    functions = {}
    for global_name, known_name, method, constants in direct_calls:
        function = direct_function(known[known_name], method, constants)
        if function is None:
            return None
        functions[global_name] = unwrap_direct(function)
    return functions


class Template:
    """A VTL template, compiled once; `render` may be called from many threads at once."""

    def __init__(self, source: str, dialect: str | Dialect = "aws", *, name: str | None = None,
                 limits: Limits = DEFAULT_LIMITS,
                 known_objects: Mapping[str, type[HostObject]] | None = None,
                 coverage: bool = False, tier: int | None = None) -> None:
        """`known_objects` names the variables a host will fill with instances of these
        HostObject classes (`{"util": Util}`): calls on them may compile to direct calls (see
        HostObject.vtl_direct), taken whenever the variable holds that class when rendering.
        With `coverage`, renders record which bodies ran (see `coverage`). `tier` 1 renders
        with the first tier only (never compiled, where it takes the template), 2 with the
        compiled code from the start; None (the default) as the environment variable VTL_TIER
        says (1 or 2), else with the first tier until compiling pays."""
        if not isinstance(source, str):
            raise VtlSyntaxError(f"a template must be text, not {type(source).__name__}")
        self.dialect = get_dialect(dialect)
        self.name = name
        self.limits = limits
        _check_template_size(source, limits.max_template_size, name)
        self._known = tuple((known_objects or {}).items())
        if not all(k.isidentifier() for k, _ in self._known):
            raise ValueError("known object names must be identifiers")
        if tier is None:
            tier = {"1": 1, "2": 2}.get(os.environ.get("VTL_TIER", ""))
        elif tier not in (1, 2):
            raise ValueError("tier must be 1 (the first tier), 2 (compiled) or None (both)")
        self._compiled = _code(source, self.dialect.name, name, self._known, coverage, tier)

    @property
    def source(self) -> str:
        return self._compiled.source

    @property
    def python_source(self) -> str:
        """The Python this template compiled to."""
        return self._compiled.python_source

    def paths(self, variable: str) -> frozenset[VariablePath] | Any:
        """The paths of `variable` the template can read (`("identity", "sourceIp")` for
        `$context.identity.sourceIp`), each standing for everything below it, `()` for the
        whole value; `analysis.ANY` when the template runs code the compiler does not see
        (macros, #define, #evaluate), which may read anything, and while it renders on the
        first tier (not analysed yet)."""
        found = self._compiled.variable_paths
        return found if found is ANY else found.get(variable, frozenset())

    @property
    def coverage(self) -> tuple[list[compiler.CoveragePoint], set[int]] | None:
        """With coverage on: the bodies that may run, and the indexes of those that ran in
        any render of this source so far (the set is live; clear it to start again)."""
        compiled = self._compiled
        if compiled.coverage_hits is None:
            return None
        return compiled.coverage_points, compiled.coverage_hits

    def render(self, context: Mapping[str, Any] | None = None, /, **variables: Any) -> str:
        """Render with `context` as the template's variables and keyword arguments over them,
        as Jinja2's render takes them: `t.render({"a": 1})`, `t.render(name="Ada")`,
        `t.render(data, name="Ada")`. Raises VtlError for what the template does, TypeError
        when `context` is not a mapping."""
        if variables:
            return self.render_values({**self._variables(context), **variables})
        return self.render_values(self._variables(context))

    def render_values(self, variables: dict[str, Any]) -> str:
        """Render with `variables` as they are: already the dialect's values (no conversion,
        no copy; the template's #set writes into it). For hosts that build them so."""
        out: list[str] = []
        compiled = self._compiled
        if compiled.first_tier:
            compiled = self._compiled = compiled.next_tier() or compiled
        state = support.RenderState(self.limits, self._compile_evaluated, compiled.macros, out)
        token = budget.activate(state)
        try:
            compiled.root(variables, out.append, state)
        except support.StopRender as stop:
            out.append(stop.partial)
        except Exception as e:  # noqa: BLE001 - every failure leaves as a VtlError
            raise self._as_vtl_error(e) from None
        finally:
            budget.deactivate(token)
        size = state.output_size + sum(map(len, out[state.counted:] if state.counted else out))
        if size <= self.limits.max_output_size // 4:   # small enough in any encoding
            return "".join(out)
        return _output(out, size, self.limits.max_output_size, compiled)

    def _compile_evaluated(self, source: str) -> CompiledTemplate:
        _check_template_size(source, self.limits.max_template_size, "#evaluate")
        try:
            return compile_source(source, self.dialect.name, "#evaluate", self._known)
        except VtlSyntaxError as e:
            raise JavaException("org.apache.velocity.exception.ParseErrorException",
                                e.message) from None

    def _variables(self, context: Mapping[str, Any] | None) -> dict[str, Any]:
        if context is None:
            return {}
        if not isinstance(context, Mapping):
            raise TypeError(f"context must be a mapping of variable names to values, such as "
                            f"{{'name': 'Ada'}}, not {type(context).__name__}")
        # as they are: in a dialect whose data are JSON, lists print as JSON arrays (JavaList)
        return {str(k): v for k, v in context.items()}

    def _as_vtl_error(self, error: Exception) -> VtlError:
        line, column, compiled = _template_position(error.__traceback__)
        compiled = compiled or self._compiled
        source, name = compiled.source, compiled.name
        if isinstance(error, VtlError):
            return error
        if isinstance(error, LimitExceeded):
            return VtlLimitError(error.limit, error.value, line, column, source, name)
        if isinstance(error, JavaException):
            if error.java_class == _MACRO_OVERFLOW:   # Velocity's own limit, and ours
                limit_error = VtlLimitError("max_macro_depth", self.limits.max_macro_depth,
                                            line, column, source, name)
                limit_error.java_exception = error.java_class
                return limit_error
            return VtlRuntimeError(str(error), line, column, source, name,
                                   java_exception=error.java_class)
        if isinstance(error, support.BreakScope):   # no loop around the #break has that scope
            return VtlRuntimeError("#break(…) was given something else than the $foreach of a "
                                   "loop it is in", line, column, source, name,
                                   java_exception="org.apache.velocity.exception.VelocityException")
        if isinstance(error, RecursionError):
            return VtlLimitError("recursion depth", sys.getrecursionlimit(), line, column,
                                 source, name)
        if isinstance(error, MemoryError):
            return VtlLimitError("memory", "exhausted", line, column, source, name)
        return VtlRuntimeError(f"internal error: {type(error).__name__}: {error}", line, column,
                               source, name)


def _check_template_size(source: str, limit: int, name: str | None) -> None:
    if len(source) <= limit // 4:
        return   # no text this short can be over the limit, however it is encoded
    encoded = source.encode("utf-8", "surrogatepass")
    if len(encoded) > limit:
        # point at the first character past the limit
        head = encoded[:limit].decode("utf-8", "ignore")
        line = head.count("\n") + 1
        column = len(head) - head.rfind("\n")
        raise VtlLimitError("max_template_size", limit, line, column, source, name)


def _output(pieces: list[str], size: int, limit: int, compiled: CompiledTemplate) -> str:
    """A large render's text (`size` characters, more than a quarter of the limit in UTF-8
    bytes), refused before it is joined when it is over the limit in characters already (the
    pieces may repeat one huge string), and after, when it is in bytes."""
    if size > limit:
        raise VtlLimitError("max_output_size", limit, None, None, compiled.source, compiled.name)
    text = "".join(pieces)
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        raise VtlLimitError("max_output_size", limit, None, None, compiled.source, compiled.name)
    return text


def _template_position(tb: Any) -> tuple[int | None, int | None, CompiledTemplate | None]:
    """The template line and column of the innermost frame of generated code or of the first
    tier's statements in a traceback, and the compiled template (None: the first tier's, which
    is the rendering template's)."""
    found: tuple[int | None, int | None, CompiledTemplate | None] = (None, None, None)
    while tb is not None:
        compiled = _loaded.get(tb.tb_frame.f_code.co_filename)
        if compiled is not None and 0 < tb.tb_lineno <= len(compiled.positions):
            line, column = compiled.positions[tb.tb_lineno - 1]
            found = (line, column, compiled)
        elif (at := interpreter.position(tb.tb_frame)) is not None:
            found = (*at, None)
        tb = tb.tb_next
    return found
