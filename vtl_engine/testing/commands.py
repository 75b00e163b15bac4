"""`vtl test` and `vtl coverage`: the command-line faces of the test runner."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from .cases import CASE_FILE_SUFFIXES, CaseFileError, find_case_files
from .coverage import measure, templates_of, text_report, total_percent, write_html
from .runner import ApiDefinitions, CaseResult, RunSummary, run_cases


class TerminalReporter:
    """One line per file with a mark per case (`.` passed, `F` failed) and how many files are
    done, as pytest does; with `verbose`, one line per case."""

    def __init__(self, total_files: int, out: TextIO, verbose: bool = False) -> None:
        self.total = total_files
        self.done = 0
        self.out = out
        self.verbose = verbose

    def file_started(self, path: Path, count: int) -> None:
        self.out.write(f"{path}\n" if self.verbose else f"{path} ")
        self.out.flush()

    def case_done(self, result: CaseResult) -> None:
        if self.verbose:
            self.out.write(f"  {'PASS' if result.passed else 'FAIL'}  {result.case.name}  "
                           f"({result.seconds * 1000:.1f} ms)\n")
        else:
            self.out.write("." if result.passed else "F")
        self.out.flush()

    def file_done(self, path: Path) -> None:
        self.done += 1
        if not self.verbose:
            self.out.write(f"  [{self.done}/{self.total}]\n")

    def file_failed(self, path: Path, error: str) -> None:
        self.done += 1
        self.out.write(f"{path} E  [{self.done}/{self.total}]\n")


def run_and_report(paths: list[str], out: TextIO, definitions: ApiDefinitions,
                   verbose: bool = False, coverage: bool = False) -> RunSummary | None:
    """Find and run the cases under `paths`, printing progress, failures and a summary; None
    when there was nothing to run (said on stderr)."""
    files = find_case_files([Path(p) for p in paths])
    if not files:
        print(f"vtl: no test case files under {', '.join(paths)} "
              f"(files named *{', *'.join(CASE_FILE_SUFFIXES)})", file=sys.stderr)
        return None
    summary = run_cases(files, TerminalReporter(len(files), out, verbose), definitions,
                        coverage)
    for error in summary.file_errors:
        out.write(f"\nERROR {error}\n")
    for result in summary.failed:
        out.write(f"\nFAILED {result.case.id}  ({result.case.target})\n")
        for failure in result.failures:
            out.write("".join(f"  {line}\n" for line in failure.split("\n")))
    out.write("\n" + summary_line(summary) + "\n")
    return summary


def summary_line(summary: RunSummary) -> str:
    failed = len(summary.failed)
    parts = [f"{len(summary.results) - failed} passed"]
    if failed:
        parts.append(f"{failed} failed")
    if summary.file_errors:
        parts.append(f"{len(summary.file_errors)} file error"
                     f"{'s' if len(summary.file_errors) != 1 else ''}")
    return f"{', '.join(parts)} in {summary.seconds:.2f}s"


def run_test(args: argparse.Namespace) -> int:
    try:
        summary = run_and_report(args.paths, sys.stdout, ApiDefinitions(), args.verbose)
    except CaseFileError as e:
        print(f"vtl: {e}", file=sys.stderr)
        return 1
    return 0 if summary is not None and summary.ok else 1


def run_coverage(args: argparse.Namespace) -> int:
    definitions = ApiDefinitions()
    try:
        summary = run_and_report(args.paths, sys.stdout, definitions, args.verbose,
                                 coverage=True)
        if summary is None:
            return 1
        measured = measure(templates_of([r.case for r in summary.results], definitions))
    except CaseFileError as e:
        print(f"vtl: {e}", file=sys.stderr)
        return 1
    print("\n" + text_report(measured))
    if not args.no_html:
        try:
            page = write_html(measured, Path(args.html))
        except OSError as e:
            print(f"vtl: cannot write the HTML report to {args.html} ({e.strerror or e})",
                  file=sys.stderr)
            return 1
        print(f"\nHTML report: {page}")
    percent = total_percent(measured)
    if args.fail_under is not None and percent < args.fail_under:
        print(f"vtl: coverage {percent:.0f}% is below --fail-under {args.fail_under:g}%",
              file=sys.stderr)
        return 1
    return 0 if summary.ok else 1


def add_test(sub: argparse._SubParsersAction) -> None:
    test = sub.add_parser("test", help="run the test cases (*.vtltest.yaml, *.vtltest.json)")
    test.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                      help="case files, or directories to search (default: .)")
    test.add_argument("-v", "--verbose", action="store_true", help="one line per case")
    test.set_defaults(run=run_test)


def add_coverage(sub: argparse._SubParsersAction) -> None:
    coverage = sub.add_parser("coverage", help="run the test cases and report which template "
                                               "lines and branches they ran")
    coverage.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                          help="case files, or directories to search (default: .)")
    coverage.add_argument("-v", "--verbose", action="store_true", help="one line per case")
    coverage.add_argument("--html", default="vtl-coverage", metavar="DIR",
                          help="where to write the HTML report (default: vtl-coverage)")
    coverage.add_argument("--no-html", action="store_true", help="only the terminal table")
    coverage.add_argument("--fail-under", type=float, metavar="PERCENT",
                          help="exit 1 when the total coverage is lower")
    coverage.set_defaults(run=run_coverage)
