"""`vtl batch`: one line per record in input order, every bad record an error line naming its
place, the same output on one job and on several, --resume after the last whole line."""
import orjson
import pytest
from replay_support import FIXTURES, read_results, request, write_lines

from vtl_engine.apigateway.mapping import compiled_template
from vtl_engine.tools.cli import main


def batch(*args) -> int:
    return main(["batch", *map(str, args), "--no-progress"])


def test_every_record_in_input_order(tmp_path, template, capsys):
    inputs = write_lines(tmp_path / "in.jsonl", [request(n) for n in range(1, 6)])
    out = tmp_path / "out.jsonl"
    assert batch(inputs, template, "-o", out, "-j", "1") == 0
    results = read_results(out)
    assert [r["id"] for r in results] == ["r1", "r2", "r3", "r4", "r5"]
    assert [r["line"] for r in results] == [1, 2, 3, 4, 5]
    assert orjson.loads(results[0]["body"]) == {"n": 1, "name": "name 1", "q": "1", "h": "h"}
    assert results[0]["error"] is None and results[0]["status"] is None
    assert "5 records written" in capsys.readouterr().err


def test_each_bad_record_is_an_error_line_naming_its_place_and_the_batch_goes_on(
        tmp_path, template):
    inputs = write_lines(tmp_path / "in.jsonl", [
        request(1),
        "{not json",                                          # line 2: malformed
        {"id": "bad-body", "body": "{\"n\": oops"},           # line 3: breaks the template
        "",                                                   # line 4: blank, no record
        {"id": "too-far", "body": {"n": 5_000_000}},          # line 5: a limit hit
        {"id": "typo", "bodyy": {}},                          # line 6: not a record
        request(7),                                           # line 7: status override
    ])
    out = tmp_path / "out.jsonl"
    assert batch(inputs, template, "-o", out, "-j", "1") == 0
    results = {r["line"]: r for r in read_results(out)}
    assert sorted(results) == [1, 2, 3, 5, 6, 7]
    assert results[2]["error"].startswith("not valid JSON")
    assert results[3]["error"].startswith(f"{template}:1:")
    assert "invalid JSON" in results[3]["error"]
    assert results[3]["id"] == "bad-body" and results[3]["body"] is None
    assert "limit max_range exceeded" in results[5]["error"]
    assert results[5]["error"].startswith(f"{template}:4:")
    assert results[6]["error"].startswith("unknown key 'bodyy'")
    assert results[7]["status"] == 201 and results[7]["error"] is None


def test_several_jobs_write_what_one_job_writes(tmp_path, template):
    inputs = write_lines(tmp_path / "in.jsonl",
                         [request(n) for n in range(1, 1200)] + ["{broken"])
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert batch(inputs, template, "-o", one, "-j", "1") == 0
    assert batch(inputs, template, "-o", two, "-j", "2", "--chunk-size", "5") == 0
    assert one.read_bytes() == two.read_bytes()
    assert len(read_results(two)) == 1200


def test_resume_goes_on_after_the_last_whole_line(tmp_path, template):
    inputs = write_lines(tmp_path / "in.jsonl", [request(n) for n in range(1, 21)])
    whole, out = tmp_path / "whole.jsonl", tmp_path / "out.jsonl"
    assert batch(inputs, template, "-o", whole, "-j", "1") == 0
    lines = whole.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:7]) + lines[7][:25])     # cut inside line 8
    assert batch(inputs, template, "-o", out, "-j", "1", "--resume") == 0
    assert out.read_bytes() == whole.read_bytes()


def test_resume_refuses_results_of_other_inputs(tmp_path, template, capsys):
    inputs = write_lines(tmp_path / "in.jsonl", [request(n) for n in range(1, 5)])
    out = tmp_path / "out.jsonl"
    out.write_bytes(orjson.dumps({"source": "elsewhere.jsonl", "line": 1}) + b"\n")
    assert batch(inputs, template, "-o", out, "--resume") == 1
    assert "they are not these inputs' results" in capsys.readouterr().err


