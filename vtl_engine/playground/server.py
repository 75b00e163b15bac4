"""The playground's web application (Starlette): the page, and the API it calls.

    GET  /                  the page (static files under /static/)
    GET  /api/session       the files and API definition the server was started with
    GET  /api/file/N        file N as it is on disk now (to reload it)
    POST /api/render        a render of the page's templates for its request (jobs.run_job)
    POST /api/save          write file N back, if unchanged on disk since the page loaded it
    POST /api/export        the page's session as a test case; with `file_name`, saved beside
                            the template (or API definition)

Every API answer is JSON; a mistake in what the page sent is a 400 with a one-line `error`
(and the form `field` it is about), never a traceback. `guard.GuardMiddleware` sits in front.
"""
from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..apigateway.definitions import ApiDefinition, DefinitionError, split_route
from ..core.errors import VtlError
from ..core.template import DEFAULT_LIMITS
from .export import case_entry, case_yaml, pinned_job, save_case
from .files import SaveRefused, TemplateFile, case_file_path
from .form import FormError
from .guard import Guard, GuardMiddleware
from .jobs import definition
from .workers import WorkerPool

#: the largest request the page may send: two bodies at API Gateway's 10 MB, and templates
MAX_REQUEST_BYTES = 24 * 1024 * 1024
STATIC = resources.files(__package__) / "static"
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    # the page's own files only: nothing from another site, no inline scripts, no framing;
    # the editor writes its styles inline
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' "
                               "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.extra = extra


@dataclass
class Playground:
    """What the server was started with."""

    files: list[TemplateFile]
    api_path: str | None
    guard: Guard
    pool: WorkerPool

    def session(self) -> dict[str, Any]:
        files = []
        for number, file in enumerate(self.files):
            try:
                text, version = file.read()
                files.append({"id": number, "name": file.shown, "text": text,
                              "version": version})
            except SaveRefused as e:
                files.append({"id": number, "name": file.shown, "error": e.message})
        return {"files": files, "api": self._api(), "limits": {
            "max_render_seconds": DEFAULT_LIMITS.max_render_seconds,
            "max_loop_iterations": DEFAULT_LIMITS.max_loop_iterations}}

    def _api(self) -> dict[str, Any] | None:
        if self.api_path is None:
            return None
        api = definition(self.api_path)
        routes = []
        for route in api.routes():
            try:
                routes.append(_route(api, route))
            except VtlError as e:
                routes.append({"route": route, "error": e.message})
        return {"path": self.api_path, "name": Path(self.api_path).name, "kind": api.kind,
                "stage_variables": api.stage_variables, "routes": routes}

    def file(self, number: Any) -> TemplateFile:
        if type(number) is not int or not 0 <= number < len(self.files):
            raise BadRequest("no such file: the playground saves only the files it was "
                             "started with")
        return self.files[number]


def _route(api: ApiDefinition, route: str) -> dict[str, Any]:
    """A route as the page shows it: its integration, each template with its id."""
    integration = api.integration(route)
    method, path = split_route(route)

    def template(template_id: str, media_type: str, text: str) -> dict[str, Any]:
        return {"id": template_id, "media_type": media_type, "text": text,
                "at": api.locate(text, 1, 1)}

    return {
        "route": route, "method": method, "path": path, "type": integration.type,
        "uri": integration.uri, "passthrough": integration.passthrough_behavior,
        "lambda": integration.is_lambda, "request_parameters": integration.request_parameters,
        "request_templates": [template(f"request {m}", m, t)
                              for m, t in integration.request_templates.items()],
        "responses": [{"number": n, "status": r.status_code,
                       "pattern": r.selection_pattern, "parameters": r.response_parameters,
                       "templates": [template(f"response {n} {m}", m, t)
                                     for m, t in r.response_templates.items()]}
                      for n, r in enumerate(integration.responses)]}


