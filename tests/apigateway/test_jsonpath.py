"""JSONPath as Jayway JsonPath 2.10 reads it (expected results: Jayway's, on this document)."""
import pytest

from vtl_engine.apigateway.jsondata import parse_json, to_json
from vtl_engine.apigateway.jsonpath import NOT_FOUND, JsonPath, compile_path, read_path
from vtl_engine.core.runtime.signals import JavaException
from vtl_engine.core.runtime.values import JsonArray

DOC = ('{"a":{"b":"x","c":[1,2,3],"d":null},"store":{"book":[{"t":"A","price":8.95,"isbn":"1"},'
       '{"t":"B","price":12.99},{"t":"C","price":22}],"bicycle":{"price":19.95,"color":"red"}},'
       '"k.e y":1,"arr":[[1,2],[3]],"n":5,"s":"str","e":{},"l":[]}')


@pytest.fixture(scope="module")
def doc():
    return parse_json(DOC)


@pytest.mark.parametrize("path, expected", [
    ("$.a.b", '"x"'),
    ("a.b", '"x"'),                       # a bare path gets "$." in front
    ("$['a']['b']", '"x"'),
    ('$["a"]', '{"b":"x","c":[1,2,3],"d":null}'),
    ("$.a.c[0]", "1"),
    ("$.a.c[-1]", "3"),
    ("$.a.c[ 1 ]", "2"),
    ("$[ 'a' ].b", '"x"'),
    ("$['k.e y']", "1"),
    ("$.arr[0][1]", "2"),
    ("$.a.d", "null"),
    ("$.e", "{}"),
    ("$.l", "[]"),
    ("@.n", "5"),
    ("n", "5"),
    ("$.a.c.length()", "3"),
    ("$.s.length()", "null"),
    ("$['a','n']", '{"a":{"b":"x","c":[1,2,3],"d":null},"n":5}'),
    ("$['a','missing']", '{"a":{"b":"x","c":[1,2,3],"d":null}}'),
    ("$.a.b  ", '"x"'),
])
def test_definite_paths_give_the_value(doc, path, expected):
    assert compile_path(path).definite
    assert to_json(read_path(doc, path)) == expected


@pytest.mark.parametrize("path", ["$.a.c[5]", "$.a.c[-9]", "$.a.missing", "$.a.b.x", "$.s[0]",
                                  "$.a[0]", "$.l[0]", "[0]", "$.missing['a','b']"])
def test_definite_paths_to_nothing(doc, path):
    assert read_path(doc, path) is NOT_FOUND


@pytest.mark.parametrize("path, expected", [
    ("$.a.c[*]", "[1,2,3]"),
    ("$.a.c[0:2]", "[1,2]"),
    ("$.a.c[1:]", "[2,3]"),
    ("$.a.c[:-1]", "[1,2]"),
    ("$.a.c[-2:]", "[2,3]"),
    ("$.a.c[0,2]", "[1,3]"),
    ("$..price", "[8.95,12.99,22,19.95]"),
    ("$..t", '["A","B","C"]'),
    ("$.store.book[*].t", '["A","B","C"]'),
    ("$.store.book[?(@.price > 10)]", '[{"t":"B","price":12.99},{"t":"C","price":22}]'),
    ("$.store.book[?(@.price > 10)].t", '["B","C"]'),
    ("$.store.book[?(@.isbn)].t", '["A"]'),
    ("$.store.book[?(@.t == 'B')]", '[{"t":"B","price":12.99}]'),
    ("$.store.book[?(@.price < 10 || @.t == 'C')].t", '["A","C"]'),
    ("$.store.book[?(@.t =~ /B.*/)].t", '["B"]'),
    ("$.store..price", "[8.95,12.99,22,19.95]"),
    ("$.a.*", '["x",[1,2,3],null]'),
    ("$.arr[*][0]", "[1,3]"),
    ("$.store.book[*].isbn", '["1"]'),
    ("$.l[*]", "[]"),
    ("$..c[0]", "[1]"),
    ("$.a.c[*].x", "[]"),
    ("$..book[0]", '[{"t":"A","price":8.95,"isbn":"1"}]'),
])
def test_indefinite_paths_give_a_json_array(doc, path, expected):
    assert not compile_path(path).definite
    found = read_path(doc, path)
    assert type(found) is JsonArray
    assert to_json(found) == expected


@pytest.mark.parametrize("path, java_class", [
    ("", "java.lang.IllegalArgumentException"),
    ("$.a.", "com.jayway.jsonpath.InvalidPathException"),
    ("$..", "com.jayway.jsonpath.InvalidPathException"),
    ("  $.a.b", "com.jayway.jsonpath.InvalidPathException"),
    ("$.a[?(@.b >", "com.jayway.jsonpath.InvalidPathException"),
])
def test_invalid_paths_throw(path, java_class):
    with pytest.raises(JavaException) as raised:
        compile_path(path)
    assert raised.value.java_class == java_class


def test_each_path_is_compiled_once():
    assert compile_path("$.x.y") is compile_path("$.x.y")


def test_results_are_the_document_itself(doc):
    found = read_path(doc, "$.a")
    assert found is doc["a"]


@pytest.mark.parametrize("path", ["$", "$.a", "$.a.b", "$._x.y_2", "$.length", "$.a.length"])
def test_names_only_paths_are_read_as_the_general_reading_reads_them(path, doc):
    quick, general = JsonPath(path), JsonPath(path + " ")   # (a blank takes the general way)
    for slot in JsonPath.__slots__[1:]:
        if slot != "reader":
            assert getattr(quick, slot) == getattr(general, slot), slot
    assert quick.reader(doc) == general.reader(doc) == general.read(doc)
