"""`vtl bench`: how fast one template renders one request on this machine.

    vtl bench TEMPLATE [--body FILE] [--header K=V] [--query K=V] [--path K=V]
              [--stage-var K=V] [--context FILE.json] [--dialect aws|velocity]
              [--iterations N | --seconds S] [--json]

Reports the compile time (and, timed again apart, its steps: parse, generating Python, Python's
compile()), the time per render (median of batches, with p25-p75), renders per second and the
peak of Python allocations during one render (tracemalloc). A render is what API Gateway does per
request: the body is parsed inside it.
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from ..core.dialect import get_dialect

_BATCHES = 20


def add_parser(subcommands: Any,
               request_of: Callable[[argparse.Namespace], tuple]) -> argparse.ArgumentParser:
    """Add the `bench` subcommand to the `vtl` command's subparsers and return it, for the CLI to
    add its request options (as for `vtl render`); `request_of` reads them."""
    bench = subcommands.add_parser("bench", help="time a template rendering a request")
    bench.add_argument("template", help="the template file (- for stdin)")
    bench.add_argument("--iterations", type=_positive, metavar="N",
                       help="renders to time (default: as many as --seconds allows)")
    bench.add_argument("--seconds", type=_positive_float, default=3.0, metavar="S",
                       help="how long to render when --iterations is not given (default 3)")
    bench.add_argument("--json", action="store_true",
                       help="print the measurements as one JSON object")
    bench.set_defaults(run=lambda args: run(args, request_of(args)))
    return bench


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _positive_float(text: str) -> float:
    number = float(text)
    if not number > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return number


def run(args: argparse.Namespace, request: tuple) -> int:
    from ..core import parser
    from ..apigateway.context import build_context
    from ..apigateway.input import normalise_params
    from ..apigateway.mapping import compiled_template, render_prepared

    source, body, params, context, stage_variables = request
    size = len(body)
    if isinstance(body, bytes):   # as render_mapping_template reads bytes (Java's way)
        body = body.decode("utf-8", "replace")
    started = time.perf_counter()
    parser.parse("", get_dialect(args.dialect))   # builds the parser, once per process
    setup_seconds = time.perf_counter() - started
    started = time.perf_counter()
    compiled_template(source, args.dialect)
    compile_seconds = time.perf_counter() - started
    steps, python_size = _compile_steps(source, args.dialect)
    params = normalise_params(params)
    context = build_context(context, params)

    def render() -> str:
        return render_prepared(source, body, params, context, stage_variables, args.dialect).body

    output = render()
    timing = (_fixed_batches(render, args.iterations) if args.iterations
              else _timed_batches(render, args.seconds))
    peak = _peak_allocation(render)
    times = timing.times
    median = statistics.median(times)
    p25, _, p75 = statistics.quantiles(times, n=4, method="inclusive") if len(times) > 1 else [
        median] * 3
    if args.json:
        print(orjson.dumps({
            "template": args.template, "dialect": args.dialect, "body_bytes": size,
            "output_bytes": len(output.encode()), "compile_seconds": compile_seconds,
            "parser_setup_seconds": setup_seconds,
            "compile_steps": steps, "python_source_characters": python_size,
            "render_seconds": {"median": median, "p25": p25, "p75": p75},
            "batches": len(times), "renders_per_batch": timing.per_batch,
            "renders": len(times) * timing.per_batch, "rendering_seconds": timing.seconds,
            "renders_per_second": 1 / median, "peak_allocation_bytes": peak,
        }, option=orjson.OPT_INDENT_2).decode())
        return 0
    print(f"template:   {args.template} ({args.dialect}), body {size:,} B, output "
          f"{len(output.encode()):,} B")
    print(f"compile:    {_duration(compile_seconds)} (before it {_duration(setup_seconds)} to set "
          f"up the parser, once per process)")
    print(f"  steps:    parse {_duration(steps['parse'])}, generate Python "
          f"{_duration(steps['generate_python'])}, Python's compile() of {python_size:,} "
          f"characters {_duration(steps['python_compile'])}")
    print(f"render:     {_duration(median)} per render (median of {len(times)} batches of "
          f"{timing.per_batch:,}, {timing.seconds:.1f} s in all; p25-p75 {_duration(p25)}-"
          f"{_duration(p75)})")
    print(f"throughput: {1 / median:,.0f} renders/s")
    ratio = f" ({peak / size:.1f}x the body)" if size else ""
    print(f"memory:     peak {peak:,} B of Python allocations in one render{ratio}")
    return 0


def _compile_steps(source: str, dialect: str) -> tuple[dict[str, float], int]:
    """The compile's steps (parse, generate_python, python_compile), each timed once more on its
    own (the first compile above also reads and compiles the template's JSONPaths and loads the
    code), and the length of the generated Python."""
    from ..core import compiler, parser
    from ..apigateway.mapping import KNOWN_OBJECTS

    steps = {}
    started = time.perf_counter()
    tree = parser.parse(source, get_dialect(dialect))
    steps["parse"] = time.perf_counter() - started
    started = time.perf_counter()
    module = compiler.generate(tree, get_dialect(dialect), None, KNOWN_OBJECTS)
    steps["generate_python"] = time.perf_counter() - started
    started = time.perf_counter()
    compile(module.source, "<vtl bench>", "exec")
    steps["python_compile"] = time.perf_counter() - started
    return steps, len(module.source)


@dataclass
class _Timing:
    """Seconds per render of each batch of `per_batch` renders, and the time they took in all."""

    times: list[float]
    per_batch: int
    seconds: float


def _seconds(render: Callable[[], Any], number: int) -> float:
    started = time.perf_counter()
    for _ in range(number):
        render()
    return (time.perf_counter() - started) / number


def _fixed_batches(render: Callable[[], Any], iterations: int) -> _Timing:
    """`iterations` renders (rounded up to whole batches) in about _BATCHES batches."""
    per_batch = max(1, iterations // _BATCHES)
    started = time.perf_counter()
    times = [_seconds(render, per_batch) for _ in range(-(-iterations // per_batch))]
    return _Timing(times, per_batch, time.perf_counter() - started)


def _timed_batches(render: Callable[[], Any], seconds: float) -> _Timing:
    """Batches until `seconds` have passed (the calibration included), each long enough to
    time well: its size found as timeit's autorange finds it, from batches that grow until one
    takes a _BATCHES-th of the time."""
    started = time.perf_counter()
    deadline = started + seconds
    for step in itertools.count():   # calibrate: batches of 1, 2, 5, 10, 20, 50, ... renders
        per_batch = (1, 2, 5)[step % 3] * 10 ** (step // 3)
        times = [_seconds(render, per_batch)]
        if times[0] * per_batch >= seconds / _BATCHES or time.perf_counter() >= deadline:
            break
    progress = _Progress(seconds) if sys.stderr.isatty() else None
    while time.perf_counter() + times[-1] * per_batch / 2 < deadline:
        times.append(_seconds(render, per_batch))
        if progress is not None:
            progress.show(time.perf_counter() - started)
    if progress is not None:
        progress.done()
    return _Timing(times, per_batch, time.perf_counter() - started)


class _Progress:
    """A bar on stderr (a terminal's) that fills as the seconds pass."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def show(self, elapsed: float) -> None:
        filled = min(30, int(30 * elapsed / self.seconds))
        sys.stderr.write(f"\rrendering [{'#' * filled}{'.' * (30 - filled)}] "
                         f"{elapsed:.1f}/{self.seconds:g} s")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\r" + " " * 60 + "\r")
        sys.stderr.flush()


def _peak_allocation(render: Callable[[], Any]) -> int:
    """The peak of Python allocations during one render (the first traced one warms up)."""
    tracemalloc.start()
    render()
    tracemalloc.stop()
    tracemalloc.start()
    render()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"
