"""The escape attempts and the source injection again, through the compiled fast paths: a template
without #macro, #define or #evaluate reads its variables once into locals, keeps loop items and
set-once variables in locals, reads dicts and sizes inline and calls a host's known objects
directly. What such code may reach is still what runtime/methods.py allows, and template text
still only ever appears in literals."""
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
    # each variable the attempt reads becomes a loop's item (a Python local whose dict-ness is
    # tested once) and, in the aws dialect, a variable set once from it (a local too)
    names = sorted(set(re.findall(r"\$!?\{?([A-Za-z_]\w*)", source)) - {"foreach"})
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
