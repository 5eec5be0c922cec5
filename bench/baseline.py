"""Running another revision of dermcover beside this one, for side-by-side benchmarks.

`checkout(rev)` puts that revision's tree in a temporary git worktree; `Version` says how to
run a `dermcover` command of either tree with the same Python and the same installed packages,
by putting the tree's `src/` first on PYTHONPATH. A version can also hide installed packages it
did not depend on (say uvloop and httptools, for a revision from before they were added), so
that it runs as it did then.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The console script's own code: the same entry point for either tree.
ENTRY = "import sys; from dermcover.cli import main; sys.argv[0] = 'dermcover'; main()"


@dataclass(frozen=True)
class Version:
    name: str
    tree: Path
    hidden: tuple[str, ...] = ()
    _shim: Path | None = field(default=None, compare=False)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-c", ENTRY, *args]

    def env(self, **extra: str) -> dict[str, str]:
        paths = [str(self.tree / "src")]
        if self._shim is not None:
            paths.insert(0, str(self._shim))
        return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), **extra}


def current() -> Version:
    return Version("this tree", ROOT)


@contextlib.contextmanager
def checkout(revision: str, hidden: Sequence[str] = ()) -> Iterator[Version]:
    """The revision's tree in a temporary worktree, removed afterwards."""
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", revision],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="dermcover-baseline-") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit],
            capture_output=True,
            check=True,
        )
        shim = None
        if hidden:
            shim = Path(folder) / "shim"
            shim.mkdir()
            blocked = "".join(f"sys.modules[{name!r}] = None\n" for name in hidden)
            (shim / "sitecustomize.py").write_text(f"import sys\n{blocked}")
        try:
            yield Version(f"{revision} ({commit})", tree, tuple(hidden), shim)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                capture_output=True,
                check=False,
            )
