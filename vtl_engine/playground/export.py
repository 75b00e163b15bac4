"""The page's session as a `*.vtltest.yaml` test case that `vtl test` runs.

The case expects what the engine produced for the page's request: the exact body, and the
status, headers and overrides when there are any (or the error message). `$context` values
that change at every request (requestId, extendedRequestId, the time) are pinned in the case,
and the render that fills `expect` uses the pinned values, so the case passes today and fails
when the output changes.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import yaml

from ..testing.cases import CaseFileError, load_case_file
from ..userfiles import write_atomically
from .files import SaveRefused
from .form import RequestForm, json_object, read_backend, read_request

#: pinned unless the page gives them: without these the output would differ at every run
PINNED_CONTEXT = {"requestId": "playground-request-1", "extendedRequestId": "playground-ext-1",
                  "requestTimeEpoch": 1767225600000}


def pinned_job(job: dict[str, Any]) -> dict[str, Any]:
    """`job` with the request's `$context` pinned where the page left it to the defaults."""
    request = dict(job.get("request") or {})
    context = json_object(request.get("context", ""), "context")
    if "requestTime" in context and "requestTimeEpoch" not in context:
        context = {**{k: v for k, v in PINNED_CONTEXT.items() if k != "requestTimeEpoch"},
                   **context}
    else:
        context = {**PINNED_CONTEXT, **context}
    request["context"] = orjson.dumps(context).decode()
    return {**job, "request": request}


def case_entry(job: dict[str, Any], answer: dict[str, Any], side: str, name: str,
               target: dict[str, str], mock: bool = False) -> dict[str, Any]:
    """One case: `target` says what it runs (`template`, or `api` and `route`), `job` (pinned)
    the request, `answer` (the render of that job) what to expect."""
    form = read_request(job.get("request"))
    entry: dict[str, Any] = {"name": name, **target}
    if "route" in target and side == "response":
        entry["side"] = "response"
    if job.get("dialect", "aws") != "aws":
        entry["dialect"] = job["dialect"]
    context = dict(form.context)
    if "route" not in target:   # a route says these itself; a template has them from the form
        defaults = RequestForm()
        if form.method != defaults.method:
            context.setdefault("httpMethod", form.method)
        if form.resource_path != defaults.resource_path:
            context.setdefault("resourcePath", form.resource_path)
    request: dict[str, Any] = {"body": form.body, "headers": form.headers, "query": form.query,
                               "path": form.path, "stage_variables": form.stage_variables,
                               "context": context}
    entry["request"] = {k: v for k, v in request.items() if v}
    if "route" in target and side == "response" and not mock:
        backend = read_backend(job.get("backend"))
        entry["backend"] = {k: v for k, v in {
            "status": backend.status_code, "body": backend.body, "headers": backend.headers,
            "error_message": backend.error_message}.items() if v or k == "status"}
    entry["expect"] = _expectation(answer, side, "route" in target)
    return entry


def _expectation(answer: dict[str, Any], side: str, route: bool) -> dict[str, Any]:
    if answer.get("error"):
        return {"error": answer["error"]["message"]}
    gateway = answer.get("gateway")
    if gateway is not None:
        return {"status": gateway["status"], "body": gateway["body"]}
    if route and side == "response":
        response = answer["response"]
        return {"body": response["body"], "status": response["status"],
                "headers": response["headers"]}
    sent = answer["request_side"]
    expect: dict[str, Any] = {"body": sent["body"]}
    if not route:
        if sent["status_override"] is not None:
            expect["status"] = sent["status_override"]
        if sent["response_headers"]:
            expect["headers"] = sent["response_headers"]
    overrides = {kind: sent[key] for kind, key in
                 (("header", "headers"), ("querystring", "querystring"), ("path", "path"))
                 if sent[key]}
    if overrides:
        expect["request_override"] = overrides
    return expect


class _Dumper(yaml.SafeDumper):
    """Text with newlines as literal blocks, so a template's output reads as it is."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def case_yaml(entries: list[dict[str, Any]]) -> str:
    """A case file holding `entries`."""
    return ("# Exported by `vtl playground`; run it with `vtl test`. docs/testing.md describes "
            "the format.\n" + _dump({"cases": entries}))


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def save_case(path: Path, entry: dict[str, Any]) -> str:
    """Write `entry` to the case file at `path`: a new file, or one more case at the end of an
    existing one's `cases` list (checked by reading the result back before it replaces the
    file). Returns what was done, in words."""
    if not path.exists():
        text = case_yaml([entry])
        done = f"wrote {path.name}"
    else:
        try:
            cases = load_case_file(path)
        except CaseFileError as e:
            raise SaveRefused(f"cannot add a case to {path.name}: {e}") from None
        before = len(cases)
        if entry["name"] in {case.name for case in cases}:
            raise SaveRefused(f"{path.name} already has a case named {entry['name']!r}: "
                              "give this one another name")
        old = path.read_text(encoding="utf-8")
        found = re.search(r"^cases:[ \t]*(?:#.*)?\n(?:[ \t]*(?:#.*)?\n)*([ \t]*)-", old,
                          re.MULTILINE)
        indent = found.group(1) if found else "  "
        text = old + ("" if old.endswith("\n") else "\n") + "".join(
            f"{indent}{line}\n" if line else "\n" for line in _dump([entry]).splitlines())
        done = f"added case {before + 1} to {path.name}"
        _check_appended(path, text, before + 1)
    try:
        write_atomically(path, text.encode("utf-8"))
    except OSError as e:
        raise SaveRefused(f"{path.name}: cannot write ({e.strerror or e})") from None
    return done


def _check_appended(path: Path, text: str, count: int) -> None:
    """The file with the case added must read as `count` cases (its `cases` list must end it)."""
    try:
        ok = len(load_case_file(path, text)) == count
    except CaseFileError:
        ok = False
    if not ok:
        raise SaveRefused(f"cannot add a case to {path.name}: its 'cases' list is not the end "
                          "of the file; copy the case into it instead")
