"""Write grammar/vtl.tables.json: the LALR tables Lark builds from grammar/vtl.lark, which the
parser runs without importing Lark. Run it after changing the grammar (the tests fail until then):

    python tools/build_parse_tables.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vtl_engine.core import parser  # noqa: E402


def main() -> int:
    grammar = (ROOT / "grammar" / "vtl.lark").read_text(encoding="utf-8")
    path = ROOT / "grammar" / "vtl.tables.json"
    path.write_bytes(orjson.dumps(parser.table_data(grammar)) + b"\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
