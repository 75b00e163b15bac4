"""The `vtl` command: mapping templates offline.

    vtl render TEMPLATE [--body FILE|-] [--header K=V] [--query K=V] [--path K=V]
               [--stage-var K=V] [--context FILE.json] [--dialect aws|velocity] [--pretty] [--verbose]
    vtl render --api FILE --route "POST /orders" [--content-type TYPE] [--body FILE] …
               [--response [--status N] [--error-message TEXT] [--backend-header K=V]]
    vtl check TEMPLATE… [--api FILE] [--strict] [--sample-body FILE]
    vtl compile TEMPLATE
    vtl test [PATH...]
    vtl coverage [PATH...] [--html DIR] [--fail-under PERCENT]
    vtl bench TEMPLATE [request options as for render] [--iterations N | --seconds S]
    vtl playground [TEMPLATE ...] [--api FILE]

Each subcommand is a pair: `add_<name>(subparsers)` sets up its arguments and names its
`run_<name>(args) -> int`; `COMMANDS` says where each setup function is, so that a command
loads only what it needs (start-up time is the user's wait). Every error a user can cause
ends in one clear line on stderr and exit status 1 (2 for misuse of the options themselves).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ..apigateway import (BackendResponse, Integration, MethodRequest, MethodResponse,
                         render_mapping_template)
from ..apigateway.invoke import invoke, java_map
from ..apigateway.mapping import compiled_template
from ..apigateway.proxy import ProxyResponseError
from ..core.dialect import DIALECTS
from ..core.errors import VtlError, VtlSyntaxError
from ..core.template import Template
from ..userfiles import body_warnings, read_user_text

if TYPE_CHECKING:
    from ..apigateway.definitions import ApiDefinition
    from ..testing.watch import Watched

_STATUSES = frozenset(status.value for status in HTTPStatus)


class UsageError(Exception):
    """A mistake in the command line or its files, reported as one line: the message, after the
    file it is about when there is one. Built when asked, so what a caller sets later shows."""

    def __init__(self, message: str, file: str | None = None) -> None:
        super().__init__(message, file)
        self.message = message
        self.file = file

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message


# -- reading what the user names ------------------------------------------------------------------

def read_text(path: str) -> str:
    """A file's text (an editor's byte order mark left out), or standard input's for "-"."""
    if path == "-":
        return sys.stdin.read().removeprefix("\ufeff")
    return read_user_text(path, UsageError)


def read_body(path: str) -> bytes:
    """A request body as it is sent: the file's bytes (standard input's for "-"), which the
    engine reads as API Gateway does; a warning on stderr for what will surprise (body_warnings)."""
    if path == "-":
        body = sys.stdin.buffer.read()
    else:
        try:
            body = Path(path).read_bytes()
        except FileNotFoundError:
            raise UsageError("no such file", path) from None
        except IsADirectoryError:
            raise UsageError("is a directory, not a file", path) from None
        except OSError as e:
            raise UsageError(f"cannot read ({e.strerror or e})", path) from None
    for warning in body_warnings(body):
        print(f"vtl: warning: {'stdin' if path == '-' else path}: {warning}", file=sys.stderr)
    return body


def pairs(values: Iterable[str] | None, option: str) -> dict[str, str]:
    """`K=V` options as a dict."""
    found: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{option} expects KEY=VALUE, got {item!r}")
        found[key] = value
    return found


def json_object_file(path: str) -> dict[str, Any]:
    try:
        value = orjson.loads(read_text(path))
    except orjson.JSONDecodeError as e:
        raise UsageError(f"not valid JSON ({e})", path) from None
    if not isinstance(value, dict):
        raise UsageError("expected a JSON object", path)
    return value


def pretty_json(text: str) -> str:
    """`text` indented when it is JSON, else unchanged."""
    try:
        return orjson.dumps(orjson.loads(text), option=orjson.OPT_INDENT_2).decode()
    except orjson.JSONDecodeError:
        return text


