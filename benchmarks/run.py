"""Time vtl_engine against the reference floor, Jinja2 and (optionally) airspeed.

    python -m benchmarks.run [--rounds 15] [--airspeed] [--memory] [--first-use-runs 10]
                             [--out benchmarks/results]

The floor is ../shared/benchmarks/floor.py when this checkout sits beside ../shared (the floor
the peers' figures were taken against), else benchmarks/floors.py. vtl_engine is timed through
the public API (`render_mapping_template`, as a user calls it) and through `render_prepared`
(as a host calls it). The first-use rows time new processes: import and first render.

Every engine's output is first checked byte for byte against the workload's expected.txt; an
engine that differs is reported and not timed. Then, in each round, every (workload, engine)
pair is timed for one batch of renders, in an order that rotates from round to round, so a
slow moment of the machine touches all engines alike. Reported per render: the median over
rounds, p25-p75, and the median over rounds of its ratio to the floor's time in that round.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from . import engines
from .engines import COLD, NAMES, Render, Workload, load_workload

HERE = Path(__file__).resolve().parent
VTL_DISK = "vtl_engine (disk cache)"
VTL_PREPARED = "vtl_engine (prepared)"


def _engines(with_airspeed: bool, cache_dir: Path) -> dict[str, Callable[[Workload], Render]]:
    found: dict[str, Callable[[Workload], Render]] = {
        "floor": engines.floor,
        "vtl_engine": engines.vtl_engine,
        VTL_PREPARED: engines.vtl_engine_prepared,
        "jinja2": engines.jinja,
    }
    if with_airspeed:
        engines.install_airspeed()
        found["airspeed"] = engines.airspeed
    found[VTL_DISK] = lambda w: engines.vtl_engine_prepared(w, cache_dir) if w.name == COLD \
        else None
    return found


def prepare(with_airspeed: bool, cache_dir: Path) -> tuple[dict, dict]:
    """Every engine's render for every workload, checked against expected.txt; returns the
    renders and, per workload and engine, why one was left out."""
    renders: dict[str, dict[str, Render]] = {}
    problems: dict[str, dict[str, str]] = {}
    for name in (*NAMES, COLD):
        workload = load_workload(name)
        renders[name], problems[name] = {}, {}
        for engine, make in _engines(with_airspeed, cache_dir).items():
            try:
                render = make(workload)
                if render is None:
                    continue
                output = render()
            except Exception as error:  # noqa: BLE001 - a failing peer is reported, not fatal
                problems[name][engine] = f"failed: {type(error).__name__}: {error}"[:200]
                continue
            if output != workload.expected:
                problems[name][engine] = "output differs from expected.txt"
                continue
            renders[name][engine] = render
    return renders, problems


def _batch_size(render: Render, batch_seconds: float) -> int:
    start = time.perf_counter()
    render()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, min(100_000, int(batch_seconds / once)))


def _time_batch(render: Render, number: int) -> float:
    gc.collect()
    start = time.perf_counter_ns()
    for _ in range(number):
        render()
    return (time.perf_counter_ns() - start) / number / 1000.0  # microseconds per render


def measure(renders: dict[str, dict[str, Render]], rounds: int,
            batch_seconds: float) -> dict[str, dict[str, list[float]]]:
    pairs = [(w, e) for w, by_engine in renders.items() for e in by_engine]
    sizes = {(w, e): _batch_size(renders[w][e], batch_seconds) for w, e in pairs}
    samples: dict[str, dict[str, list[float]]] = {w: {e: [] for e in renders[w]} for w in renders}
    for round_number in range(rounds):
        shift = round_number % len(pairs)
        for w, e in pairs[shift:] + pairs[:shift]:
            samples[w][e].append(_time_batch(renders[w][e], sizes[(w, e)]))
        print(f"\rround {round_number + 1}/{rounds}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return samples


def summarise(samples: dict[str, dict[str, list[float]]],
              problems: dict[str, dict[str, str]]) -> dict[str, Any]:
    workloads: dict[str, Any] = {}
    for w, by_engine in samples.items():
        rows: dict[str, Any] = {}
        for e, times in by_engine.items():
            q = statistics.quantiles(times, n=4, method="inclusive") if len(times) > 1 else [
                times[0]] * 3
            rows[e] = {"median_us": statistics.median(times), "p25_us": q[0], "p75_us": q[2]}
        # the ratio of each round's batch to the floor's batch of the same round, then the
        # median: both were timed moments apart, so a busy machine slows both alike
        floor = by_engine.get("floor")
        for e, row in rows.items():
            row["ratio"] = (statistics.median(t / f for t, f in zip(by_engine[e], floor))
                            if floor else None)
        workloads[w] = {"engines": rows, "problems": problems.get(w, {})}
    return {
        "python": sys.version.split()[0],
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "workloads": workloads,
    }


def _time_text(us: float) -> str:
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.1f} µs"


def table(results: dict[str, Any]) -> str:
    """The results as a Markdown table: median (p25-p75) and ratio to the floor."""
    engine_names: list[str] = []
    for entry in results["workloads"].values():
        engine_names += [e for e in entry["engines"] if e not in engine_names]
    lines = ["| workload | " + " | ".join(engine_names) + " |",
             "|---|" + "---:|" * len(engine_names)]
    for w, entry in results["workloads"].items():
        cells = []
        for e in engine_names:
            row = entry["engines"].get(e)
            if row is None:
                cells.append("—" if e not in entry["problems"] else "differs/failed")
                continue
            ratio = f" **{row['ratio']:.2f}×**" if row["ratio"] is not None else ""
            cells.append(f"{_time_text(row['median_us'])} ({_time_text(row['p25_us'])}–"
                         f"{_time_text(row['p75_us'])}){ratio}")
        lines.append(f"| {w} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_reports(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), autoescape=True)
    html = environment.get_template("report.html.j2").render(results=results)
    (out / "results.html").write_text(html, encoding="utf-8")


# -- memory ---------------------------------------------------------------------------------------

def memory_report(renders: int) -> dict[str, Any]:
    """w3's peak Python allocation during one render against its payload's size, and w2's
    traced memory after every tenth of `renders` renders (flat means no leak)."""
    w3 = engines.vtl_engine_prepared(load_workload("w3_array"))
    w3()
    tracemalloc.start()
    w3()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    w3()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    payload = len(load_workload("w3_array").body.encode())
    w2 = engines.vtl_engine_prepared(load_workload("w2_reshape"))
    w2()
    tracemalloc.start()
    steps, samples = 10, []
    for _ in range(steps):
        for _ in range(renders // steps):
            w2()
        gc.collect()
        samples.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    return {"w3_peak_bytes": peak, "w3_payload_bytes": payload, "w3_peak_ratio": peak / payload,
            "w2_renders": renders, "w2_traced_bytes": samples,
            "w2_growth_bytes": samples[-1] - samples[0]}


# -- first use: a new process -------------------------------------------------------------------

_FIRST_VTL = """
import json, sys
from pathlib import Path
from vtl_engine.apigateway import render_mapping_template
folder, request = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
out = render_mapping_template((folder / "template.vtl").read_text(),
                              body=(folder / "payload.json").read_text(),
                              params=request["params"], context=request["context"],
                              stage_variables=request["stageVariables"]).body
