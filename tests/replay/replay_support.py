"""Shared by the replay tests: the shipped fixtures and small inputs written on the fly."""
from pathlib import Path

import orjson

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "replay"

#: a template that reads the body, a query parameter and a header, and sets an override
TEMPLATE = """#set($n = $input.path('$.n'))
{"n": $n, "name": "$input.path('$.name')", "q": "$input.params('q')", "h": "$input.params('X-H')"}
#if($n == 7)#set($context.responseOverride.status = 201)#end
#foreach($i in [1..$n])#end
"""


def request(number: int, **extra) -> dict:
    return {"id": f"r{number}", "body": {"n": number % 10, "name": f"name {number}"},
            "query": {"q": str(number)}, "headers": {"X-H": "h"}, **extra}


def write_lines(path: Path, lines: list) -> Path:
    """Each item a record (dict) or a line of text as it is."""
    with open(path, "wb") as f:
        for line in lines:
            f.write(orjson.dumps(line) if isinstance(line, dict) else line.encode())
            f.write(b"\n")
    return path


def read_results(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]
