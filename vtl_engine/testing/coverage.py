"""Template coverage: which lines and branches of the templates the test cases ran.

Templates compiled with coverage on record each body that runs (the template, #if/#elseif/#else
arms, an #if where no arm was true, #foreach bodies, macro and #define bodies: compiler.py's
CoveragePoints). Here those records become per-line marks, a terminal table and an HTML page.
A line is *missed* when none of its code ran, *partial* when some of it, or some branch that
starts on it, did not, and *covered* otherwise; lines with no code (inside a comment, say) are
not counted.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..apigateway.definitions import ApiDefinition, DefinitionError
from ..core.compiler import CoveragePoint
from ..core.errors import VtlError
from ..core.template import Template
from ..userfiles import read_user_text
from .cases import Case, CaseFileError
from .runner import ApiDefinitions

COVERED, PARTIAL, MISSED = "covered", "partial", "missed"


@dataclass
class TemplateCoverage:
    """One template's coverage: `points` are the bodies that may run, `hits` those that did."""

    label: str
    source: str
    points: list[CoveragePoint]
    hits: set[int]

    @property
    def branches(self) -> list[int]:
        """The points that are branches: every body but the template's own."""
        return [i for i, p in enumerate(self.points) if p.kind != "template"]

    @property
    def missed_branches(self) -> list[int]:
        return [i for i in self.branches if i not in self.hits]

    def line_marks(self) -> dict[int, str]:
        """Line number -> covered, partial or missed, for the lines that hold code."""
        code: dict[int, list[int]] = defaultdict(list)       # points with statements on a line
        starting: dict[int, list[int]] = defaultdict(list)   # branches whose directive is there
        for i, point in enumerate(self.points):
            for line in point.lines:
                code[line].append(i)
            if point.kind != "template":
                starting[point.line].append(i)
        marks = {}
        for line in sorted(code.keys() | starting.keys()):
            ran = [i in self.hits for i in code[line] or starting[line]]
            if not any(ran):
                marks[line] = MISSED
            elif all(ran) and all(i in self.hits for i in starting[line]):
                marks[line] = COVERED
            else:
                marks[line] = PARTIAL
        return marks

    def line_notes(self) -> dict[int, list[str]]:
        """Line number -> the branches starting there that never ran, in words."""
        notes: dict[int, list[str]] = defaultdict(list)
        for i in self.missed_branches:
            point = self.points[i]
            notes[point.line].append(f"{point.kind} never ran")
        return notes

    @property
    def lines(self) -> int:
        return len(self.line_marks())

    @property
    def missed_lines(self) -> list[int]:
        return [line for line, mark in self.line_marks().items() if mark == MISSED]

    @property
    def percent(self) -> float:
        """Run lines and branches over all lines and branches, as coverage.py counts."""
        total = self.lines + len(self.branches)
        missed = len(self.missed_lines) + len(self.missed_branches)
        return 100.0 if total == 0 else 100.0 * (total - missed) / total


@dataclass
class TemplateSource:
    """A template the cases may run: where it is (the name it is rendered under), its text and
    dialect."""

    label: str
    source: str
    dialect: str


def templates_of(cases: list[Case], definitions: ApiDefinitions) -> list[TemplateSource]:
    """Every template the cases name: their template files, and all the request and response
    templates of each API definition they use (so untested routes show up as missed). A file
    that cannot be read, or a route whose integration is invalid, is left out: the cases that
    use it have failed and said why."""
    found: dict[str, TemplateSource] = {}
    apis: set[Path] = set()
    for case in cases:
        try:
            if case.template is not None and str(case.template) not in found:
                label = str(case.template)
                source = read_user_text(case.template, CaseFileError)
                found[label] = TemplateSource(label, source, case.dialect)
            elif case.api is not None and case.api not in apis:
                apis.add(case.api)
                for t in _api_templates(definitions.definition(case.api), case.dialect):
                    found[t.label] = t
        except CaseFileError:
            continue
    return list(found.values())


def _api_templates(definition: ApiDefinition, dialect: str) -> list[TemplateSource]:
    """Every template of every route, named as the integration names it when it renders."""
    found = []
    for route in definition.routes():
        try:
            integration = definition.integration(route)
        except DefinitionError:
            continue
        found += [TemplateSource(name, source, dialect) for name, source in integration.templates()]
    return found


