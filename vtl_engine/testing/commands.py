"""`vtl test` and `vtl coverage`: the command-line faces of the test runner."""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import orjson

from .cases import CASE_FILE_SUFFIXES, Case, CaseFileError, find_case_files, load_case_file
from .coverage import measure, templates_of, text_report, total_percent, write_html
from .junit import write_junit_xml
from .keywords import ExpressionError, Matcher, compile_expression
from .runner import ApiDefinitions, CaseResult, RunSummary, run_cases
from .update import update_case_files
from .watch import Watched, watch


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


class _Quiet:
    """A reporter that says nothing as the run goes (for --json)."""

    def file_started(self, path: Path, count: int) -> None: ...
    def case_done(self, result: CaseResult) -> None: ...
    def file_done(self, path: Path) -> None: ...
    def file_failed(self, path: Path, error: str) -> None: ...


@dataclass
class Selection:
    """Which cases to run and how: `-k`, `-x`."""

    keywords: Matcher | None = None
    exitfirst: bool = False

    def keeps(self, case: Case) -> bool:
        return self.keywords is None or self.keywords([case.name, case.file.name])


def run_and_report(paths: list[str], out: TextIO, definitions: ApiDefinitions,
                   verbose: bool = False, coverage: bool = False,
                   selection: Selection | None = None, quiet: bool = False,
                   updating: bool = False) -> RunSummary | None:
    """Find and run the cases under `paths`, printing progress, failures and a summary (with
    `quiet`, nothing); None when there was nothing to run (said on stderr)."""
    files = find_case_files([Path(p) for p in paths])
    if not files:
        print(f"vtl: no test case files under {', '.join(paths)} "
              f"(files named *{', *'.join(CASE_FILE_SUFFIXES)})", file=sys.stderr)
        return None
    selection = selection or Selection()
    reporter = _Quiet() if quiet else TerminalReporter(len(files), out, verbose)
    summary = run_cases(files, reporter, definitions, coverage, selection.keeps,
                        selection.exitfirst)
    if quiet:
        return summary
    for error in summary.file_errors:
        out.write(f"\nERROR {error}\n")
    for result in summary.failed:
        out.write(f"\nFAILED {result.case.id}  ({result.case.target})\n")
        for failure in result.failures:
            out.write("".join(f"  {line}\n" for line in failure.split("\n")))
    if not updating and any(result.outcome is not None and result.outcome.error is None
                            for result in summary.failed):
        out.write(f"\nTo take the actual output as expected: vtl test --update "
                  f"{' '.join(paths)} (then review the case files' diff)\n")
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
    if summary.deselected:
        parts.append(f"{summary.deselected} deselected")
    return f"{', '.join(parts)} in {summary.seconds:.2f}s"


def run_test(args: argparse.Namespace) -> int:
    if args.watch:
        return watch(lambda: _run_test_once(args), lambda: _watched_by_tests(args))
    return _run_test_once(args)


def _watched_by_tests(args: argparse.Namespace) -> Watched:
    """The folders named and those of the case files (new case files, body files), and the
    templates and API definitions the cases name, wherever they are."""
    watched = Watched(ignored={Path(args.junitxml).resolve()} if args.junitxml else set())
    for path in map(Path, args.paths):
        if path.is_dir():
            watched.trees.add(path.resolve())
    try:
        files = find_case_files([Path(p) for p in args.paths])
    except CaseFileError:
        return watched
    for file in files:
        watched.trees.add(file.parent.resolve())
        watched.add_files([file])
        try:
            cases = load_case_file(file)
        except CaseFileError:
            continue
        watched.add_files(case.template or case.api for case in cases)
    return watched


def _run_test_once(args: argparse.Namespace) -> int:
    selection = Selection(args.keyword, args.exitfirst)
    try:
        summary = run_and_report(args.paths, sys.stdout, ApiDefinitions(), args.verbose,
                                 selection=selection, quiet=args.json, updating=args.update)
    except CaseFileError as e:
        print(f"vtl: {e}", file=sys.stderr)
        return 1
    if summary is None:
        return 1
    if args.junitxml:
        try:
            write_junit_xml(summary, Path(args.junitxml))
        except OSError as e:
            print(f"vtl: cannot write {args.junitxml} ({e.strerror or e})", file=sys.stderr)
            return 1
    if args.json:
        print(orjson.dumps(summary_json(summary), option=orjson.OPT_INDENT_2).decode())
    if args.update and summary.failed:
        return _update(summary, sys.stderr if args.json else sys.stdout)
    return 0 if summary.ok else 1


def summary_json(summary: RunSummary) -> dict:
    """The run as one JSON object: counts, then each case."""
    return {
        "passed": len(summary.results) - len(summary.failed), "failed": len(summary.failed),
        "file_errors": summary.file_errors, "deselected": summary.deselected,
        "seconds": summary.seconds,
        "cases": [{"file": str(r.case.file), "name": r.case.name, "target": r.case.target,
                   "passed": r.passed, "seconds": r.seconds, "failures": r.failures}
                  for r in summary.results],
    }


def _update(summary: RunSummary, out: TextIO) -> int:
    """Write the failed cases' outcomes into their files; 0 when every one was written."""
    report = update_case_files(summary.failed)
    files = sorted({str(r.case.file) for r in report.updated})
    if report.updated:
        print(f"\nupdated {len(report.updated)} case(s) in {', '.join(files)}: review the "
              f"diff, then run vtl test again", file=out)
    for result, why in report.refused:
        print(f"not updated: {result.case.id}: {why}", file=out)
    return 1 if report.refused or summary.file_errors else 0


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
    test.add_argument("-k", dest="keyword", metavar="EXPR", type=_keywords,
                      help="only the cases whose name or file name matches EXPR, as pytest's "
                           "-k: words (part of a name, any case) with and, or, not, ( )")
    test.add_argument("-x", "--exitfirst", action="store_true",
                      help="stop at the first failing case")
    test.add_argument("--junitxml", metavar="FILE", help="also write the results as JUnit XML, "
                                                           "for CI")
    test.add_argument("--json", action="store_true",
                      help="print the results as one JSON object instead of the report")
    test.add_argument("--update", action="store_true",
                      help="write what failing cases produced into their case files as what "
                           "they expect")
    test.add_argument("--watch", action="store_true",
                      help="run again whenever a case file, template, body or API definition "
                           "changes (Ctrl-C stops)")
    test.set_defaults(run=run_test)


def _keywords(text: str) -> Matcher:
    try:
        return compile_expression(text)
    except ExpressionError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


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