def write_output(text: str | bytes) -> None:
    """What a template wrote, byte for byte (UTF-8): piped or redirected, nothing is added; on a
    terminal, a final newline when it has none, so the prompt starts on a line of its own."""
    # a lone surrogate becomes "?", as Java's String.getBytes(UTF_8) writes it
    data = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
    if data and not data.endswith(b"\n") and sys.stdout.isatty():
        data += b"\n"
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def add_dialect(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dialect", choices=sorted(DIALECTS), default="aws",
                        help="aws (API Gateway, the default) or velocity (plain Velocity 1.7)")


# -- vtl render -----------------------------------------------------------------------------------

def add_render(sub: argparse._SubParsersAction) -> None:
    render = sub.add_parser(
        "render", help="render a mapping template, or a route of an API definition",
        description="Render a mapping template for one request (or, with --api and --route, run "
                    "what API Gateway runs for that route) and print the result.")
    render.add_argument("template", nargs="?", help="the template file (- for stdin)")
    add_request_options(render, routes=True)
    api = render.add_argument_group("an API definition")
    api.add_argument("--api", metavar="FILE", help="an OpenAPI/Swagger export, SAM or "
                     "CloudFormation template (instead of TEMPLATE)")
    api.add_argument("--route", metavar='"METHOD /path"', help='the route, e.g. "POST /orders"')
    api.add_argument("--response", action="store_true",
                     help="run the integration response side: --body is the backend's answer")
    api.add_argument("--status", type=int, metavar="N",
                     help="with --response: the backend's status code, 100 to 599 (default 200)")
    api.add_argument("--error-message", metavar="TEXT",
                     help="with --response: a Lambda function's errorMessage (selects the "
                          "integration response)")
    api.add_argument("--backend-header", action="append", metavar="K=V",
                     help="with --response: a header of the backend's answer")
    api.add_argument("--body-only", action="store_true",
                     help="print only the body of the client's response, without its status "
                          "line and headers")
    add_dialect(render)
    render.add_argument("--pretty", action="store_true", help="indent the output when it is JSON")
    render.add_argument("--verbose", action="store_true",
                        help="also show (on stderr) what the console's Test page shows: the "
                             "request, overrides, status and headers, timings")
    render.add_argument("--save-case", metavar="FILE",
                        help="also write what was rendered as a test case (FILE.vtltest.yaml) "
                             "that vtl test runs")
    render.add_argument("--watch", action="store_true",
                        help="render again whenever the template, body, context or API "
                             "definition changes (Ctrl-C stops)")
    render.set_defaults(run=run_render)


def add_request_options(command: argparse.ArgumentParser, routes: bool = False) -> None:
    """The options that describe a request (render, bench); `_request_parts` reads them. With
    `routes`, their help also says what they do with --api and --response."""
    request = command.add_argument_group("the request")
    request.add_argument("--body", metavar="FILE", help="the request body (- for stdin)" + (
        "; with --response, the backend's response body" if routes else ""))
    request.add_argument("--header", action="append", metavar="K=V", help="a request header")
    request.add_argument("--query", action="append", metavar="K=V", help="a query string parameter")
    request.add_argument("--path", action="append", metavar="K=V", help="a path parameter")
    request.add_argument("--stage-var", action="append", metavar="K=V", help="a stage variable")
    request.add_argument("--context", metavar="FILE", help="a JSON object of $context values")
    request.add_argument("--content-type", metavar="TYPE", help="the request's Content-Type "
                         "header" + (" (with --api it picks the request template; default "
                                     "application/json)" if routes else ""))


def run_render(args: argparse.Namespace) -> int:
    if args.watch:
        from ..testing.watch import watch

        return watch(lambda: run_reporting_errors(_render_named, args),
                     lambda: _watched_by_render(args))
    return _render_named(args)


def _watched_by_render(args: argparse.Namespace) -> Watched:
    from ..testing.watch import Watched

    watched = Watched()
    watched.add_files([args.template, args.api, args.body, args.context])
    return watched


def _render_named(args: argparse.Namespace) -> int:
    args.request_read = None   # each run reads the request anew (--watch)
    if args.save_case is not None:
        _check_save_case(args)
    try:
        status = _render(args)
    except VtlError as error:  # name the template the error's line and column are in
        if error.template_name is None:
            error.template_name = args.template or f"{args.api} [{args.route}]"
        raise
    if status == 0 and args.save_case is not None:
        _save_case(args)
    return status


