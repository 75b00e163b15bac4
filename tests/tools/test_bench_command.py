"""`vtl bench` runs a user's template on a user's payload and reports what it measured (the
numbers themselves are never asserted)."""
import re
import subprocess
import sys
from pathlib import Path

WORKLOAD = Path(__file__).resolve().parents[2] / "benchmarks" / "workloads" / "w2_reshape"


def vtl(*args):
    return subprocess.run([sys.executable, "-m", "vtl_engine.tools.cli", *args],
                          capture_output=True, text=True, timeout=120)


def test_bench_reports_compile_render_throughput_and_memory():
    done = vtl("bench", str(WORKLOAD / "template.vtl"), "--body", str(WORKLOAD / "payload.json"),
               "--query", "lang=en", "--iterations", "3")
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(":", 1) for line in done.stdout.splitlines())
    assert {"template", "compile", "  steps", "render", "throughput", "memory"} <= set(lines)
    assert re.search(r"parse [\d.]+ .s, generate Python [\d.]+ .s, Python's compile\(\)",
                     lines["  steps"])
    assert re.search(r"output [1-9][\d,]* B", lines["template"])   # the render wrote something
    assert "renders/s" in lines["throughput"] and "peak" in lines["memory"]


def test_bench_errors_are_one_clean_line():
    done = vtl("bench", "no-such-template.vtl", "--iterations", "1")
    assert done.returncode == 1
    assert done.stderr.strip() == "vtl: no-such-template.vtl: no such file"
    done = vtl("bench", str(WORKLOAD / "template.vtl"), "--iterations", "0")
    assert done.returncode == 2 and "at least 1" in done.stderr
