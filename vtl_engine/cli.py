"""The `vtl` command: render, check and compile mapping templates offline.

    vtl render TEMPLATE [--body FILE|-] [--header K=V] [--query K=V] [--path K=V]
               [--stage-var K=V] [--context FILE.json] [--dialect aws|velocity] [--pretty] [--verbose]
    vtl check TEMPLATE...
    vtl compile TEMPLATE --python
    vtl bench TEMPLATE [request options as for render] [--iterations N | --seconds S]

Every error a user can cause ends in one clear line on stderr and exit status 1 (2 for misuse).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from .errors import VtlError, VtlSyntaxError
from .template import Template


class UsageError(Exception):
    """A mistake in the command line or its files, reported as one line."""


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{path}: cannot read ({e})") from None


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{option} expects KEY=VALUE, got {item!r}")
        pairs[key] = value
    return pairs


def _json_file(path: str) -> Any:
    try:
        return orjson.loads(_read_text(path))
    except orjson.JSONDecodeError as e:
        raise UsageError(f"{path}: not valid JSON ({e})") from None


def request_of(args: argparse.Namespace) -> tuple[str, str, dict, dict | None, dict]:
    """The template, body, params, context and stage variables the request options give."""
    source = _read_text(args.template)
    body = _read_text(args.body) if args.body else ""
    params = {"path": _pairs(args.path, "--path"), "querystring": _pairs(args.query, "--query"),
              "header": _pairs(args.header, "--header")}
    context = _json_file(args.context) if args.context else None
    if context is not None and not isinstance(context, dict):
        raise UsageError(f"{args.context}: the context must be a JSON object")
    return source, body, params, context, _pairs(args.stage_var, "--stage-var")


def cmd_render(args: argparse.Namespace) -> int:
    from .apigateway import render_mapping_template

    source, body, params, context, stage_variables = request_of(args)
    started = time.perf_counter()
    result = render_mapping_template(source, body=body, params=params, context=context,
                                     stage_variables=stage_variables, dialect=args.dialect)
    elapsed = time.perf_counter() - started
    out = result.body
    if args.pretty:
        try:
            out = orjson.dumps(orjson.loads(out), option=orjson.OPT_INDENT_2).decode()
        except orjson.JSONDecodeError:
            pass
    sys.stdout.write(out if out.endswith("\n") or not out else out + "\n")
    if args.verbose:
        report = {
            "status override": result.status_override,
            "response header overrides": result.header_overrides,
            "request querystring overrides": result.querystring_overrides,
            "request path overrides": result.path_overrides,
            "render time": f"{elapsed * 1000:.2f} ms",
        }
        for key, value in report.items():
            print(f"{key}: {value}", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.templates:
        try:
            Template(_read_text(path), dialect=args.dialect, name=path)
        except VtlSyntaxError as e:
            failed += 1
            print(f"{path}:{e.line}:{e.column}: error: {e.message}", file=sys.stderr)
            if e.snippet:
                print(e.snippet, file=sys.stderr)
        except UsageError as e:
            failed += 1
            print(f"vtl: {e}", file=sys.stderr)
    if not failed:
        print(f"{len(args.templates)} template(s) OK")
    return 1 if failed else 0


def cmd_compile(args: argparse.Namespace) -> int:
    template = Template(_read_text(args.template), dialect=args.dialect, name=args.template)
    sys.stdout.write(template.python_source)
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="vtl", description="AWS API Gateway mapping templates, offline.")
    sub = ap.add_subparsers(dest="command", required=True)

    render = sub.add_parser("render", help="render a mapping template for a request")
    add_request_options(render)
    render.add_argument("--pretty", action="store_true", help="pretty-print JSON output")
    render.add_argument("--verbose", action="store_true",
                        help="also show the overrides and timings, as the console's Test page does")
    render.set_defaults(run=cmd_render)

    check = sub.add_parser("check", help="report syntax errors in templates")
    check.add_argument("templates", nargs="+")
    check.add_argument("--dialect", choices=("aws", "velocity"), default="aws")
    check.set_defaults(run=cmd_check)

    comp = sub.add_parser("compile", help="show the Python a template compiles to")
    comp.add_argument("template")
    comp.add_argument("--python", action="store_true", help="print the generated Python (default)")
    comp.add_argument("--dialect", choices=("aws", "velocity"), default="aws")
    comp.set_defaults(run=cmd_compile)

    from .bench import add_parser as add_bench_parser
    add_bench_parser(sub, add_request_options, request_of)
    return ap


def add_request_options(command: argparse.ArgumentParser) -> None:
    """TEMPLATE and the options that describe a request (render, bench)."""
    command.add_argument("template", help="the template file (- for stdin)")
    command.add_argument("--body", metavar="FILE", help="the request body (- for stdin)")
    command.add_argument("--header", action="append", metavar="K=V", help="a request header")
    command.add_argument("--query", action="append", metavar="K=V", help="a query string parameter")
    command.add_argument("--path", action="append", metavar="K=V", help="a path parameter")
    command.add_argument("--stage-var", action="append", metavar="K=V", help="a stage variable")
    command.add_argument("--context", metavar="FILE", help="JSON object of $context values")
    command.add_argument("--dialect", choices=("aws", "velocity"), default="aws")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, VtlError) as e:
        first, _, rest = str(e).partition("\n")
        print(f"vtl: {first}", file=sys.stderr)
        if rest:
            print(rest, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
