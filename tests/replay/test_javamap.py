"""Java's Map.toString() read back, and what cannot be read said."""
from vtl_engine.replay.javamap import read_java_map


def test_values_with_commas_blanks_and_equals_signs():
    entries, problems = read_java_map(
        "{Date=Thu, 26 Nov 2026 09:14:03 GMT, X-Amzn-Trace-Id=Root=1-67;Sampled=0, "
        "Accept=text/html, application/json, Empty=}", "headers")
    assert entries == {"Date": "Thu, 26 Nov 2026 09:14:03 GMT",
                       "X-Amzn-Trace-Id": "Root=1-67;Sampled=0",
                       "Accept": "text/html, application/json", "Empty": ""}
    assert problems == []


def test_an_empty_map():
    assert read_java_map("{}", "query") == ({}, [])


def test_a_key_twice_means_a_value_held_comma_key_equals():
    entries, problems = read_java_map("{Accept=*/*, X-Note=gift, Accept=on request}", "h")
    assert entries["Accept"] == "on request"
    assert problems == ["h: 'Accept' appears twice, so a value holds ', Accept=' and the "
                        "entries cannot be told apart; the last one is kept"]


def test_text_that_is_not_such_a_map():
    assert read_java_map("{a=1, b=2", "h")[1] == [
        "h: not a map as API Gateway prints one: '{a=1, b=2'"]
    assert read_java_map("{just text}", "h")[1] == ["h: cannot read '{just text}'"]