def _check_save_case(args: argparse.Namespace) -> None:
    from ..testing.cases import CaseFileError
    from ..testing.savecase import check_case_file_name

    try:
        check_case_file_name(args.save_case)
    except CaseFileError as e:
        raise UsageError(str(e)) from None
    if args.template == "-":
        raise UsageError("--save-case needs the template in a file, not standard input")


def _save_case(args: argparse.Namespace) -> None:
    """What was rendered, as a case `vtl test` runs (testing/savecase.py)."""
    from ..apigateway.definitions import load_definition, split_route
    from ..testing.cases import BackendSpec, Case, CaseFileError, RequestSpec
    from ..testing.savecase import save_case

    body, params, context, stage_variables = _request_parts(args)
    request = RequestSpec(body=body, headers=params["header"], query=params["querystring"],
                          path=params["path"], stage_variables=stage_variables, context=context)
    file = Path(args.save_case)
    if args.api:
        method, path = split_route(args.route)
        backend = None
        if args.response and load_definition(args.api).integration(args.route).type != "MOCK":
            backend = BackendSpec(status=args.status or 200, body=body,
                                  headers=pairs(args.backend_header, "--backend-header"),
                                  error_message=args.error_message)
            request.body = b""   # the body given was the backend's
        side = "response" if args.response else "request"
        case = Case(f"{method} {path} ({side} side)", file, api=Path(args.api),
                    route=f"{method} {path}", side=side, dialect=args.dialect,
                    request=request, backend=backend)
    else:
        case = Case(Path(args.template).name, file, template=Path(args.template),
                    dialect=args.dialect, request=request)
    try:
        save_case(file, case, body_file=args.body if args.body != "-" else None)
    except CaseFileError as e:
        raise UsageError(str(e)) from None
    except OSError as e:
        raise UsageError(f"cannot write it ({e.strerror or e})", args.save_case) from None
    print(f"vtl: saved as a test case: vtl test {file} runs it", file=sys.stderr)


def _render(args: argparse.Namespace) -> int:
    if args.api:
        from ..apigateway.definitions import load_definition

        if args.template:
            raise UsageError("give either TEMPLATE or --api FILE --route ROUTE, not both")
        if not args.route:
            routes = ", ".join(load_definition(args.api).routes()) or "none"
            raise UsageError(f"--api needs --route, one of: {routes}")
        if not args.response:
            for option in ("status", "error_message", "backend_header"):
                if getattr(args, option) is not None:
                    raise UsageError(f"--{option.replace('_', '-')} describes the backend's "
                                     f"answer: it needs --response")
        if args.status is not None and not 100 <= args.status <= 599:
            raise UsageError(f"--status must be an HTTP status code (100 to 599), "
                             f"not {args.status}")
        return _render_route(args)
    if not args.template:
        raise UsageError("render needs a TEMPLATE file (or --api FILE --route ROUTE)")
    for option in ("route", "status", "error_message", "backend_header", "body_only"):
        if getattr(args, option) not in (None, False):
            raise UsageError(f"--{option.replace('_', '-')} needs --api")
    if args.response:
        raise UsageError("--response needs --api (a template alone renders the same either side)")
    return _render_template(args)


def _request_parts(args: argparse.Namespace) -> tuple[bytes, dict[str, dict[str, str]],
                                                      dict[str, Any] | None, dict[str, str]]:
    """The request the options describe, read once per run (standard input cannot be read
    twice, and --save-case writes the request that was rendered)."""
    if getattr(args, "request_read", None) is not None:
        return args.request_read
    if args.template == "-" and args.body == "-":
        raise UsageError("the template and the body cannot both come from stdin")
    body = read_body(args.body) if args.body else b""
    params = {"path": pairs(args.path, "--path"), "querystring": pairs(args.query, "--query"),
              "header": pairs(args.header, "--header")}
    if args.content_type:
        params["header"]["Content-Type"] = args.content_type
    context = json_object_file(args.context) if args.context else None
    if getattr(args, "save_case", None) is not None:   # the values a saved case repeats
        from ..testing.savecase import pinned_context
        context = pinned_context(context)
    args.request_read = body, params, context, pairs(args.stage_var, "--stage-var")
    return args.request_read


