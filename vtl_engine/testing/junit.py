"""`vtl test --junitxml FILE`: the run as JUnit XML, the report CI systems (Jenkins, GitLab,
GitHub Actions' test reporters, Azure Pipelines) read, in the shape pytest writes: one
<testsuite> holding a <testcase> per case, with a <failure> for a failed case and an <error>
for a case file that could not be read."""
from __future__ import annotations

import platform
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

from .runner import RunSummary

SUITE_NAME = "vtl test"
# XML 1.0 has no place for these characters, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def write_junit_xml(summary: RunSummary, path: Path, started: datetime | None = None) -> None:
    """Write `summary` to `path` as JUnit XML."""
    failures = len(summary.failed)
    errors = len(summary.file_errors)
    counts = {"tests": str(len(summary.results) + errors), "failures": str(failures),
              "errors": str(errors), "skipped": "0", "time": f"{summary.seconds:.3f}"}
    root = ET.Element("testsuites", {"name": SUITE_NAME, **counts})
    suite = ET.SubElement(root, "testsuite", {
        "name": SUITE_NAME, **counts,
        "timestamp": (started or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "hostname": platform.node()})
    for result in summary.results:
        case = result.case
        testcase = ET.SubElement(suite, "testcase", {
            "classname": str(case.file), "name": _text(case.name), "file": str(case.file),
            "time": f"{result.seconds:.3f}"})
        if not result.passed:
            details = _text("\n\n".join(result.failures))
            failure = ET.SubElement(testcase, "failure", {
                "message": details.split("\n", 1)[0], "type": "AssertionError"})
            failure.text = f"{case.target}\n{details}"
    for error in summary.file_errors:
        file = error.split(": ", 1)[0]
        testcase = ET.SubElement(suite, "testcase", {"classname": file, "name": file,
                                                     "file": file, "time": "0.000"})
        ET.SubElement(testcase, "error", {"message": _text(error), "type": "CaseFileError"}
                      ).text = _text(error)
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
