"""How fast `vtl playground` answers a render while another render is stuck at its time limit.

Starts `vtl playground fixtures/examples/order.vtl --no-browser` as a user would, sends one
render that runs until the engine's max_render_seconds (an exponential macro, in the velocity
dialect) from one page, then, while it runs, N renders of fixtures/examples/order.vtl for the
order.json request from another page, as the page sends them (with lint, the generated Python
and coverage). Prints the percentiles of the server-side time (`server_ms`: from the request
reaching the application to its answer) and of the round trip seen by the client.

    .venv/bin/python -m benchmarks.playground_latency [--renders 200]

Everything stays on this machine (127.0.0.1); the stuck render ends at its own time limit.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "fixtures" / "examples"
STUCK = '#macro(m $d)#if($d.length() < 18)#m("$d.")#m("$d.")#m("$d.")#end#end#m("")'


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=200)
    args = parser.parse_args(argv)
    vtl = Path(sys.executable).with_name("vtl")
    process = subprocess.Popen([str(vtl), "playground", "--no-browser",
                                str(EXAMPLES / "order.vtl")], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        url = re.search(r"http://\S+", process.stdout.readline()).group(0)
        base, token = re.fullmatch(r"(http://[^/]+)/\?token=(\S+)", url).groups()
        client = httpx.Client(base_url=base, timeout=60, headers={"X-VTL-Token": token})
        order = (EXAMPLES / "order.vtl").read_text()
        job = {"templates": {"request": order, "response": ""}, "file": 0,
               "extras": ["lint", "python", "coverage"],
               "request": {"body": (EXAMPLES / "order.json").read_text(),
                           "query": "express=true", "stage_variables": "env=prod",
                           "context": '{"requestId": "req-1"}'}}
        for _ in range(5):   # the workers have started and compiled the template
            client.post("/api/render", json=job)
        stuck: dict[str, float] = {}

        def render_stuck() -> None:
            started = time.perf_counter()
            answer = client.post("/api/render", json={"templates": {"request": STUCK},
                                                      "dialect": "velocity"},
                                 headers={"X-VTL-Channel": "stuck-page"}).json()
            stuck["seconds"] = time.perf_counter() - started
            stuck["limit"] = (answer.get("error") or {}).get("limit")

        thread = threading.Thread(target=render_stuck)
        thread.start()
        time.sleep(0.5)
        server, round_trip = [], []
        for _ in range(args.renders):
            started = time.perf_counter()
            answer = client.post("/api/render", json=job,
                                 headers={"X-VTL-Channel": "typing-page"}).json()
            round_trip.append((time.perf_counter() - started) * 1000)
            server.append(answer["server_ms"])
            assert answer["error"] is None and '"express": true' in \
                answer["request_side"]["body"], answer
        still_stuck = "seconds" not in stuck
        thread.join()
        print(f"{args.renders} renders of order.vtl while another render was stuck "
              f"(it ended after {stuck['seconds']:.1f} s with the {stuck['limit']} limit; "
              f"{'still running when the last render was answered' if still_stuck else 'it ended first'})")
        for name, values in (("server side", server), ("round trip", round_trip)):
            print(f"  {name:<12} p50 {statistics.median(values):6.1f} ms   "
                  f"p95 {percentile(values, 0.95):6.1f} ms   max {max(values):6.1f} ms")
        client.close()
    finally:
        process.terminate()
        process.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
