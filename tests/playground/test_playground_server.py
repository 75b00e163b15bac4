"""The running server, over HTTP: who it lets in, what it answers to bad input, that a render
stuck at its time limit does not hold up the next one, saving, and exporting a case that
`vtl test` runs."""
from __future__ import annotations

import threading
import time

import pytest

from vtl_engine.testing.cases import load_case_file
from vtl_engine.tools.cli import main

#: an exponential macro: runs until max_render_seconds (10 s) unless stopped (velocity dialect)
STUCK = '#macro(m $d)#if($d.length() < 18)#m("$d.")#m("$d.")#m("$d.")#end#end#m("")'


# -- who may talk to it ---------------------------------------------------------------------------

def test_the_page_and_the_api_answer_with_the_token(playground):
    page = playground.client.get("/")
    assert page.status_code == 200 and "vtl playground" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    session = playground.call("/api/session").json()
    assert [f["name"] for f in session["files"]] == ["order.vtl", "new.vtl"]


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_an_api_call_without_the_right_token_is_refused(playground, token):
    headers = {} if token is None else {"X-VTL-Token": token}
    for response in (playground.client.get("/api/session", headers=headers),
                     playground.client.post("/api/render", json={}, headers=headers)):
        assert response.status_code == 403
        assert "token" in response.json()["refused"]


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1:1",
                                  "localhost.evil.example:{port}", "10.0.0.1:{port}"])
def test_a_foreign_host_header_is_refused_also_for_the_page(playground, host):
    port = playground.base.rsplit(":", 1)[1]
    host = host.format(port=port)
    for path in ("/", "/static/playground.js", "/api/session"):
        response = playground.call(path, Host=host)
        assert response.status_code == 403, (path, host)
        assert "Host" in response.json()["refused"]


def test_the_server_s_own_names_are_accepted(playground):
    port = playground.base.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert playground.call("/api/session", Host=host).status_code == 200


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "http://127.0.0.1:1"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
])
def test_a_request_from_another_origin_is_refused(playground, headers):
    response = playground.call("/api/render", {"templates": {"request": "x"}}, **headers)
    assert response.status_code == 403


NAVIGATION = {"Sec_Fetch_Site": "cross-site", "Sec_Fetch_Mode": "navigate",
              "Sec_Fetch_Dest": "document"}


def test_a_shared_link_followed_from_another_site_opens_the_page(playground):
    # a "Copy link" pasted in a chat and clicked: the page opens; the API stays closed
    page = playground.call("/", **NAVIGATION)
    assert page.status_code == 200 and "vtl playground" in page.text
    assert playground.call("/api/session", **NAVIGATION).status_code == 403
    framed = {**NAVIGATION, "Sec_Fetch_Dest": "iframe"}
    assert playground.call("/", **framed).status_code == 403
    assert playground.call("/", **{**NAVIGATION, "Host": "evil.example"}).status_code == 403


def test_a_request_from_the_page_s_own_origin_is_accepted(playground):
    answer = playground.call("/api/render", {"templates": {"request": "x"}},
                             Origin=playground.base, Sec_Fetch_Site="same-origin")
    assert answer.status_code == 200
    assert answer.json()["request_side"]["body"] == "x"


# -- bad input: a clear message, never a traceback -----------------------------------------------

def test_broken_json_in_the_request_is_a_400_with_a_message(playground):
    response = playground.client.post("/api/render", content=b"{not json",
                                      headers={"X-VTL-Token": playground.token})
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]


