"""An optional on-disk cache of compiled templates, so a second process skips parse and compile.

Like Jinja2's FileSystemBytecodeCache: one file per template, named by a hash of everything the
compiled code depends on (the template's source, dialect and name, the engine's version and its
code generator's files, the Python version), holding the marshalled code object with its line
map and the generated module's lines (for reading it). Writes go to a temporary file renamed
into place, so concurrent writers never leave a torn file; a file that cannot be read is a
miss.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from types import CodeType

from .analysis import ANY, VariablePaths
from .layout import Line
from .runtime.host import VARIABLE

_FORMAT = 4
# the files whose change changes generated code; their sizes and times join the key (and the
# grammar's digest)
_CODE_GENERATOR = ("compiler.py", "analysis.py", "layout.py", "parser.py", "lexer.py",
                   "dialect.py", "nodes.py")

# code, the generated module's lines, line map, direct calls, the variables' paths (see
# compiler.GeneratedModule)
Entry = tuple[CodeType, list[Line], list[tuple[int, int]], list[tuple[str, str, str, tuple]],
              VariablePaths]


@lru_cache(maxsize=1)
def _engine_key() -> str:
    from .. import __version__
    from .parser import grammar_digest, grammar_text

    here = Path(__file__).resolve().parent
    stats = []
    for name in _CODE_GENERATOR:
        st = os.stat(here / name)
        stats.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    stats.append(f"grammar:{grammar_digest(grammar_text())}")
    return f"{_FORMAT}|{__version__}|{sys.implementation.cache_tag}|{'|'.join(stats)}"


def source_key(source: str, dialect: str, name: str | None, known_objects: list[str]) -> str:
    """A name for the code `source` compiles to, the same in every process of this engine."""
    digest = hashlib.sha256(_engine_key().encode())
    for part in (dialect, name or "", *known_objects, source):
        digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class DiskCache:
    """Compiled templates stored under `directory` (created when first written)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def load(self, key: str) -> Entry | None:
        try:
            data = (self.directory / f"{key}.vtlc").read_bytes()
            code, lines, positions, direct_calls, variable_paths = marshal.loads(data)
            direct_calls = [(g, k, m, tuple(c[0] if c else VARIABLE for c in constants))
                            for g, k, m, constants in direct_calls]
            lines = [Line(indent, text, (line, column), *flags)
                     for indent, text, line, column, *flags in lines]
        except (OSError, ValueError, EOFError, TypeError, IndexError):
            return None
        if not isinstance(code, CodeType):
            return None
        # (ANY is stored as None)
        return (code, lines, [tuple(p) for p in positions], direct_calls,
                ANY if variable_paths is None else variable_paths)

    def store(self, key: str, entry: Entry) -> None:
        """Write atomically; a failure to write (read-only disk, full disk) is ignored."""
        code, lines, positions, direct_calls, variable_paths = entry
        # marshal stores plain values only: a constant as (value,), VARIABLE as (), a line as
        # a tuple
        direct_calls = [(g, k, m, tuple(() if c is VARIABLE else (c,) for c in constants))
                        for g, k, m, constants in direct_calls]
        plain = [(x.indent, x.code, *x.position, x.continued, x.in_function) for x in lines]
        write_atomically(self.directory / f"{key}.vtlc",
                         marshal.dumps((code, plain, positions, direct_calls,
                                        None if variable_paths is ANY else variable_paths)))


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file renamed to `path`, so that concurrent readers never see
    a torn file; a failure to write (read-only disk, full disk) is ignored: it is only a cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass
