"""Differential fuzzing: random templates and contexts (tools/vtlgen.py) rendered by Apache Velocity
1.7 (tools/reference/VelocityRef.java, one long-lived JVM) and by our `velocity` dialect; every
divergence is minimised and reported.

    python tools/difffuzz.py -n 100000 --report difffuzz-report.json

Both sides failing counts as agreement (the error classes are not compared); identity hashes
(`@1b2c3d`) are masked. A divergence is minimised by removing spans of the template while both
engines still disagree the same way. The report groups divergences by minimised template.
Needs Java and the jars tools/record_goldens.py needs.
"""
from __future__ import annotations

import argparse
import json
import queue
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import vtlgen  # noqa: E402
from record_goldens import java_command  # noqa: E402

from vtl_engine import Limits, Template, VtlError, VtlLimitError  # noqa: E402

LIMITS = Limits(max_loop_iterations=100_000, max_range=100_000, max_render_seconds=5.0)
_IDENTITY_HASH = re.compile(r"@[0-9a-f]{1,8}\b")


class Oracle:
    """One JVM running VelocityRef, asked one case at a time; restarted when a case hangs."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self.lines: queue.Queue[str] = queue.Queue()

    def _start(self) -> None:
        self.process = subprocess.Popen(java_command(), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.lines = queue.Queue()
        stdout, lines = self.process.stdout, self.lines
        threading.Thread(target=lambda: [lines.put(line.decode("utf-8")) for line in stdout],
                         daemon=True).start()

    def render(self, template: str, context: dict) -> dict:
        """{"output": …} or {"error": …}; {"hang": True} when the JVM took too long."""
        if self.process is None or self.process.poll() is not None:
            self._start()
        request = json.dumps({"template": template, "context": context, "dialect": "velocity"})
        self.process.stdin.write(request.encode("utf-8") + b"\n")
        self.process.stdin.flush()
        try:
            return json.loads(self.lines.get(timeout=self.timeout))
        except queue.Empty:
            self.close()
            return {"hang": True}

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def ours(template: str, context: dict) -> dict:
    try:
        return {"output": Template(template, "velocity", limits=LIMITS).render(context)}
    except VtlLimitError as e:
        return {"error": "VtlLimitError", "limit": e.limit}
    except VtlError as e:
        return {"error": type(e).__name__, "message": e.message}
    except Exception as e:  # noqa: BLE001 - a crash is a finding too
        return {"error": "crash", "message": f"{type(e).__name__}: {e}"}


def divergence(java: dict, python: dict) -> str | None:
    """How the two results disagree, or None when they agree."""
    if "hang" in java:
        return None   # Velocity itself did not finish: nothing to compare
    if python.get("error") == "crash":
        return "crash"
    if "error" in java and "error" in python:
        return None
    if "error" in java:
        return "velocity-fails"
    if "error" in python:
        return "limit" if python["error"] == "VtlLimitError" else "we-fail"
    if _IDENTITY_HASH.sub("@", java["output"]) != _IDENTITY_HASH.sub("@", python["output"]):
        return "output"
    return None


def compare(oracle: Oracle, template: str, context: dict) -> tuple[str | None, dict, dict]:
    java = oracle.render(template, context)
    python = ours(template, json.loads(json.dumps(context)))
    return divergence(java, python), java, python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds Velocity may take")
    parser.add_argument("--minimise", type=int, default=300, help="at most this many divergences")
    parser.add_argument("--report", type=Path, default=Path("difffuzz-report.json"))
    args = parser.parse_args(argv)
    templates = vtlgen.corpus("velocity")
    oracle = Oracle(args.timeout)
    counts: Counter[str] = Counter()
    found: list[dict[str, Any]] = []
    began = time.time()
    try:
        for seed in range(args.seed, args.seed + args.count):
            template, context = vtlgen.random_case(seed, templates)
            kind, java, python = compare(oracle, template, context)
            counts["velocity-hang" if "hang" in java else kind or "agree"] += 1
            if kind:
                found.append({"seed": seed, "kind": kind, "template": template,
                              "context": context, "velocity": java, "ours": python})
            if (seed - args.seed + 1) % 5000 == 0:
                print(f"{seed - args.seed + 1} templates, {time.time() - began:.0f} s, "
                      f"{dict(counts)}", file=sys.stderr, flush=True)
        groups: dict[str, dict] = {}
        for item in found[:args.minimise]:
            item["minimised"] = vtlgen.minimise(
                item["template"],
                lambda t, item=item: compare(oracle, t, item["context"])[0] == item["kind"])
            kind, java, python = compare(oracle, item["minimised"], item["context"])
            group = groups.setdefault(item["minimised"], {
                "kind": item["kind"], "minimised": item["minimised"], "context": item["context"],
                "velocity": java, "ours": python, "seeds": []})
            group["seeds"].append(item["seed"])
    finally:
        oracle.close()
    report = {"templates": sum(counts.values()), "seconds": round(time.time() - began, 1),
              "outcomes": dict(counts.most_common()), "divergences": len(found),
              "minimised": sorted(groups.values(), key=lambda g: -len(g["seeds"])),
              "unminimised": found[args.minimise:]}
    args.report.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"{report['templates']} templates in {report['seconds']} s: {report['outcomes']}")
    for group in report["minimised"][:40]:
        print(f"  {group['kind']} x{len(group['seeds'])}: {group['minimised']!r}")
        print(f"    velocity {group['velocity']}\n    ours     {group['ours']}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
