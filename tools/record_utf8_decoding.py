"""Record what Java 17 makes of bytes as UTF-8 text (`new String(bytes, UTF_8)`, which API Gateway
applies to payloads) into fixtures/utf8/java_decoding.jsonl, for tests/apigateway/test_utf8.py.

    python tools/record_utf8_decoding.py            re-record
    python tools/record_utf8_decoding.py --check    report sequences decoded otherwise; write nothing

The sequences: every one of up to three bytes drawn from one byte of each kind a decoder tells
apart (ASCII, each range of continuation bytes, invalid lead bytes, the lead bytes of two-, three-
and four-byte sequences, with those whose second byte is restricted: E0, ED, F0, F4), and the
four-byte leads followed by three bytes of the continuation ranges and ASCII. Needs Java 11+
(tools/reference/Utf8Decode.java runs as a single-file program).
"""
from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from record_goldens import OracleUnavailable, java_executable  # noqa: E402

PROGRAM = ROOT / "tools" / "reference" / "Utf8Decode.java"
FIXTURE = ROOT / "fixtures" / "utf8" / "java_decoding.jsonl"
KINDS = (0x41, 0x80, 0x90, 0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xE1, 0xED, 0xF0, 0xF1, 0xF4, 0xF8)
FOUR_BYTE_LEADS = (0xF0, 0xF1, 0xF4)
AFTER_A_LEAD = (0x80, 0x90, 0xA0, 0x41)


def sequences() -> list[bytes]:
    found = [bytes(s) for n in (1, 2, 3) for s in itertools.product(KINDS, repeat=n)]
    found += [bytes((lead, *rest)) for lead in FOUR_BYTE_LEADS
              for rest in itertools.product(AFTER_A_LEAD, repeat=3)]
    return found


def decoded_by_java(data: list[bytes]) -> list[str]:
    """The UTF-16 code units Java decodes each sequence to, as space-separated 4-digit hex."""
    done = subprocess.run([java_executable(), str(PROGRAM)], input="".join(d.hex() + "\n" for d in data),
                          capture_output=True, text=True, check=True)
    lines = done.stdout.split("\n")[:-1]
    if len(lines) != len(data):
        raise RuntimeError(f"{PROGRAM.name} answered {len(lines)} lines for {len(data)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    data = sequences()
    try:
        text = "".join(json.dumps([d.hex(), units]) + "\n"
                       for d, units in zip(data, decoded_by_java(data)))
    except OracleUnavailable as e:
        print(e, file=sys.stderr)
        return 2
    if args.check:
        same = FIXTURE.is_file() and FIXTURE.read_text() == text
        print("the recording is up to date" if same else f"{FIXTURE} differs")
        return 0 if same else 1
    FIXTURE.parent.mkdir(exist_ok=True)
    FIXTURE.write_text(text)
    print(f"wrote {FIXTURE.relative_to(ROOT)} ({len(data):,} sequences)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
