"""`vtl playground`: its options, and starting the server.

Starlette and uvicorn (the `playground` extra) are imported only when the command runs, so
other `vtl` commands do not pay for them.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import VtlError

if TYPE_CHECKING:
    import socket

    from .files import TemplateFile


class PlaygroundError(Exception):
    """A mistake in the command line, said in one line."""


def add_playground(sub: argparse._SubParsersAction) -> None:
    command = sub.add_parser(
        "playground", help="edit templates and try requests in a browser page",
        description="Start a local web page where you edit request and response templates, "
                    "describe a request and see, as you type, what API Gateway sends to the "
                    "backend and back to the client: the same engine and bytes as `vtl render`.")
    command.add_argument("templates", nargs="*", metavar="TEMPLATE",
                         help="template files to open (one that does not exist yet is created "
                              "when you save it)")
    command.add_argument("--api", metavar="FILE", help="an OpenAPI/Swagger export, SAM or "
                         "CloudFormation template: pick any of its routes on the page")
    command.add_argument("--port", type=int, default=0, metavar="N",
                         help="the port to listen on (default: a free one)")
    command.add_argument("--host", default="127.0.0.1", metavar="H",
                         help="the address to listen on (default 127.0.0.1: this machine only)")
    command.add_argument("--no-browser", action="store_true",
                         help="print the page's address without opening a browser")
    command.set_defaults(run=run_playground)


def run_playground(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from .server import Playground, create_app
    except ImportError as e:
        print(f"vtl: vtl playground needs the playground extra ({e.name} is missing): "
              "pip install 'vtl_engine[playground]'", file=sys.stderr)
        return 1
    from .guard import Guard, new_token
    from .jobs import definition
    from .workers import WorkerPool

    try:
        files = [_template_file(path) for path in args.templates]
        if args.api:
            definition(args.api)
        listener = _listen(args.host, args.port)
    except (PlaygroundError, VtlError, OSError) as e:
        message = e.message if isinstance(e, VtlError) else str(e)
        print(f"vtl: {message}", file=sys.stderr)
        return 1
    port = listener.getsockname()[1]
    guard = Guard(new_token(), args.host, port)
    playground = Playground(files, args.api, guard, WorkerPool(args.api))
    url = f"http://{_url_host(args.host)}:{port}/?token={guard.token}"
    print(f"vtl playground: {url}", flush=True)
    print("(the token in the address is what lets your browser in; press Ctrl-C to stop)",
          flush=True)
    if not args.no_browser:
        import threading
        import webbrowser

        threading.Timer(0.5, webbrowser.open, (url,)).start()
    server = uvicorn.Server(uvicorn.Config(create_app(playground), log_level="warning",
                                           access_log=False, lifespan="on"))
    server.run(sockets=[listener])
    return 0


def _template_file(name: str) -> TemplateFile:
    from .files import TemplateFile

    path = Path(name).resolve()
    if path.is_dir():
        raise PlaygroundError(f"{name}: is a directory, not a template file")
    if not path.parent.is_dir():
        raise PlaygroundError(f"{name}: no such folder to create it in")
    return TemplateFile(name, path)


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port` (0: a free port), so the port is known before serving."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]") or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as e:
        raise PlaygroundError(f"--host {host}: {e.strerror}") from None
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
    except OSError as e:
        listener.close()
        raise PlaygroundError(f"cannot listen on {host}:{port}: {e.strerror}") from None
    listener.listen(128)   # from now on connections wait for the server to accept them
    return listener


def _url_host(host: str) -> str:
    bare = host.strip("[]")
    if bare in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{bare}]" if ":" in bare else bare