assert out == (folder / "expected.txt").read_text()
"""
_FIRST_FLOOR = """
import importlib.util, json, sys
from pathlib import Path
folder, request = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
spec = importlib.util.spec_from_file_location("floor", sys.argv[3])
floor = importlib.util.module_from_spec(spec)
spec.loader.exec_module(floor)
out = floor.FLOORS["w2_reshape"]((folder / "payload.json").read_text(), request["params"],
                                 request["context"], request["stageVariables"])
assert out == (folder / "expected.txt").read_text()
"""


def first_use(runs: int, cache_dir: Path) -> dict[str, Any]:
    """Wall time of new processes, alternated run by run: Python alone, the floor's import and
    first w2 render, vtl_engine's (no disk cache, then a disk cache an earlier process filled),
    and `vtl render` of the README's example."""
    folder = engines.WORKLOADS / engines.COLD_OF
    request = engines.WORKLOADS / "request.json"
    floor_file = engines.floor_module().__file__
    environment = {k: v for k, v in os.environ.items() if k != "VTL_CACHE_DIR"}
    cached = dict(environment, VTL_CACHE_DIR=str(cache_dir))
    vtl = Path(sys.executable).with_name("vtl")
    readme = [str(vtl), "render", "fixtures/examples/order.vtl", "--body",
              "fixtures/examples/order.json", "--query", "express=true", "--stage-var", "env=prod"]
    commands = {
        "python": ([sys.executable, "-c", "pass"], environment),
        "floor": ([sys.executable, "-c", _FIRST_FLOOR, str(folder), str(request), floor_file],
                  environment),
        "vtl_engine": ([sys.executable, "-c", _FIRST_VTL, str(folder), str(request)],
                       environment),
        VTL_DISK: ([sys.executable, "-c", _FIRST_VTL, str(folder), str(request)], cached),
        "vtl render (README example)": (readme, environment),
    }
    subprocess.run(commands[VTL_DISK][0], env=cached, check=True)  # fills the disk cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, env) in commands.items():
            started = time.perf_counter()
            subprocess.run(command, env=env, cwd=HERE.parent, check=True,
                           stdout=subprocess.DEVNULL)
            times[name].append((time.perf_counter() - started) * 1000)
    floor_ms = statistics.median(times["floor"])
    return {name: {"median_ms": statistics.median(ms),
                   "ratio": statistics.median(ms) / floor_ms} for name, ms in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds (default 15)")
    parser.add_argument("--batch-ms", type=float, default=20.0,
                        help="time one batch of renders takes (default 20 ms)")
    parser.add_argument("--airspeed", action="store_true",
                        help="also time airspeed-ext (installed into benchmarks/.airspeed)")
    parser.add_argument("--memory", action="store_true",
                        help="also measure w3's peak memory and w2's over many renders")
    parser.add_argument("--memory-renders", type=int, default=100_000)
    parser.add_argument("--first-use-runs", type=int, default=10,
                        help="new processes timed for the first-use rows (0: none; default 10)")
    parser.add_argument("--out", type=Path, default=HERE / "results",
                        help="where results.json and results.html go")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vtl-bench-cache-") as cache_dir:
        renders, problems = prepare(args.airspeed, Path(cache_dir))
        for w, by_engine in problems.items():
            for e, why in by_engine.items():
                print(f"{w}: {e}: {why}", file=sys.stderr)
        samples = measure(renders, args.rounds, args.batch_ms / 1000)
        first = first_use(args.first_use_runs, Path(cache_dir)) if args.first_use_runs else None
    results = summarise(samples, problems)
    results["rounds"] = args.rounds
    results["floor"] = engines.floor_name()
    if first:
        results["first_use"] = first
    if args.memory:
        results["memory"] = memory_report(args.memory_renders)
    print(f"Ratios to {results['floor']}.\n")
    print(table(results))
    if first:
        print("\nFirst use, a new process (wall time, median of "
              f"{args.first_use_runs}):")
        for name, row in first.items():
            print(f"  {name}: {row['median_ms']:.0f} ms ({row['ratio']:.2f}× the floor's)")
    if args.memory:
        m = results["memory"]
        print(f"\nw3 render peak: {m['w3_peak_bytes']:,} B = {m['w3_peak_ratio']:.1f}× its "
              f"{m['w3_payload_bytes']:,} B payload; w2 traced memory over {m['w2_renders']:,} "
              f"renders: {m['w2_traced_bytes'][0]:,} B -> {m['w2_traced_bytes'][-1]:,} B")
    write_reports(results, args.out)
    print(f"\nwrote {args.out / 'results.json'} and {args.out / 'results.html'}")
    failed = any(e in ("floor", "vtl_engine") for by_engine in problems.values()
                 for e in by_engine)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
