"""Running a job over inputs: in this process (one job), or on worker processes (all cores).

Items are read and sent in chunks, two to a worker; results are handed to `emit` in input order
as soon as every earlier chunk is done, so the output is written as it comes and memory stays
bounded (at most `AHEAD_PER_WORKER` chunks per worker are out at once). Workers have the job's
templates compiled once each (forked from this process, or through the disk cache the caller
sets up). A worker that dies is replaced and its chunks given again, each alone; a chunk that
kills a worker twice becomes one error line per record. Workers ignore Ctrl-C: the caller's
process stops them and keeps what it wrote.
"""
from __future__ import annotations

import fcntl
import gc
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection, wait

from ..core.template import set_disk_cache
from .inputs import InputFile, ReadOptions, open_binary, read_items
from .jsonlines import read_blocks, read_lines
from .jobs import BatchJob, Chunk, ReplayJob, failed_chunk, run_chunk

Job = BatchJob | ReplayJob
CHUNK_SIZE = 250
#: JSON Lines are sent in blocks of about this many bytes per record of a chunk (a default
#: chunk fits a widened pipe)
BLOCK_BYTES_PER_RECORD = 2048
PIPE_BYTES = 1 << 20
AHEAD_PER_WORKER = 4
#: chunks sent to a worker before its first result comes back: it starts the next at once
IN_FLIGHT_PER_WORKER = 2
#: called with a worker's pid, the chunk's number and its attempt (0, then 1) before the chunk
#: is sent to it (tests kill the worker there)
BeforeSend = Callable[[int, int, int], None]


class ResumeError(Exception):
    """The results being resumed are not those of these inputs."""


def chunks(inputs: Iterable[InputFile], options: ReadOptions = ReadOptions(),
           size: int = CHUNK_SIZE, skip: int = 0, resumed: tuple[str, int] | None = None,
           limit: int | None = None) -> Iterator[Chunk]:
    """The items of every input in order, about `size` at a time (a chunk holds one input's),
    after the first `skip` items, at most `limit` of them. `resumed` is the (source, line) of
    the last result kept: the last item skipped must be that one. JSON Lines go as blocks of
    whole lines, which the workers split: this process only reads them."""
    last = None
    for source in inputs:
        stream = open_binary(source.path) if source.format == "jsonl" else None
        items = read_lines(stream) if stream is not None else read_items(source, options)
        try:
            for item in islice(items, skip):
                skip -= 1
                last = (source.path, item[0]) if type(item) is tuple else (item.source,
                                                                           item.line)
            if skip:
                continue
            if resumed is not None and last is not None and last != tuple(resumed):
                raise ResumeError(f"the results end with {resumed[0]}:{resumed[1]}, but that "
                                  f"place in the inputs is {last[0]}:{last[1]}: they are not "
                                  f"these inputs' results")
            resumed = None
            base = None if source.base is None else str(source.base)
            if stream is not None and limit is None:
                next_line = last[1] + 1 if last is not None and last[0] == source.path else 1
                # where each block is in the file, for workers that read it themselves
                offset = stream.tell() if source.is_plain_file else -1
                for first, block in read_blocks(stream, next_line, size * BLOCK_BYTES_PER_RECORD):
                    yield Chunk(source.path, base, block=block, first_line=first, offset=offset)
                    if offset >= 0:
                        offset += len(block)
                continue
            while limit is None or limit > 0:
                batch = list(islice(items, size if limit is None else min(size, limit)))
                if not batch:
                    break
                if limit is not None:
                    limit -= len(batch)
                yield Chunk(source.path, base, batch)
        finally:
            if stream is not None and stream is not sys.stdin.buffer:
                stream.close()
    if skip:
        raise ResumeError(f"the results hold {skip} more records than the inputs")


def run_serial(job: Job, work: Iterable[Chunk], emit: Callable[[bytes], None]) -> None:
    """Every chunk in this process; `emit(lines)` after each."""
    with fewer_collections():
        for chunk in work:
            emit(run_chunk(job, chunk))


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector tuned for a batch: the objects alive so far (modules,
    compiled templates) are left out of its scans, and it runs after 50,000 new objects, not
    700. A record's parsed JSON, kept until its chunk is written, otherwise sets off a
    collection every few records, each scanning everything: half of the cost of reading a
    record. Records hold no reference cycles; reference counting frees them."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    #: chunks go out on one pipe, results come back on the other
    tasks: Connection
    results: Connection
    #: (chunk number, chunk, attempt) of the chunks sent to it, the one it works on first
    tasks_out: deque[tuple[int, Chunk, int]] = field(default_factory=deque)
    #: it is retrying a chunk a worker died on, and gets nothing else until that is done
    alone: bool = False


@dataclass
class _Pool:
    job: Job
    size: int
    cache_dir: str | None = None
    before_send: BeforeSend | None = None
    workers: list[_Worker] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.context = multiprocessing.get_context(_start_method())
        if self.context.get_start_method() == "forkserver":
            self.context.set_forkserver_preload(["vtl_engine.replay.jobs"])
        self.workers = [self._start() for _ in range(self.size)]

    def _start(self) -> _Worker:
        task_reader, task_writer = self.context.Pipe(duplex=False)
        result_reader, result_writer = self.context.Pipe(duplex=False)
        for end in (task_writer, result_writer):
            _widen(end)
        process = self.context.Process(target=_worker_main,
                                       args=(self.job, task_reader, result_writer,
                                             self.cache_dir),
                                       daemon=True, name="vtl-replay-worker")
        process.start()
        task_reader.close()
        result_writer.close()
        return _Worker(process, task_writer, result_reader)

    def replace(self, worker: _Worker, retries: deque) -> _Worker:
        """A new worker in `worker`'s place; the chunks sent to it go back to `retries`."""
        retries.extendleft(reversed(worker.tasks_out))
        worker.tasks.close()
        worker.results.close()
        worker.process.join(timeout=1)
        fresh = self._start()
        self.workers[self.workers.index(worker)] = fresh
        return fresh

    def send(self, worker: _Worker, number: int, chunk: Chunk, attempt: int) -> bool:
        """Give `worker` a chunk; False when the worker is gone."""
        worker.tasks_out.append((number, chunk, attempt))
        if self.before_send is not None:
            self.before_send(worker.process.pid, number, attempt)
        try:
            worker.tasks.send(chunk)
        except OSError:
            return False
        return True

    def close(self) -> None:
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in self.workers:
            worker.process.join(timeout=5)
            worker.tasks.close()
            worker.results.close()


