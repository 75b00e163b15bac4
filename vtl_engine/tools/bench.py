"""`vtl bench`: how fast one template renders one request on this machine.

    vtl bench TEMPLATE [--body FILE] [--header K=V] [--query K=V] [--path K=V]
              [--stage-var K=V] [--context FILE.json] [--dialect aws|velocity]
              [--iterations N | --seconds S]

Reports the compile time (and, timed again apart, its steps: parse, generating Python, Python's
compile()), the time per render (median of batches, with p25-p75), renders per second and the
peak of Python allocations during one render (tracemalloc). A render is what API Gateway does per
request: the body is parsed inside it.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

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
    bench.add_argument("--seconds", type=float, default=3.0,
                       help="time to spend rendering when --iterations is not given (default 3)")
    bench.set_defaults(run=lambda args: run(args, request_of(args)))
    return bench


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def run(args: argparse.Namespace, request: tuple) -> int:
    from ..core import parser
    from ..apigateway.context import build_context
    from ..apigateway.input import normalise_params
    from ..apigateway.mapping import compiled_template, render_prepared

    source, body, params, context, stage_variables = request
    started = time.perf_counter()
    parser.parse("", get_dialect(args.dialect))   # builds the parser, once per process
    setup_seconds = time.perf_counter() - started
    started = time.perf_counter()
    compiled_template(source, args.dialect)
    compile_seconds = time.perf_counter() - started
    steps = _compile_steps(source, args.dialect)
    params = normalise_params(params)
    context = build_context(context, params)

    def render() -> str:
        return render_prepared(source, body, params, context, stage_variables, args.dialect).body

    output = render()
    once = _seconds(render, 1)
    iterations = args.iterations or max(_BATCHES, int(args.seconds / max(once, 1e-7)))
    per_batch = max(1, iterations // _BATCHES)
    times = _timed_batches(render, per_batch, -(-iterations // per_batch), args.seconds)
    tracemalloc.start()
    render()
    tracemalloc.stop()
    tracemalloc.start()
    render()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    median = statistics.median(times)
    quartiles = statistics.quantiles(times, n=4, method="inclusive") if len(times) > 1 else [
        median] * 3
    size = len(body.encode())
    print(f"template:   {args.template} ({args.dialect}), body {size:,} B, output "
          f"{len(output.encode()):,} B")
    print(f"compile:    {_duration(compile_seconds)} (before it {_duration(setup_seconds)} to set "
          f"up the parser, once per process)")
    print("  steps:    " + ", ".join(f"{step} {_duration(seconds)}" for step, seconds in steps))
    print(f"render:     {_duration(median)} per render (median of {len(times)} batches of "
          f"{per_batch}; p25-p75 {_duration(quartiles[0])}-{_duration(quartiles[2])})")
    print(f"throughput: {1 / median:,.0f} renders/s")
    ratio = f" ({peak / size:.1f}x the body)" if size else ""
    print(f"memory:     peak {peak:,} B of Python allocations in one render{ratio}")
    return 0


def _compile_steps(source: str, dialect: str) -> list[tuple[str, float]]:
    """The compile's steps, each timed once more on its own (the first compile above also reads
    and compiles the template's JSONPaths and loads the code)."""
    from ..core import compiler, parser
    from ..apigateway.mapping import KNOWN_OBJECTS

    steps = []
    started = time.perf_counter()
    tree = parser.parse(source, get_dialect(dialect))
    steps.append(("parse", time.perf_counter() - started))
    started = time.perf_counter()
    module = compiler.generate(tree, get_dialect(dialect), None, KNOWN_OBJECTS)
    steps.append(("generate Python", time.perf_counter() - started))
    started = time.perf_counter()
    compile(module.source, "<vtl bench>", "exec")
    steps.append((f"Python's compile() of {len(module.source):,} characters",
                  time.perf_counter() - started))
    return steps


def _seconds(render: Callable[[], Any], number: int) -> float:
    started = time.perf_counter()
    for _ in range(number):
        render()
    return (time.perf_counter() - started) / number


def _timed_batches(render: Callable[[], Any], per_batch: int, batches: int,
                   budget: float) -> list[float]:
    """Seconds per render of each batch; a bar on stderr when the run takes a while."""
    times: list[float] = []
    started = time.perf_counter()
    for done in range(1, batches + 1):
        times.append(_seconds(render, per_batch))
        if time.perf_counter() - started > 1.0:
            _progress(done, batches)
    if time.perf_counter() - started > 1.0:
        print(file=sys.stderr)
    return times


def _progress(done: int, total: int) -> None:
    filled = 30 * done // total
    sys.stderr.write(f"\rrendering [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} batches")
    sys.stderr.flush()


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"
