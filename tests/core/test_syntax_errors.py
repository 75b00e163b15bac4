"""Syntax errors: each names what is wrong in plain words and points at the right place."""
import pickle

import pytest

import vtl_engine
from vtl_engine import VtlSyntaxError


def error_of(source: str, dialect: str = "velocity") -> VtlSyntaxError:
    with pytest.raises(VtlSyntaxError) as info:
        vtl_engine.Template(source, dialect=dialect)
    return info.value


@pytest.mark.parametrize("source, message, line, column", [
    ("a\n  #end\n", "#end without a matching #if", 2, 3),
    ("#if($a)\nx\n#foreach($i in $l)\n#end\n", "#if opened here is never closed", 1, 1),
    ("x\n#foreach($i in $l)\n", "#foreach opened here is never closed", 2, 1),
    ("#else\n", "#else without a matching #if", 1, 1),
    ("#elseif($a)\n", "#elseif without a matching #if", 1, 1),
    ("#if\n", "#if must be followed by a condition in parentheses", 1, 4),
    ("#set($a = 1\n", "#set( is never closed", 1, 5),
    ("#set($a = \"abc)\n", "string literal is never closed", 1, 11),
    ("#set($x = 5-3)", "unexpected integer '-3'", 1, 12),
    ("$a.b($c $!{d})", "unexpected '$!{'", 1, 9),   # a reference is named by its prefix
    (r"#set($a = $b \$d)", r"unexpected '\\$'", 1, 14),
    ("#if($a (1))#end", "unexpected '('", 1, 8),
    ("#set($a = 1 + * 2)", "unexpected '*'", 1, 15),
    ("$a.b($c + 1)", "Velocity 1.7 allows only literals and references", 1, 9),
    ("#[[ never closed", "#[[ opens an unparsed block that is never closed", 1, 1),
    ("${a.b", "${ reference is never closed with }", 1, 1),
    ("Hello $", "cannot end with '$'", 1, 7),
    ("#", "cannot end with '#'", 1, 1),
    ("#foreach(\"i\" in $l)x#end", "#foreach expects ($item in expression)", 1, 1),
    ("#macro()x#end", "#macro expects its name first", 1, 1),
    ("#break(Stuff)", "invalid argument 'Stuff' to #break", 1, 1),
])
def test_message_and_position(source, message, line, column):
    e = error_of(source)
    assert message in e.message
    assert (e.line, e.column) == (line, column)
    assert "^" in e.snippet and str(e).startswith(e.message)


def test_snippet_has_caret_under_column():
    e = error_of("line one\n  #end\n")
    assert e.snippet == "  #end\n  ^"


def test_str_follows_a_position_changed_after_the_error_was_made():
    e = error_of("a\n  #end\n")
    e.line, e.column, e.template_name = 7, 9, "api.yaml"
    e.message += " [POST /orders request]"
    assert str(e) == ("#end without a matching #if, #foreach, #macro or #define [POST /orders "
                      "request] at line 7, column 9 of api.yaml\n  #end\n  ^")


@pytest.mark.parametrize("error", [
    VtlSyntaxError("bad", 1, 2, "abc", "t.vtl"),
    vtl_engine.VtlRuntimeError("failed", 1, 1, "abc", java_exception="java.lang.Oops"),
    vtl_engine.VtlLimitError("max_range", 10, 1, 1, "abc"),
])
def test_errors_survive_pickling_with_their_fields(error):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and copy.__dict__ == error.__dict__
    assert str(copy) == str(error)


def test_syntax_error_is_a_vtl_error():
    assert issubclass(VtlSyntaxError, vtl_engine.VtlError)
    with pytest.raises(vtl_engine.VtlError):
        vtl_engine.Template("#if(")


def test_errors_in_interpolated_strings_point_at_the_string():
    e = error_of('x\n#set($a = "#if($b)")')
    assert e.line == 2 and e.column == 11


def test_non_text_template_is_rejected():
    with pytest.raises(VtlSyntaxError):
        vtl_engine.Template(b"bytes")  # type: ignore[arg-type]
