"""Dask for real: a LocalCluster of two worker processes (started once for this module) gives
the results the single-process run gives, record for record."""
import subprocess
import sys

import dask.bag as db
import dask.dataframe as dd
import orjson
import pandas as pd
import pytest
from replay_support import FIXTURES, TEMPLATE, read_results, request, write_lines

from vtl_engine.replay import render_bag, render_dataframe
from vtl_engine.tools.cli import main

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask")
    (folder / "t.vtl").write_text(TEMPLATE)
    lines = [request(n) for n in range(1, 400)] + ["{broken", {"id": "far",
                                                               "body": {"n": 9_000_000}}]
    return write_lines(folder / "in.jsonl", lines), folder / "t.vtl"


def batch(*args) -> int:
    return main(["batch", *map(str, args), "--no-progress"])


def test_vtl_batch_on_the_cluster_writes_what_one_process_writes(scheduler, inputs, tmp_path):
    records, template = inputs
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    assert batch(records, template, "-o", local, "-j", "1") == 0
    assert batch(records, template, "-o", remote, "--dask", scheduler, "--chunk-size", "50") == 0
    assert remote.read_bytes() == local.read_bytes()
    assert len(read_results(remote)) == 401


def test_part_files_written_by_the_workers(scheduler, inputs, tmp_path):
    records, template = inputs
    local, parts = tmp_path / "local.jsonl", tmp_path / "parts"
    assert batch(records, template, "-o", local, "-j", "1") == 0
    assert batch(records, template, "-o", parts, "--dask", scheduler, "--parts",
                 "--chunk-size", "5") == 0
    files = sorted(parts.iterdir())
    assert len(files) > 1
    assert [f.name for f in files] == [f"part-{n:05d}.jsonl" for n in range(len(files))]
    assert b"".join(f.read_bytes() for f in files) == local.read_bytes()


def test_vtl_replay_on_the_cluster(scheduler, tmp_path, capsys):
    results = tmp_path / "r.jsonl"
    assert main(["replay", str(FIXTURES / "cloudwatch-export.json"),
                 str(FIXTURES / "orders-changed.vtl"), "--dask", scheduler, "--results",
                 str(results), "--no-progress"]) == 1
    assert "8 records: 4 same, 2 different, 0 error, 2 skipped" in capsys.readouterr().out


def test_render_bag_and_render_dataframe(scheduler, inputs, tmp_path):
    records, template = inputs
    local = tmp_path / "local.jsonl"
    assert batch(records, template, "-o", local, "-j", "1") == 0
    expected = [{k: v for k, v in r.items() if k not in ("source", "line")}
                for r in read_results(local)]
    lines = records.read_text().splitlines()
    with distributed.Client(scheduler):
        bag = db.from_sequence(lines, npartitions=4)
        from_bag = render_bag(bag, template=TEMPLATE, name=str(template)).compute()
        assert [{k: v for k, v in r.items() if k not in ("source", "line")}
                for r in from_bag] == expected
        assert from_bag[0]["source"] == "partition-0" and from_bag[0]["line"] == 1
        rows = [{key: orjson.dumps(value).decode() if isinstance(value, dict) else value
                 for key, value in orjson.loads(line).items()}
                for line in lines if line.startswith("{\"")]
        frame = dd.from_pandas(pd.DataFrame(rows), npartitions=3)
        from_frame = render_dataframe(frame, template=TEMPLATE, name=str(template)).compute()
    assert list(from_frame.columns) == ["source", "line", "id", "status", "body", "headers",
                                        "request_override", "error"]
    wanted = [r for r in expected if r["id"] is not None or r["error"] is None]
    for column in ("body", "error"):
        found = [None if pd.isna(value) else value for value in from_frame[column]]
        assert found == [r[column] for r in wanted]


def test_dask_local_from_the_command_line(tmp_path):
    out, local = tmp_path / "d.jsonl", tmp_path / "l.jsonl"
    common = [sys.executable, "-m", "vtl_engine.tools.cli", "batch",
              str(FIXTURES / "cloudwatch-export.json"), str(FIXTURES / "orders.vtl")]
    done = subprocess.run(common + ["-o", str(out), "--dask", "local"], capture_output=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    subprocess.run(common + ["-o", str(local), "-j", "1"], check=True, timeout=60)
    assert out.read_bytes() == local.read_bytes()
