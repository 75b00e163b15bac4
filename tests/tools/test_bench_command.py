"""`vtl bench` runs a user's template on a user's payload and reports what it measured (the
numbers themselves are never asserted)."""
import json
import re
import subprocess
import sys
import time
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


def test_bench_runs_for_the_seconds_asked_and_reports_json(tmp_path):
    started = time.perf_counter()
    done = vtl("bench", str(WORKLOAD / "template.vtl"), "--body", str(WORKLOAD / "payload.json"),
               "--seconds", "1", "--json")
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    # the renders fill the second asked for (not a third of it), and the report says so
    assert 0.8 <= report["rendering_seconds"] <= 1.5, report
    assert elapsed >= 0.9
    assert report["renders"] == report["batches"] * report["renders_per_batch"] > 1
    assert set(report["compile_steps"]) == {"parse", "generate_python", "python_compile"}
    assert report["render_seconds"]["p25"] <= report["render_seconds"]["median"] \
        <= report["render_seconds"]["p75"]
    assert report["output_bytes"] > 0 and report["peak_allocation_bytes"] > 0


def test_bench_help_lists_only_its_own_options():
    done = vtl("bench", "--help")
    assert done.returncode == 0
    assert "--response" not in done.stdout and "--api" not in done.stdout, done.stdout
    assert "--seconds S" in done.stdout and "--json" in done.stdout


def test_bench_names_the_file_of_a_syntax_error_and_reads_any_body(tmp_path):
    template = tmp_path / "broken.vtl"
    template.write_text("#if(")
    done = vtl("bench", str(template), "--iterations", "1")
    assert done.returncode == 1
    assert done.stderr.startswith(f"vtl: {template}:1:4: "), done.stderr
    body = tmp_path / "latin1.json"
    body.write_bytes(b'{"a": "caf\xe9"}')
    template.write_text("$input.path('$.a')")
    done = vtl("bench", str(template), "--body", str(body), "--iterations", "1")
    assert done.returncode == 0 and "not valid UTF-8" in done.stderr, done.stderr
