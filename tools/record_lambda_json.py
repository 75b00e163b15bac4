"""Record what Jackson says of the payloads in fixtures/lambda_json.jsonl (each line a
{"body": ...}, with "jackson": the message, or null when Jackson parses it), with jackson-core
and jackson-databind from ~/.m2 run by tools/reference/JacksonRef.java.

    python tools/record_lambda_json.py        re-record the file in place

vtl_engine/apigateway/lambdajson.py words its errors as these recordings do (tests compare).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "lambda_json.jsonl"
PROGRAM = ROOT / "tools" / "reference" / "JacksonRef.java"
VERSION = "2.17.2"
JARS = tuple(f"com/fasterxml/jackson/core/jackson-{name}/{VERSION}/jackson-{name}-{VERSION}.jar"
             for name in ("core", "databind", "annotations"))


def main() -> int:
    repository = Path(os.environ.get("M2_REPOSITORY", Path.home() / ".m2" / "repository"))
    jars = [repository / jar for jar in JARS]
    missing = [str(jar) for jar in jars if not jar.is_file()]
    java = shutil.which("java")
    if missing or not java:
        sys.exit(f"needs java on PATH and the jars: {', '.join(missing) or 'all there'}")
    bodies = [json.loads(line)["body"] for line in FIXTURE.read_text("utf-8").split("\n")
              if line.strip()]
    cases = "".join(json.dumps({"body": body}) + "\n" for body in bodies)
    done = subprocess.run([java, "-cp", ":".join(map(str, jars)), str(PROGRAM)],
                          input=cases, capture_output=True, text=True, encoding="utf-8",
                          check=True)
    FIXTURE.write_text(done.stdout, encoding="utf-8")
    print(f"{len(bodies)} payloads recorded in {FIXTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
