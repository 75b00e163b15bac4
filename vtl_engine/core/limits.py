"""The bounds on a template and its renders, so that an untrusted template cannot exhaust the
host: `Limits`, set per Template, and the fixed bounds that no caller changes (the compiled code
is shared between Templates of different Limits, so what shapes it cannot vary with them).

Exceeding any of them raises VtlLimitError naming it (docs/safety.md lists them all).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Bounds on one template and its renders, so an untrusted template cannot exhaust the host.

    Exceeding one raises VtlLimitError naming it. Sizes count characters except where noted.
    Output, time and the total are checked at loop iterations, macro calls, blocks and
    #evaluate (not at every write), so a render may overshoot them by one such stretch.
    """

    max_loop_iterations: int = 1_000_000     # #foreach iterations in one render, all loops
    max_range: int = 1_000_000               # elements of one [a..b], refused before allocating
    max_macro_depth: int = 20                # Velocity 1.7's velocimacro.max.depth
    max_evaluate_depth: int = 10             # #evaluate inside #evaluate
    max_define_depth: int = 2                # a #define block inside itself (Velocity 1.7's)
    max_render_seconds: float | None = 10.0  # wall-clock time of one render
    max_output_size: int = 10 * 1024 * 1024  # UTF-8 bytes: API Gateway's 10 MB payload limit
    max_template_size: int = 300 * 1024      # UTF-8 bytes: API Gateway's 300 KB template limit
    max_string_length: int = 10 * 1024 * 1024  # one string (or printed collection) built
    max_string_total: int = 100_000_000      # all strings built in one render, together


DEFAULT_LIMITS = Limits()

# Deeper nesting of directives, brackets and method arguments than any real template uses would
# make the lexer, the parse tree, the code generator and Python's own compiler recurse (or refuse:
# Python allows 100 indentation levels and 200 nested parentheses), so it is refused up front.
MAX_NESTING_DEPTH = 40

# The digits of an integer literal or of a BigInteger/BigDecimal result. Python refuses to print
# an int of more digits (sys.get_int_max_str_digits), for the same reason: converting one costs
# time quadratic in its length.
MAX_NUMBER_DIGITS = 4300

# Python allows 20 nested blocks in one function and each #foreach takes two (try, for): loops
# nested deeper than this are compiled into functions of their own.
MAX_LOOPS_PER_FUNCTION = 6
