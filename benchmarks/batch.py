"""Throughput of `vtl batch`: records per second through the batch path on one job, on every
core, and on a Dask LocalCluster; its cost per record over the engine's own render; peak memory
on a 1 GB input.

    python -m benchmarks.batch [--records 100000] [--memory-gb 1] [--no-memory] [--no-dask]

The request stream is w2_reshape's (benchmarks/workloads/): its template, its payload with
the order id, customer, tier and item count varied per record, and request.json's headers,
query string, path parameters, `$context` and stage variables. "render" is the engine's own
render of the same requests (`render_mapping_template`, `$context` built from what the record
gives, as the batch does), each request already parsed; the batch path adds reading the
line, parsing it into a record, writing the result line. Both run with the garbage collector
tuned as the batch path tunes it (runner.fewer_collections). Both are timed in this process, the
same requests, interleaved over `--rounds` rounds (median). `vtl batch` is also timed as a
command (its wall time, Python's start-up included). Memory: the peak resident set size of
`vtl batch` (its main process, and the largest worker) on a generated input of `--memory-gb`,
sampled every 50 ms, deleted afterwards. Where other processes share the machine, the CPU time
per record (all of a command's processes, workers included) shows what the parallel path costs
whatever the load.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
WORKLOADS = HERE / "workloads"
TIERS = ("gold", "silver", "bronze")


def make_records(count: int) -> list[bytes]:
    """`count` JSON Lines records of w2's shape, each a little different."""
    request = orjson.loads((WORKLOADS / "request.json").read_bytes())
    payload = orjson.loads((WORKLOADS / "w2_reshape" / "payload.json").read_bytes())
    lines = []
    for number in range(count):
        body = dict(payload)
        order = dict(body["order"])
        order["id"] = f"ord-{number:07d}"
        order["items"] = order["items"][: 1 + number % 3]
        order["express"] = number % 2 == 0
        body["order"] = order
        body["customer"] = {**body["customer"], "tier": TIERS[number % 3],
                            "name": f"Customer \"{number}\""}
        lines.append(orjson.dumps({
            "id": f"req-{number}", "method": "POST", "path": request["params"]["path"],
            "query": request["params"]["querystring"], "headers": request["params"]["header"],
            "body": orjson.dumps(body).decode(), "stage_variables": request["stageVariables"],
            "context": request["context"]}) + b"\n")
    return lines


def write_input(path: Path, lines: list[bytes], size: int | None = None) -> int:
    """The lines into `path` (repeated up to `size` bytes when given); the number written."""
    written = count = 0
    with open(path, "wb") as f:
        while True:
            for line in lines:
                f.write(line)
                written += len(line)
                count += 1
                if size is not None and written >= size:
                    return count
            if size is None:
                return count


def time_render_and_batch(path: Path, template_path: Path, rounds: int) -> tuple[float, float]:
    """Seconds per record: the engine's render of the parsed requests, and the batch path
    (read, parse, render, write) over the same file, interleaved round by round."""
    from vtl_engine.apigateway.mapping import render_mapping_template
    from vtl_engine.replay.inputs import input_file
    from vtl_engine.replay.jobs import BatchJob
    from vtl_engine.replay.jsonlines import parse_line
    from vtl_engine.replay.render import Target
    from vtl_engine.replay.runner import chunks, fewer_collections, run_serial

    source = template_path.read_text()
    records = [parse_line(line, str(path), n, None)
               for n, line in enumerate(path.read_bytes().splitlines(), 1)]
    job = BatchJob(Target(str(template_path), source))
    renders, batches = [], []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(rounds):
            with fewer_collections():   # as the batch path runs, so both pay the same for it
                started = time.perf_counter()
                for record in records:
                    render_mapping_template(source, record.body, record.params,
                                            record.request_context(), record.stage_variables)
                renders.append((time.perf_counter() - started) / len(records))
            with open(Path(folder) / "out.jsonl", "wb") as out:
                started = time.perf_counter()
                run_serial(job, chunks([input_file(str(path))]), out.write)
                out.flush()
                batches.append((time.perf_counter() - started) / len(records))
    return statistics.median(renders), statistics.median(batches)


def run_measured(path: Path, template: Path, *options: str) -> dict[str, float]:
    """`vtl batch` run as a command: its wall time, the CPU time of all its processes (its
    workers' included), and the peak RSS of its main process and of its largest child, sampled
    every 50 ms."""
    import psutil

    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "vtl_engine.tools.cli", "batch", str(path),
                   str(template), "-o", str(Path(folder) / "out.jsonl"), "--no-progress",
                   *options]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        main = psutil.Process(process.pid)
        found = {"main_rss": 0, "child_rss": 0}
        cpu: dict[int, float] = {}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                try:
                    found["main_rss"] = max(found["main_rss"], main.memory_info().rss)
                    for one in [main, *main.children(recursive=True)]:
                        times = one.cpu_times()
                        cpu[one.pid] = times.user + times.system
                        if one.pid != main.pid:
                            found["child_rss"] = max(found["child_rss"], one.memory_info().rss)
                except psutil.Error:
                    pass
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        _, err = process.communicate()
        done.set()
        sampler.join()
        if process.returncode:
            raise SystemExit(err.decode())
        return {**found, "seconds": time.perf_counter() - started, "cpu": sum(cpu.values())}


