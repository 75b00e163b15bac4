"""The engines the runner times, each as `prepare(workload) -> render()`: a zero-argument callable
that renders one request of the workload from its raw body and returns the output text.

The floor is the shared reference floor (../shared/benchmarks/floor.py, the one the peers'
figures were taken against) when this checkout sits beside ../shared, and benchmarks/floors.py
otherwise. vtl_engine is timed twice: through `render_mapping_template` with the request as a
user gives it, and through `render_prepared` with params and $context made once, as a host
that serves many requests calls it. The body string is parsed inside every render.
"""
from __future__ import annotations

import importlib.util
import inspect
import json
import site
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from types import ModuleType
from typing import Any

import jinja2
import orjson

from . import floors

HERE = Path(__file__).resolve().parent
WORKLOADS = HERE / "workloads"
NAMES = ("w1_passthrough", "w2_reshape", "w3_array", "w4_strings")
COLD = "w5_cold"          # w2 from scratch: parse, compile, render
COLD_OF = "w2_reshape"
AIRSPEED_ENV = HERE / ".airspeed"
SHARED_FLOOR = HERE.parent.parent / "shared" / "benchmarks" / "floor.py"

Render = Callable[[], str]


@dataclass(frozen=True)
class Workload:
    name: str
    template: str
    body: str
    expected: str
    params: dict[str, dict[str, str]]
    context: dict[str, Any]
    stage_variables: dict[str, Any]


def load_workload(name: str) -> Workload:
    request = json.loads((WORKLOADS / "request.json").read_text(encoding="utf-8"))
    folder = WORKLOADS / (COLD_OF if name == COLD else name)
    return Workload(name, (folder / "template.vtl").read_text(encoding="utf-8"),
                    (folder / "payload.json").read_text(encoding="utf-8"),
                    (folder / "expected.txt").read_text(encoding="utf-8"),
                    request["params"], request["context"], request["stageVariables"])


# -- the floor ------------------------------------------------------------------------------------

