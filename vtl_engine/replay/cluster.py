"""Past one machine: the same jobs on a Dask cluster (`pip install "vtl_engine[dask]"`).

`run_on_dask` is `vtl batch/replay --dask`: the inputs are read here and go to the cluster as
dask.bags, a window of chunks at a time (each chunk scattered to the workers as a partition, two
windows out at once; workers on this machine get where each block of JSON Lines is in its file,
and read it themselves), and the results come back in input order. `write_parts` lets the workers write part files instead.
`render_bag` and `render_dataframe` are for data people who hold their requests in a bag or a
DataFrame already. Each worker process compiles a template once (renderer_for is cached per
process).
"""
from __future__ import annotations

import os
import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dask.bag as db
import orjson
from dask import delayed

from .inputs import InputFile, ReadOptions
from .jobs import BatchJob, Chunk, ReplayJob, run_chunk
from .records import RecordError, record_from_json
from .jsonlines import parse_line
from .render import Target
from .runner import chunks, default_jobs, fewer_collections

Job = BatchJob | ReplayJob
#: partitions per worker sent in one window
WINDOW_PER_WORKER = 4
_MAP_COLUMNS = frozenset({"headers", "query", "stage_variables", "stageVariables", "context",
                          "expected", "expect", "backend"})
RESULT_COLUMNS = ("source", "line", "id", "status", "body", "headers", "request_override",
                  "error")


