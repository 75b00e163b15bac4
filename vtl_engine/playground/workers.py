"""Renders off the server's event loop, in worker processes.

A template that runs until its time limit (a regular expression that backtracks for ever, a
loop over a million items) must not hold up the next request, so each render runs in a process
of its own: a thread would share the interpreter lock, and a long regular-expression match holds
it. The pool keeps `size` workers warm, starts more (up to `max_size`) while all are busy, and
kills a worker whose job outlives the deadline (the engine's own limits stop a render long
before; the deadline is for what they cannot see). A new render from the same page (`channel`)
stops the previous one if it is still running after `SUPERSEDE_AFTER` seconds: the person has
typed on, and nobody waits for that answer any more.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from ..core.template import DEFAULT_LIMITS

#: a job may render its templates twice (the render, then coverage or lint's sample render),
#: each bounded by max_render_seconds; past this the worker is killed
DEADLINE_SECONDS = 2 * (DEFAULT_LIMITS.max_render_seconds or 10.0) + 5
SUPERSEDE_AFTER = 0.5
#: address space of a worker: a template that exhausts it fails with the memory limit's error
WORKER_MEMORY_BYTES = 4 * 1024 ** 3


def _serve(conn: Connection, api_path: str | None) -> None:
    """A worker's life: answer jobs until the server closes the pipe."""
    import resource

    from .jobs import run_job

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > WORKER_MEMORY_BYTES:
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, hard))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            answer = run_job(job, api_path)
        except MemoryError:
            answer = {"failure": "the render ran out of memory (the worker's limit is "
                                 f"{WORKER_MEMORY_BYTES // 1024 ** 3} GiB)"}
        except Exception as e:  # noqa: BLE001 - a bug of ours: say so, keep serving
            answer = {"failure": f"internal error: {type(e).__name__}: {e}"}
        conn.send(answer)


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Connection
    channel: str | None = None
    started: float = 0.0
    superseded: bool = field(default=False)


class WorkerPool:
    """Worker processes that run `jobs.run_job`; `run` awaits one job's answer."""

    def __init__(self, api_path: str | None = None, size: int = 2, max_size: int = 4,
                 deadline: float = DEADLINE_SECONDS) -> None:
        self.api_path = api_path
        self.size = size
        self.max_size = max(size, max_size)
        self.deadline = deadline
        self._context = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._freed: asyncio.Condition | None = None

    def start(self) -> None:
        """Start the warm workers (they import the engine while the server starts)."""
        while len(self._idle) < self.size:
            self._idle.append(self._spawn())

    def close(self) -> None:
        """End every worker (it waits for them: call it off the event loop)."""
        for worker in [*self._idle, *self._busy]:
            self._end(worker)
        self._idle.clear()
        self._busy.clear()

    async def run(self, job: dict[str, Any], channel: str | None = None) -> dict[str, Any]:
        """The answer to `job`: what `run_job` returned, `{"superseded": True}` when a newer
        job of the same channel stopped it, or `{"failure": why}` when its worker had to be
        killed."""
        if channel is not None:
            self._supersede(channel)
        worker = await self._acquire()
        worker.channel, worker.started, worker.superseded = channel, time.monotonic(), False
        healthy = False
        try:
            await asyncio.to_thread(worker.conn.send, job)
            answer = await asyncio.wait_for(asyncio.to_thread(worker.conn.recv), self.deadline)
            healthy = True
            return answer
        except asyncio.TimeoutError:
            return {"failure": f"the render was stopped after {self.deadline:.0f} s, past the "
                               "engine's own time limits"}
        except (EOFError, OSError):   # the worker died, or was killed on purpose
            if worker.superseded:
                return {"superseded": True}
            return {"failure": "the worker process rendering this request died"}
        finally:
            await self._release(worker, healthy)

    def _supersede(self, channel: str) -> None:
        now = time.monotonic()
        for worker in list(self._busy):
            if worker.channel == channel and now - worker.started > SUPERSEDE_AFTER:
                worker.superseded = True
                worker.process.kill()   # its run then reads EOF, and ends it (_release)

    async def _acquire(self) -> _Worker:
        if self._freed is None:
            self._freed = asyncio.Condition()
        async with self._freed:
            while not self._idle and len(self._busy) >= self.max_size:
                await self._freed.wait()
            worker = self._idle.pop() if self._idle else self._spawn()
            self._busy.add(worker)
            return worker

    async def _release(self, worker: _Worker, healthy: bool) -> None:
        self._busy.discard(worker)
        worker.channel = None
        if healthy and worker.process.is_alive():
            self._idle.append(worker)
        else:
            # ending a process and starting one wait on the system: not on the event loop,
            # which goes on answering the other pages meanwhile
            await asyncio.to_thread(self._end, worker)
            if len(self._idle) + len(self._busy) < self.size:
                self._idle.append(await asyncio.to_thread(self._spawn))   # warm for the next
        assert self._freed is not None   # (made by _acquire)
        async with self._freed:
            self._freed.notify()

    def _spawn(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(theirs, self.api_path),
                                        name="vtl-playground-worker", daemon=True)
        process.start()
        theirs.close()
        return _Worker(process, ours)

    @staticmethod
    def _end(worker: _Worker) -> None:
        """End the worker's process and close its pipe (a job waiting on it then ends)."""
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
