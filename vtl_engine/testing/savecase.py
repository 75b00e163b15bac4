"""`vtl render … --save-case FILE`: what was rendered, written as a `*.vtltest.yaml` case that
`vtl test` runs green.

The case is rendered again through the test runner (the path `vtl test` takes) before it is
written, and read back and run after, so a saved case that would not pass is never left behind.
The `$context` values that change at every request (requestId, extendedRequestId, the time) are
pinned in the case, and the command's own render uses the same ones (`pinned_context`).
"""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import yaml

from ..userfiles import write_atomically
from .cases import (CASE_FILE_SUFFIXES, BackendSpec, Case, CaseFileError, RequestSpec,
                    load_case_file)
from .runner import ApiDefinitions, Outcome, render_case, run_case


def pinned_context(given: dict[str, Any] | None) -> dict[str, Any]:
    """`given` with the values that differ at every request fixed, so a render can be repeated."""
    context = dict(given or {})
    context.setdefault("requestId", str(uuid.uuid4()))
    context.setdefault("extendedRequestId", uuid.uuid4().hex[:16])
    if "requestTime" not in context:
        context.setdefault("requestTimeEpoch", time.time_ns() // 1_000_000)
    return context


def check_case_file_name(file: str) -> None:
    if not file.endswith(CASE_FILE_SUFFIXES[:2]):
        raise CaseFileError(f"{file}: a saved case file is named *.vtltest.yaml (or .yml), so "
                            "that vtl test finds it")


def save_case(file: Path, case: Case, body_file: str | None = None) -> Case:
    """Render `case` (its `expect` is ignored), write it to `file` expecting what came out, and
    return the case as read back from the file. `body_file`, the file the request's (or, on the
    response side, the backend's) body came from, is named instead of its text when that is not
    UTF-8. CaseFileError when the render fails or the saved case would not pass."""
    outcome = render_case(case, ApiDefinitions())
    if outcome.error is not None:
        raise CaseFileError(f"{file}: not saved: rendering failed: {outcome.error}")
    base = file.parent
    document: dict[str, Any] = {}
    if case.template is not None:
        document["template"] = _relative(case.template, base)
    else:
        document.update(api=_relative(case.api, base), route=case.route, side=case.side)
    if case.dialect != "aws":
        document["dialect"] = case.dialect
    entry: dict[str, Any] = {"name": case.name}
    request = _request(case.request, base, body_file if case.backend is None else None)
    if request:
        entry["request"] = request
    if case.backend is not None:
        entry["backend"] = _backend(case.backend, base, body_file)
    entry["expect"] = _expectation(case, outcome)
    document["cases"] = [entry]
    text = yaml.dump(document, Dumper=_CaseDumper, sort_keys=False, allow_unicode=True,
                     width=100)
    # the case is run from a file beside the real one (its paths are relative to the folder),
    # which replaces the real one only when it passes
    file.parent.mkdir(parents=True, exist_ok=True)
    trial = file.with_name(f".{file.name}.trial{file.suffix}")
    try:
        write_atomically(trial, text.encode("utf-8"))
        (saved,) = load_case_file(trial)
        result = run_case(saved, ApiDefinitions())
        if not result.passed:   # a bug of ours; say so rather than leave a failing case
            raise CaseFileError(f"{file}: the saved case does not pass: {result.failures[0]}")
        trial.replace(file)
    finally:
        trial.unlink(missing_ok=True)
    (saved,) = load_case_file(file)
    return saved


def _relative(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()


def _body(body: str | bytes, base: Path, body_file: str | None) -> dict[str, str]:
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            if body_file is None:
                raise CaseFileError("not saved: a body that is not UTF-8 read from standard "
                                    "input cannot be written into a case file") from None
            return {"body_file": _relative(Path(body_file), base)}
    return {"body": body} if body else {}


def _request(request: RequestSpec, base: Path, body_file: str | None) -> dict[str, Any]:
    found: dict[str, Any] = dict(_body(request.body, base, body_file))
    for key in ("headers", "query", "path", "stage_variables", "context"):
        value = getattr(request, key)
        if value:
            found[key] = value
    return found


def _backend(backend: BackendSpec, base: Path, body_file: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {"status": backend.status, **_body(backend.body, base, body_file)}
    if backend.headers:
        found["headers"] = backend.headers
    if backend.error_message is not None:
        found["error_message"] = backend.error_message
    return found


def _expectation(case: Case, outcome: Outcome) -> dict[str, Any]:
    expect: dict[str, Any] = {}
    try:
        expect["json"] = orjson.loads(outcome.body)
    except orjson.JSONDecodeError:
        expect["body"] = outcome.body
    if outcome.status is not None or case.side == "response":
        expect["status"] = outcome.status
    if outcome.headers:
        expect["headers"] = _texts(outcome.headers)
    overrides = {kind: _texts(values) for kind, values in outcome.request_override.items()
                 if values}
    if overrides:
        expect["request_override"] = overrides
    return expect


def _texts(values: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in values.items()}


class _CaseDumper(yaml.SafeDumper):
    """Multi-line text as `|` blocks, readable in a diff."""


def _text_block(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_CaseDumper.add_representer(str, _text_block)