@cache
def floor_module() -> ModuleType:
    """The shared reference floor when ../shared is there, else the project's own."""
    if not SHARED_FLOOR.is_file():
        return floors
    spec = importlib.util.spec_from_file_location("shared_floor", SHARED_FLOOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def floor_name() -> str:
    return "../shared/benchmarks/floor.py" if floor_module() is not floors else \
        "benchmarks/floors.py"


def floor(w: Workload) -> Render:
    module = floor_module()
    args = (w.body, w.params, w.context, w.stage_variables)
    if w.name != COLD:
        return partial(module.FLOORS[w.name], *args)
    # cold: what any engine that generates Python pays: compile() and exec of the function
    source = inspect.getsource(module.w2_reshape)
    helpers = {k: v for k, v in vars(module).items() if not k.startswith("__")}

    def render() -> str:
        namespace = dict(helpers)
        exec(compile(source, "<floor w2>", "exec"), namespace)  # noqa: S102 - our own source
        return namespace["w2_reshape"](*args)

    return render


# -- vtl_engine -----------------------------------------------------------------------------------

def _vtl_request(w: Workload) -> tuple:
    from vtl_engine.apigateway.context import build_context
    from vtl_engine.apigateway.input import normalise_params

    params = normalise_params(w.params)
    return params, build_context(w.context, params), dict(w.stage_variables)


def vtl_engine(w: Workload) -> Render:
    """The public API, as a user calls it: the request's data as given, every call. (w5, cold,
    goes past the in-memory cache of compiled templates, which the public API cannot.)"""
    from vtl_engine.apigateway import render_mapping_template

    if w.name == COLD:
        return _vtl_cold(w, *_vtl_request(w), cache_dir=None)

    def render() -> str:
        return render_mapping_template(w.template, body=w.body, params=w.params,
                                       context=w.context, stage_variables=w.stage_variables).body
    return render


def vtl_engine_prepared(w: Workload, cache_dir: Path | None = None) -> Render | None:
    """As a host calls it: params and $context made once, `render_prepared` per request; for
    w5 (cold), with compiled templates on disk in `cache_dir` from an earlier process."""
    from vtl_engine.apigateway.mapping import render_prepared

    params, context, stage_variables = _vtl_request(w)
    if w.name == COLD:
        return _vtl_cold(w, params, context, stage_variables, cache_dir) if cache_dir else None

    def render() -> str:
        return render_prepared(w.template, w.body, params, context, stage_variables).body
    return render


def _vtl_cold(w: Workload, params: dict, context: dict, stage_variables: dict,
              cache_dir: Path | None) -> Render:
    """Parse, compile and render as a new process would, past the in-memory caches (without
    emptying them, which would slow the other workloads' next renders)."""
    import copy

    from vtl_engine.core import template
    from vtl_engine.apigateway import jsonpath, mapping
    from vtl_engine.apigateway.input import Input
    from vtl_engine.apigateway.util import UTIL

    warm = mapping.compiled_template(w.template)
    known = tuple(mapping.KNOWN_OBJECTS.items())

    def render() -> str:
        jsonpath.compile_path.cache_clear()   # only the paths w2 reads: cheap to fill again
        saved = template.disk_cache_dir()
        template.set_disk_cache(cache_dir)
        try:
            fresh = copy.copy(warm)
            # as a new Template has it: the first tier, or with a disk cache the compiled code
            first = (template.first_tier.__wrapped__(w.template, "aws", None, known)
                     if cache_dir is None else None)
            fresh._compiled = first or template.compile_source.__wrapped__(w.template, "aws",
                                                                           None, known)
        finally:
            template.set_disk_cache(saved)
        variables = {"input": Input(w.body, params, warm.dialect), "context": context,
                     "stageVariables": stage_variables, "util": UTIL}
        return fresh.render_values(variables)

    if cache_dir is not None:
        render()   # the first process fills the disk cache
    return render


# -- Jinja2 ---------------------------------------------------------------------------------------

class _Input:
    """`input` for the Jinja2 and airspeed templates: `$input`'s three methods over orjson's
    values (definite paths only: all these templates use)."""

    def __init__(self, body: str, params: dict) -> None:
        self._body = body
        self._doc: Any = None
        self._params = params

    def _read(self, path: str) -> Any:
        if self._doc is None:
            self._doc = orjson.loads(self._body)
        node = self._doc
        for step in path[2:].split(".") if path != "$" else ():
            node = node.get(step) if type(node) is dict else None
        return node

    def path(self, path: str) -> Any:
        return self._read(path)

    def json(self, path: str) -> str:
        return floors.to_json(self._read(path))

    def params(self, name: str) -> str:
        return floors.param(self._params, name)


class _Util:
    escapeJavaScript = staticmethod(floors.escape_js)
    urlEncode = staticmethod(floors.url_encode)
    base64Encode = staticmethod(floors.base64_encode)


def _jinja_environment() -> jinja2.Environment:
    return jinja2.Environment(trim_blocks=True, autoescape=False)


def jinja(w: Workload) -> Render:
    source = (HERE / "jinja" / f"{COLD_OF if w.name == COLD else w.name}.j2").read_text("utf-8")
    template = _jinja_environment().from_string(source)
    util = _Util()

    def render() -> str:
        tpl = _jinja_environment().from_string(source) if w.name == COLD else template
        return tpl.render(input=_Input(w.body, w.params), context=w.context,
                          stageVariables=w.stage_variables, util=util)
    return render


# -- airspeed (optional, from its own environment) ------------------------------------------------

def install_airspeed() -> None:
    """Make benchmarks/.airspeed, a virtual environment with airspeed-ext, if it is missing."""
    python = AIRSPEED_ENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(AIRSPEED_ENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "airspeed-ext"], check=True)
    lib = next(AIRSPEED_ENV.glob("lib/python*/site-packages"))
    site.addsitedir(str(lib))


def airspeed(w: Workload) -> Render:
    import airspeed as airspeed_module  # installed by install_airspeed

    source = load_workload(COLD_OF).template if w.name == COLD else w.template
    template = airspeed_module.Template(source)
    util = _Util()

    def render() -> str:
        tpl = airspeed_module.Template(source) if w.name == COLD else template
        return tpl.merge({"input": _Input(w.body, w.params), "context": w.context,
                          "stageVariables": w.stage_variables, "util": util})
    return render