def _render_template(args: argparse.Namespace) -> int:
    body, params, context, stage_variables = _request_parts(args)
    source = read_text(args.template)
    started = time.perf_counter()
    compiled_template(source, args.dialect)
    compiled = time.perf_counter()
    result = render_mapping_template(source, body=body, params=params, context=context,
                                     stage_variables=stage_variables, dialect=args.dialect)
    rendered = time.perf_counter()
    write_output(pretty_json(result.body) if args.pretty else result.body)
    if args.verbose:
        _report([
            ("Template", args.template),
            ("Method request path", java_map(params["path"])),
            ("Method request query string", java_map(params["querystring"])),
            ("Method request headers", java_map(params["header"])),
            ("Stage variables", java_map(stage_variables)),
            ("Method request body", body),
            ("Request header overrides", java_map(result.header_overrides)),
            ("Request query string overrides", java_map(result.querystring_overrides)),
            ("Request path overrides", java_map(result.path_overrides)),
            ("Status override", result.status_override or "none"),
            ("Response header overrides", java_map(result.response_header_overrides)),
            ("Compile time", f"{(compiled - started) * 1000:.2f} ms"),
            ("Render time", f"{(rendered - compiled) * 1000:.2f} ms"),
        ])
    return 0


def _render_route(args: argparse.Namespace) -> int:
    from ..apigateway.definitions import load_definition, split_route

    api = load_definition(args.api)
    method, path = split_route(args.route)
    integration = api.integration(args.route)
    integration.dialect = args.dialect
    body, params, given_context, stage_variables = _request_parts(args)
    # with --response, --body is the backend's answer (but a MOCK integration has no backend)
    request_body = body if not args.response or integration.type == "MOCK" else ""
    request = MethodRequest(body=request_body, headers=params["header"],
                            querystring=params["querystring"], path=params["path"],
                            context=given_context,
                            stage_variables={**api.stage_variables, **stage_variables})
    backend = None
    if args.response:
        backend = BackendResponse(status_code=args.status or 200, body=body,
                                  error_message=args.error_message,
                                  headers=pairs(args.backend_header, "--backend-header"))
    route = f"{method} {path}"
    try:
        done = invoke(integration, request, route=route, backend=backend)
    except VtlError as error:
        _point_at_template(error, api, integration)
        raise
    if args.verbose:
        print(f"Route: {route} ({integration.type} integration, {api.kind} {api.path})",
              file=sys.stderr)
        sys.stderr.write(done.log)
    if done.response is None:  # only the request side: what the backend receives
        body = done.integration_request.body
        write_output(pretty_json(body) if args.pretty and isinstance(body, str) else body)
        return 0
    return _method_response(args, done.response, done.failed)


def _method_response(args: argparse.Namespace, answer: MethodResponse, failed: bool) -> int:
    """What the client receives: its status line and headers first, as `curl -i` shows them
    (not with --body-only). API Gateway's own answers (400, 415, 500) also say why on stderr
    and fail."""
    body = answer.body
    if args.pretty and isinstance(body, str):
        body = pretty_json(body)
    if not args.body_only:
        reason = HTTPStatus(answer.status_code).phrase if answer.status_code in _STATUSES else ""
        head = [f"HTTP/1.1 {answer.status_code} {reason}".rstrip()]
        head += [f"{name}: {value}" for name, values in answer.headers.items()
                 for value in (values if isinstance(values, list) else [values])]
        write_output("\n".join(head) + "\n\n")
    write_output(body)
    if not failed:
        return 0
    if isinstance(answer.error, VtlError):
        raise answer.error
    reason = {400: "Lambda cannot parse the request template's output as JSON",
              415: "no request template for this Content-Type, and the passthrough behaviour "
                   "refuses it",
              500: "no integration response matches, or the body cannot be converted"}
    if isinstance(answer.error, ProxyResponseError):   # the execution log's words
        because = str(answer.error).removeprefix("Execution failed due to configuration error: ")
    else:
        because = reason.get(answer.status_code, "an error")
    raise UsageError(f"API Gateway answers {answer.status_code} by itself: {because}")


