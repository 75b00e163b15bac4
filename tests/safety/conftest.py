"""The safety tests share the fuzzers' template generator, tools/vtlgen.py."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
