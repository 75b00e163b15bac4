"""The playground's parts on their own: the guard's rules, the worker pool's deadline, files,
the command line, and the page's files in the package."""
from __future__ import annotations

import asyncio
import fnmatch
import subprocess
import sys
import tomllib
from importlib import resources

import pytest

from vtl_engine.playground.files import SaveRefused, TemplateFile
from vtl_engine.playground.guard import Guard
from vtl_engine.playground.workers import WorkerPool

from playground_harness import ROOT, vtl_command

STUCK = '#macro(m $d)#if($d.length() < 18)#m("$d.")#m("$d.")#m("$d.")#end#end#m("")'


# -- the guard ------------------------------------------------------------------------------------

def test_loopback_names_with_the_port_are_this_server():
    guard = Guard("t", "127.0.0.1", 8123)
    for host in ("127.0.0.1:8123", "localhost:8123", "LOCALHOST:8123", "[::1]:8123"):
        assert guard.host_problem(host) is None, host
    for host in ("127.0.0.1:8124", "127.0.0.1", "evil.example:8123", "192.168.1.5:8123",
                 "", None, "127.0.0.1:notaport"):
        assert guard.host_problem(host), host


def test_bound_to_every_interface_any_address_is_accepted_but_no_other_name():
    guard = Guard("t", "0.0.0.0", 80)
    assert guard.host_problem("192.0.2.7") is None          # port 80 is implied
    assert guard.host_problem("[2001:db8::1]:80") is None
    assert guard.host_problem("rebound.evil.example")       # a name is what rebinding needs


def test_a_host_given_with_host_is_accepted():
    guard = Guard("t", "devbox.local", 9000)
    assert guard.host_problem("devbox.local:9000") is None
    assert guard.host_problem("other.local:9000")


def test_origins_and_fetch_sites():
    guard = Guard("t", "127.0.0.1", 8123)
    assert guard.origin_problem(None, None) is None
    assert guard.origin_problem("http://localhost:8123", "same-origin") is None
    for origin in ("http://evil.example", "https://127.0.0.1:8123", "null", "file://"):
        assert guard.origin_problem(origin, None), origin
    assert guard.origin_problem(None, "cross-site")


def test_the_token_is_compared_whole():
    guard = Guard("secret-token", "127.0.0.1", 1)
    assert guard.token_problem("secret-token") is None
    for given in ("secret", "secret-token2", "", None, "ſecret-token"):
        assert guard.token_problem(given), given


# -- the worker pool ------------------------------------------------------------------------------

def test_a_job_past_the_deadline_kills_its_worker_and_the_pool_goes_on():
    async def scenario() -> tuple[dict, dict]:
        pool = WorkerPool(size=1, max_size=2, deadline=1.0)
        pool.start()
        try:
            stopped = await pool.run({"templates": {"request": STUCK}, "dialect": "velocity"})
            after = await pool.run({"templates": {"request": "still here"}})
        finally:
            pool.close()
        return stopped, after

    stopped, after = asyncio.run(scenario())
    assert "stopped after 1 s" in stopped["failure"]
    assert after["request_side"]["body"] == "still here"


# -- files ----------------------------------------------------------------------------------------

def test_a_save_keeps_the_file_s_line_endings_and_permissions(tmp_path):
    path = tmp_path / "t.vtl"
    path.write_bytes(b"a\r\nb\r\n")
    path.chmod(0o640)
    file = TemplateFile("t.vtl", path)
    text, version = file.read()
    assert text == "a\nb\n"
    file.save("a\nb\nc\n", version)
    assert path.read_bytes() == b"a\r\nb\r\nc\r\n"
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_save_that_cannot_be_written_says_so_in_one_line(tmp_path):
    file = TemplateFile("gone/t.vtl", tmp_path / "gone" / "t.vtl")   # its folder was removed
    with pytest.raises(SaveRefused, match="^gone/t.vtl: cannot write"):
        file.save("x", "absent")


# -- the command ----------------------------------------------------------------------------------

def test_other_commands_do_not_import_the_web_server():
    code = ("import sys; from vtl_engine.tools.cli import build_parser; build_parser(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('starlette', 'uvicorn', 'anyio', 'httpx')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("args, message", [
    (["fixtures"], "is a directory"),
    (["no/such/folder/t.vtl"], "no such folder"),
    (["--api", "fixtures/api/missing.yaml"], "missing.yaml"),
    (["--host", "no-such-host.invalid"], "--host no-such-host.invalid"),
])
def test_a_bad_command_line_is_one_line_and_exit_1(args, message):
    result = subprocess.run([*vtl_command(), "playground", "--no-browser", *args], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("vtl: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- the page in the package ----------------------------------------------------------------------

def test_every_file_of_the_page_is_package_data():
    static = resources.files("vtl_engine.playground") / "static"
    assert (static / "index.html").is_file()
    assert (static / "vendor" / "ace" / "LICENSE").read_text().startswith("Copyright")
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["vtl_engine.playground"]
    package = ROOT / "vtl_engine" / "playground"
    shipped = [p for p in (package / "static").rglob("*") if p.is_file()]
    for path in shipped:
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatchcase(relative, pattern) for pattern in patterns), relative
    # what the page loads is there
    page = (static / "index.html").read_text()
    for loaded in ("playground.css", "playground.js", "vendor/ace/ace.js"):
        assert f"/static/{loaded}" in page
    for mode in ("mode-velocity.js", "mode-json.js", "mode-python.js",
                 "theme-tomorrow_night.js"):
        assert (static / "vendor" / "ace" / mode).is_file()


def test_the_page_loads_nothing_from_another_site():
    static = ROOT / "vtl_engine" / "playground" / "static"
    for name in ("index.html", "playground.js", "playground.css"):
        text = (static / name).read_text()
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, name


def test_a_file_with_a_byte_order_mark_reads_without_it_and_keeps_it_when_saved(tmp_path):
    path = tmp_path / "t.vtl"
    path.write_bytes(b"\xef\xbb\xbf$input.json('$')\n")
    file = TemplateFile("t.vtl", path)
    text, version = file.read()
    assert text == "$input.json('$')\n"   # as `vtl render` reads it
    file.save("$input.body\n", version)
    assert path.read_bytes() == b"\xef\xbb\xbf$input.body\n"
