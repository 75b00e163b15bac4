"""The `vtl` command run as a user runs it: a separate process, in the repository's top folder
(where the README's examples are run), its output and exit status checked."""
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


class Run:
    def __init__(self, result: subprocess.CompletedProcess) -> None:
        self.code = result.returncode
        self.out = result.stdout
        self.err = result.stderr

    def __repr__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}--- stderr\n{self.err}"


def run_vtl(*args: str, stdin: str | None = None) -> Run:
    result = subprocess.run([sys.executable, "-m", "vtl_engine.tools.cli", *args], cwd=ROOT,
                            input=stdin, capture_output=True, text=True, timeout=60)
    return Run(result)


@pytest.fixture
def cli():
    """`cli("render", "t.vtl", stdin=...)` runs `vtl render t.vtl` and returns its Run."""
    return run_vtl


@pytest.fixture
def terminal():
    """`terminal("render", "t.vtl")`: the bytes `vtl render t.vtl` writes to a terminal."""
    return run_in_terminal


def run_in_terminal(*args: str) -> bytes:
    """What `vtl ARGS` writes to a terminal (a pseudo-terminal: stdout.isatty() is true)."""
    leader, follower = pty.openpty()
    with subprocess.Popen([sys.executable, "-m", "vtl_engine.tools.cli", *args], cwd=ROOT,
                          stdin=subprocess.DEVNULL, stdout=follower, stderr=subprocess.DEVNULL
                          ) as process:
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:   # the terminal is gone: the process has exited
                break
            if not chunk:
                break
            output += chunk
        process.wait(timeout=60)
    os.close(leader)
    return output