def _labelled_templates(api: ApiDefinition, integration: Integration) -> list[tuple[str, str]]:
    """Each template of an integration with its name, less the API file it is in:
    "POST /x request application/json", "POST /x response 200 (default) application/json"."""
    prefix = f"{api.path} "
    return [(name.removeprefix(prefix), source) for name, source in integration.templates()]


def _point_at_template(error: VtlError, api: ApiDefinition, integration: Integration) -> None:
    """Place a template error of `api` in the file, where the file holds the template's text as
    it is; else name the template after the file."""
    if not error.line:
        return
    for label, source in _labelled_templates(api, integration):
        if f"{api.path} {label}" != error.template_name:
            continue
        located = api.locate(source, error.line, error.column or 1)
        if located is None:
            error.template_name = f"{api.path}[{label}]"
        else:
            error.template_name = api.path
            error.line, error.column = located
            error.message = f"{error.message} [{label}]"
        return


def _report(lines: list[tuple[str, Any]]) -> None:
    for label, value in lines:
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        if "\n" in text.rstrip("\n"):
            print(f"{label}:\n{text.rstrip()}", file=sys.stderr)
        else:
            print(f"{label}: {text.rstrip()}", file=sys.stderr)


# -- vtl check ------------------------------------------------------------------------------------

def add_check(sub: argparse._SubParsersAction) -> None:
    from .lint import RULES

    check = sub.add_parser(
        "check", help="report syntax errors and likely mistakes in templates",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Parse each template and lint it. A '## vtl: ignore[CODE]' comment silences "
                    "the warnings\nof its line and the next.",
        epilog="warnings:\n" + "\n".join(f"  {code}  {text}" for code, text in RULES.items()))
    check.add_argument("templates", nargs="*", metavar="TEMPLATE")
    check.add_argument("--api", metavar="FILE", action="append",
                       help="also check every template of an API definition")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    check.add_argument("--sample-body", metavar="FILE",
                       help="the request body W103 renders to check the output is JSON (default: "
                            "one made up from the fields the template reads)")
    add_dialect(check)
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    from .lint import lint

    if not args.templates and not args.api:
        raise UsageError("check needs TEMPLATE files (or folders of .vtl files) or --api FILE")
    sample = read_text(args.sample_body) if args.sample_body else None
    errors = warnings = checked = 0
    for item in _templates_to_check(args):
        checked += 1
        if isinstance(item.source, Exception):  # a file that cannot be read: say so, go on
            errors += 1
            print(f"vtl: {item.source}", file=sys.stderr)
            continue
        try:
            found = lint(item.source, dialect=args.dialect, sample_body=sample, name=item.name)
        except VtlSyntaxError as e:
            errors += 1
            item.report(e.line or 1, e.column or 1, "error", e.message, e.snippet)
            continue
        for warning in found:
            warnings += 1
            item.report(warning.line, warning.column, f"warning {warning.code}",
                        warning.message, warning.snippet)
    print(f"{checked} template(s) checked: {errors} error(s), {warnings} warning(s)")
    return 1 if errors or (args.strict and warnings) else 0


@dataclass
class _ToCheck:
    """A template to check: a file, or one template of an API definition (`api`, `label`)."""

    name: str
    source: str | Exception
    api: ApiDefinition | None = None
    label: str = ""

    def report(self, line: int, column: int, kind: str, message: str, snippet: str) -> None:
        """One diagnostic, `file:line:column: kind: message`: for a template of an API
        definition at its place in the file when that can be told, else counted from the
        template's start with the template named."""
        where = f"{self.name}[{self.label}]:{line}:{column}" if self.label else \
            f"{self.name}:{line}:{column}"
        if self.api is not None and isinstance(self.source, str):
            located = self.api.locate(self.source, line, column)
            if located is not None:
                where = f"{self.name}:{located[0]}:{located[1]}"
                message = f"{message} [{self.label}]"
        print(f"{where}: {kind}: {message}")
        if snippet:
            print(snippet)


