"""Byte-exact goldens recorded from Apache Velocity 1.7 (tools/record_goldens.py).

Every case in fixtures/goldens/*.jsonl renders through the public API, with each tier of the
engine, and must give exactly the recorded output, or raise a VtlError where Velocity raised. Cases with an `aws` request go through
`render_mapping_template`; the rest through `Template`. No Java needed: the oracle ran at recording.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

import vtl_engine

try:
    from vtl_engine.apigateway import render_mapping_template
except ImportError as e:  # the API Gateway layer is optional for the core's goldens
    render_mapping_template = None
    APIGATEWAY_MISSING = f"vtl_engine.apigateway.render_mapping_template is not importable: {e}"

GOLDENS = Path(__file__).resolve().parent.parent / "fixtures" / "goldens"
# every case through each tier of the engine: the first (the interpreter) and the compiled code
pytestmark = pytest.mark.usefixtures("each_tier")


def load_goldens() -> list[dict]:
    """Every recorded case, file by file. Lines split at "\\n" only (a case may hold U+2028)."""
    cases = []
    for path in sorted(GOLDENS.glob("*.jsonl")):
        text = path.read_text(encoding="utf-8")
        cases += [json.loads(line) for line in text.split("\n") if line.strip()]
    return cases


CASES = load_goldens()


def render(case: dict) -> str:
    """The engine's output for a case, through the public API only."""
    aws = case.get("aws")
    if aws is None:
        template = vtl_engine.Template(case["template"], dialect=case["dialect"])
        return template.render(copy.deepcopy(case["context"]))
    if render_mapping_template is None:
        pytest.skip(APIGATEWAY_MISSING)
    aws = copy.deepcopy(aws)
    return render_mapping_template(
        case["template"], body=aws.get("body", ""), params=aws.get("params"),
        context=aws.get("context"), stage_variables=aws.get("stageVariables"),
        dialect=case["dialect"]).body


def test_goldens_present():
    assert len(CASES) >= 450, f"expected the recorded goldens under {GOLDENS}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden(case: dict):
    if case.get("expect_error"):
        with pytest.raises(vtl_engine.VtlError):
            render(case)
        return
    assert render(case) == case["expected"], f"template {case['template']!r}"
