"""Mapping templates inside LocalStack: the four shared workloads rendered, in one process, the way
LocalStack's integration request handler calls its engine (`render_request(template, variables,
context_overrides)` with werkzeug `Headers`), through LocalStack 2026.3's own engine and through
vtl_engine's adapter; and, for the adapter's own cost, through `render_mapping_template` directly.

Run it with a Python that has LocalStack and vtl_engine installed, e.g. the environment the
end-to-end test caches:

    .cache/localstack-*/bin/python benchmarks/localstack_bench.py [--seconds 0.3] [--rounds 7]

Prints, per workload: time per render of each (the best of the interleaved rounds),
LocalStack / adapter, adapter / direct, and whether each answer equals the expected bytes.
"""
from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from localstack.services.apigateway.next_gen.execute_api.template_mapping import (
    ApiGatewayVtlTemplate,
)
from werkzeug.datastructures import Headers

from vtl_engine.apigateway import render_mapping_template
from vtl_engine.integrations.localstack import LocalStackTemplateEngine

WORKLOADS = Path(__file__).resolve().parents[1] / ".." / "shared" / "benchmarks" / "workloads"
NAMES = ("w1_passthrough", "w2_reshape", "w3_array", "w4_strings")


def fresh_overrides() -> dict:
    return {"requestOverride": {"header": {}, "querystring": {}, "path": {}},
            "responseOverride": {"header": {}, "status": 0}}


def renderers(template: str, body: str, request: dict) -> dict[str, Callable[[], str]]:
    params = request["params"]
    variables = {"context": request["context"], "stageVariables": request["stageVariables"],
                 "input": {"body": body, "params": {"path": params["path"],
                                                    "querystring": params["querystring"],
                                                    "header": Headers(params["header"])}}}
    localstack, adapter = ApiGatewayVtlTemplate(), LocalStackTemplateEngine()
    return {
        "LocalStack": lambda: localstack.render_request(template, variables, fresh_overrides())[0],
        "adapter": lambda: adapter.render_request(template, variables, fresh_overrides())[0],
        "direct": lambda: render_mapping_template(
            template, body, params=params, context=request["context"],
            stage_variables=request["stageVariables"]).body,
    }


def seconds_per_render(render: Callable[[], str], budget: float) -> float:
    """One round: renders repeated for about `budget` seconds (at least once)."""
    count, start = 0, time.perf_counter()
    while True:
        render()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= budget:
            return elapsed / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=0.3, help="length of one round")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds per workload")
    args = parser.parse_args()
    request = json.loads((WORKLOADS / "request.json").read_text())
    print(f"{'workload':16} {'LocalStack':>12} {'adapter':>10} {'direct':>10} "
          f"{'LS/adapter':>11} {'adapter/direct':>15}  exact (LS, adapter, direct)")
    for name in NAMES:
        folder = WORKLOADS / name
        template = (folder / "template.vtl").read_text()
        expected = (folder / "expected.txt").read_text()
        engines = renderers(template, (folder / "payload.json").read_text(), request)
        exact = []
        for render in engines.values():
            try:
                exact.append("yes" if render() == expected else "no")
            except Exception as e:  # noqa: BLE001 - LocalStack's engine may fail a workload
                exact.append(f"error {type(e).__name__}")
        times: dict[str, list[float]] = {engine: [] for engine in engines}
        for _ in range(args.rounds):  # interleaved, so a slow moment hits every engine alike
            for engine, render in engines.items():
                times[engine].append(seconds_per_render(render, args.seconds))
        # the best round: on a shared machine the others measure the neighbours too
        best = {engine: min(values) for engine, values in times.items()}
        print(f"{name:16} {best['LocalStack'] * 1e6:10.0f}us {best['adapter'] * 1e6:8.0f}us "
              f"{best['direct'] * 1e6:8.0f}us {best['LocalStack'] / best['adapter']:10.1f}x "
              f"{best['adapter'] / best['direct']:14.2f}x  {', '.join(exact)}")


if __name__ == "__main__":
    main()
