"""Reading the maps API Gateway's execution logs print as Java does: `{Accept=*/*, id=42}`.

Java's `Map.toString()` is not meant to be read back: neither keys nor values are quoted, so a
value holding `, name=` cannot be told from two entries. The reading here splits at `, ` only
where a name and `=` follow; what it cannot read for sure is returned as a problem in words,
never guessed silently.
"""
from __future__ import annotations

import re

# an entry starts at the map's start, or after ", ", with a name (no blanks, no "=") and "="
_ENTRY = re.compile(r"(?:^|, )([^\s=,{}][^\s=,]*)=")


def read_java_map(text: str, what: str) -> tuple[dict[str, str], list[str]]:
    """The entries of `text` (`{k=v, …}`), and the problems found reading it, each naming
    `what` ("Method request headers")."""
    text = text.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return {}, [f"{what}: not a map as API Gateway prints one: {_short(text)}"]
    inner = text[1:-1]
    if not inner:
        return {}, []
    starts = list(_ENTRY.finditer(inner))
    if not starts or starts[0].start() != 0:
        return {}, [f"{what}: cannot read {_short(text)}"]
    entries: dict[str, str] = {}
    problems: list[str] = []
    for number, match in enumerate(starts):
        end = starts[number + 1].start() if number + 1 < len(starts) else len(inner)
        key, value = match.group(1), inner[match.end():end]
        if key in entries:   # a map has each key once: some value held ", key="
            problems.append(f"{what}: {key!r} appears twice, so a value holds ', {key}=' and "
                            f"the entries cannot be told apart; the last one is kept")
        entries[key] = value
    return entries, problems


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")
