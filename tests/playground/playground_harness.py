"""`vtl playground` started as a user starts it: a separate process, on a free port, in a folder
of its own (saves and exported cases write there), its address read from what it prints.
(A module of its own, not conftest.py: the test modules import these by a unique name.)"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "fixtures" / "examples"


class Playground:
    """A running `vtl playground`: its address, token and folder, and API calls to it."""

    def __init__(self, process: subprocess.Popen, url: str, folder: Path) -> None:
        self.process = process
        self.url = url
        self.folder = folder
        found = re.fullmatch(r"(http://[^/]+)/\?token=(\S+)", url)
        assert found, url
        self.base, self.token = found.groups()
        self.client = httpx.Client(base_url=self.base, timeout=60)

    def call(self, path: str, body: Any = None, **headers: str) -> httpx.Response:
        """An API call with the token (unless `headers` says otherwise)."""
        sent = {"X-VTL-Token": self.token, **{k.replace("_", "-"): v for k, v in headers.items()}}
        if body is None:
            return self.client.get(path, headers=sent)
        return self.client.post(path, json=body, headers=sent)

    def render(self, template: str, **request: Any) -> dict[str, Any]:
        """A template of its own rendered for `request` (the form's fields)."""
        response = self.call("/api/render", {"templates": {"request": template},
                                             "request": request})
        assert response.status_code == 200, response.text
        return response.json()

    def stop(self) -> str:
        self.client.close()
        self.process.terminate()
        try:
            out, _ = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
        return out


def vtl_command() -> list[str]:
    """The `vtl` script beside this Python (as a user runs it), else the module."""
    script = Path(sys.executable).with_name("vtl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "vtl_engine.tools.cli"]


def start_playground(folder: Path, *args: str) -> Playground:
    process = subprocess.Popen([*vtl_command(), "playground", "--no-browser", *args],
                               cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    first = process.stdout.readline()
    found = re.search(r"http://\S+", first)
    if not found:
        process.kill()
        raise AssertionError(f"vtl playground did not start: {first}{process.stdout.read()}")
    return Playground(process, found.group(0), folder)


def example_folder(folder: Path) -> Path:
    """A folder with copies of the examples: order.vtl, order.json and the API definitions."""
    for name in ("order.vtl", "order.json", "order.vtltest.yaml"):
        shutil.copy(EXAMPLES / name, folder / name)
    for name in ("openapi.yaml", "sam-template.yaml"):
        shutil.copy(ROOT / "fixtures" / "api" / name, folder / name)
    return folder


def running(factory: pytest.TempPathFactory, *args: str) -> Iterator[Playground]:
    """`vtl playground ARGS` in a new folder of copies of the examples, stopped afterwards."""
    started = start_playground(example_folder(factory.mktemp("playground")), *args)
    yield started
    started.stop()