def run_parallel(job: Job, work: Iterable[Chunk], emit: Callable[[bytes], None],
                 workers: int, cache_dir: str | None = None,
                 before_send: BeforeSend | None = None) -> None:
    """Every chunk on `workers` processes, which load compiled templates from `cache_dir`;
    `emit(lines)` in input order."""
    pool = _Pool(job, workers, cache_dir, before_send)
    feed = enumerate(work)
    retries: deque[tuple[int, Chunk, int]] = deque()
    done: dict[int, bytes] = {}
    next_out = 0
    exhausted = False
    try:
        while True:
            for worker in pool.workers:
                while True:
                    task = _next_task(worker, retries)
                    if task is None and not retries and not exhausted and not worker.alone and \
                            len(worker.tasks_out) < IN_FLIGHT_PER_WORKER and \
                            len(done) + _out(pool) < AHEAD_PER_WORKER * workers:
                        task = next(((n, c.reference(), 0) for n, c in feed), None)
                        exhausted = task is None
                    if task is None:
                        break
                    if not worker.process.is_alive():   # died between two chunks: no blame
                        alone, worker = worker.alone, pool.replace(worker, retries)
                        worker.alone = alone
                    if not pool.send(worker, *task):
                        worker = _died(pool, worker, retries, done, job)
            while next_out in done:   # after the sends: a chunk given up on is done too
                emit(done.pop(next_out))
                next_out += 1
            busy = [w for w in pool.workers if w.tasks_out]
            if not busy:
                break
            ready = set(wait([w.results for w in busy] + [w.process.sentinel for w in busy]))
            for worker in busy:
                if worker.results in ready:
                    try:
                        lines = worker.results.recv_bytes()
                    except (EOFError, OSError):
                        _died(pool, worker, retries, done, job)
                        continue
                    done[worker.tasks_out.popleft()[0]] = lines
                    worker.alone = False
                elif worker.process.sentinel in ready:
                    _died(pool, worker, retries, done, job)
    finally:
        pool.close()


def _next_task(worker: _Worker, retries: deque) -> tuple[int, Chunk, int] | None:
    """A chunk to retry, for a worker with nothing else to do: a chunk a worker died on is
    rendered alone, so that if it kills the new worker too, it is the one to blame."""
    if retries and not worker.tasks_out:
        worker.alone = True
        return retries.popleft()
    return None


def _out(pool: _Pool) -> int:
    return sum(len(w.tasks_out) for w in pool.workers)


def _died(pool: _Pool, worker: _Worker, retries: deque, done: dict, job: Job) -> _Worker:
    """Replace a worker that died. The chunk it was working on goes to the front of the queue
    once, else its records are reported; the chunk sent after it goes back as it was."""
    number, chunk, attempt = worker.tasks_out.popleft()
    worker.process.join(timeout=1)
    code = worker.process.exitcode
    fresh = pool.replace(worker, retries)
    if attempt == 0:
        retries.appendleft((number, chunk, 1))
    else:
        how = f"killed by signal {-code}" if code is not None and code < 0 else \
            f"exit status {code}"
        done[number] = failed_chunk(job, chunk, f"the worker process died twice on this "
                                                f"record's chunk ({how})")
    return fresh


def _start_method() -> str:
    """fork where it is safe, a process with one thread (the vtl command): the workers start
    at once with everything imported and compiled; else (threads that a fork would leave
    stopped in the middle of what they held) forkserver."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "forkserver"


def _widen(end: Connection) -> None:
    """A pipe that holds a whole default chunk (Linux: up to 1 MB), so that a chunk or its
    results go in one write, not in many small ones (a larger one, or a smaller pipe, is slower
    but safe: the worker's receiving thread takes chunks off the pipe whatever their size)."""
    try:
        fcntl.fcntl(end.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (AttributeError, OSError):   # not Linux, or a lower system limit: the default size
        pass


def _worker_main(job: Job, tasks: Connection, results: Connection, cache_dir: str | None
                 ) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if cache_dir is not None:
        set_disk_cache(cache_dir)
    received: queue.SimpleQueue[Chunk | None] = queue.SimpleQueue()
    threading.Thread(target=_receive, args=(tasks, received), daemon=True,
                     name="vtl-replay-receiver").start()
    with fewer_collections():
        while (chunk := received.get()) is not None:
            results.send_bytes(run_chunk(job, chunk))


def _receive(tasks: Connection, received: queue.SimpleQueue) -> None:
    """Take every chunk off the pipe as soon as it comes, while the worker renders the one
    before and waits for its results to be read: the command's process, sending the next chunk,
    never waits for a worker that waits for it (whatever the sizes of chunks, results and
    pipes). The command sends at most IN_FLIGHT_PER_WORKER chunks ahead, so few are held."""
    while True:
        try:
            received.put(tasks.recv())
        except (EOFError, OSError):
            received.put(None)
            return


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # not Linux
        return os.cpu_count() or 1
