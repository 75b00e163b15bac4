"""What differs between two outcomes, or between an outcome and what was expected of it.

Bodies that are both JSON are compared as JSON (as `vtl test` does: key order and spacing do
not matter, 1 equals 1.0, true is not 1) and each difference names its JSON path
(`$.items[0].sku`); other bodies are compared as text. `exact` compares bodies byte for byte
(a JSON difference still names its paths). The unified diff shows both bodies, JSON
pretty-printed with sorted keys.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from ..testing.cases import NOT_GIVEN, Expectation
from ..testing.runner import Outcome, listed_values, pretty_json, same_json, text_diff

#: a record's differences listed at most (a body rewritten from top to bottom has many)
MAX_DIFFERENCES = 20
_INDEX = re.compile(r"\[\d+\]")
_NOT_JSON = object()


@dataclass
class Difference:
    """One thing that differs: `what` ("body", "status", "headers", "request_override.header",
    "error") and, in a JSON body, the `path`; in a map, the `path` is the key."""

    what: str
    path: str | None
    expected: Any
    actual: Any

    def as_json(self) -> dict[str, Any]:
        return {"what": self.what, "path": self.path, "expected": self.expected,
                "actual": self.actual}

    @property
    def group(self) -> str:
        """What the summary counts it under: array indexes as [*]."""
        if self.path is None:
            return self.what
        if self.what == "body":
            return _INDEX.sub("[*]", self.path)
        return f"{self.what}[{self.path}]"


@dataclass
class Comparison:
    differences: list[Difference]
    diff: str

    @property
    def same(self) -> bool:
        return not self.differences


def compare_outcomes(old: Outcome, new: Outcome, exact: bool = False,
                     ignored: tuple[str, ...] = ()) -> Comparison:
    """Everything of `new` against `old` (two templates' or two definitions' outcomes)."""
    if _error_said(old) != _error_said(new):
        return Comparison([Difference("error", None, old.error, new.error)], "")
    body = _bodies(old.body, new.body, exact, ignored)
    differences = body.differences
    if old.status != new.status:
        differences.append(Difference("status", None, old.status, new.status))
    differences += _maps("headers", old.headers, new.headers)
    for kind in sorted(old.request_override.keys() | new.request_override.keys()):
        differences += _maps(f"request_override.{kind}", old.request_override.get(kind) or {},
                             new.request_override.get(kind) or {})
    return Comparison(differences, body.diff)


def compare_expectation(expect: Expectation, outcome: Outcome, exact: bool = False,
                        ignored: tuple[str, ...] = ()) -> Comparison:
    """What `outcome` has that `expect` (from a log, a HAR file or a record) says otherwise;
    only what is expected is compared."""
    if expect.error is not None:
        if outcome.error is None:
            return Comparison([Difference("error", None, expect.error or "an error", None)], "")
        if expect.error not in outcome.error:
            return Comparison([Difference("error", None, expect.error, outcome.error)], "")
        return Comparison([], "")
    if outcome.error is not None and outcome.status is None:
        return Comparison([Difference("error", None, None, outcome.error)], "")
    comparison = Comparison([], "")
    if expect.json is not NOT_GIVEN:
        comparison = _bodies(expect.json, outcome.body, exact=False, ignored=ignored,
                             expected_parsed=True)
    elif expect.body is not None:
        comparison = _bodies(expect.body, outcome.body, exact, ignored)
    differences = comparison.differences
    if expect.status is not NOT_GIVEN and expect.status != outcome.status:
        differences.append(Difference("status", None, expect.status, outcome.status))
    differences += _listed("headers", expect.headers, outcome.headers, case_insensitive=True)
    for kind, expected in expect.request_override.items():
        differences += _listed(f"request_override.{kind}", expected,
                               outcome.request_override.get(kind) or {},
                               case_insensitive=kind == "header")
    return comparison


def _error_said(outcome: Outcome) -> str | None:
    """What an error says, wherever it is: the same error of two templates (or definitions)
    names their own files, and may sit on another line of a changed one."""
    if outcome.exception is not None:
        return outcome.exception.message
    return outcome.error


def json_differences(expected: Any, actual: Any, path: str = "$",
                     found: list[Difference] | None = None) -> list[Difference]:
    """The JSON paths at which two JSON values differ, at most MAX_DIFFERENCES."""
    found = [] if found is None else found
    if len(found) >= MAX_DIFFERENCES:
        return found
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in list(expected) + [k for k in actual if k not in expected]:
            step = f"{path}.{key}" if key.isidentifier() else \
                f"{path}[{orjson.dumps(key).decode()}]"
            if key not in actual:
                found.append(Difference("body", step, expected[key], ABSENT))
            elif key not in expected:
                found.append(Difference("body", step, ABSENT, actual[key]))
            else:
                json_differences(expected[key], actual[key], step, found)
    elif isinstance(expected, list) and isinstance(actual, list):
        for index in range(max(len(expected), len(actual))):
            step = f"{path}[{index}]"
            if index >= len(actual):
                found.append(Difference("body", step, expected[index], ABSENT))
            elif index >= len(expected):
                found.append(Difference("body", step, ABSENT, actual[index]))
            else:
                json_differences(expected[index], actual[index], step, found)
    elif not same_json(expected, actual):
        found.append(Difference("body", path, expected, actual))
    return found[:MAX_DIFFERENCES]


#: shown for a key or item one side does not have
ABSENT = "(absent)"


def _bodies(expected: Any, actual: str, exact: bool, ignored: tuple[str, ...],
            expected_parsed: bool = False) -> Comparison:
    if not expected_parsed and expected == actual:
        return Comparison([], "")
    old = expected if expected_parsed else _json(expected)
    new = _json(actual)
    if old is _NOT_JSON or new is _NOT_JSON:
        shown = pretty_json(expected) if expected_parsed else expected
        return Comparison([Difference("body", None, _short(shown), _short(actual))],
                          text_diff(shown, actual))
    differences = [d for d in json_differences(old, new) if not _is_ignored(d.path, ignored)]
    if not differences and exact and not expected_parsed:
        differences = [Difference("body", None, "the same JSON written differently",
                                  _short(actual))]
        return Comparison(differences, text_diff(expected, actual))
    if not differences:
        return Comparison([], "")
    return Comparison(differences, text_diff(pretty_json(old), pretty_json(new)))


def _is_ignored(path: str | None, ignored: tuple[str, ...]) -> bool:
    """Whether `path` is one of the `--ignore` JSON paths or inside one (`[*]` matches every
    index)."""
    if path is None or not ignored:
        return False
    general = _INDEX.sub("[*]", path)
    return any(candidate == prefix or candidate.startswith((prefix + ".", prefix + "["))
               for prefix in ignored for candidate in (path, general))


def _maps(what: str, old: dict[str, Any], new: dict[str, Any]) -> list[Difference]:
    return [Difference(what, str(key), old.get(key, ABSENT), new.get(key, ABSENT))
            for key in list(old) + [k for k in new if k not in old]
            if str(old.get(key, ABSENT)) != str(new.get(key, ABSENT))]


def _listed(what: str, expected: dict[str, Any], actual: dict[str, Any],
            case_insensitive: bool) -> list[Difference]:
    """Only the names `expected` lists (testing.runner.listed_values); None means absent."""
    got = listed_values(expected, actual, case_insensitive)
    return [Difference(what, key, ABSENT if want is None else want,
                       ABSENT if got[key] is None else got[key])
            for key, want in expected.items() if want != got[key]]


def _json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return _NOT_JSON


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
