"""Escape attempts: a template reaches only the Java-like methods and properties the runtime
lists for each value type, never Python attributes, callables or the generated code.

Each attempt renders in the `velocity` dialect to exactly what Velocity 1.7 prints for a method or
property that does not exist (the reference's own text), and in the `aws` dialect without any
trace of Python. No attempt may raise anything but a VtlError or reach a Python callable in the
context (they raise AssertionError when called).
"""
import re

import pytest

from vtl_engine import HostObject, Template, VtlError, VtlSyntaxError
from vtl_engine.apigateway import render_mapping_template


class Host(HostObject):
    """What a caller registers: `visible()` and the property `name`; `_private` is listed but
    starts with `_`, so it is refused too."""

    vtl_methods = frozenset({"visible", "_private"})
    vtl_properties = frozenset({"name"})
    secret = "SECRET"

    def visible(self):
        return "seen"

    def hidden(self):
        raise AssertionError("an unlisted host method was called")

    def _private(self):
        raise AssertionError("a private host method was called")

    def get_name(self):
        return "host"

    def get_hidden(self):
        raise AssertionError("an unlisted host property was read")


class Opaque:
    """A Python object the caller did not register: it offers nothing."""

    secret = "SECRET"

    def getSecret(self):
        raise AssertionError("a method of an unregistered object was called")

    def __str__(self):
        return "SECRET"


class TrappedDict(dict):
    def __getattr__(self, name):
        raise AssertionError("an attribute of a context mapping was read")


def context():
    def f(*args):
        raise AssertionError("a callable from the context was called")

    def gen():
        yield "SECRET"
        raise AssertionError("a generator from the context was advanced")

    return {"s": "a,b", "m": {"k": "v"}, "l": [1, 2], "f": f, "gen": gen(), "cls": Opaque,
            "obj": Opaque(), "host": Host(), "d": TrappedDict(k=1)}


ATTEMPTS = [
    ('$s.class', 'class java.lang.String'),  # its name only, as Velocity shows it
    ('$s.getClass()', 'class java.lang.String'),
    ('$s.__class__', 'a,b.__class__'),
    ('${s.__class__}', VtlSyntaxError),
    ("$s.getClass().forName('java.lang.Runtime')", "$s.getClass().forName('java.lang.Runtime')"),
    ("$s.class.forName('java.lang.Runtime').getRuntime()", "$s.class.forName('java.lang.Runtime').getRuntime()"),
    ('$s.mro()', '$s.mro()'),
    ("$s.format('{0.__class__}')", "$s.format('{0.__class__}')"),
    ("$s.formatted('x')", "$s.formatted('x')"),
    ('$s.__len__()', 'a,b.__len__()'),
    ("$s.getattribute('upper')", "$s.getattribute('upper')"),
    ('$s.upper()', '$s.upper()'),
    ('$s.encode()', '$s.encode()'),
    ('$s.getBytes()', '$s.getBytes()'),
    ('$s.chars()', '$s.chars()'),
    ('$s.wait()', '$s.wait()'),
    ('$s.notify()', '$s.notify()'),
    ('$s.hashCode().bit_length()', '$s.hashCode().bit_length()'),
    ('$m.__class__', '{k=v}.__class__'),
    ('$m.items()', '$m.items()'),
    ('$m.keys()', '$m.keys()'),
    ("$m.get('__class__')", "$m.get('__class__')"),
    ('$m.update($m)', '$m.update($m)'),
    ('$m.copy()', '$m.copy()'),
    ('$m.class', 'class java.util.LinkedHashMap'),
    ('$m.getClass()', 'class java.util.LinkedHashMap'),
    ('$l.__class__', '[1, 2].__class__'),
    ('$l.pop()', '$l.pop()'),
    ('$l.append(1)$l', '$l.append(1)[1, 2]'),
    ('$l.extend($l)$l', '$l.extend($l)[1, 2]'),
    ('$l.sort()', '$l.sort()'),
    ('$l.class.name', 'java.util.ArrayList'),
    ('$f', ''),
    ('$f.globals', '$f.globals'),
    ('$f.func_globals', '$f.func_globals'),
    ('$f.call()', '$f.call()'),
    ('$f.__call__()', '.__call__()'),
    ('$f.code.co_consts', '$f.code.co_consts'),
    ('$f.name', '$f.name'),
    ('$gen.gi_frame', '$gen.gi_frame'),
    ('$gen.send(1)', '$gen.send(1)'),
    ('$gen.next()', '$gen.next()'),
    ('#foreach($x in $gen)[$x]#end', ''),
    ('$cls.subclasses()', '$cls.subclasses()'),
    ('$cls.mro()', '$cls.mro()'),
    ('$cls.name', '$cls.name'),
    ('$obj.secret', '$obj.secret'),
    ('$obj.getSecret()', '$obj.getSecret()'),
    ('$obj.dict', '$obj.dict'),
    ('$obj.toString()', '$obj.toString()'),
    ('$obj.equals($obj)', '$obj.equals($obj)'),
    ('$host.visible()', 'seen'),
    ('$host.hidden()', '$host.hidden()'),
    ('$host._private()', '._private()'),
    ('$host.__init__()', '.__init__()'),
    ("$host.vtl_call('hidden', [])", "$host.vtl_call('hidden', [])"),
    ("$host.vtlCall('hidden')", "$host.vtlCall('hidden')"),
    ('$host.secret', '$host.secret'),
    ('$host.getHidden()', '$host.getHidden()'),
    ('$host.name', 'host'),
    ('$host.Name', 'host'),
    ('${__import__}', '${__import__}'),
    ("$__import__('os')", "$__import__('os')"),
    ('$__builtins__', '$__builtins__'),
    ('$globals()', '$globals()'),
    ('#set($__builtins__ = 1)$__builtins__', '1'),
    ("#set($w = 'x')#set($st = 1)#set($v = 2)#set($t1 = 3)$w$st$v$t1", 'x123'),
    ('#set($MACROS = 1)$MACROS', '1'),
    ('#set($a = "\'); import os; os.system(\'echo pwned\'); (\'")$a', "'); import os; os.system('echo pwned'); ('"),
    ('#set($a = \'""" + __import__("os").getcwd() + """\')$a', '""" + __import__("os").getcwd() + """'),
    ('#set($a = "\\u0027)")$a', "')"),
    ("#macro(x__import__ $y)[$y]#end#x__import__('os')", '[os]'),
    ('#macro(m $__class__)$__class__#end#m(1)', '1'),
    ('#foreach($__class__ in [1])$__class__#end', '1'),
    ('#set($a = 1e5)$a', '100000.0'),
    ('#set($a = 1e999999)$a', 'Infinity'),
    ('#set($a = -1e999999)$a', '-Infinity'),
    ('#set($a = 0x10)$a', VtlSyntaxError),
    ('#set($a = 1_000)$a', VtlSyntaxError),
    ('#set($a = 1j)$a', VtlSyntaxError),
    ('#set($m = {})#set($m.__class__ = 1)$m', VtlSyntaxError),
    ('#set($s.__class__ = 1)$s', VtlSyntaxError),
    ("#set($m['__class__'] = 2)$m", '{k=v, __class__=2}'),
    ('$s.toString().getClass()', 'class java.lang.String'),
    ("#evaluate('$s.getClass().getClassLoader()')", '$s.getClass().getClassLoader()'),
    ("#evaluate('#set($__class__ = 1)')$__class__", '1'),
    ("$s.replaceAll('(.*)', '$1{0.__class__}')", 'a,b{0.__class__}{0.__class__}'),
    ('#set($x = $f)$x', ''),
    ('$obj', ''),
    ('#if($f)T#else F#end', 'T'),
    ('$l.get(0).getClass().getMethods()', '$l.get(0).getClass().getMethods()'),
    ('$l[0].__class__', '1.__class__'),
    ('$m.entrySet().iterator().getClass()', '$m.entrySet().iterator().getClass()'),
    ("$s.split(',').getClass().getSimpleName()", 'String[]'),
    ("$s.split(',').clone()", "$s.split(',').clone()"),
    ('#set($e = $m.entrySet())#foreach($x in $e)$x.getClass().forName("x")$x.key#end', '$x.getClass().forName("x")k'),
    ('$foreach.class', '$foreach.class'),
    ('$d.anything', '$d.anything'),
    ('$d.items()', '$d.items()'),
]

