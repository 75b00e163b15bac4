"""What a replay found: counts kept as results come (`Summary.add`), a terminal summary and an
HTML page (Jinja2). Memory stays bounded: the routes and JSON paths counted are capped, and
only the first differing records are kept for showing."""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import orjson

from .compare import ABSENT
from .jobs import DIFFERENT, ERROR, SAME, SKIPPED

OUTCOMES = (SAME, DIFFERENT, ERROR, SKIPPED)
MAX_GROUPS = 1000
KEPT_RECORDS = 200
_OTHER = "(others)"


@dataclass
class Summary:
    records: int = 0
    outcomes: Counter = field(default_factory=Counter)
    #: route -> outcome counts
    routes: dict[str, Counter] = field(default_factory=dict)
    #: what differs (a JSON path with [*] for indexes, "status", "headers[X]") -> records
    groups: Counter = field(default_factory=Counter)
    truncated: int = 0
    with_problems: int = 0
    problems: Counter = field(default_factory=Counter)
    skip_reasons: Counter = field(default_factory=Counter)
    #: the first records that differ or fail, as written to the results file
    kept: list[dict[str, Any]] = field(default_factory=list)

    def add_lines(self, lines: bytes) -> None:
        for line in lines.splitlines():
            self.add(orjson.loads(line))

    def add(self, result: dict[str, Any]) -> None:
        self.records += 1
        outcome = result["outcome"]
        self.outcomes[outcome] += 1
        route = result.get("route") or "(no route)"
        if route not in self.routes and len(self.routes) >= MAX_GROUPS:
            route = _OTHER
        self.routes.setdefault(route, Counter())[outcome] += 1
        for group in dict.fromkeys(result.get("groups") or ()):
            if group in self.groups or len(self.groups) < MAX_GROUPS:
                self.groups[group] += 1
        if result.get("truncated"):
            self.truncated += 1
        if result.get("problems"):
            self.with_problems += 1
            for problem in result["problems"]:
                if problem in self.problems or len(self.problems) < MAX_GROUPS:
                    self.problems[problem] += 1
        if outcome == SKIPPED and len(self.skip_reasons) < MAX_GROUPS:
            self.skip_reasons[result.get("reason") or ""] += 1
        if outcome in (DIFFERENT, ERROR) and len(self.kept) < KEPT_RECORDS:
            self.kept.append(result)

    @property
    def failed(self) -> bool:
        return bool(self.outcomes[DIFFERENT] or self.outcomes[ERROR])


def print_summary(summary: Summary, out: TextIO = sys.stdout, show: int = 5,
                  color: bool = False) -> None:
    """The counts, by route and by what differs, then the first `show` records that differ."""
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if color else text

    for result in summary.kept[:show]:
        out.write(paint(f"{result['outcome'].upper()} {result['source']}:{result['line']}", "1")
                  + (f"  id {result['id']}" if result.get("id") else "")
                  + (f"  {result['route']}" if result.get("route") else "") + "\n")
        if result.get("reason"):
            out.write(f"  {result['reason']}\n")
        for difference in result["differences"]:
            if difference["what"] != "body" or difference["path"] is None:
                out.write(f"  {_difference(difference)}\n")
        paths = [d for d in result["differences"] if d["what"] == "body" and d["path"]]
        if paths:
            out.write("  JSON paths: " + ", ".join(d["path"] for d in paths) + "\n")
        for line in result["diff"].splitlines():
            shade = "31" if line.startswith("-") else "32" if line.startswith("+") else ""
            out.write("  " + (paint(line, shade) if shade else line) + "\n")
        out.write("\n")
    hidden = summary.outcomes[DIFFERENT] + summary.outcomes[ERROR] - min(show, len(summary.kept))
    if hidden > 0:
        out.write(f"... and {hidden} more (see the results file or the HTML report)\n\n")
    counts = ", ".join(f"{summary.outcomes[o]} {o}" for o in OUTCOMES)
    out.write(paint(f"{_records(summary.records)}: {counts}", "1") + "\n")
    if summary.truncated:
        out.write(f"{_records(summary.truncated)} had log events cut at 1,024 bytes "
                  f"([TRUNCATED]): what was cut is not compared\n")
    if summary.with_problems:
        out.write(f"{_records(summary.with_problems)} had parts that could not be read:\n")
        for problem, count in summary.problems.most_common(5):
            out.write(f"  {count:>6}  {problem}\n")
    if summary.skip_reasons:
        out.write("skipped because:\n")
        for reason, count in summary.skip_reasons.most_common(5):
            out.write(f"  {count:>6}  {reason}\n")
    if summary.groups:
        out.write("what differs (records):\n")
        for group, count in summary.groups.most_common(10):
            out.write(f"  {count:>6}  {group}\n")
    if len(summary.routes) > 1 or (summary.routes and "(no route)" not in summary.routes):
        out.write("by route:\n")
        width = max(len(route) for route in summary.routes)
        for route, counts in sorted(summary.routes.items(), key=lambda r: -sum(r[1].values()))[:15]:
            line = "  ".join(f"{counts[o]} {o}" for o in OUTCOMES if counts[o])
            out.write(f"  {route:<{width}}  {line}\n")


def _records(count: int) -> str:
    return f"{count} record" if count == 1 else f"{count} records"


def _difference(difference: dict[str, Any]) -> str:
    where = difference["what"] + (f"[{difference['path']}]" if difference["path"] else "")
    return f"{where}: expected {_shown(difference['expected'])}, got {_shown(difference['actual'])}"


def _shown(value: Any) -> str:
    """A value as JSON writes it; "(absent)" and no value as words."""
    if value is None or value == ABSENT:
        return "absent" if value == ABSENT else "none"
    return orjson.dumps(value, default=str).decode()


def write_html(summary: Summary, path: str | Path, title: str) -> None:
    """The summary and every kept record, with its diff, as one HTML page."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(loader=PackageLoader("vtl_engine.replay", "."),
                              autoescape=select_autoescape(["html", "j2"]))
    environment.filters["difference"] = _difference
    page = environment.get_template("report.html.j2").render(
        summary=summary, title=title, outcomes=OUTCOMES)
    Path(path).write_text(page, encoding="utf-8")