def time_dask(path: Path, template: Path, workers: int) -> tuple[float, float]:
    """Seconds of `vtl batch --dask` on a LocalCluster started before the clock, and the CPU
    seconds it took: the command's, and the cluster's (its worker processes, and this process,
    which runs its scheduler)."""
    import psutil
    from distributed import LocalCluster

    def cluster_cpu() -> float:
        here = psutil.Process()
        total = 0.0
        for one in [here, *here.children(recursive=True)]:
            try:
                times = one.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        return total

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=50) as cluster:
        before = cluster_cpu()
        run = run_measured(path, template, "--dask", cluster.scheduler_address)
        return run["seconds"], run["cpu"] + cluster_cpu() - before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory-gb", type=float, default=1.0)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    from vtl_engine.replay.runner import default_jobs

    cores = default_jobs()
    template = WORKLOADS / "w2_reshape" / "template.vtl"
    results: dict = {"records": args.records, "cores": cores, "python": platform.python_version(),
                     "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as folder:
        stream = Path(folder) / "w2.jsonl"
        lines = make_records(args.records)
        write_input(stream, lines)
        sample = Path(folder) / "sample.jsonl"
        write_input(sample, lines[:20_000])
        render, batch = time_render_and_batch(sample, template, args.rounds)
        results.update(render_us=render * 1e6, batch_us=batch * 1e6, overhead=batch / render)
        for name, options in (("one_job", ("-j", "1")), ("all_cores", ("-j", str(cores)))):
            run = run_measured(stream, template, *options)
            results[name] = args.records / run["seconds"]
            results[f"{name}_cpu_us"] = run["cpu"] / args.records * 1e6
        if not args.no_dask:
            seconds, cpu = time_dask(stream, template, min(cores, 2))
            results["dask"], results["dask_cpu_us"] = args.records / seconds, \
                cpu / args.records * 1e6
        if not args.no_memory:
            big = Path(folder) / "big.jsonl"
            count = write_input(big, lines, int(args.memory_gb * (1 << 30)))
            run = run_measured(big, template, "-j", str(cores))
            results.update(memory_input_bytes=big.stat().st_size, memory_records=count,
                           memory_main_rss=run["main_rss"], memory_worker_rss=run["child_rss"],
                           memory_seconds=run["seconds"])
            big.unlink()
    results["load_after"] = os.getloadavg()
    _print(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "batch.json").write_text(json.dumps(results, indent=2))
    return 0


def _print(r: dict) -> None:
    print(f"{r['records']:,} w2 records, {r['cores']} cores, Python {r['python']}, load "
          f"{r['load_before'][0]:.2f} before, {r['load_after'][0]:.2f} after")
    print("| measure | value | target |")
    print("|---|---:|---|")
    print(f"| engine render per record | {r['render_us']:.1f} µs | |")
    print(f"| batch path per record (read, parse, render, write), 1 job | {r['batch_us']:.1f} µs "
          f"(**{r['overhead']:.2f}×** the render) | ≤ 1.3× |")
    print(f"| `vtl batch -j 1` | {r['one_job']:,.0f} records/s ({r['one_job_cpu_us']:.1f} µs "
          f"CPU per record) | |")
    print(f"| `vtl batch -j {r['cores']}` | {r['all_cores']:,.0f} records/s "
          f"(**{r['all_cores'] / r['one_job']:.2f}×**; {r['all_cores_cpu_us']:.1f} µs CPU per "
          f"record, all processes) | ≥ 1.7× on 2 cores |")
    if "dask" in r:
        print(f"| `vtl batch --dask` (LocalCluster, 2 workers) | {r['dask']:,.0f} records/s "
              f"(**{r['dask'] / r['one_job']:.2f}×**; {r['dask_cpu_us']:.1f} µs CPU per record, "
              f"the command and the cluster) | ≥ 1.5× |")
    if "memory_main_rss" in r:
        print(f"| peak RSS, {r['memory_input_bytes'] / (1 << 30):.2f} GB input "
              f"({r['memory_records']:,} records, -j {r['cores']}, {r['memory_seconds']:.0f} s) "
              f"| main {r['memory_main_rss'] / (1 << 20):.0f} MB, largest worker "
              f"{r['memory_worker_rss'] / (1 << 20):.0f} MB | < 300 MB |")


if __name__ == "__main__":
    sys.exit(main())