def test_an_enormous_request_is_refused_before_it_is_read(playground):
    response = playground.client.post(
        "/api/render", content=b"x" * (25 * 1024 * 1024),
        headers={"X-VTL-Token": playground.token, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert "MB" in response.json()["error"]


def test_a_broken_request_body_is_the_template_s_error_at_its_line(playground):
    answer = playground.render("#set($o = $input.path('$'))\n$o.a", body="{broken")
    assert answer["error"]["line"] == 1
    assert "invalid JSON" in answer["error"]["message"]
    assert answer["gateway"]["status"] == 500


def test_an_unknown_route_is_named(api_playground):
    answer = api_playground.call("/api/render", {"route": "GET /nowhere", "templates": {}})
    assert answer.json()["form_error"]["field"] == "route"
    assert "no route GET /nowhere" in answer.json()["form_error"]["message"]


# -- limits, and a render stuck at its time limit -----------------------------------------------

def test_runaway_templates_answer_with_their_limit(playground):
    answer = playground.render("#foreach($i in [1..100000000])$i#end")
    assert answer["error"]["limit"] == "max_range"


def test_a_stuck_render_holds_up_no_other_render_and_a_newer_one_stops_it(playground):
    stuck: dict = {}

    def render_stuck() -> None:
        stuck["answer"] = playground.call(
            "/api/render", {"templates": {"request": STUCK}, "dialect": "velocity"},
            X_VTL_Channel="typing").json()
        stuck["at"] = time.monotonic()

    thread = threading.Thread(target=render_stuck)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    for _ in range(5):   # another page's renders are answered while the stuck one runs
        assert playground.render("ok $input.path('$.a')", body='{"a": 1}')[
            "request_side"]["body"] == "ok 1"
    assert "answer" not in stuck
    # the same page types on: its newer render stops the stuck one, long before its 10 s
    time.sleep(max(0.0, 0.7 - (time.monotonic() - started)))
    newer = playground.call("/api/render", {"templates": {"request": "done"}},
                            X_VTL_Channel="typing").json()
    thread.join(timeout=30)
    assert stuck["answer"] == {"superseded": True, "server_ms": stuck["answer"]["server_ms"]}
    assert newer["request_side"]["body"] == "done"
    assert stuck["at"] - started < 8


# -- saving ---------------------------------------------------------------------------------------

def test_a_file_is_saved_atomically_and_refused_when_it_changed_on_disk(playground):
    session = playground.call("/api/session").json()
    order = session["files"][0]
    path = playground.folder / "order.vtl"
    saved = playground.call("/api/save", {"file": 0, "text": order["text"] + "## saved\n",
                                          "version": order["version"]})
    assert saved.status_code == 200
    assert path.read_text().endswith("## saved\n")
    assert not list(playground.folder.glob(".order.vtl.*"))   # no temporary file left
    path.write_text(path.read_text() + "## changed by someone else\n")
    refused = playground.call("/api/save", {"file": 0, "text": "mine",
                                            "version": saved.json()["version"]})
    assert refused.status_code == 409
    assert "changed on disk" in refused.json()["error"]
    assert path.read_text().endswith("## changed by someone else\n")
    overwrite = playground.call("/api/save", {"file": 0, "text": order["text"],
                                              "version": refused.json()["version"]})
    assert overwrite.status_code == 200
    assert path.read_text() == order["text"]


def test_a_new_file_named_on_the_command_line_is_created_by_its_first_save(playground):
    new = playground.call("/api/session").json()["files"][1]
    assert (new["text"], new["version"]) == ("", "absent")
    assert playground.call("/api/save", {"file": 1, "text": "hello\n",
                                         "version": "absent"}).status_code == 200
    assert (playground.folder / "new.vtl").read_text() == "hello\n"


@pytest.mark.parametrize("file", [2, -1, "../../etc/passwd", "order.vtl", None, 0.5])
def test_only_the_files_the_server_was_started_with_can_be_saved(playground, file):
    response = playground.call("/api/save", {"file": file, "text": "x", "version": "absent"})
    assert response.status_code == 400
    assert "started with" in response.json()["error"]


# -- exporting a case -----------------------------------------------------------------------------

def test_an_exported_case_passes_with_vtl_test(playground, capsys):
    text = playground.call("/api/session").json()["files"][0]["text"]
    job = {"file": 0, "templates": {"request": text}, "request": {
        "query": "express=true", "stage_variables": "env=prod",
        "body": (playground.folder / "order.json").read_text()}}
    exported = playground.call("/api/export", {"job": job, "name": "from the playground",
                                               "file_name": "order.vtltest.yaml"})
    assert exported.status_code == 200, exported.text
    assert exported.json()["saved"] == "added case 5 to order.vtltest.yaml"
    case_file = playground.folder / "order.vtltest.yaml"
    case = load_case_file(case_file)[-1]
    assert case.name == "from the playground"
    assert case.request.context["requestId"] == "playground-request-1"   # pinned
    assert "express" in case.expect.body
    capsys.readouterr()
    assert main(["test", str(case_file)]) == 0, capsys.readouterr().out
    again = playground.call("/api/export", {"job": job, "name": "from the playground",
                                            "file_name": "order.vtltest.yaml"})
    assert again.status_code == 409 and "already has a case" in again.json()["error"]


def test_a_route_case_of_either_side_passes_with_vtl_test(api_playground, capsys):
    job = {"route": "POST /orders", "templates": {}, "request": {
        "body": '{"customer": {"name": "Ada"}, "items": [], "total": 1}'},
        "backend": {"status": 200, "body": '{"errorMessage": "Invalid quantity: -1"}',
                    "error_message": "Invalid quantity: -1"}}
    for side in ("request", "response"):
        exported = api_playground.call("/api/export", {
            "job": job, "side": side, "name": f"{side} side", "file_name": "api.vtltest.yaml"})
        assert exported.status_code == 200, exported.text
    cases = load_case_file(api_playground.folder / "api.vtltest.yaml")
    assert [c.side for c in cases] == ["request", "response"]
    assert cases[1].expect.status == 400
    capsys.readouterr()
    assert main(["test", str(api_playground.folder / "api.vtltest.yaml")]) == 0, \
        capsys.readouterr().out


@pytest.mark.parametrize("name", ["../evil.vtltest.yaml", "/tmp/x.vtltest.yaml", "x.yaml",
                                  "sub/x.vtltest.yaml"])
def test_a_case_file_goes_only_beside_the_template(playground, name):
    job = {"file": 0, "templates": {"request": "x"}, "request": {}}
    response = playground.call("/api/export", {"job": job, "file_name": name})
    assert response.status_code == 400
    assert "not a case file name" in response.json()["error"]


def test_a_file_gone_or_broken_under_the_server_is_a_message_not_a_500(playground,
                                                                         api_playground):
    api = api_playground.folder / "openapi.yaml"
    kept = api.read_text()
    job = {"route": "POST /orders", "templates": {}, "request": {}}
    try:
        api.write_text("openapi: [unclosed\n")
        for answer in (api_playground.call("/api/session"),
                       api_playground.call("/api/export", {"job": job})):
            assert answer.status_code == 400, answer.text
            assert "openapi.yaml: not valid YAML" in answer.json()["error"]
        api.unlink()
        answer = api_playground.call("/api/export", {"job": job})
        assert answer.status_code == 400 and "openapi.yaml" in answer.json()["error"]
    finally:
        api.write_text(kept)
    template = playground.folder / "order.vtl"
    text = template.read_text()
    template.unlink()
    template.mkdir()   # (as root, a file without permissions would still read)
    try:
        answer = playground.call("/api/export", {"job": {"file": 0, "templates": {
            "request": text}, "request": {}}})
        assert answer.status_code in (400, 409), answer.text
        assert "order.vtl" in answer.json()["error"]
    finally:
        template.rmdir()
        template.write_text(text)
