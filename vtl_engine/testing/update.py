"""`vtl test --update`: what failing cases produced, written into their case files as what they
expect, as snapshot tools update their snapshots.

Only the values that differ are rewritten, each where it is written in the file: the rest of the
file (comments, order, quoting, the other cases) stays as it is. A case that compares neither
`body` nor `json` gets the one that fits its output. A case whose render failed (and does not
expect an error) is left alone and said so: there is no output to expect.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from ..userfiles import write_atomically
from .cases import NOT_GIVEN, CaseFileError, CaseLoader, load_case_file
from .runner import CaseResult, Outcome, listed_values, map_mismatches, same_json

_BOM = "\ufeff"


class CannotUpdate(Exception):
    """Why a case's expectation cannot be written from its outcome."""


@dataclass
class UpdateReport:
    updated: list[CaseResult] = field(default_factory=list)
    #: the cases left as they were, and why
    refused: list[tuple[CaseResult, str]] = field(default_factory=list)


def update_case_files(results: list[CaseResult]) -> UpdateReport:
    """Write the outcome of each failed case in `results` into its case file."""
    report = UpdateReport()
    by_file: dict[Path, list[CaseResult]] = defaultdict(list)
    for result in results:
        if not result.passed:
            by_file[result.case.file].append(result)
    for path, failed in by_file.items():
        _update_file(path, failed, report)
    return report


def _update_file(path: Path, failed: list[CaseResult], report: UpdateReport) -> None:
    original = path.read_text(encoding="utf-8")
    text = original.removeprefix(_BOM)
    try:
        root = yaml.compose(text, Loader=CaseLoader)
    except yaml.YAMLError as e:   # it was read a moment ago; it changed since
        report.refused += [(r, f"the file no longer parses ({e})") for r in failed]
        return
    edits: list[tuple[int, int, str]] = []
    done = []
    for result in failed:
        try:
            expect = _expect_node(root, result.case.index)
            values = new_expectation(result)
            edits += _edits(text, expect, values, json_file=path.suffix == ".json")
        except CannotUpdate as e:
            report.refused.append((result, str(e)))
            continue
        done.append(result)
    if not edits:
        return
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    updated = original[:len(original) - len(original.removeprefix(_BOM))] + text
    write_atomically(path, updated.encode("utf-8"))
    try:
        load_case_file(path)
    except CaseFileError as e:   # a bug of ours: put the file back as it was
        write_atomically(path, original.encode("utf-8"))
        report.refused += [(r, f"the updated file would not read back ({e})") for r in done]
        return
    report.updated += done


def new_expectation(result: CaseResult) -> dict[str, Any]:
    """The `expect` keys to write for a failed case, and their values from its outcome."""
    case, outcome = result.case, result.outcome
    expect = case.expect
    if outcome is None:
        raise CannotUpdate(result.failures[0])
    if expect.error is not None:
        if outcome.error is None:
            raise CannotUpdate("it expects an error, and rendering succeeded")
        return {"error": _error_message(outcome)}
    if outcome.error is not None:
        raise CannotUpdate(f"rendering failed: {outcome.error.splitlines()[0]}")
    values: dict[str, Any] = {}
    try:
        parsed = orjson.loads(outcome.body)
    except orjson.JSONDecodeError:
        parsed = NOT_GIVEN
    if expect.body is not None and expect.body != outcome.body:
        values["body"] = outcome.body
    elif expect.json is not NOT_GIVEN:
        if parsed is NOT_GIVEN:
            raise CannotUpdate("the output is not JSON; expect it as `body` instead of `json`")
        if not same_json(expect.json, parsed):
            values["json"] = parsed
    elif expect.body is None:
        values["json" if parsed is not NOT_GIVEN else "body"] = (
            parsed if parsed is not NOT_GIVEN else outcome.body)
    if expect.status is not NOT_GIVEN and expect.status != outcome.status:
        values["status"] = outcome.status
    if map_mismatches("headers", expect.headers, outcome.headers, case_insensitive=True):
        values["headers"] = listed_values(expect.headers, outcome.headers, case_insensitive=True)
    overrides = {kind: listed_values(expected, outcome.request_override.get(kind, {}),
                                     case_insensitive=kind == "header")
                 for kind, expected in expect.request_override.items()}
    if any(map_mismatches(kind, expected, outcome.request_override.get(kind, {}),
                          case_insensitive=kind == "header")
           for kind, expected in expect.request_override.items()):
        values["request_override"] = overrides
    return values


