"""`vtl replay` and `vtl batch`: their options, and running them.

This module is imported by every `vtl` command to register these two, so it imports nothing
heavy at its top: the readers, the workers, tqdm and Dask come when a replay or batch runs.

    vtl replay INPUT... (TEMPLATE | --api FILE) [--against OLD | --against-api OLD_FILE]
    vtl batch INPUT... (TEMPLATE | --api FILE) -o OUT.jsonl [--resume]
"""
from __future__ import annotations

import argparse
from typing import Any

from ..core.dialect import DIALECTS


def add_replay_commands(sub: argparse._SubParsersAction) -> None:
    replay = sub.add_parser(
        "replay", help="render captured requests and compare with what came out then",
        description="Render every request of the inputs (JSON Lines, HAR, CloudWatch execution "
                    "logs) with TEMPLATE, or through the routes of an API definition, and "
                    "compare with the output recorded in the inputs, or with an older "
                    "template's. Exit status 1 when anything differs.")
    _add_target_options(replay)
    compare = replay.add_argument_group("what to compare with")
    compare.add_argument("--against", metavar="OLD_TEMPLATE",
                         help="compare with this template's output, not the recorded one")
    compare.add_argument("--against-api", metavar="OLD_FILE",
                         help="with --api: compare with this API definition's routes")
    compare.add_argument("--exact", action="store_true",
                         help="compare bodies byte for byte (JSON that is the same value but "
                              "written differently counts as a difference)")
    compare.add_argument("--ignore", action="append", default=[], metavar="JSONPATH",
                         help="differences at this JSON path of the body do not count (e.g. "
                              "'$.timestamp', '$.items[*].id'); repeatable")
    report = replay.add_argument_group("reports")
    report.add_argument("--show", type=int, default=5, metavar="N",
                        help="records whose differences are printed (default 5)")
    report.add_argument("--html", metavar="FILE", help="write an HTML report")
    report.add_argument("--results", metavar="FILE.jsonl",
                        help="write every record's result, one JSON line each")
    report.add_argument("--resume", action="store_true",
                        help="with --results: continue an interrupted replay after the last "
                             "result written")
    _add_run_options(replay)
    replay.set_defaults(run=_run("run_replay"))

    batch = sub.add_parser(
        "batch", help="render captured requests into a JSON Lines file",
        description="Render every request of the inputs with TEMPLATE, or through the routes "
                    "of an API definition, and write what came out (body, status, headers, "
                    "overrides), one JSON line per request, in input order.")
    _add_target_options(batch)
    batch.add_argument("-o", "--output", required=True, metavar="OUT.jsonl",
                       help="the results file (or, with --dask and --parts, a folder)")
    batch.add_argument("--resume", action="store_true",
                       help="continue an interrupted batch after the last whole line of OUT")
    batch.add_argument("--parts", action="store_true",
                       help="with --dask: the workers write part files into the folder OUT "
                            "instead of sending their results back")
    _add_run_options(batch)
    batch.set_defaults(run=_run("run_batch"))


def _run(name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        from . import command_runs

        return getattr(command_runs, name)(args)
    return run


def _add_target_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("paths", nargs="+", metavar="INPUT",
                         help="the inputs, then the template (unless --api is given)")
    command.add_argument("--api", metavar="FILE",
                         help="an OpenAPI/Swagger export, SAM or CloudFormation template: each "
                              "request goes through its route (instead of TEMPLATE)")
    command.add_argument("--side", choices=("request", "response"), default="request",
                         help="request (default): what the backend receives; response: the "
                              "integration response, given the backend's recorded answer")
    command.add_argument("--dialect", choices=sorted(DIALECTS), default="aws",
                         help="aws (API Gateway, the default) or velocity (plain Velocity 1.7)")
    reading = command.add_argument_group("reading the inputs")
    reading.add_argument("--format", choices=("jsonl", "har", "cloudwatch"),
                         help="the inputs' format (default: told from each file)")
    reading.add_argument("--har-responses", action="store_true",
                         help="a HAR entry's response is what the client is expected to receive")
    reading.add_argument("--base-path", default="", metavar="PATH",
                         help="taken off the front of HAR request paths (a custom domain's "
                              "base path mapping)")
    reading.add_argument("--limit", type=_positive, metavar="N",
                         help="only the first N records")


def _add_run_options(command: argparse.ArgumentParser) -> None:
    running = command.add_argument_group("running")
    running.add_argument("--jobs", "-j", type=_positive, metavar="N",
                         help="worker processes (default: one per core)")
    running.add_argument("--dask", metavar="ADDRESS",
                         help="run on a Dask cluster: a scheduler's address "
                              "(tcp://host:8786) or 'local' for a LocalCluster on this machine")
    running.add_argument("--chunk-size", type=_positive, default=None, metavar="N",
                         help="records sent to a worker at a time (default 250)")
    running.add_argument("--no-progress", action="store_true", help="no progress bar")


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()):   # int() also takes "1_000", " 2" and "٣"
        raise argparse.ArgumentTypeError(f"not a number: {text!r}")
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number
