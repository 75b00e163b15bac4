"""Compare two checkouts of the engine on the same generated templates: what each renders, or
the error class, message, line and column it raises, in both dialects.

    python tools/compare_engines.py record --engine /path/to/old -n 30000 -o old.jsonl
    python tools/compare_engines.py record -n 30000 -o new.jsonl      # this checkout
    python tools/compare_engines.py diff old.jsonl new.jsonl

`--tier 1` or `--tier 2` renders with one tier of the engine only (the environment variable
VTL_TIER, see vtl_engine.core.template), so that the first tier and the compiled code of the
same checkout can be compared:

    python tools/compare_engines.py record --tier 1 -n 30000 -o tier1.jsonl
    python tools/compare_engines.py record --tier 2 -n 30000 -o tier2.jsonl
    python tools/compare_engines.py diff tier2.jsonl tier1.jsonl

The templates always come from this checkout's tools/vtlgen.py (input i from seed `--seed + i`,
as tools/fuzz.py makes them), so two engines are fed the same inputs; each engine is used only
through its public API (vtl_engine.Template, VtlError). The identity hash a Java object without
a value of its own prints (`[Ljava.lang.String;@1b6d3586`) is left out of the outcome: it is never
the same twice. `diff` prints the seeds whose outcome differs, with the template, and exits 1 if
there is any.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import vtlgen  # noqa: E402

_TEMPLATES: list[str] = []
# what a Java object with no value of its own prints, ClassName@hash, ends in its identity hash,
# which is never the same twice (not from one run to the next, not in the JVM either)
_IDENTITY = re.compile(r"(?<=[\w;])@[0-9a-f]+")


def _init_worker(engine: str, tier: int | None) -> None:
    if tier is not None:
        os.environ["VTL_TIER"] = str(tier)
    sys.path.insert(0, engine)
    global vtl_engine
    import vtl_engine  # noqa: F401 - the engine under test, from `engine`
    _TEMPLATES.extend(vtlgen.corpus(None))


def _outcome(source: str, context: dict[str, Any], dialect: str) -> dict[str, Any]:
    limits = vtl_engine.Limits(max_loop_iterations=100_000, max_range=100_000,
                               max_render_seconds=5.0, max_output_size=1_000_000,
                               max_string_length=1_000_000)
    try:
        template = vtl_engine.Template(source, dialect, limits=limits)
        return {"out": _IDENTITY.sub("@", template.render(json.loads(json.dumps(context))))}
    except vtl_engine.VtlError as e:
        return {"error": type(e).__name__,
                "message": _IDENTITY.sub("@", getattr(e, "message", str(e))),
                "line": getattr(e, "line", None), "column": getattr(e, "column", None)}
    except Exception as e:  # noqa: BLE001 - a crash is an outcome to compare too
        return {"crash": f"{type(e).__name__}: {e}"}


def _record_chunk(job: tuple[int, int]) -> list[str]:
    start, count = job
    lines = []
    for seed in range(start, start + count):
        source, context = vtlgen.random_case(seed, _TEMPLATES)
        outcomes = {d: _outcome(source, context, d) for d in ("velocity", "aws")}
        lines.append(json.dumps({"seed": seed, **outcomes}, ensure_ascii=False))
    return lines


def record(engine: Path, seed: int, count: int, workers: int, output: Path,
           tier: int | None = None) -> None:
    chunk = 250
    jobs = [(s, min(chunk, seed + count - s)) for s in range(seed, seed + count, chunk)]
    with ProcessPoolExecutor(workers, initializer=_init_worker,
                             initargs=(str(engine), tier)) as pool, \
            output.open("w", encoding="utf-8") as out:
        for done, lines in enumerate(pool.map(_record_chunk, jobs), 1):
            out.write("\n".join(lines) + "\n")
            if done % 20 == 0:
                print(f"{done * chunk} inputs", file=sys.stderr)


def diff(old: Path, new: Path, show: int) -> int:
    with old.open(encoding="utf-8") as a, new.open(encoding="utf-8") as b:
        differing = [(x, y) for x, y in zip(map(json.loads, a), map(json.loads, b)) if x != y]
    for x, y in differing[:show]:
        source, _ = vtlgen.random_case(x["seed"], vtlgen.corpus(None))
        print(f"seed {x['seed']}: {source!r}")
        for dialect in ("velocity", "aws"):
            if x[dialect] != y[dialect]:
                print(f"  {dialect}: {x[dialect]!r}\n  {' ' * len(dialect)}  {y[dialect]!r}")
    print(f"{len(differing)} seeds differ")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record", help="record an engine's outcomes")
    rec.add_argument("--engine", type=Path, default=HERE.parent,
                     help="the checkout whose vtl_engine is used (default: this one)")
    rec.add_argument("-n", "--count", type=int, default=30_000)
    rec.add_argument("--seed", type=int, default=0)
    rec.add_argument("--workers", type=int, default=2)
    rec.add_argument("-o", "--output", type=Path, required=True)
    rec.add_argument("--tier", type=int, choices=(1, 2),
                     help="render with the first tier only (1) or the compiled code only (2)")
    dif = commands.add_parser("diff", help="the seeds whose outcomes differ")
    dif.add_argument("old", type=Path)
    dif.add_argument("new", type=Path)
    dif.add_argument("--show", type=int, default=20)
    args = parser.parse_args(argv)
    if args.command == "record":
        record(args.engine.resolve(), args.seed, args.count, args.workers, args.output,
               args.tier)
        return 0
    return diff(args.old, args.new, args.show)


if __name__ == "__main__":
    sys.exit(main())
