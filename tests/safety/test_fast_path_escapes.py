"""The escape attempts and the source injection again, through the compiled fast paths: a template
without #macro, #define or #evaluate reads its variables once into locals, keeps loop items and
set-once variables in locals, reads dicts and sizes inline and calls a host's known objects
directly. What such code may reach is still what runtime/methods.py allows, and template text
still only ever appears in literals."""
import ast
import re

import pytest

from vtl_engine import Template, VtlSyntaxError

from test_escapes import _PYTHON_LEAKS, ATTEMPTS, Host, context


class CarelessHost(Host):
    """A host whose vtl_direct offers a function for any name, listed or not: the gate must
    still refuse what a template may not call."""

    @classmethod
    def vtl_direct(cls, name, constants):
        return getattr(cls, name, None)


# the attempts the fast paths can take: no code out of the compiler's sight
FAST = [(source, expected) for source, expected in ATTEMPTS
        if expected is not VtlSyntaxError
        and not any(d in source for d in ("#macro", "#define", "#evaluate", "#x__", "#m("))]
KNOWN = {"host": CarelessHost}


def test_most_attempts_take_the_fast_paths():
    assert len(FAST) >= 70
    source = Template("$host.visible() $m.k $l.size()", "velocity",
                      known_objects=KNOWN).python_source
    assert "k_host = v.get('host')" in source and "direct_1(" in source
    assert ".get('k') if" in source and "in SIZED" in source


@pytest.mark.parametrize(("source", "expected"), FAST)
def test_escape_attempt_through_known_objects(source, expected):
    variables = {**context(), "host": CarelessHost()}
    assert Template(source, "velocity", known_objects=KNOWN).render(variables) == expected
    aws = Template(source, "aws", known_objects=KNOWN).render({**context(),
                                                                "host": CarelessHost()})
    assert not _PYTHON_LEAKS.search(aws)


@pytest.mark.parametrize(("source", "expected"), FAST)
def test_escape_attempt_on_loop_items_and_set_once_variables(source, expected):
    # each variable of the context the attempt reads becomes a loop's item (a Python local
    # whose dict-ness is tested once) and, in the aws dialect, a variable set once from it (a
    # local too); not the others, since a null item hides its variable from the body
    names = sorted(set(re.findall(r"\$!?\{?([A-Za-z_]\w*)", source)) & set(context()))
    looped = source
    for name in names:
        looped = f"#foreach(${name} in [${name}_])" + looped + "#end"
    variables = {f"{name}_": value for name, value in {**context(),
                                                       "host": CarelessHost()}.items()}
    velocity = Template(looped, "velocity", known_objects=KNOWN)
    assert "l0_" in velocity.python_source or not names
    assert velocity.render(variables) == expected
    once = "".join(f"#set(${name} = ${name}_)" for name in names) + source
    aws = Template(once, "aws", known_objects=KNOWN).render(variables)
    assert not _PYTHON_LEAKS.search(aws)


_MANGLED = re.compile(r"(t|direct_)\d+|[kls]\d*_\w+|dl\d+_\w+|known_\w+|general|[vw]|st|e")
_BUILTINS = {"dict", "enumerate", "len", "int", "str", "repr", "abs", "float", "MACROS"}
# the same injection, once through the general path (a #macro turns the fast paths off) and once
# through the fast paths
NASTY = ("#set($a = \"'); import os #\")$a ${__import__} $x.__class__ $x.size() "
         "#set($__builtins__ = $x)$__builtins__.__class__ "
         "#foreach($os in [{'__class__': 1}, $x])$os.__class__ $os.size()"
         "$host.hidden(\"'); import os #\")#end "
         "$host.visible() $host.hidden() $__import__.system('x')")


@pytest.mark.parametrize("dialect", ["velocity", "aws"])
@pytest.mark.parametrize("other_code", ["", "#macro(m__x $__class__)$__class__#end#m__x(1)"])
def test_template_text_never_becomes_code(dialect, other_code):
    template = Template(NASTY + other_code, dialect,
                        known_objects={"host": CarelessHost, "x": CarelessHost})
    tree = ast.parse(template.python_source)
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(isinstance(node, ast.Import) for node in ast.walk(tree))
    assert all(module.startswith("vtl_engine.core.") for module in imported)
    runtime = {alias.asname or alias.name for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) for alias in node.names}
    # the dialect's helpers, and the names the host binds
    runtime |= {name.id for node in tree.body if isinstance(node, ast.Assign)
                for target in node.targets for name in ast.walk(target)
                if isinstance(name, ast.Name)}
    defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    names = ({node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
             | {a.arg for node in ast.walk(tree) if isinstance(node, ast.arguments)
                for a in node.args + node.kwonlyargs})
    strange = {name for name in names - runtime - defined - _BUILTINS
               if not _MANGLED.fullmatch(name)}
    assert not strange
    if not other_code:   # the fast paths were taken: a loop local, a direct call, an inline size
        assert "l0_os" in template.python_source and "direct_" in template.python_source
        assert "in SIZED" in template.python_source
    out = template.render({"host": CarelessHost(), "x": {"k": 1}})
    assert out.startswith("'); import os #")
    assert "seen" in out and "SECRET" not in out