def test_cloudwatch_and_har_inputs_and_a_record_s_own_template(tmp_path, template):
    out = tmp_path / "out.jsonl"
    assert batch(FIXTURES / "cloudwatch-export.json", FIXTURES / "orders.har",
                 FIXTURES / "orders.vtl", "-o", out, "-j", "1") == 0
    results = read_results(out)
    assert len(results) == 13
    skipped = [r for r in results if r["error"]]
    assert [r["error"][:40] for r in skipped] == ["skipped: Method request body cut at 1,02"]
    assert results[0]["request_override"]["header"] == {"X-Order-Channel": "web"}
    (tmp_path / "own.vtl").write_text("own $input.path('$.n')")
    inputs = write_lines(tmp_path / "in.jsonl", [{"body": {"n": 1}, "template": "own.vtl"},
                                                 {"body": {"n": 2}, "template": "none.vtl"}])
    assert batch(inputs, template, "-o", out, "-j", "1") == 0
    first, second = read_results(out)
    assert first["body"] == "own 1"
    assert second["error"].startswith("skipped: cannot read its template")


@pytest.mark.parametrize("args, message", [
    (["in.jsonl"], "give the inputs, then the TEMPLATE"),
    (["missing.jsonl", "t.vtl"], "missing.jsonl: no such file"),
    (["in.jsonl", "t.vtl", "--parts"], "--parts is for --dask"),
    (["out.jsonl", "t.vtl"], "out.jsonl is an input: give another output file"),
])
def test_mistakes_are_one_line(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    write_lines(tmp_path / "in.jsonl", [request(1)])
    write_lines(tmp_path / "out.jsonl", [request(1)])
    (tmp_path / "t.vtl").write_text("x")
    assert batch(*args, "-o", "out.jsonl") == 1
    assert message in capsys.readouterr().err


def test_a_template_that_does_not_parse_stops_before_any_record(tmp_path, capsys):
    inputs = write_lines(tmp_path / "in.jsonl", [request(1)])
    (tmp_path / "bad.vtl").write_text("#if($a)\nno end")
    assert batch(inputs, tmp_path / "bad.vtl", "-o", tmp_path / "o.jsonl") == 1
    assert f"{tmp_path / 'bad.vtl'}:1:1:" in capsys.readouterr().err


def test_the_template_is_compiled_once(tmp_path, template):
    # before any record is read, as the renders ask for it
    inputs = write_lines(tmp_path / "in.jsonl", [request(n) for n in range(1, 4)])
    compiled = compiled_template.cache_info().misses
    assert batch(inputs, template, "-o", tmp_path / "out.jsonl", "-j", "1") == 0
    assert compiled_template.cache_info().misses - compiled == 1


@pytest.mark.parametrize("command, args, kept", [
    ("batch", ["in.jsonl", "t.vtl", "-o", "t.vtl"], "t.vtl is the template"),
    ("batch", ["in.jsonl", "--api", "api.yaml", "-o", "api.yaml"],
     "api.yaml is the API definition"),
    ("replay", ["in.jsonl", "t.vtl", "--against", "old.vtl", "--results", "old.vtl"],
     "old.vtl is the old template"),
    ("replay", ["in.jsonl", "--api", "api.yaml", "--against-api", "old.yaml", "--results",
                "old.yaml"], "old.yaml is the old API definition"),
])
def test_the_output_is_never_a_file_the_command_reads(tmp_path, monkeypatch, capsys, command,
                                                      args, kept):
    monkeypatch.chdir(tmp_path)
    write_lines(tmp_path / "in.jsonl", [request(1)])
    api = (FIXTURES.parent / "api" / "openapi.yaml").read_text()
    files = {"t.vtl": "x", "old.vtl": "y", "api.yaml": api, "old.yaml": api}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert main([command, *args, "--no-progress"]) == 1
    assert f"{kept}: give another output file" in capsys.readouterr().err
    assert all((tmp_path / name).read_text() == text for name, text in files.items())


def test_template_files_are_read_without_their_byte_order_mark(tmp_path):
    # as `vtl render` and `vtl test` read them: an editor's BOM is not template text
    (tmp_path / "t.vtl").write_text("\ufeffrun $input.path('$.n')", encoding="utf-8")
    (tmp_path / "own.vtl").write_text("\ufeffown $input.path('$.n')", encoding="utf-8")
    inputs = write_lines(tmp_path / "in.jsonl", [{"body": {"n": 1}},
                                                 {"body": {"n": 2}, "template": "own.vtl"}])
    out = tmp_path / "out.jsonl"
    assert batch(inputs, tmp_path / "t.vtl", "-o", out, "-j", "1") == 0
    assert [r["body"] for r in read_results(out)] == ["run 1", "own 2"]


def test_a_count_option_takes_ascii_digits_only(tmp_path, capsys):
    for given in ("1_000", "\u0663", " 2"):
        with pytest.raises(SystemExit):
            main(["batch", "in.jsonl", "t.vtl", "-o", str(tmp_path / "o"), "--jobs", given])
        assert f"not a number: {given!r}" in capsys.readouterr().err