@contextmanager
def dask_client(address: str) -> Iterator[Any]:
    """A client of the scheduler at `address`, or of a LocalCluster ("local": one worker
    process per core, one thread each), closed after use."""
    from distributed import Client, LocalCluster

    if address != "local":
        with Client(address) as client:
            yield client
        return
    with LocalCluster(n_workers=default_jobs(), threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def run_on_dask(job: Job, work: Iterable[Chunk], emit: Callable[[bytes], None],
                address: str) -> None:
    """Every chunk on the cluster; `emit(lines)` in input order."""
    with dask_client(address) as client:
        window, on_cluster = _windows(client, job)
        local = _workers_on_this_machine(client)
        pending: deque[Any] = deque()
        work = iter(work)
        while batch := list(islice(work, window)):
            if local:   # they read the blocks from the file themselves
                batch = [chunk.reference() for chunk in batch]
            pending.append(client.compute(_bag(client, batch, _run_chunk, on_cluster)))
            if len(pending) > 1:
                _emit_window(pending.popleft(), emit)
        while pending:
            _emit_window(pending.popleft(), emit)


def _workers_on_this_machine(client: Any) -> bool:
    """Whether every worker runs here (a LocalCluster), and so sees the inputs' files."""
    here = {"127.0.0.1", "localhost", "::1", socket.gethostname(), socket.getfqdn()}
    return all(urlsplit(worker).hostname in here for worker in client.scheduler_info()["workers"])


def _windows(client: Any, job: Job) -> tuple[int, Any]:
    """How many chunks go out at once, and the job, sent to every worker once."""
    window = WINDOW_PER_WORKER * max(1, len(client.scheduler_info()["workers"]))
    return window, client.scatter(job, broadcast=True, hash=False)


def _bag(client: Any, batch: list, render: Callable[..., list], *arguments: Any) -> db.Bag:
    """A bag with a partition per item of `batch`, each rendered by `render(item, …)`. The
    items are scattered to the workers as they are (not hashed as from_sequence would hash
    them: that costs more than rendering them)."""
    items = client.scatter(batch, hash=False)
    return db.from_delayed([delayed(render, pure=False)(item, *arguments) for item in items])


def _emit_window(future: Any, emit: Callable[[bytes], None]) -> None:
    for lines in future.result():
        emit(lines)


def _run_chunk(chunk: Chunk, job: Job) -> list[bytes]:
    with fewer_collections():
        return [run_chunk(job, chunk)]


def write_parts(job: Job, inputs: list[InputFile], options: ReadOptions, folder: str,
                address: str, chunk_size: int, limit: int | None = None) -> int:
    """Each chunk's results written by a worker to `folder`/part-NNNNN.jsonl (the folder must
    be one the workers can write to: this machine's, or a shared file system); the number of
    part files."""
    os.makedirs(folder, exist_ok=True)
    numbered = enumerate(chunks(inputs, options, chunk_size, limit=limit))
    written = 0
    with dask_client(address) as client:
        window, on_cluster = _windows(client, job)
        while batch := list(islice(numbered, window)):
            written += sum(_bag(client, batch, _write_part, on_cluster, folder).compute())
    return written


def _write_part(numbered: tuple[int, Chunk], job: Job, folder: str) -> list[int]:
    number, chunk = numbered
    with fewer_collections():
        lines = run_chunk(job, chunk)
    Path(folder, f"part-{number:05d}.jsonl").write_bytes(lines)
    return [1]


# -- the Python API -------------------------------------------------------------------------------

def render_bag(bag: db.Bag, template: str | None = None, *, api: str | None = None,
               side: str = "request", dialect: str = "aws", name: str = "<template>") -> db.Bag:
    """A bag of results (dicts: source, line, id, status, body, headers, request_override,
    error), one per element of `bag`, in order. An element is a record as in JSON Lines: a
    dict or its JSON text. `template` is the template's text; or `api`, an API definition's
    path (readable by the workers). A record's `source` is "partition-N", its `line` its place
    in the partition."""
    job = BatchJob(Target(api or name, template=template, api=api, dialect=dialect, side=side))
    parts = [delayed(_render_values)(part, job, number)
             for number, part in enumerate(bag.to_delayed())]
    return db.from_delayed(parts)


def _render_values(elements: Iterable[Any], job: BatchJob, number: int) -> list[dict]:
    with fewer_collections():
        return _rendered_values(elements, job, number)


def _rendered_values(elements: Iterable[Any], job: BatchJob, number: int) -> list[dict]:
    source = f"partition-{number}"
    found = []
    for line, element in enumerate(elements, 1):
        if isinstance(element, (str, bytes)) and not element.strip():
            continue   # a blank line is no record
        try:
            if isinstance(element, (str, bytes)):
                record = parse_line(element, source, line, None)
            else:
                record = record_from_json(dict(element), source, line)
        except RecordError as error:
            found.append(job.unreadable_value(source, line, str(error)))
            continue
        found.append(job.result_value(record))
    return found


def render_dataframe(frame: Any, template: str | None = None, *, api: str | None = None,
                     side: str = "request", dialect: str = "aws", name: str = "<template>"
                     ) -> Any:
    """A Dask DataFrame of results (the columns of render_bag's dicts), one row per row of
    `frame`, whose columns are a JSON Lines record's keys. The maps (headers, query,
    stage_variables, context, expected, backend) are JSON text, as Dask keeps text columns
    (it turns a column of dicts into their Python repr); a missing value is None or NaN."""
    import pandas as pd

    job = BatchJob(Target(api or name, template=template, api=api, dialect=dialect, side=side))
    meta = pd.DataFrame({column: pd.Series(dtype="int64" if column == "line" else object)
                         for column in RESULT_COLUMNS})
    return frame.map_partitions(_render_frame, job, meta=meta)


def _render_frame(partition: Any, job: BatchJob, partition_info: dict | None = None) -> Any:
    import pandas as pd

    number = partition_info["number"] if partition_info else 0
    rows = []
    for row in partition.to_dict("records"):
        record = {}
        for key, value in row.items():
            if _missing(value):
                continue
            if key in _MAP_COLUMNS and isinstance(value, str):
                try:
                    value = orjson.loads(value)
                except orjson.JSONDecodeError:
                    pass    # reported for the record: "expected an object, got text"
            record[key] = value
        rows.append(record)
    return pd.DataFrame(_render_values(rows, job, number), columns=list(RESULT_COLUMNS))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)
