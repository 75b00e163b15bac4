"""Record golden outputs from the reference implementation, Apache Velocity 1.7.

Every `fixtures/cases/<name>.jsonl` (one case a line: id, template, context, dialect and, for API
Gateway cases, an `aws` request) is rendered by `tools/reference/VelocityRef.java` on the real jars,
and `fixtures/goldens/<name>.jsonl` gets each case back with its result: `expected` (the output),
or `expect_error`, `error` and `cause` (Java exception classes) and `message`.

    python tools/record_goldens.py              re-record every golden file
    python tools/record_goldens.py --check      report cases whose recording changed; write nothing
    python tools/record_goldens.py whitespace   only the named case files
    python tools/record_goldens.py --conformance ../shared/conformance/aws.jsonl
                                                how many recorded cases the oracle reproduces

Needs Java 11+ (`java` on PATH or under $JAVA_HOME) and the jars under ~/.m2/repository (or
$M2_REPOSITORY); says which is missing otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "fixtures" / "cases"
GOLDENS = ROOT / "fixtures" / "goldens"
ORACLE = ROOT / "tools" / "reference" / "VelocityRef.java"

# The oracle's classpath, relative to the Maven repository.
JARS = (
    "org/apache/velocity/velocity/1.7/velocity-1.7.jar",
    "commons-collections/commons-collections/3.2.2/commons-collections-3.2.2.jar",
    "commons-lang/commons-lang/2.4/commons-lang-2.4.jar",
    "net/minidev/json-smart/2.6.0/json-smart-2.6.0.jar",
    "net/minidev/accessors-smart/2.5.2/accessors-smart-2.5.2.jar",
    "org/ow2/asm/asm/9.7/asm-9.7.jar",
    "com/jayway/jsonpath/json-path/2.10.0/json-path-2.10.0.jar",
    "org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar",
    "org/slf4j/slf4j-nop/2.0.17/slf4j-nop-2.0.17.jar",
)
DIALECTS = ("velocity", "aws")
CASE_KEYS = ("id", "dialect", "template", "context", "aws")
RESULT_KEYS = ("expected", "expect_error", "error", "cause", "message")


def json_lines(text: str) -> list[dict]:
    """The values of a JSON Lines text. Splits at "\\n" only: str.splitlines would also split at
    U+2028 and other separators that a case may hold unescaped inside a string."""
    return [json.loads(line) for line in text.split("\n") if line.strip()]


class OracleUnavailable(RuntimeError):
    """Java or a jar the oracle needs is not on this machine."""


def java_executable() -> str:
    """The `java` under $JAVA_HOME or on PATH, or OracleUnavailable."""
    home = os.environ.get("JAVA_HOME")
    java = shutil.which("java", path=str(Path(home) / "bin") if home else None) or shutil.which("java")
    if not java:
        raise OracleUnavailable("no `java` found on PATH or under $JAVA_HOME; the oracle needs Java 11+")
    return java


def java_command() -> list[str]:
    """The `java -cp … VelocityRef.java` command line, or OracleUnavailable saying what is missing."""
    java = java_executable()
    repo = Path(os.environ.get("M2_REPOSITORY", Path.home() / ".m2" / "repository"))
    jars = [repo / jar for jar in JARS]
    missing = [str(jar) for jar in jars if not jar.is_file()]
    if missing:
        raise OracleUnavailable("the oracle's jars are missing:\n  " + "\n  ".join(missing))
    return [java, "-cp", os.pathsep.join(map(str, jars)), str(ORACLE)]


def run_oracle(cases: list[dict]) -> list[dict]:
    """Renders the cases in one Java process; one result dict ({output} or {error, cause, message}) each."""
    request = "".join(
        json.dumps({k: case[k] for k in ("template", "context", "dialect", "aws") if k in case}) + "\n"
        for case in cases)
    proc = subprocess.run(java_command(), input=request.encode("utf-8"), capture_output=True)
    results = json_lines(proc.stdout.decode("utf-8"))
    if proc.returncode != 0 or len(results) != len(cases):
        raise RuntimeError(f"the oracle failed (exit {proc.returncode}, {len(results)} of {len(cases)} "
                           f"results):\n{proc.stderr.decode('utf-8', 'replace')[-3000:]}")
    return results


def load_cases(path: Path) -> list[dict]:
    """The cases of one case file, checked: unique ids prefixed with the file name, known dialect."""
    cases, seen = [], set()
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        case = json.loads(line)
        if not isinstance(case.get("template"), str) or not isinstance(case.get("context", {}), dict):
            raise ValueError(f"{where}: a case needs a string template and an object context")
        if not str(case.get("id", "")).startswith(path.stem + ":") or case["id"] in seen:
            raise ValueError(f"{where}: id {case.get('id')!r} is not unique or lacks the prefix {path.stem}:")
        if case.setdefault("dialect", "velocity") not in DIALECTS:
            raise ValueError(f"{where}: unknown dialect {case['dialect']!r}")
        case.setdefault("context", {})
        seen.add(case["id"])
        cases.append({k: case[k] for k in CASE_KEYS if k in case})
    return cases


def golden(case: dict, result: dict) -> dict:
    """The case with its recorded result, keys in a fixed order."""
    if "output" in result:
        return {**case, "expected": result["output"]}
    return {**case, "expect_error": True, "error": result["error"], "cause": result["cause"],
            "message": result["message"]}


def golden_line(record: dict) -> str:
    """One JSON line, readable UTF-8 unless the text holds lone surrogates (then escaped)."""
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record)
    return line + "\n"


def record(path: Path) -> str:
    """The golden file's text for one case file."""
    cases = load_cases(path)
    return "".join(golden_line(golden(c, r)) for c, r in zip(cases, run_oracle(cases)))


