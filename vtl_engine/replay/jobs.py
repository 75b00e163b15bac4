"""What is done to each record: `BatchJob` writes what the template made of it, `ReplayJob`
compares that with what was expected (or with an older template's output).

Either turns a chunk of items into JSON Lines, one line per item in the same order, whatever
happens: a record that cannot be read, rendered or compared becomes a line saying why, with its
place in its input. A job is sent to each worker process once; chunks are sent as they come.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from ..testing.runner import Outcome
from .compare import Comparison, compare_expectation, compare_outcomes
from .inputs import Item
from .jsonlines import block_lines, parse_line
from .records import Record, RecordError
from .render import Skipped, Target, renderer_for


@dataclass(frozen=True)
class Chunk:
    """Items of one input, in order: `items`, or a `block` of JSON Lines whose first line is
    `first_line`, found at `offset` in the file (-1: not a plain file), or `length` bytes read
    from there when needed (a reference to the block, which a process on the same machine sends
    in its place)."""

    source: str
    base: str | None
    items: list[Item] = field(default_factory=list)
    block: bytes = b""
    first_line: int = 1
    offset: int = -1
    length: int = 0

    def entries(self) -> Iterable[Item]:
        if self.length:
            with open(self.source, "rb") as f:
                f.seek(self.offset)
                return block_lines(f.read(self.length), self.first_line)
        return block_lines(self.block, self.first_line) if self.block else self.items

    def reference(self) -> Chunk:
        """The chunk without its block, which is read again from the file where it is used;
        itself when it has no place in a plain file."""
        if not self.block or self.offset < 0:
            return self
        return replace(self, block=b"", length=len(self.block))

    def records(self) -> list[Record | tuple[int, str]]:
        """Each item as a record, or (line, why it is not one)."""
        base = Path(self.base) if self.base is not None else None
        found: list[Record | tuple[int, str]] = []
        for item in self.entries():
            if type(item) is tuple:
                try:
                    found.append(parse_line(item[1], self.source, item[0], base))
                except RecordError as error:
                    found.append((item[0], str(error)))
            elif item.unreadable is not None:
                found.append((item.line, item.unreadable))
            else:
                found.append(item)
        return found


def run_chunk(job: BatchJob | ReplayJob, chunk: Chunk) -> bytes:
    """The job's lines for `chunk`, one per item."""
    lines = []
    for record in chunk.records():
        if type(record) is tuple:
            line, why = record
            lines.append(job.unreadable(chunk.source, line, why))
            continue
        try:
            lines.append(job.result(record))
        except Exception as error:  # noqa: BLE001 - a bug of ours must not stop the batch
            lines.append(job.unreadable(record.source, record.line,
                                        f"internal error: {type(error).__name__}: {error}"))
    return b"".join(lines)


def failed_chunk(job: BatchJob | ReplayJob, chunk: Chunk, reason: str) -> bytes:
    """A line per item of a chunk no worker could finish."""
    lines = []
    for item in chunk.entries():
        source, line = (chunk.source, item[0]) if type(item) is tuple else (item.source,
                                                                           item.line)
        lines.append(job.unreadable(source, line, reason))
    return b"".join(lines)


def _dumps(value: dict[str, Any]) -> bytes:
    # a template may put a Java value (a list, a map) in an override: written as its text
    return orjson.dumps(value, default=str, option=orjson.OPT_APPEND_NEWLINE)


@dataclass(frozen=True)
class BatchJob:
    """Each record's output: {source, line, id, status, body, headers, request_override,
    error}."""

    target: Target

    def result(self, record: Record) -> bytes:
        return _dumps(self.result_value(record))

    def result_value(self, record: Record) -> dict[str, Any]:
        if record.skip is not None:
            return self.unreadable_value(record.source, record.line, f"skipped: {record.skip}",
                                         record.id)
        try:
            outcome = renderer_for(self.target).render(record)[1]
        except Skipped as skipped:
            return self.unreadable_value(record.source, record.line, f"skipped: {skipped}",
                                         record.id)
        return {"source": record.source, "line": record.line, "id": record.id,
                "status": outcome.status, "body": outcome.body if outcome.error is None else None,
                "headers": outcome.headers, "request_override": outcome.request_override,
                "error": outcome.error}

    def unreadable(self, source: str, line: int, why: str, record_id: str | None = None
                   ) -> bytes:
        return _dumps(self.unreadable_value(source, line, why, record_id))

    @staticmethod
    def unreadable_value(source: str, line: int, why: str, record_id: str | None = None
                         ) -> dict[str, Any]:
        return {"source": source, "line": line, "id": record_id, "status": None, "body": None,
                "headers": {}, "request_override": {}, "error": why}


#: a replay result's outcomes
SAME, DIFFERENT, ERROR, SKIPPED = "same", "different", "error", "skipped"


@dataclass(frozen=True)
class ReplayJob:
    """Each record compared: {source, line, id, route, outcome (same, different, error,
    skipped), reason, differences, diff, problems, truncated}."""

    target: Target
    #: the old template or definition, when the comparison is with its output
    against: Target | None = None
    exact: bool = False
    #: JSON paths whose differences do not count
    ignored: tuple[str, ...] = ()

    def result(self, record: Record) -> bytes:
        route = record.route or (f"{record.method} {record.path}" if record.method else None)
        if record.skip is not None:
            return self._line(record, route, SKIPPED, record.skip)
        try:
            on_route, outcome = renderer_for(self.target).render(record)
            route = on_route or route
            comparison = self._compare(record, outcome)
        except Skipped as skipped:
            return self._line(record, route, SKIPPED, str(skipped))
        if comparison.same:
            return self._line(record, route, SAME)
        kind = ERROR if outcome.error is not None else DIFFERENT
        return self._line(record, route, kind, outcome.error, comparison)

    def _compare(self, record: Record, outcome: Outcome) -> Comparison:
        if self.against is not None:
            old = renderer_for(self.against).render(record)[1]
            return compare_outcomes(old, outcome, self.exact, self.ignored)
        expect = record.expected.get(self.target.side)
        if expect is None:
            lost = " (it was cut at 1,024 bytes in the log)" if record.truncated else ""
            raise Skipped(f"nothing to compare with: the record has no expected "
                          f"{self.target.side} side output{lost}")
        return compare_expectation(expect, outcome, self.exact, self.ignored)

    def _line(self, record: Record, route: str | None, outcome: str, reason: str | None = None,
              comparison: Comparison | None = None) -> bytes:
        return _dumps({"source": record.source, "line": record.line, "id": record.id,
                       "route": route, "outcome": outcome, "reason": reason,
                       "differences": [d.as_json() for d in comparison.differences]
                       if comparison else [],
                       "diff": comparison.diff if comparison else "",
                       "groups": [d.group for d in comparison.differences] if comparison else [],
                       "problems": record.problems, "truncated": record.truncated})

    def unreadable(self, source: str, line: int, why: str, record_id: str | None = None
                   ) -> bytes:
        return _dumps({"source": source, "line": line, "id": record_id, "route": None,
                       "outcome": ERROR, "reason": why, "differences": [], "diff": "",
                       "groups": [], "problems": [], "truncated": False})
