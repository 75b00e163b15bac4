"""`vtl replay` on the shipped fixtures, as a user would try it: the records a changed
template alters, cut log events counted, the HTML report and the results file."""
import orjson
from replay_support import FIXTURES, read_results, request, write_lines

from vtl_engine.tools.cli import main

EXPORT, LOG, HAR = (FIXTURES / "cloudwatch-export.json", FIXTURES / "execution-log.txt",
                    FIXTURES / "orders.har")
DEPLOYED, CHANGED = FIXTURES / "orders.vtl", FIXTURES / "orders-changed.vtl"


def replay(*args) -> int:
    return main(["replay", *map(str, args), "--no-progress"])


def test_the_deployed_template_reproduces_the_logged_outputs(capsys):
    assert replay(EXPORT, DEPLOYED, "-j", "1") == 0
    out = capsys.readouterr().out
    assert "8 records: 6 same, 0 different, 0 error, 2 skipped" in out
    assert "2 records had log events cut at 1,024 bytes ([TRUNCATED])" in out
    assert "Method request body cut at 1,024 bytes in the log" in out
    assert "'Accept' appears twice" in out


def test_a_changed_template_names_the_records_it_alters_and_fails(capsys, tmp_path):
    results, page = tmp_path / "results.jsonl", tmp_path / "report.html"
    assert replay(EXPORT, CHANGED, "--results", results, "--html", page) == 1
    out = capsys.readouterr().out
    assert "8 records: 4 same, 2 different, 0 error, 2 skipped" in out
    assert "DIFFERENT " + str(EXPORT) + ":36  id c3e9a1d4-8f20-4b6a-b1c5-2d8e7f6a9b03" in out
    assert "-  \"express\": false,\n  +  \"express\": true," in out
    assert "JSON paths: $.customer" in out
    different = [r for r in read_results(results) if r["outcome"] == "different"]
    assert [(r["id"][:8], r["groups"]) for r in different] == [
        ("c3e9a1d4", ["$.express"]), ("e5a7b2c9", ["$.customer"])]
    assert different[1]["differences"] == [{"what": "body", "path": "$.customer",
                                            "expected": "Katherine Johnson ",
                                            "actual": "Katherine Johnson"}]
    html = page.read_text()
    assert "<code>$.express</code>" in html and "Katherine Johnson" in html


def test_the_plain_text_log_and_the_har_against_the_old_template(capsys):
    assert replay(LOG, CHANGED, "-j", "1") == 1
    assert "8 records: 4 same, 2 different, 0 error, 2 skipped" in capsys.readouterr().out
    assert replay(HAR, CHANGED, "--against", DEPLOYED, "-j", "1") == 1
    assert "5 records: 3 same, 2 different, 0 error, 0 skipped" in capsys.readouterr().out
    assert replay(HAR, DEPLOYED, "--against", DEPLOYED, "-j", "1") == 0


def test_ignored_paths_and_exact_bodies(tmp_path, capsys):
    assert replay(EXPORT, CHANGED, "--ignore", "$.express", "--ignore", "$.customer") == 0
    capsys.readouterr()
    old, new = tmp_path / "old.vtl", tmp_path / "new.vtl"
    old.write_text('{"a": 1}')
    new.write_text('{ "a" : 1 }')
    inputs = write_lines(tmp_path / "in.jsonl", [request(1)])
    assert replay(inputs, new, "--against", old) == 0
    assert replay(inputs, new, "--against", old, "--exact") == 1
    assert "the same JSON written differently" in capsys.readouterr().out


def test_the_html_report_shows_outputs_as_text(tmp_path, capsys):
    old, new, page = tmp_path / "old.vtl", tmp_path / "new.vtl", tmp_path / "r.html"
    old.write_text("<b>old</b>")
    new.write_text("<script>alert(1)</script>")
    inputs = write_lines(tmp_path / "in.jsonl", [request(1)])
    assert replay(inputs, new, "--against", old, "--html", page) == 1
    html = page.read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html


def test_errors_and_expectations_of_json_lines(tmp_path, capsys):
    (tmp_path / "t.vtl").write_text("#set($n = $input.path('$.n'))$n")
    inputs = write_lines(tmp_path / "in.jsonl", [
        {"body": {"n": 1}, "expected": {"body": "1"}},
        {"body": {"n": 2}, "expected": {"body": "3"}},
        {"body": "{broken", "expected": {"body": "1"}},
        {"body": "{broken", "expected": {"error": "invalid JSON"}},
        {"body": {"n": 1}},
        "[1]",
    ])
    results = tmp_path / "r.jsonl"
    assert replay(inputs, tmp_path / "t.vtl", "--results", results, "-j", "1") == 1
    assert [r["outcome"] for r in read_results(results)] == [
        "same", "different", "error", "same", "skipped", "error"]
    assert "6 records: 2 same, 1 different, 2 error, 1 skipped" in capsys.readouterr().out


def test_resume_a_replay_counts_what_was_done_before(tmp_path, capsys):
    results = tmp_path / "r.jsonl"
    assert replay(EXPORT, CHANGED, "--results", results, "-j", "1") == 1
    whole = results.read_bytes()
    results.write_bytes(b"".join(whole.splitlines(keepends=True)[:3]))
    capsys.readouterr()
    assert replay(EXPORT, CHANGED, "--results", results, "--resume", "-j", "1") == 1
    assert results.read_bytes() == whole
    assert "8 records: 4 same, 2 different, 0 error, 2 skipped" in capsys.readouterr().out
    assert orjson.loads(whole.splitlines()[0])["outcome"] == "same"


def test_two_templates_that_fail_differently_differ(tmp_path, capsys):
    inputs = write_lines(tmp_path / "in.jsonl", [request(1)])
    old, new, moved = tmp_path / "old.vtl", tmp_path / "new.vtl", tmp_path / "moved.vtl"
    old.write_text("$util.urlDecode('%')")
    new.write_text("#set($a = [])$a.get(3)")
    moved.write_text("## the same error, a line lower in another file\n$util.urlDecode('%')")
    results = tmp_path / "r.jsonl"
    assert replay(inputs, new, "--against", old, "--results", results) == 1
    difference, = read_results(results)[0]["differences"]
    assert difference["what"] == "error"
    assert "Incomplete trailing escape" in difference["expected"]
    assert "IndexOutOfBoundsException" in difference["actual"]
    assert replay(inputs, moved, "--against", old) == 0
    assert "1 record: 1 same" in capsys.readouterr().out


def test_only_header_names_are_matched_in_any_case(tmp_path, capsys):
    # as vtl test compares: a query string or path parameter name is case-sensitive
    template = tmp_path / "t.vtl"
    template.write_text("#set($context.requestOverride.querystring.q = 'v')"
                        "#set($context.requestOverride.header.X-A = 'h')ok")
    inputs = write_lines(tmp_path / "in.jsonl", [
        {"expected": {"request_override": {"header": {"x-a": "h"}}}},
        {"expected": {"request_override": {"querystring": {"Q": "v"}}}}])
    results = tmp_path / "r.jsonl"
    assert main(["replay", str(inputs), str(template), "--results", str(results),
                 "--no-progress", "-j", "1"]) == 1
    assert [(r["outcome"], r["groups"]) for r in read_results(results)] == [
        ("same", []), ("different", ["request_override.querystring[Q]"])]
