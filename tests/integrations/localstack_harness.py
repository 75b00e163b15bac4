"""A real LocalStack for the end-to-end tests: its Python 3.13 environment (made once, cached
under .cache/ in the repository), LocalStack processes in host mode on loopback, an echo
server as the HTTP backend, and requests to deployed REST APIs."""
from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CACHE = REPO / ".cache"
# The LocalStack the adapter was written for; the `localstack` extra of pyproject.toml brings the
# pins its own requirements need, so the environment is made as docs/emulators.md tells users.
REQUIREMENTS = ("localstack-core[runtime]==2026.3.0", "boto3")
STAGE = "test"
START_TIMEOUT = 90.0


def python313() -> str | None:
    """A working Python 3.13: $VTL_E2E_PYTHON313, pyenv's, or python3.13 on PATH (a pyenv shim
    there may not run, so each is tried)."""
    candidates = [os.environ.get("VTL_E2E_PYTHON313"),
                  *sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.13*/bin/python"))),
                  shutil.which("python3.13")]
    for candidate in candidates:
        if candidate and _runs_python313(candidate):
            return candidate
    return None


def _runs_python313(python: str) -> bool:
    try:
        done = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=30)
    except OSError:
        return False
    return done.returncode == 0 and done.stdout.strip() == "(3, 13)"


def localstack_environment(python: str) -> Path:
    """The cached environment with LocalStack and this repository (editable, with its
    `localstack` extra) installed; made anew when the requirements or pyproject.toml change."""
    pyproject = (REPO / "pyproject.toml").read_text()
    key = hashlib.sha256("\n".join((python, str(REPO), pyproject, *REQUIREMENTS)).encode())
    venv = CACHE / f"localstack-{key.hexdigest()[:12]}"
    ready = venv / "ready"
    if not ready.exists():
        for stale in CACHE.glob("localstack-*"):
            shutil.rmtree(stale, ignore_errors=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-qq",
                        "--disable-pip-version-check", *REQUIREMENTS, "-e", f"{REPO}[localstack]"],
                       check=True)
        ready.write_text("\n".join(REQUIREMENTS))
    return venv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalStack:
    """One LocalStack process in host mode on 127.0.0.1; with_vtl_engine=False keeps its own
    engine (VTL_ENGINE_LOCALSTACK=0 turns our start-up hook off)."""

    def __init__(self, venv: Path, with_vtl_engine: bool, workdir: Path) -> None:
        self.venv = venv
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.log = workdir / "localstack.log"
        env = {key: value for key, value in os.environ.items() if not key.startswith("LOCALSTACK")}
        # lambda: a Lambda integration reaches LocalStack's Invoke (no Docker: it runs nothing)
        env.update(GATEWAY_LISTEN=f"127.0.0.1:{self.port}", SERVICES="apigateway,sts,iam,lambda",
                   OVERRIDE_IN_DOCKER="0", FILESYSTEM_ROOT=str(workdir / "fs"),
                   SKIP_SSL_CERT_DOWNLOAD="1", DISABLE_EVENTS="1", DNS_ADDRESS="0",
                   EAGER_SERVICE_LOADING="1",
                   VTL_ENGINE_LOCALSTACK="1" if with_vtl_engine else "0")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [str(venv / "bin" / "python"), "-m", "localstack.runtime.main"],
                cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"LocalStack exited:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/_localstack/health", timeout=2) as r:
                    if json.load(r)["services"].get("apigateway") in ("available", "running"):
                        return
            except (OSError, ValueError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"LocalStack did not start:\n{self.log.read_text()[-3000:]}")

    def create_api(self, routes: list[dict]) -> str:
        driver = [str(self.venv / "bin" / "python"), str(HERE / "localstack_driver.py")]
        done = subprocess.run([*driver, self.endpoint], input=json.dumps(routes),
                              capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"creating the API failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout)["api_id"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Echo(BaseHTTPRequestHandler):
    """/echo answers with the request body as it came; /reflect with what arrived as JSON."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path, _, query = self.path.partition("?")
        if path.endswith("/reflect"):
            body = json.dumps({"query": query, "body": body.decode("utf-8", "replace"),
                               "headers": {k.lower(): v for k, v in self.headers.items()}},
                              sort_keys=True).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class EchoServer:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Answer:
    status: int
    body: str
    headers: dict[str, str]


def invoke(endpoint: str, api_id: str, path: str, body: str | None = None,
           query: str = "", headers: dict[str, str] | None = None) -> Answer:
    """POST to a deployed route; the answer whatever its status."""
    url = f"{endpoint}/_aws/execute-api/{api_id}/{STAGE}/{path}" + (f"?{query}" if query else "")
    request = urllib.request.Request(
        url, data=(body or "").encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json",
                 **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return Answer(r.status, r.read().decode("utf-8", "replace"), dict(r.headers))
    except urllib.error.HTTPError as e:
        return Answer(e.code, e.read().decode("utf-8", "replace"), dict(e.headers))