def create_app(playground: Playground) -> Any:
    """The ASGI application: the routes behind the guard."""

    async def page(request: Request) -> Response:
        return FileResponse(str(STATIC / "index.html"), headers=_PAGE_HEADERS)

    async def session(request: Request) -> Response:
        return _json(playground.session())

    async def reload_file(request: Request) -> Response:
        file = playground.file(_number(request.path_params["number"]))
        try:
            text, version = file.read()
        except SaveRefused as e:
            raise BadRequest(e.message) from None
        return _json({"text": text, "version": version})

    async def render(request: Request) -> Response:
        started = time.perf_counter()
        job = await _body(request)
        answer = await playground.pool.run(job, request.headers.get("x-vtl-channel"))
        answer["server_ms"] = round((time.perf_counter() - started) * 1000, 3)
        return _json(answer)

    async def save(request: Request) -> Response:
        data = await _body(request)
        file = playground.file(data.get("file"))
        text, version = data.get("text"), data.get("version")
        if not isinstance(text, str) or not isinstance(version, str):
            raise BadRequest("a save needs the text and the version it was loaded at")
        return _json({"version": file.save(text, version), "saved": file.shown})

    async def export(request: Request) -> Response:
        data = await _body(request)
        return _json(await _export(playground, data))

    routes = [
        Route("/", page),
        Route("/api/session", session),
        Route("/api/file/{number}", reload_file),
        Route("/api/render", render, methods=["POST"]),
        Route("/api/save", save, methods=["POST"]),
        Route("/api/export", export, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        playground.pool.start()
        try:
            yield
        finally:
            await asyncio.to_thread(playground.pool.close)

    async def bad_request(request: Request, error: Exception) -> Response:
        assert isinstance(error, BadRequest)
        return _json({"error": error.message, **error.extra}, error.status)

    async def form_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, FormError)
        return _json({"error": error.message, "field": error.field}, 400)

    async def refused_save(request: Request, error: Exception) -> Response:
        assert isinstance(error, SaveRefused)   # a file the page works on is gone, or changed
        return _json({"error": error.message, "version": error.version}, 409)

    async def bad_definition(request: Request, error: Exception) -> Response:
        return _json({"error": str(error)}, 400)   # the --api file became unreadable

    async def unreadable(request: Request, error: Exception) -> Response:
        assert isinstance(error, OSError)
        where = f"{error.filename}: " if error.filename else ""
        return _json({"error": f"{where}{error.strerror or error}"}, 400)

    async def internal_error(request: Request, error: Exception) -> Response:
        return _json({"error": f"internal error in vtl playground: {type(error).__name__}: "
                               f"{error}"}, 500)

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        BadRequest: bad_request, FormError: form_error, SaveRefused: refused_save,
        DefinitionError: bad_definition, OSError: unreadable, Exception: internal_error})
    return GuardMiddleware(app, playground.guard)


async def _export(playground: Playground, data: dict[str, Any]) -> dict[str, Any]:
    """The case for the page's session; saved when the page names a file."""
    job = data.get("job")
    if not isinstance(job, dict):
        raise BadRequest("an export needs the page's render job")
    side = data.get("side", "request")
    name = data.get("name") or "playground case"
    if side not in ("request", "response") or not isinstance(name, str):
        raise BadRequest("side is request or response, name is text")
    route = job.get("route")
    warnings = []
    if route is not None:
        if playground.api_path is None:
            raise BadRequest("the playground was started without --api")
        beside = Path(playground.api_path).resolve()
        target = {"api": beside.name, "route": route}
        if job.get("templates"):
            warnings.append("the case runs the templates in the API definition file, not the "
                            "changes made here")
        mock = definition(playground.api_path).integration(route).type == "MOCK"
    else:
        if side == "response":
            raise BadRequest("a case for a template file checks what the backend receives; "
                             "the response side needs --api")
        file = playground.file(job.get("file"))
        beside = file.path
        target = {"template": beside.name}
        text, _ = file.read()
        if text != job.get("templates", {}).get("request"):
            warnings.append(f"the case runs {file.shown} as it is on disk: save the template "
                            "first for the case to test what is shown here")
        mock = False
        job = {**job, "templates": {"request": job.get("templates", {}).get("request", "")}}
    job = pinned_job(job)
    answer = await playground.pool.run(job)
    if "form_error" in answer:
        raise FormError(answer["form_error"]["field"], answer["form_error"]["message"])
    if "failure" in answer:
        raise BadRequest(answer["failure"])
    entry = case_entry(job, answer, side, name, target, mock)
    result: dict[str, Any] = {"yaml": case_yaml([entry]), "warnings": warnings,
                              "file_name": f"{beside.name.split('.')[0]}.vtltest.yaml"}
    if data.get("file_name"):
        try:
            path = case_file_path(beside, data["file_name"])
        except SaveRefused as e:
            raise BadRequest(e.message) from None
        result["saved"] = save_case(path, entry)
        result["path"] = str(path)
    return result


async def _body(request: Request) -> dict[str, Any]:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
        raise _too_large()
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > MAX_REQUEST_BYTES:
            raise _too_large()
    try:
        data = orjson.loads(received)
    except orjson.JSONDecodeError as e:
        raise BadRequest(f"the request is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise BadRequest("the request is not a JSON object")
    return data


def _too_large() -> BadRequest:
    return BadRequest(f"the request is over {MAX_REQUEST_BYTES // (1024 * 1024)} MB: bodies "
                      "over API Gateway's 10 MB never reach a template", 413)


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _json(value: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS), status,
                    media_type="application/json")
