"""`--watch` for real: the watcher runs in its own process, a file changes, the run is seen
again in its output, and Ctrl-C (SIGINT) ends it with exit status 0."""
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("watchfiles")
_VTL = [sys.executable, "-m", "vtl_engine.tools.cli"]
EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "examples"


class Watcher:
    """`vtl ARGS --watch` in `cwd`, its output (stdout and stderr, or a terminal's) read as it
    comes."""

    def __init__(self, *args, cwd, terminal=False):
        self.output = b""
        if terminal:   # a pseudo-terminal, as a user's shell gives
            self.fd, follower = pty.openpty()
            self.process = subprocess.Popen([*_VTL, *args], cwd=cwd, stdin=subprocess.DEVNULL,
                                            stdout=follower, stderr=follower)
            os.close(follower)
        else:
            self.process = subprocess.Popen([*_VTL, *args], cwd=cwd, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self.fd = self.process.stdout.fileno()

    def wait_for(self, text: bytes, count: int = 1, poke=None, timeout: float = 30) -> None:
        """Read until `text` has appeared `count` times; `poke` is called every half second
        meanwhile (a change the watcher may not have been ready to see yet is made again)."""
        deadline = time.monotonic() + timeout
        while self.output.count(text) < count:
            assert time.monotonic() < deadline, self.output.decode(errors="replace")
            if select.select([self.fd], [], [], 0.5)[0]:
                chunk = os.read(self.fd, 65536)
                assert chunk, self.output.decode(errors="replace")   # it exited
                self.output += chunk
            elif poke is not None:
                poke()

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def watcher():
    started = []

    def start(*args, **kwargs):
        started.append(Watcher(*args, **kwargs))
        return started[-1]
    yield start
    for process in started:
        process.close()


def test_vtl_test_watch_runs_again_when_a_template_changes(watcher, tmp_path):
    shutil.copy(EXAMPLES / "order.vtl", tmp_path / "order.vtl")
    shutil.copy(EXAMPLES / "order.vtltest.yaml", tmp_path / "order.vtltest.yaml")
    shutil.copy(EXAMPLES / "order.json", tmp_path / "order.json")
    running = watcher("test", "--watch", cwd=tmp_path)
    running.wait_for(b"] passed; watching ")
    assert b"4 passed in " in running.output
    template = tmp_path / "order.vtl"
    broken = template.read_text().replace('"total"', '"sum"')
    running.wait_for(b"] FAILED (exit status 1); watching ",
                     poke=lambda: template.write_text(broken))
    assert b"changed: order.vtl" in running.output and b"3 failed in " in running.output
    assert running.interrupt() == 0


def test_vtl_render_watch_clears_the_terminal_and_renders_again(watcher, tmp_path):
    template = tmp_path / "t.vtl"
    template.write_text("first $input.path('$.n')")
    (tmp_path / "body.json").write_text('{"n": 1}')
    running = watcher("render", "t.vtl", "--body", "body.json", "--watch", cwd=tmp_path,
                      terminal=True)
    running.wait_for(b"] passed; watching 2 path(s)")
    assert running.output.startswith(b"\x1b[2J\x1b[H") and b"first 1" in running.output
    running.wait_for(b"second 2", poke=lambda: (template.write_text("second $input.path('$.n')"),
                                                (tmp_path / "body.json").write_text('{"n": 2}')))
    running.wait_for(b"] passed; watching", count=2)
    assert running.output.count(b"\x1b[2J\x1b[H") >= 2
    running.wait_for(b"FAILED (exit status 1)", poke=lambda: template.write_text("#if("))
    assert b"vtl: t.vtl:1:4:" in running.output
    assert running.interrupt() == 0
