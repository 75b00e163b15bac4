"""The benchmark workloads render to exactly the bytes Velocity 1.7 (with Jayway, json-smart and
the Java $util helpers) produced for them."""
import json
from pathlib import Path

import pytest

from vtl_engine.apigateway import render_mapping_template

WORKLOADS = Path(__file__).resolve().parents[2] / "benchmarks" / "workloads"
NAMES = ["w1_passthrough", "w2_reshape", "w3_array", "w4_strings"]


@pytest.mark.parametrize("name", NAMES)
def test_workload_renders_its_expected_bytes(name):
    folder = WORKLOADS / name
    request = json.loads((WORKLOADS / "request.json").read_text(encoding="utf-8"))
    result = render_mapping_template(
        (folder / "template.vtl").read_text(encoding="utf-8"),
        body=(folder / "payload.json").read_text(encoding="utf-8"),
        params=request["params"], context=request["context"],
        stage_variables=request["stageVariables"])
    assert result.body == (folder / "expected.txt").read_text(encoding="utf-8")
