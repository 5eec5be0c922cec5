"""A pack's or plan document's folder as a git revision of its repository holds it.

Impact analysis (`dermcover batch --compare aetna@HEAD~1`) and `dermcover policies diff
aetna@v2 aetna` both weigh an earlier version against the one on disk. The folder is copied
out of git into a temporary folder for as long as it is read; each failure is one line that
says what to give instead.
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

from dermcover.inputs import InputError


@contextmanager
def folder_at(folder: Path, revision: str, marker: str) -> Iterator[Path]:
    """`folder` (whose `marker` file, `policy.yaml` or `plan.yaml`, makes it a pack or a plan
    document) as `revision` holds it. The folder need not exist on disk now."""
    home = folder.parent
    if revision.startswith("-"):  # never an option of git's
        raise InputError(f"git does not know revision {revision!r}")
    if not home.is_dir():
        raise InputError(f"{home} does not exist, so it has no revisions to read")
    top = _git(["rev-parse", "--show-toplevel"], home)
    if top.returncode != 0:
        raise InputError(
            f"{revision!r} is not a folder, and {home} is not in a git repository to find a "
            "revision in"
        )
    root = Path(top.stdout.decode().strip())
    inside = folder.resolve().relative_to(root.resolve())
    if _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root).returncode:
        raise InputError(f"git does not know revision {revision!r}")
    archive = _git(["archive", "--format=tar", revision, "--", inside.as_posix()], root)
    with tempfile.TemporaryDirectory(prefix="dermcover-version-") as temp:
        if archive.returncode == 0:
            with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
                tar.extractall(temp, filter="data")
        copied = Path(temp) / inside
        if not (copied / marker).is_file():
            siblings = _holding(revision, inside.parent, marker, root)
            known = f"; it has: {', '.join(siblings)}" if siblings else ""
            raise InputError(f"revision {revision} has no {inside.as_posix()}/{marker}{known}")
        yield copied


def _holding(revision: str, home: Path, marker: str, root: Path) -> list[str]:
    """The folders in `home` that hold a `marker` file at `revision`."""
    listing = _git(["ls-tree", "-r", "--name-only", revision, "--", home.as_posix()], root)
    names = (Path(name) for name in listing.stdout.decode().splitlines())
    return sorted(
        name.parent.name for name in names if name.name == marker and name.parent.parent == home
    )


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise InputError(
            "git is not installed; give a folder holding the other version instead"
        ) from None
