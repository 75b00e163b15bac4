"""Hypothesis fuzzing from the grammar (tools/vtlgen.py) and by mutating the corpus templates:
compiling and rendering raise nothing but VtlError. Bounded example counts keep this quick;
tools/fuzz.py runs the same generator for 100,000+ inputs."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vtlgen
from vtl_engine import Limits, Template, VtlError

LIMITS = Limits(max_loop_iterations=10_000, max_range=10_000, max_render_seconds=2.0,
                max_output_size=100_000, max_string_length=100_000)
CORPUS = vtlgen.corpus(None)


class DataChooser:
    """vtlgen's choices drawn from hypothesis, so a failure shrinks to a small template."""

    def __init__(self, data):
        self.data = data

    def choice(self, options):
        return self.data.draw(st.sampled_from(options))

    def integer(self, low, high):
        return self.data.draw(st.integers(low, high))


def render_both(source, context):
    for dialect in ("velocity", "aws"):
        try:
            Template(source, dialect, limits=LIMITS).render(context)
        except VtlError:
            pass


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_templates_from_the_grammar_raise_only_vtl_errors(data):
    chooser = DataChooser(data)
    source = vtlgen.TemplateGenerator(chooser).template()
    render_both(source, vtlgen.context(chooser))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_mutated_corpus_templates_raise_only_vtl_errors(data):
    chooser = DataChooser(data)
    source = vtlgen.mutate(chooser, chooser.choice(CORPUS))
    render_both(source, vtlgen.context(chooser))