def _error_message(outcome: Outcome) -> str:
    if outcome.exception is not None:
        return outcome.exception.message
    return outcome.error.splitlines()[0]


# -- finding and rewriting the values in the text ------------------------------------------------

def _get(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value_node
    return None


def _expect_node(root: yaml.Node, index: int) -> yaml.MappingNode:
    cases = _get(root, "cases")
    if cases is None or not isinstance(cases[1], yaml.SequenceNode) or \
            index >= len(cases[1].value):
        raise CannotUpdate("its case is no longer in the file")
    expect = _get(cases[1].value[index], "expect")
    if expect is None or not isinstance(expect[1], yaml.MappingNode):
        raise CannotUpdate("its `expect` is not a mapping")
    return expect[1]


def _edits(text: str, expect: yaml.MappingNode, values: dict[str, Any],
           json_file: bool) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for each value: over the value written, or, for a key not
    there, inserted after the mapping's last value."""
    edits = []
    flow = json_file or bool(expect.flow_style)
    for key, value in values.items():
        found = _get(expect, key)
        if found is not None:
            key_node, node = found
            written = _emit(value, node, key_node.start_mark.column, flow, json_file)
            edits.append((node.start_mark.index, _end(node, text), written))
            continue
        name = f'"{key}"' if json_file else key
        if flow:   # before the closing brace
            close = expect.end_mark.index - 1
            separator = ", " if expect.value else ""
            edits.append((close, close, f"{separator}{name}: "
                                        f"{_emit(value, None, 0, True, json_file)}"))
        else:
            column = expect.value[0][0].start_mark.column
            end = _end(expect.value[-1][1], text)
            edits.append((end, end, f"\n{' ' * column}{name}: "
                                    f"{_emit(value, None, column, False, False)}"))
    return edits


def _end(node: yaml.Node, text: str) -> int:
    """Where the text of `node` ends: a block collection's ends with its last value (its own end
    mark is where the next key starts, after any comments), a block scalar's with its last
    character (not the line breaks after it)."""
    if isinstance(node, yaml.ScalarNode):
        start, end = node.start_mark.index, node.end_mark.index
        return start + len(text[start:end].rstrip()) if node.style in ("|", ">") else end
    if node.flow_style or not node.value:
        return node.end_mark.index
    last = node.value[-1]
    return _end(last[1] if isinstance(node, yaml.MappingNode) else last, text)


class _Dumper(yaml.SafeDumper):
    """Writes mappings in the order given."""


def _emit(value: Any, node: yaml.Node | None, key_column: int, flow: bool,
          json_file: bool) -> str:
    """`value` as YAML text to stand where `node` stands (in a flow collection when `flow`):
    JSON in a JSON file; a multi-line string as a literal block; a mapping or list in the style
    of the one it replaces."""
    if json_file:
        return orjson.dumps(value).decode()
    if not flow and isinstance(value, str) and "\n" in value:
        block = _literal_block(value, key_column + 2)
        if block is not None:
            return block
    if (not flow and value and isinstance(value, (dict, list))
            and isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style):
        lines = _dump(value, flow=False).split("\n")
        indent = " " * node.start_mark.column
        return "\n".join([lines[0]] + [indent + line for line in lines[1:]])
    if flow and isinstance(value, str):
        return _dump(value, flow=True, style='"')
    return _dump(value, flow=True)


def _dump(value: Any, flow: bool, style: str | None = None) -> str:
    text = yaml.dump(value, Dumper=_Dumper, default_flow_style=flow, default_style=style,
                     sort_keys=False, allow_unicode=True, width=1 << 16)
    return text.removesuffix("\n...\n").rstrip("\n")


def _literal_block(text: str, indent: int) -> str | None:
    """`text` as a `|` block indented by `indent`; None when a block cannot hold it as it is
    (a first line that starts with a blank, characters YAML must escape)."""
    if text.startswith((" ", "\t")) or any(c in text for c in "\r\x85\u2028\u2029\ufeff") \
            or any(not c.isprintable() and c not in "\n\t" for c in text):
        return None
    content = text.rstrip("\n")
    breaks = len(text) - len(content)
    chomping = "-" if breaks == 0 else ("" if breaks == 1 else "+")
    lines = content.split("\n") + [""] * (breaks - 1 if breaks > 1 else 0)
    return f"|{chomping}\n" + "\n".join(" " * indent + line if line else "" for line in lines)
