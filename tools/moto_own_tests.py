"""moto's own API Gateway tests, taken from the source distribution of the moto installed here,
run without and with vtl_engine's drop-in (vtl_engine.integrations.moto): the pass counts both
ways, and every test whose outcome differs.

    python tools/moto_own_tests.py

The sdist is downloaded once with pip into .cache/moto-own-tests/ (with freezegun, which moto's
tests import). tests/test_apigateway/test_server.py is left out: it needs moto's server mode
(Flask), where the drop-in does not apply. Exits 1 when a test that passes without the drop-in
fails with it, other than those EXPECTED_DIFFERENCES explains.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache" / "moto-own-tests"
SUITE = "tests/test_apigateway"
EXCLUDED = ("tests/test_apigateway/test_server.py",)
# moto's tests that assert where moto departs from API Gateway, and what API Gateway does
EXPECTED_DIFFERENCES = {
    "tests.test_apigateway.test_apigateway_integration::test_http_integration":
        "an HTTP integration without integration responses: API Gateway answers 500 "
        "(no output mapping); moto alone returns the backend's body",
    "tests.test_apigateway.test_apigateway_integration::"
    "test_aws_integration_dynamodb_multiple_resources":
        "the GetItem route's response template is {}: API Gateway answers {}; moto alone "
        "returns DynamoDB's item",
}
_PLUGIN = "from vtl_engine.integrations.moto import install\n\ninstall()\n"


@dataclass
class Run:
    """Each test's outcome ("passed", "failed", "skipped"), by `module::name`."""

    outcomes: dict[str, str]

    def count(self, outcome: str) -> int:
        return sum(found == outcome for found in self.outcomes.values())


def moto_tests(version: str) -> Path:
    """The directory holding moto `version`'s tests (downloaded and unpacked on first use)."""
    root = CACHE / f"moto-{version}"
    if (root / SUITE).is_dir():
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    _pip("download", "--no-binary", ":all:", "--no-deps", f"moto=={version}", "-d", str(CACHE))
    with tarfile.open(CACHE / f"moto-{version}.tar.gz") as archive:
        # tests/'s own files (its conftest.py, __init__.py) and the API Gateway suite
        members = [m for m in archive.getmembers() if m.isfile() and (
            m.name.startswith(f"moto-{version}/{SUITE}/")
            or (m.name.startswith(f"moto-{version}/tests/") and m.name.count("/") == 2))]
        archive.extractall(CACHE, members=members, filter="data")
    (root / "pytest.ini").write_text("[pytest]\n")  # not this repository's settings
    _pip("install", "--no-deps", "--target", str(CACHE / "deps"), "freezegun")
    (CACHE / "plugin").mkdir(exist_ok=True)
    (CACHE / "plugin" / "vtl_moto_drop_in.py").write_text(_PLUGIN)
    return root


def run(root: Path, with_drop_in: bool) -> Run:
    """moto's API Gateway tests in a new process, the drop-in installed first or not."""
    report = root / f"report-{'with' if with_drop_in else 'without'}.xml"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               f"--junitxml={report}", SUITE, *(f"--ignore={path}" for path in EXCLUDED)]
    if with_drop_in:
        command[3:3] = ["-p", "vtl_moto_drop_in"]
    paths = [str(CACHE / "deps"), str(CACHE / "plugin")]
    subprocess.run(command, cwd=root, env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
                   capture_output=True, check=False, timeout=600)
    outcomes = {}
    for case in ElementTree.parse(report).iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        kinds = {child.tag for child in case}
        outcomes[name] = ("failed" if kinds & {"failure", "error"}
                          else "skipped" if "skipped" in kinds else "passed")
    return Run(outcomes)


def compare(without: Run, with_drop_in: Run) -> tuple[list[str], list[str]]:
    """The tests passing without the drop-in and failing with it: (expected, unexpected)."""
    broken = sorted(name for name, outcome in without.outcomes.items()
                    if outcome == "passed" and with_drop_in.outcomes.get(name) != "passed")
    return ([name for name in broken if name in EXPECTED_DIFFERENCES],
            [name for name in broken if name not in EXPECTED_DIFFERENCES])


def _pip(*arguments: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "-q", "--disable-pip-version-check",
                    *arguments], check=True, capture_output=True, timeout=300)


def main() -> int:
    version = metadata.version("moto")
    root = moto_tests(version)
    without, with_drop_in = run(root, with_drop_in=False), run(root, with_drop_in=True)
    for label, found in (("without the drop-in", without), ("with the drop-in", with_drop_in)):
        print(f"moto {version} {SUITE} {label}: {found.count('passed')} passed, "
              f"{found.count('failed')} failed, {found.count('skipped')} skipped")
    expected, unexpected = compare(without, with_drop_in)
    for name in expected:
        print(f"differs, as API Gateway: {name}: {EXPECTED_DIFFERENCES[name]}")
    for name in unexpected:
        print(f"BROKEN by the drop-in: {name}")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
