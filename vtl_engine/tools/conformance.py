"""Run conformance cases (JSON Lines) through the engine and report pass rates per source.

    python -m vtl_engine.tools.conformance ../shared/conformance/*.jsonl [--show N] [--min RATE]

Each line is a case: `template`, `context`, `expected` (or `expect_error`), optional `match`,
`dialect`, `aws` (an API Gateway request) and `pipeline` (two templates run in turn). The cases
are run through the public API only, the way ../shared/tools/conform.py measures them.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .. import Template, VtlError

_NORMALISE = {
    None: lambda s: s,
    "newline-normalized": lambda s: s.replace("\r\n", "\n"),
    "trim": str.strip,
    "no-ws": lambda s: "".join(s.split()),
    "ws-collapse": lambda s: " ".join(s.replace("\n", " ").split()),
}


def _normalise(text: str, how: str | None) -> Any:
    if how == "json":
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return ("not json", text)
    return _NORMALISE[how](text)


@dataclass
class Outcome:
    case_id: str
    source: str
    passed: bool
    detail: str = ""


def _render_aws(template: str, aws: dict[str, Any]) -> Any:
    from ..apigateway import render_mapping_template
    return render_mapping_template(template, body=aws.get("body", ""), params=aws.get("params"),
                                   context=aws.get("context"),
                                   stage_variables=aws.get("stageVariables"))


def _overrides(result: Any) -> dict[str, Any]:
    context = result.context
    return {k: context[k] for k in ("requestOverride", "responseOverride") if k in context}


def _render(case: dict[str, Any]) -> str:
    aws = case.get("aws") or {}
    if case.get("pipeline"):
        # An echo backend feeds each stage's output to the next as $input.body; a MOCK
        # integration carries only the $context overrides the request template set.
        mock = "MOCK" in str(aws.get("integration", ""))
        out, carried = None, None
        for stage in case["pipeline"]:
            given = dict(stage.get("aws") or {})
            if carried is not None:
                given["context"] = {**(given.get("context") or {}), **carried}
            elif out is not None:
                given["body"] = out
            result = _render_aws(stage["template"], given)
            out = result.body
            if mock:
                carried = _overrides(result)
        return out
    if any(k in aws for k in ("params", "context", "stageVariables")) or (
            "body" in aws and "$input" in case["template"]):
        return _render_aws(case["template"], aws).body
    dialect = case.get("dialect", "velocity")
    return Template(case["template"], dialect=dialect).render(case.get("context") or {})


def run_case(case: dict[str, Any]) -> Outcome:
    source = case["id"].split(":")[0]
    try:
        out = _render(case)
    except VtlError as e:
        if case.get("expect_error"):
            return Outcome(case["id"], source, True)
        return Outcome(case["id"], source, False, f"raised {type(e).__name__}: {str(e)[:200]}")
    except Exception as e:  # noqa: BLE001 - an engine bug, reported as a failure
        return Outcome(case["id"], source, False, f"raised non-VtlError {type(e).__name__}: {e}")
    if case.get("expect_error"):
        return Outcome(case["id"], source, False, f"expected an error, got {out[:120]!r}")
    how = case.get("match")
    if _normalise(out, how) == _normalise(case["expected"], how):
        return Outcome(case["id"], source, True)
    return Outcome(case["id"], source, False, f"expected {case['expected'][:200]!r}\n"
                                              f"      got      {out[:200]!r}")


def read_cases(paths: Iterable[str]) -> list[dict[str, Any]]:
    cases = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                cases.append(orjson.loads(line))
    return cases


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m vtl_engine.tools.conformance", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", help="JSON Lines case files")
    ap.add_argument("--show", type=int, default=0, metavar="N", help="print the first N failures")
    ap.add_argument("--min", type=float, default=0.0, metavar="RATE",
                    help="exit 1 when the overall pass rate is below RATE (0..1)")
    args = ap.parse_args(argv)
    outcomes = [run_case(case) for case in read_cases(args.files)]
    passed, total = Counter(), Counter()
    shown = 0
    for outcome in outcomes:
        total[outcome.source] += 1
        passed[outcome.source] += outcome.passed
        if not outcome.passed and shown < args.show:
            shown += 1
            print(f"  FAIL {outcome.case_id}: {outcome.detail}")
    for source in sorted(total):
        print(f"  {source}: {passed[source]}/{total[source]} = {passed[source] / total[source]:.1%}")
    p, n = sum(passed.values()), sum(total.values())
    rate = p / n if n else 0.0
    print(f"conformance: {p}/{n} = {rate:.1%}")
    return 0 if rate >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
