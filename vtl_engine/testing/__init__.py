"""Testing mapping templates: case files run by `vtl test` and pytest, coverage of templates."""
from .cases import Case, CaseFileError, find_case_files, load_case_file
from .runner import Outcome, compare, json_mismatch, render_case, run_cases

__all__ = ["Case", "CaseFileError", "Outcome", "compare", "find_case_files", "json_mismatch",
           "load_case_file", "render_case", "run_cases"]
