"""The benchmark runner keeps working: one short round, every output checked against
expected.txt (no timing is asserted)."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_one_round_runs_and_every_output_matches(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--rounds", "1", "--batch-ms", "0.01",
         "--first-use-runs", "1", "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    for name, entry in results["workloads"].items():
        assert entry["problems"] == {}, name
        assert {"floor", "vtl_engine", "jinja2"} <= set(entry["engines"]), name
    assert "vtl_engine (prepared)" in results["workloads"]["w2_reshape"]["engines"]
    assert "vtl_engine (disk cache)" in results["workloads"]["w5_cold"]["engines"]
    assert results["floor"] in ("../shared/benchmarks/floor.py", "benchmarks/floors.py")
    assert {"python", "floor", "vtl_engine", "vtl render (README example)"} <= \
        set(results["first_use"])
    assert 'class="bar' in (tmp_path / "results.html").read_text(encoding="utf-8")
    assert "| w1_passthrough |" in done.stdout