def changes(old_text: str, new_text: str) -> list[str]:
    """Ids of cases added, removed or recorded differently."""
    old = {case["id"]: case for case in json_lines(old_text)}
    new = {case["id"]: case for case in json_lines(new_text)}
    out = [f"removed {i}" for i in old if i not in new]
    out += [f"added {i}" for i in new if i not in old]
    for i in new:
        if i in old and old[i] != new[i]:
            before, after = old[i], new[i]
            was = {k: before.get(k) for k in RESULT_KEYS if k in before}
            now = {k: after.get(k) for k in RESULT_KEYS if k in after}
            out.append(f"changed {i}: {json.dumps(was)[:200]} -> {json.dumps(now)[:200]}"
                       if was != now else f"changed {i} (case text)")
    return out


def normalise(text: str, how: str | None) -> object:
    """The comparison rules of ../shared/conformance (`match`)."""
    if how == "newline-normalized":
        return text.replace("\r\n", "\n")
    if how == "trim":
        return text.strip()
    if how == "no-ws":
        return "".join(text.split())
    if how == "ws-collapse":
        return " ".join(text.replace("\n", " ").split())
    if how == "json":
        try:
            return json.loads(text)
        except ValueError:
            return ("not json", text)
    return text


def run_pipelines(cases: list[dict]) -> list[dict]:
    """Runs two-stage cases through an echo backend: each stage's output is the next one's body."""
    results = [{"output": None} for _ in cases]
    for stage in range(max((len(c["pipeline"]) for c in cases), default=0)):
        todo = [i for i, c in enumerate(cases) if stage < len(c["pipeline"]) and "output" in results[i]]
        batch = []
        for i in todo:
            step = cases[i]["pipeline"][stage]
            aws = dict(step.get("aws") or {})
            if stage:
                aws["body"] = results[i]["output"]
            batch.append({"template": step["template"], "context": {}, "dialect": "aws", "aws": aws})
        for i, result in zip(todo, run_oracle(batch)):
            results[i] = result
    return results


def conformance(path: Path) -> int:
    """Runs a conformance file's cases through the oracle and reports the ones it does not reproduce.

    Pipeline cases with an echo backend run stage by stage; MOCK pipelines carry $context overrides
    from one stage to the next, integration machinery the oracle does not model, so they are skipped."""
    cases = json_lines(path.read_text(encoding="utf-8"))
    mock = [c for c in cases if c.get("pipeline") and "MOCK" in str(c.get("aws", {}).get("integration"))]
    echo = [c for c in cases if c.get("pipeline") and c not in mock]
    single = [c for c in cases if not c.get("pipeline")]
    misses = []
    for case, result in zip(single + echo, run_oracle(single) + run_pipelines(echo)):
        if case.get("expect_error"):
            ok = "error" in result
        else:
            ok = "output" in result and (
                normalise(result["output"], case.get("match")) == normalise(case["expected"], case.get("match")))
        if not ok:
            misses.append(f"  MISS {case['id']}: expected {case.get('expected')!r}, oracle "
                          f"{result.get('output', result.get('cause'))!r}")
    print("\n".join(misses))
    ran = len(single) + len(echo)
    print(f"{path.name}: oracle reproduces {ran - len(misses)}/{ran} cases ({len(single)} single-template, "
          f"{len(echo)} echo pipelines; {len(mock)} MOCK pipelines not run)")
    return 1 if misses else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="case files to record (stem or path); default all")
    ap.add_argument("--check", action="store_true", help="report changed recordings, write nothing")
    ap.add_argument("--conformance", type=Path, metavar="FILE",
                    help="compare the oracle with a conformance file's expected outputs")
    args = ap.parse_args(argv)
    try:
        if args.conformance:
            return conformance(args.conformance)
        files = ([CASES / f"{Path(n).stem}.jsonl" for n in args.names] if args.names
                 else sorted(CASES.glob("*.jsonl")))
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as pool:
            texts = list(pool.map(record, files))
    except OracleUnavailable as e:
        print(f"record_goldens: {e}", file=sys.stderr)
        return 2
    GOLDENS.mkdir(parents=True, exist_ok=True)
    changed = 0
    for path, text in zip(files, texts):
        target = GOLDENS / path.name
        old = target.read_text(encoding="utf-8") if target.exists() else ""
        diff = changes(old, text)
        changed += len(diff)
        if args.check:
            print("\n".join(f"{path.name}: {d}" for d in diff) or f"{path.name}: unchanged")
        else:
            target.write_text(text, encoding="utf-8")
            print(f"{path.name}: {text.count(chr(10))} cases, {len(diff)} changed")
    if not args.names:  # a golden whose case file is gone
        for stale in sorted(set(GOLDENS.glob("*.jsonl")) - {GOLDENS / f.name for f in files}):
            changed += 1
            if args.check:
                print(f"{stale.name}: no case file any more")
            else:
                stale.unlink()
                print(f"{stale.name}: removed (no case file)")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
