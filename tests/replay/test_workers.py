"""Worker processes for real: one killed is replaced and its chunk retried once, then
reported; Ctrl-C on a running `vtl batch` leaves whole lines, and --resume finishes the job."""
import os
import signal
import subprocess
import sys
import time

import orjson
from replay_support import read_results, request, write_lines

from vtl_engine.replay.inputs import input_file
from vtl_engine.replay.jobs import BatchJob
from vtl_engine.replay.render import Target
from vtl_engine.replay.runner import chunks, run_parallel, run_serial

TEMPLATE = '{"n": $input.path(\'$.n\'), "q": "$input.params(\'q\')"}'


def work(tmp_path):
    """100 records in chunks of about 2 KB (some 18 records each)."""
    inputs = write_lines(tmp_path / "in.jsonl", [request(n) for n in range(1, 101)])
    return chunks([input_file(str(inputs))], size=1)


def run(tmp_path, before_send=None, workers=2):
    job = BatchJob(Target("t.vtl", TEMPLATE))
    out = []
    if workers == 1:
        run_serial(job, work(tmp_path), out.append)
    else:
        run_parallel(job, work(tmp_path), out.append, workers, before_send=before_send)
    return b"".join(out)


def test_a_killed_worker_is_replaced_and_its_chunks_done_again(tmp_path):
    killed = []

    def kill_when_the_third_chunk_comes(pid, number, attempt):
        # a worker holds two chunks: the one it works on is blamed, both are done again, each
        # alone on a new worker (where the third, alone, is killed once more on attempt 0)
        if number == 3 and attempt == 0:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    assert run(tmp_path, kill_when_the_third_chunk_comes) == run(tmp_path, workers=1)
    assert 1 <= len(killed) <= 2


def test_a_chunk_that_kills_its_worker_twice_is_reported_and_the_rest_done(tmp_path):
    def kill_third_chunk(pid, number, attempt):
        if number == 3:
            os.kill(pid, signal.SIGKILL)

    results = [orjson.loads(line) for line in run(tmp_path, kill_third_chunk).splitlines()]
    assert [r["line"] for r in results] == list(range(1, 101))
    failed = [r for r in results if r["error"]]
    third = list(work(tmp_path))[3]
    assert [r["line"] for r in failed] == [line for line, _ in third.entries()]
    assert 0 < len(failed) < 100
    assert failed[0]["error"] == ("the worker process died twice on this record's chunk "
                                  "(killed by signal 9)")
    assert all(r["body"] for r in results if not r["error"])


def test_ctrl_c_leaves_whole_lines_and_resume_finishes(tmp_path):
    inputs = write_lines(tmp_path / "in.jsonl", [request(n) for n in range(1, 30001)])
    (tmp_path / "t.vtl").write_text(TEMPLATE)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "vtl_engine.tools.cli", "batch", str(inputs),
               str(tmp_path / "t.vtl"), "-o", str(out), "-j", "2", "--chunk-size", "200"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while (not out.exists() or out.stat().st_size < 100_000) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)      # as a terminal's Ctrl-C: the whole group
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert b"run again with --resume to go on" in err
    kept = out.read_bytes()
    assert kept.endswith(b"\n")
    partial = read_results(out)
    assert 0 < len(partial) < 30000
    assert [r["line"] for r in partial] == list(range(1, len(partial) + 1))
    finished = subprocess.run(command + ["--resume"], capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    results = read_results(out)
    assert [r["line"] for r in results] == list(range(1, 30001))
    assert out.read_bytes().startswith(kept)


def test_chunks_and_results_larger_than_the_pipes_do_not_block_the_batch(tmp_path):
    # a HAR file's chunk carries its records: 250 entries of 6 KB make a chunk larger than a
    # widened pipe (1 MiB), and so do their results. The command sends a worker its second
    # chunk while the worker renders the first and then waits for its results to be read
    bodies = [f"{n:06d}" + "x" * 6000 for n in range(1000)]
    entries = [{"startedDateTime": "2026-11-26T09:14:03.120Z",
                "request": {"method": "POST", "url": "https://example.com/orders",
                            "postData": {"text": body}}} for body in bodies]
    (tmp_path / "in.har").write_bytes(orjson.dumps({"log": {"entries": entries}}))
    (tmp_path / "t.vtl").write_text("$input.body")
    out = tmp_path / "out.jsonl"
    finished = subprocess.run(
        [sys.executable, "-m", "vtl_engine.tools.cli", "batch", str(tmp_path / "in.har"),
         str(tmp_path / "t.vtl"), "-o", str(out), "-j", "2", "--chunk-size", "250"],
        capture_output=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    assert [r["body"] for r in read_results(out)] == bodies