def measure(templates: list[TemplateSource]) -> list[TemplateCoverage]:
    """The coverage recorded so far in this process for each template (one that does not
    compile is left out: its cases have failed already)."""
    measured = []
    for t in templates:
        try:
            recorded = Template(t.source, dialect=t.dialect, name=t.label, coverage=True).coverage
        except VtlError:
            continue
        points, hits = recorded
        measured.append(TemplateCoverage(t.label, t.source, points, set(hits)))
    return measured


# -- reports ------------------------------------------------------------------------------------

def text_report(measured: list[TemplateCoverage]) -> str:
    """A table as coverage.py prints: lines, missed lines, branches, missed branches, percent,
    and which lines are missed or partial."""
    width = max([len("TOTAL"), len("Template")] + [len(t.label) for t in measured])
    header = f"{'Template':<{width}}  Lines   Miss  Branch  BrMiss  Cover   Missing"
    rows = [header, "-" * len(header)]
    for t in measured:
        rows.append(f"{t.label:<{width}}  {t.lines:>5}  {len(t.missed_lines):>5}  "
                    f"{len(t.branches):>6}  {len(t.missed_branches):>6}  {t.percent:>4.0f}%   "
                    f"{_missing(t)}".rstrip())
    rows.append("-" * len(header))
    rows.append(f"{'TOTAL':<{width}}  {sum(t.lines for t in measured):>5}  "
                f"{sum(len(t.missed_lines) for t in measured):>5}  "
                f"{sum(len(t.branches) for t in measured):>6}  "
                f"{sum(len(t.missed_branches) for t in measured):>6}  "
                f"{total_percent(measured):>4.0f}%")
    return "\n".join(rows)


def total_percent(measured: list[TemplateCoverage]) -> float:
    total = sum(t.lines + len(t.branches) for t in measured)
    missed = sum(len(t.missed_lines) + len(t.missed_branches) for t in measured)
    return 100.0 if total == 0 else 100.0 * (total - missed) / total


def _missing(t: TemplateCoverage) -> str:
    """Missed lines as ranges ("3-5, 9"), then partial lines as "7 (partial)"."""
    marks = t.line_marks()
    ranges: list[list[int]] = []
    for line in t.missed_lines:
        if ranges and ranges[-1][1] == line - 1 and all(
                marks.get(n) in (None, MISSED) for n in range(ranges[-1][1] + 1, line)):
            ranges[-1][1] = line
        else:
            ranges.append([line, line])
    shown = [str(a) if a == b else f"{a}-{b}" for a, b in ranges]
    shown += [f"{line} (partial)" for line, mark in marks.items() if mark == PARTIAL]
    return ", ".join(shown)


def write_html(measured: list[TemplateCoverage], directory: Path) -> Path:
    """Write the HTML report (one page) into `directory`; returns the page's path."""
    import jinja2  # here: every `vtl` command would pay ~90 ms to import it, only this one uses it

    source = resources.files(__package__).joinpath("coverage.html.j2").read_text("utf-8")
    page = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                              undefined=jinja2.StrictUndefined).from_string(source)
    templates = []
    for number, t in enumerate(measured, 1):
        marks, notes = t.line_marks(), t.line_notes()
        templates.append({
            "anchor": f"t{number}", "label": t.label, "lines": t.lines,
            "missed_lines": len(t.missed_lines), "branches": len(t.branches),
            "missed_branches": len(t.missed_branches), "percent": t.percent,
            "source_lines": [{"number": i, "text": text, "mark": marks.get(i, ""),
                              "notes": "; ".join(notes.get(i, []))}
                             for i, text in enumerate(_source_lines(t.source), 1)],
        })
    directory.mkdir(parents=True, exist_ok=True)
    index = directory / "index.html"
    index.write_text(page.render(templates=templates, total=total_percent(measured)),
                     encoding="utf-8")
    return index


def _source_lines(source: str) -> list[str]:
    """The template's lines as its line numbers count them (a final newline ends the last)."""
    lines = source.split("\n")
    return lines[:-1] if len(lines) > 1 and lines[-1] == "" else lines
