"""What `vtl replay` and `vtl batch` do once their options are read (commands.py sets them up).

Both compile their templates here first (a template that does not parse stops the run before
any record is read), then run the job in this process (`--jobs 1`, or a single chunk of
input), on worker processes (forked with the templates compiled, or loading them from a disk
cache made for the run), or on a Dask cluster; results are written as they come, in input
order. Ctrl-C stops the run and leaves whole lines: `--resume` continues.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import chain, islice
from pathlib import Path

from ..apigateway.definitions import load_definition
from ..apigateway.mapping import compiled_template
from ..core.errors import VtlError
from ..core.template import disk_cache_dir, set_disk_cache
from ..tools.cli import UsageError
from ..userfiles import read_user_text
from .inputs import InputError, InputFile, ReadOptions, input_file
from .jobs import BatchJob, ReplayJob
from .output import OutputError, ResultsFile
from .render import Target
from .report import Summary, print_summary, write_html
from .runner import CHUNK_SIZE, ResumeError, chunks, default_jobs, run_parallel, run_serial


def run_replay(args: argparse.Namespace) -> int:
    with _shared_disk_cache(args):
        return _replay(args)


def run_batch(args: argparse.Namespace) -> int:
    with _shared_disk_cache(args):
        return _batch(args)


def _replay(args: argparse.Namespace) -> int:
    if args.resume and not args.results:
        raise UsageError("--resume needs --results FILE (the results to continue)")
    target, inputs = _target_and_inputs(args)
    against = None
    if args.against or args.against_api:
        if args.against_api and not args.api:
            raise UsageError("--against-api needs --api")
        if args.against and args.api:
            raise UsageError("with --api, compare with an older definition: --against-api FILE")
        against = _target(args, args.against, args.against_api)
    job = ReplayJob(target, against, args.exact, tuple(args.ignore))
    summary = Summary()
    results = _open_results(args.results, args.resume, args, inputs) if args.results else None
    if results is not None and results.done:
        _read_back(results.path, summary)

    def emit(lines: bytes) -> None:
        if results is not None:
            results.write(lines)
        summary.add_lines(lines)

    try:
        interrupted = _execute(job, inputs, args, emit, results)
    finally:
        if results is not None:
            results.close()
    print_summary(summary, sys.stdout, args.show, color=sys.stdout.isatty())
    if args.html:
        write_html(summary, args.html, _title(args, against))
        print(f"HTML report: {args.html}")
    if interrupted:
        return _interrupted(summary.records, args.results)
    return 1 if summary.failed else 0


def _batch(args: argparse.Namespace) -> int:
    target, inputs = _target_and_inputs(args)
    job = BatchJob(target)
    if args.parts:
        if not args.dask:
            raise UsageError("--parts is for --dask: the workers write part files")
        if args.resume:
            raise UsageError("--resume continues one output file, not part files")
        from .cluster import write_parts

        count = write_parts(job, inputs, _read_options(args), args.output, args.dask,
                            args.chunk_size or CHUNK_SIZE, args.limit)
        print(f"{count} part files written to {args.output}", file=sys.stderr)
        return 0
    output = _open_results(args.output, args.resume, args, inputs)
    counts = {"records": output.done, "errors": 0}

    def emit(lines: bytes) -> None:
        output.write(lines)
        count = lines.count(b"\n")
        counts["records"] += count
        counts["errors"] += count - lines.count(b'"error":null}\n')

    started = time.perf_counter()
    try:
        interrupted = _execute(job, inputs, args, emit, output)
    finally:
        output.close()
    if interrupted:
        return _interrupted(counts["records"], args.output)
    seconds = time.perf_counter() - started
    print(f"{counts['records']} records written to {args.output} ({counts['errors']} with an "
          f"error) in {seconds:.1f} s", file=sys.stderr)
    return 0


# -- shared ---------------------------------------------------------------------------------------

def _target_and_inputs(args: argparse.Namespace) -> tuple[Target, list[InputFile]]:
    paths = args.paths
    template = None
    if args.api is None:
        if len(paths) < 2:
            raise UsageError("give the inputs, then the TEMPLATE (or --api FILE)")
        paths, template = paths[:-1], paths[-1]
    target = _target(args, template, args.api)
    try:
        inputs = [input_file(path, args.format) for path in paths]
    except InputError as error:
        raise UsageError(str(error)) from None
    return target, inputs


def _target(args: argparse.Namespace, template: str | None, api: str | None) -> Target:
    """A target, its templates compiled now (into the disk cache, for the workers): a template
    that does not parse stops the run here."""
    if api is not None:
        definition = load_definition(api)
        for route in definition.routes():
            try:
                integration = definition.integration(route)
            except VtlError:   # reported for the records of that route
                continue
            for name, source in integration.templates():
                try:
                    _compile(source, args.dialect, name)
                except VtlError:   # an error record for each record that uses it
                    pass
        return Target(api, api=api, dialect=args.dialect, side=args.side)
    source = read_user_text(template, UsageError)
    try:
        _compile(source, args.dialect, template)
    except VtlError as error:
        error.template_name = error.template_name or template
        raise
    return Target(template, template=source, dialect=args.dialect, side=args.side)


def _compile(source: str, dialect: str, name: str | None) -> None:
    """Compile a template as rendering will ask for it: under the name it renders with (the
    caches' keys hold it), and with the arguments as apigateway.render_prepared gives them
    (lru_cache keys `f(a, name=b)` and `f(a, b)` apart)."""
    compiled_template(source, dialect, False, name)


def _read_options(args: argparse.Namespace) -> ReadOptions:
    return ReadOptions(har_responses=args.har_responses, base_path=args.base_path)


def _execute(job: BatchJob | ReplayJob, inputs: list[InputFile], args: argparse.Namespace,
             emit: Callable[[bytes], None], output: ResultsFile | None) -> bool:
    """Run `job` over the inputs (after what `output` already holds); True when Ctrl-C
    stopped it."""
    done = output.done if output is not None else 0
    resumed = None
    if output is not None and output.last is not None:
        resumed = (output.last.get("source"), output.last.get("line"))
    work = chunks(inputs, _read_options(args), args.chunk_size or CHUNK_SIZE, done, resumed,
                  args.limit)
    jobs = args.jobs or default_jobs()
    with _progress(args, done) as advance:
        def emit_and_count(lines: bytes) -> None:
            emit(lines)
            advance(lines.count(b"\n"))

        try:
            if args.dask:
                from .cluster import run_on_dask

                run_on_dask(job, work, emit_and_count, args.dask)
            else:
                work = iter(work)
                first = list(islice(work, 2))
                if jobs == 1 or len(first) < 2:   # one chunk: not worth starting workers
                    run_serial(job, chain(first, work), emit_and_count)
                else:
                    cache = disk_cache_dir()
                    run_parallel(job, chain(first, work), emit_and_count, jobs,
                                 cache_dir=None if cache is None else str(cache))
        except KeyboardInterrupt:
            return True
        except (InputError, ResumeError) as error:
            raise UsageError(str(error)) from None
    return False


@contextmanager
def _shared_disk_cache(args: argparse.Namespace) -> Iterator[None]:
    """When worker processes will render, a folder of compiled templates for them to load
    from: VTL_CACHE_DIR's, or one made for this run and removed after it."""
    if disk_cache_dir() is not None or args.dask or (args.jobs or default_jobs()) == 1:
        yield
        return
    folder = tempfile.mkdtemp(prefix="vtl-cache-")
    try:
        set_disk_cache(folder)
        yield
    finally:
        set_disk_cache(None)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _progress(args: argparse.Namespace, done: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr with records per second (when stderr is a terminal)."""
    if args.no_progress or not sys.stderr.isatty():
        yield lambda count: None
        return
    from tqdm import tqdm

    tqdm.monitor_interval = 0   # no monitor thread
    bar = tqdm(initial=done, unit=" records", unit_scale=True, dynamic_ncols=True,
               mininterval=0.5, file=sys.stderr, desc=args.command)
    try:
        yield bar.update
    finally:
        bar.close()


def _open_results(path: str, resume: bool, args: argparse.Namespace, inputs: list[InputFile]
                  ) -> ResultsFile:
    if Path(path).exists():
        for read, what in _files_read(args, inputs):
            if Path(read).exists() and Path(path).samefile(read):
                raise UsageError(f"{path} is {what}: give another output file")
    try:
        return ResultsFile(path, resume)
    except OutputError as error:
        raise UsageError(str(error)) from None


def _files_read(args: argparse.Namespace, inputs: list[InputFile]) -> list[tuple[str, str]]:
    """Every file the command reads, and what it is to the command."""
    named = [(source.path, "an input") for source in inputs if source.path != "-"]
    named += [(None if args.api else args.paths[-1], "the template"),
              (args.api, "the API definition"),
              (getattr(args, "against", None), "the old template"),
              (getattr(args, "against_api", None), "the old API definition")]
    return [(path, what) for path, what in named if path is not None]


def _read_back(path: Path, summary: Summary) -> None:
    """Count the results an earlier, interrupted replay wrote."""
    with open(path, "rb") as f:
        for line in f:
            summary.add_lines(line)


def _interrupted(records: int, output: str | None) -> int:
    where = f": {output} holds their results; run again with --resume to go on" if output else ""
    print(f"vtl: interrupted after {records} records{where}", file=sys.stderr)
    return 130


def _title(args: argparse.Namespace, against: Target | None) -> str:
    what = args.api or args.paths[-1]
    inputs = args.paths if args.api else args.paths[:-1]
    compared = f" against {against.name}" if against else " against the recorded outputs"
    return f"{', '.join(inputs)} through {what} ({args.side} side){compared}"