_PYTHON_LEAKS = re.compile(r"<\w|object at 0x|__main__|builtins|SECRET|Traceback|function ")


def test_there_are_at_least_40_attempts():
    assert len(ATTEMPTS) >= 40


@pytest.mark.parametrize(("source", "expected"), ATTEMPTS)
def test_escape_attempt_fails_safely(source, expected):
    if expected is VtlSyntaxError:
        with pytest.raises(VtlSyntaxError):
            Template(source, "velocity")
        return
    assert Template(source, "velocity").render(context()) == expected
    try:
        aws = Template(source, "aws").render(context())
    except VtlError:
        return
    assert not _PYTHON_LEAKS.search(aws)


def test_foreach_scope_prints_as_velocity_does_not_as_python():
    # Velocity 1.7's ForeachScope is a Map: an empty one prints as {}
    assert Template("#foreach($i in [1])$foreach#end", "velocity").render() == "{}"


def test_api_gateway_objects_expose_only_their_methods():
    source = ("$input.class $util.getClass() $input.json.__globals__ $util.__class__ "
              "$context.getClass() $util.parseJson('{}').getClass() $input.getBody().getClass()")
    out = render_mapping_template(source, body='{"a": 1}').body
    assert not _PYTHON_LEAKS.search(out)
    # $input and $util have no class to show; JSON values and strings show their Java class name
    assert out.split() == [".__globals__", ".__class__", "class", "java.util.LinkedHashMap",
                           "class", "java.util.LinkedHashMap", "class", "java.lang.String"]


@pytest.mark.parametrize("name", ["a'b", 'a"b', "a\\", "__import__('os')", "x\nimport os",
                                  "v", "w", "st", "MACROS", "t1"])
def test_context_keys_are_data_not_code(name):
    # a key that is no VTL identifier cannot be referenced; one that is is just a variable
    out = Template("$v$w$st$MACROS$t1", "velocity").render({name: "X"})
    assert out.count("X") == (1 if name in ("v", "w", "st", "MACROS", "t1") else 0)


@pytest.mark.parametrize("text", ["'''", '"""', "\\'); import os; ('", "\x00\udc80\U0001F600",
                                  "{0.__class__}", "%(x)s"])
def test_strings_from_the_context_and_template_stay_strings(text):
    assert Template("$a|#set($b = $a)$b", "velocity").render({"a": text}) == f"{text}|{text}"
    literal = text.replace("'", "''")
    assert Template(f"#set($b = '{literal}')$b", "velocity").render() == text