def _templates_to_check(args: argparse.Namespace) -> Iterable[_ToCheck]:
    """Each template named, folders searched for *.vtl, and each of every API definition."""
    from ..apigateway.definitions import load_definition

    for path in args.templates:
        found = sorted(Path(path).rglob("*.vtl")) if Path(path).is_dir() else [path]
        if not found:
            yield _ToCheck(path, UsageError(f"{path}: no .vtl files in this folder"))
        for file in map(str, found):
            try:
                yield _ToCheck(file, read_text(file))
            except UsageError as error:
                yield _ToCheck(file, error)
    for api_path in args.api or []:
        try:
            api = load_definition(api_path)
            integrations = [(route, api.integration(route)) for route in api.routes()]
        except VtlError as error:
            yield _ToCheck(api_path, error)
            continue
        for route, integration in integrations:
            for label, source in _labelled_templates(api, integration):
                yield _ToCheck(api_path, source, api, label)


# -- vtl compile ----------------------------------------------------------------------------------

def add_compile(sub: argparse._SubParsersAction) -> None:
    comp = sub.add_parser("compile", help="show the Python a template compiles to")
    comp.add_argument("template", help="the template file (- for stdin)")
    add_dialect(comp)
    comp.set_defaults(run=run_compile)


def run_compile(args: argparse.Namespace) -> int:
    template = Template(read_text(args.template), dialect=args.dialect, name=args.template)
    write_output(template.python_source)
    return 0


# -- vtl bench ------------------------------------------------------------------------------------

def add_bench(sub: argparse._SubParsersAction) -> None:
    from .bench import add_parser

    bench = add_parser(sub, lambda args: (read_text(args.template), *_request_parts(args)))
    add_request_options(bench)
    add_dialect(bench)


# -- the command ----------------------------------------------------------------------------------

Setup = Callable[[argparse._SubParsersAction], None]
# Each command, and the function that sets up its arguments (the commands of other modules
# named as "module:function"). Only the command asked for is set up, and its module imported
# (every one for `vtl --help`): what the others need is not loaded for a render.
COMMANDS: dict[str, Setup | str] = {
    "render": add_render,
    "check": add_check,
    "compile": add_compile,
    "test": "vtl_engine.testing.commands:add_test",
    "coverage": "vtl_engine.testing.commands:add_coverage",
    "bench": add_bench,
    "playground": "vtl_engine.playground.command:add_playground",
    "replay": "vtl_engine.replay.commands:add_replay_commands",
    "batch": "vtl_engine.replay.commands:add_replay_commands",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The `vtl` command's parser: with `command`, only that command's arguments set up."""
    ap = argparse.ArgumentParser(prog="vtl", description="AWS API Gateway mapping templates, offline.")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = [COMMANDS[command]] if command in COMMANDS else list(COMMANDS.values())
    for setup in dict.fromkeys(wanted):   # once each, in order (one may set up several)
        if isinstance(setup, str):
            module, _, function = setup.partition(":")
            setup = getattr(importlib.import_module(module), function)
        setup(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(next((a for a in argv if not a.startswith("-")), None)).parse_args(argv)
    try:
        return run_reporting_errors(args.run, args)
    except KeyboardInterrupt:
        return 130


def run_reporting_errors(run: Callable[[argparse.Namespace], int],
                         args: argparse.Namespace) -> int:
    """`run(args)`, its errors reported as one line (and a snippet) and an exit status."""
    try:
        return run(args)
    except UsageError as e:
        print(f"vtl: {e}", file=sys.stderr)
        return 1
    except VtlError as e:
        name = e.template_name or getattr(args, "template", None) or "<template>"
        where = f"{name}:{e.line}:{e.column}: " if e.line else ""
        print(f"vtl: {where}{e.message}", file=sys.stderr)
        if e.snippet:
            print(e.snippet, file=sys.stderr)
        return 1
    except BrokenPipeError:  # `vtl … | head`
        sys.stderr.close()
        return 0
    except Exception as e:  # a bug of ours: one line, the traceback only on request
        if os.environ.get("VTL_TRACEBACK"):
            raise
        print(f"vtl: internal error: {type(e).__name__}: {e} (set VTL_TRACEBACK=1 to see where)",
              file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
