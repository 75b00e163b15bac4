"""The on-disk cache of compiled templates: a later process (here: an emptied memory cache)
loads what an earlier one compiled, and concurrent or broken writes never break a render."""
import threading

import pytest

from vtl_engine import Template, VtlRuntimeError
from vtl_engine.core import parser, template
from vtl_engine.core.analysis import ANY
from vtl_engine.core.diskcache import DiskCache, source_key
from vtl_engine.core.layout import Line

SOURCE = "#set($x = $a.b)$x.toUpperCase() and #foreach($i in [1..3])$i#end"


@pytest.fixture
def cache_dir(tmp_path):
    saved = template.disk_cache_dir()
    template.set_disk_cache(tmp_path)
    template.compile_source.cache_clear()
    yield tmp_path
    template.set_disk_cache(saved)
    template.compile_source.cache_clear()


def test_a_second_process_skips_parsing(cache_dir, monkeypatch):
    expected = Template(SOURCE).render({"a": {"b": "hi"}})
    assert len(list(cache_dir.glob("*.vtlc"))) == 1
    template.compile_source.cache_clear()

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed although the disk cache had the template")

    monkeypatch.setattr(parser, "parse", no_parsing)
    again = Template(SOURCE)
    assert again.render({"a": {"b": "hi"}}) == expected == "HI and 123"
    assert "def root(v, w, st" in again.python_source
    assert again.paths("a") == {("b",)}


def test_a_template_that_may_read_anything_says_so_from_the_cache(cache_dir):
    Template("#macro(m)$a#end#m()")
    template.compile_source.cache_clear()
    assert Template("#macro(m)$a#end#m()").paths("a") is ANY


def test_errors_from_cached_code_still_name_the_template_line(cache_dir):
    source = "line one\n  $a.substring(5)"
    Template(source)
    template.compile_source.cache_clear()
    with pytest.raises(VtlRuntimeError) as caught:
        Template(source).render({"a": "abc"})
    assert (caught.value.line, caught.value.column) == (2, 3)


def test_a_broken_file_is_a_miss(cache_dir):
    Template(SOURCE)
    (path,) = cache_dir.glob("*.vtlc")
    path.write_bytes(b"\x00not marshal data")
    template.compile_source.cache_clear()
    assert Template(SOURCE).render({"a": {"b": "x"}}) == "X and 123"


def test_the_key_depends_on_source_dialect_and_name():
    keys = {source_key("$a", "aws", None, []), source_key("$b", "aws", None, []),
            source_key("$a", "velocity", None, []), source_key("$a", "aws", "t.vtl", []),
            source_key("$a", "aws", None, ["util=vtl_engine.apigateway.util.Util"])}
    assert len(keys) == 5


def test_concurrent_writers_leave_one_whole_file(tmp_path):
    cache = DiskCache(tmp_path)
    lines = [Line(0, "x = 1", (1, 1), in_function=False)]
    entry = (compile("x = 1", "<t>", "exec"), lines, [(1, 1)], [], {"a": frozenset({("b",)})})
    threads = [threading.Thread(target=cache.store, args=("k", entry)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [p.name for p in tmp_path.iterdir()] == ["k.vtlc"]
    code, loaded, positions, direct_calls, paths = cache.load("k")
    assert (loaded, positions, paths) == (lines, [(1, 1)], {"a": {("b",)}})


def test_cached_direct_calls_are_made_again_or_the_template_recompiled(cache_dir):
    from vtl_engine.core.runtime.host import HostObject

    class Shouter(HostObject):
        vtl_methods = frozenset({"shout"})
        offer = True

        def vtl_call(self, name, args):
            return str(args[0]).upper()

        @classmethod
        def vtl_direct(cls, name, constants):
            return staticmethod(lambda text: text.upper() + "!") if cls.offer else None

    source = "$s.shout('hi') $s.shout($x)"
    known = {"s": Shouter}
    assert Template(source, known_objects=known).render({"s": Shouter(), "x": "a"}) == "HI! A!"
    template.compile_source.cache_clear()
    assert Template(source, known_objects=known).render({"s": Shouter(), "x": "a"}) == "HI! A!"
    Shouter.offer = False   # the cached code names functions the class no longer gives
    template.compile_source.cache_clear()
    again = Template(source, known_objects=known)
    assert again.render({"s": Shouter(), "x": "a"}) == "HI A"
    assert "direct_" not in again.python_source
