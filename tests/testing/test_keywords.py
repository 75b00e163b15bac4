"""`vtl test -k`: pytest's keyword expressions."""
import pytest

from vtl_engine.testing.keywords import ExpressionError, compile_expression

NAMES = ["express order, compared as JSON", "order.vtltest.yaml"]


@pytest.mark.parametrize("expression, selected", [
    ("express", True), ("EXPRESS", True), ("json", True), ("order.vtltest", True),
    ("xml", False), ("not xml", True), ("not express", False),
    ("express and json", True), ("express and xml", False), ("xml or json", True),
    ("not (express and json)", False), ("not express or json", True),
    ("(xml or express) and not api", True), ("orders-api", False), ("order", True),
])
def test_words_match_part_of_a_name_with_and_or_not_and_parentheses(expression, selected):
    assert compile_expression(expression)(NAMES) is selected


@pytest.mark.parametrize("expression, message", [
    ("", "an empty expression selects nothing"),
    ("express and", "expected a word, 'not' or '(' at column 12"),
    ("(express", "expected ')' at column 9"),
    ("express json", "unexpected 'json' at column 9"),
    ("and json", "expected a word, got 'and' at column 1"),
    ("a = b", "unexpected character '=' at column 3"),
])
def test_mistakes_say_where(expression, message):
    with pytest.raises(ExpressionError) as raised:
        compile_expression(expression)
    assert message in str(raised.value)
