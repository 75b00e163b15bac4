"""Fuzz the engine: many random templates (tools/vtlgen.py), each compiled and rendered in both
dialects; anything but a VtlError is a crash, anything slower than --hang seconds a hang.

    python tools/fuzz.py -n 100000 --workers 2 --report fuzz-report.json

Input i is generated from seed `--seed + i`, so `python tools/fuzz.py --show SEED` reproduces
one. The report (JSON) has the counts, every crash and hang (minimised) and the slowest inputs;
a summary is printed. Exit status 1 when there was a crash or a hang.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import vtlgen  # noqa: E402

from vtl_engine import Limits, Template, VtlError  # noqa: E402

LIMITS = Limits(max_loop_iterations=100_000, max_range=100_000, max_render_seconds=2.0,
                max_output_size=1_000_000, max_string_length=1_000_000)
_TEMPLATES: list[str] = []


class Hang(Exception):
    """Raised by the alarm when one input runs past the hang threshold."""


def _alarm(signum: int, frame: Any) -> None:
    raise Hang()


def outcome(source: str, context: dict, hang_seconds: float) -> tuple[str, str | None]:
    """("ok" | a VtlError class name | "crash" | "hang", details) over both dialects."""
    kinds = []
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, hang_seconds)
    try:
        for dialect in ("velocity", "aws"):
            try:
                Template(source, dialect, limits=LIMITS).render(json.loads(json.dumps(context)))
                kinds.append("ok")
            except VtlError as e:
                kinds.append(type(e).__name__)
    except Hang:
        return "hang", None
    except Exception as e:  # noqa: BLE001 - a crash is what we are looking for
        return "crash", "".join(traceback.format_exception_only(type(e), e)).strip() + "\n" + \
            "".join(traceback.format_tb(e.__traceback__)[-3:])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return "+".join(sorted(set(kinds))), None


def _init_worker() -> None:
    _TEMPLATES.extend(vtlgen.corpus(None))


def run_chunk(args: tuple[int, int, float]) -> list[dict]:
    start, count, hang_seconds = args
    results = []
    for seed in range(start, start + count):
        source, context = vtlgen.random_case(seed, _TEMPLATES)
        began = time.perf_counter()
        kind, details = outcome(source, context, hang_seconds)
        elapsed = time.perf_counter() - began
        if kind in ("crash", "hang"):
            results.append({"seed": seed, "kind": kind, "details": details, "template": source,
                            "minimised": vtlgen.minimise(
                                source, lambda t: outcome(t, context, hang_seconds)[0] == kind),
                            "context": context, "seconds": elapsed})
        else:
            results.append({"seed": seed, "kind": kind, "seconds": elapsed,
                            "template": source if elapsed > 0.5 else None})
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0, help="the first input's seed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--hang", type=float, default=10.0, help="seconds that count as a hang")
    parser.add_argument("--report", type=Path, default=Path("fuzz-report.json"))
    parser.add_argument("--show", type=int, help="print the template and context of one seed")
    args = parser.parse_args(argv)
    if args.show is not None:
        source, context = vtlgen.random_case(args.show, vtlgen.corpus(None))
        print(json.dumps({"template": source, "context": context}, ensure_ascii=False))
        return 0
    chunk = 200
    jobs = [(s, min(chunk, args.seed + args.count - s), args.hang)
            for s in range(args.seed, args.seed + args.count, chunk)]
    began = time.time()
    results: list[dict] = []
    with ProcessPoolExecutor(args.workers, initializer=_init_worker) as pool:
        for done, part in enumerate(pool.map(run_chunk, jobs), 1):
            results += part
            if done % 50 == 0:
                print(f"{len(results)} inputs, {time.time() - began:.0f} s", file=sys.stderr)
    counts = Counter(r["kind"] for r in results)
    failures = [r for r in results if r["kind"] in ("crash", "hang")]
    slowest = sorted((r for r in results if r.get("template")), key=lambda r: -r["seconds"])[:10]
    report = {"inputs": len(results), "seconds": round(time.time() - began, 1),
              "outcomes": dict(counts.most_common()), "failures": failures,
              "slowest": [{"seed": r["seed"], "seconds": round(r["seconds"], 3),
                           "template": r["template"]} for r in slowest]}
    args.report.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"{report['inputs']} inputs in {report['seconds']} s: {report['outcomes']}")
    for failure in failures[:20]:
        print(f"  seed {failure['seed']} {failure['kind']}: {failure['minimised']!r}")
        if failure["details"]:
            print("    " + failure["details"].splitlines()[0])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
