"""HAR files: each entry's request, the stage taken off an execute-api URL, the responses as
expectations when asked."""
import orjson

from vtl_engine.replay import har
from vtl_engine.replay.inputs import input_file, read_items

from replay_support import FIXTURES


def entry(url, **request):
    return {"startedDateTime": "2026-11-26T09:14:03.120Z",
            "request": {"method": "post", "url": url, **request},
            "response": {"status": 201, "content": {"text": "eyJvayI6dHJ1ZX0=",
                                                    "encoding": "base64"}}}


def test_the_shipped_har():
    records = list(read_items(input_file(str(FIXTURES / "orders.har")), ))
    assert len(records) == 5
    first = records[0]
    assert (first.method, first.path, first.query) == ("POST", "/orders", {"express": "true"})
    assert first.context["stage"] == "prod"
    assert ":authority" not in first.headers and first.headers["Content-Type"] == \
        "application/json"
    assert orjson.loads(first.body)["customer"]["name"] == "Ada O'Brien"


def test_an_entry_with_its_response_as_the_expectation():
    record = har.entry_record(entry(
        "https://abc.execute-api.eu-west-1.amazonaws.com/dev/things/%C3%A9t%C3%A9?a=1",
        queryString=[{"name": "a", "value": "1"}],
        headers=[{"name": "X-A", "value": "1"}, {"name": "X-A", "value": "2"}],
        postData={"mimeType": "application/x-www-form-urlencoded",
                  "params": [{"name": "k", "value": "v w"}]}), "h.har", 4, responses=True)
    assert (record.path, record.context["stage"]) == ("/things/été", "dev")
    assert record.context["requestTimeEpoch"] == 1795684443120
    assert record.headers == {"X-A": "2"}
    assert record.body == "k=v+w"
    assert (record.expected["response"].status, record.expected["response"].body) == (
        201, '{"ok":true}')


def test_a_custom_domain_base_path_and_an_entry_without_a_request():
    record = har.entry_record(entry("https://api.example.com/v2/things"), "h", 1,
                              base_path="/v2")
    assert record.path == "/things" and record.context == {"requestTimeEpoch": 1795684443120}
    assert har.entry_record({"response": {}}, "h", 2).skip == \
        "not a HAR entry with a request and its URL"


def test_a_base64_body_is_read_as_api_gateway_reads_bytes():
    # an encoded surrogate is one malformed sequence to Java (one U+FFFD), three to Python
    record = har.entry_record(entry("https://api.example.com/things",
                                    postData={"text": "7aCA", "encoding": "base64"}), "h", 1)
    assert record.body == "\ufffd"


def test_a_response_status_that_is_no_status_code_is_a_problem_not_compared():
    for status in (True, "201", 2010):
        given = entry("https://api.example.com/things")
        given["response"]["status"] = status
        record = har.entry_record(given, "h", 1, responses=True)
        assert record.expected["response"].status is har.Expectation().status
        assert record.problems == [f"response.status: {status!r} is not a status code: "
                                   f"not compared"]
    given["response"]["status"] = 0   # no response: nothing to say
    assert har.entry_record(given, "h", 1, responses=True).problems == []
