"""`--watch` for `vtl test` and `vtl render`: run, then run again whenever one of the files the
run read changes, until Ctrl-C (exit status 0).

Each run starts on a cleared screen (on a terminal; elsewhere after a rule) and ends with one
status line: when it ran, whether it passed, and what is watched. Files are watched through
their folders (watchfiles), so an editor that saves by writing a new file and renaming it over
the old one is seen too.
"""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

_CLEAR = "\033[2J\033[H"


@dataclass
class Watched:
    """What a run read: single `files`, and `trees`, folders whose files all count (new case
    files appear there), less `ignored` files (what the run itself writes)."""

    files: set[Path] = field(default_factory=set)
    trees: set[Path] = field(default_factory=set)
    ignored: set[Path] = field(default_factory=set)

    def add_files(self, paths: Iterable[str | Path | None]) -> None:
        self.files.update(Path(p).resolve() for p in paths if p is not None and str(p) != "-")

    def folders(self) -> set[Path]:
        return self.trees | {file.parent for file in self.files}

    def __contains__(self, path: Path) -> bool:
        if path in self.ignored:
            return False
        return path in self.files or any(path.is_relative_to(tree) for tree in self.trees)


def watch(run_once: Callable[[], int], watched_of: Callable[[], Watched],
          out: TextIO = sys.stdout) -> int:
    """Run `run_once`, then again after each change to what `watched_of` (asked after each run)
    names, until Ctrl-C; returns 0 then (1 when watchfiles is not installed)."""
    try:
        import watchfiles
    except ImportError:
        print("vtl: --watch needs the watchfiles package: pip install 'vtl_engine[watch]'",
              file=sys.stderr)
        return 1
    logging.getLogger("watchfiles").setLevel(logging.ERROR)   # not its note on Ctrl-C
    default_filter = watchfiles.DefaultFilter()
    watched = Watched()

    def relevant(change: watchfiles.Change, path: str) -> bool:
        return default_filter(change, path) and Path(path).resolve() in watched

    # one watcher while the folders stay the same, so that a change made during a run is seen
    watching: tuple[list[Path], Generator[set[tuple[watchfiles.Change, str]], None, None]] | None \
        = None
    changed: list[str] = []
    try:
        while True:
            out.write(_CLEAR if out.isatty() else "\n" + "-" * 72 + "\n")
            if changed:
                out.write(f"changed: {', '.join(changed)}\n\n")
            out.flush()
            status = run_once()
            watched = watched_of()
            folders = sorted(folder for folder in watched.folders() if folder.is_dir())
            if not folders:
                print("vtl: --watch has no file to watch (standard input cannot be watched)",
                      file=sys.stderr)
                return 1
            print(f"\n[{time.strftime('%H:%M:%S')}] "
                  f"{'passed' if status == 0 else f'FAILED (exit status {status})'}; "
                  f"watching {len(watched.files) + len(watched.trees)} path(s) for changes, "
                  f"Ctrl-C to stop", file=out, flush=True)
            if watching is None or watching[0] != folders:
                if watching is not None:
                    watching[1].close()
                watching = folders, watchfiles.watch(*folders, watch_filter=relevant,
                                                     raise_interrupt=False)
            changes = next(watching[1], None)
            if changes is None:   # Ctrl-C while waiting
                return 0
            changed = sorted({_shown(Path(path)) for _, path in changes})
    except KeyboardInterrupt:   # Ctrl-C while running
        return 0


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
