"""Another version of a policy pack, for impact analysis: `aetna@<git revision>` (the pack as
that commit of the policies' repository has it) or `aetna@<folder>` (a pack folder, or a
policies folder holding `aetna/`)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from dermcover.engine.library import load_pack
from dermcover.engine.pack import Pack
from dermcover.inputs import InputError


def parse(spec: str) -> tuple[str, str]:
    policy, at, version = spec.partition("@")
    if not at or not policy or not version:
        raise InputError(
            f"--compare {spec!r}: write it as <policy>@<git revision or folder>, e.g. aetna@HEAD~1"
        )
    return policy, version


def pack_version(spec: str, policies: Path) -> tuple[str, Pack]:
    """The policy id and the pack `spec` names; `policies` is the folder the packs live in."""
    policy, version = parse(spec)
    folder = Path(version)
    if folder.is_dir():
        pack_folder = folder / policy if (folder / policy / "policy.yaml").is_file() else folder
        if not (pack_folder / "policy.yaml").is_file():
            packs = sorted(found.parent.name for found in folder.glob("*/policy.yaml"))
            known = f"; it holds: {', '.join(packs)}" if packs else ""
            raise InputError(
                f"--compare {spec!r}: {folder} holds no policy.yaml for {policy}{known}"
            )
        return policy, load_pack(pack_folder)
    return policy, _at_revision(policy, version, policies, spec)


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)


def _at_revision(policy: str, revision: str, policies: Path, spec: str) -> Pack:
    top = _git(["rev-parse", "--show-toplevel"], policies)
    if top.returncode != 0:
        raise InputError(
            f"--compare {spec!r}: {revision!r} is not a folder, and {policies} is not in a git "
            "repository to find a revision in"
        )
    root = Path(top.stdout.decode().strip())
    inside = (policies.resolve() / policy).relative_to(root.resolve())
    listing = _git(["ls-tree", "-r", "--name-only", revision, "--", f"{inside.as_posix()}/"], root)
    if listing.returncode != 0:
        raise InputError(f"--compare {spec!r}: git does not know revision {revision!r}")
    files = [name for name in listing.stdout.decode().splitlines() if name]
    if f"{inside.as_posix()}/policy.yaml" not in files:
        packs = _packs_at(revision, inside.parent, root)
        known = f"; it has: {', '.join(packs)}" if packs else ""
        raise InputError(
            f"--compare {spec!r}: revision {revision} has no {inside}/policy.yaml{known}"
        )
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / policy
        for name in files:
            shown = _git(["show", f"{revision}:{name}"], root)
            path = target / Path(name).relative_to(inside)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(shown.stdout)
        return load_pack(target)


def _packs_at(revision: str, policies: Path, root: Path) -> list[str]:
    """The packs (folders holding a policy.yaml) in the policies folder at `revision`."""
    listing = _git(["ls-tree", "-r", "--name-only", revision, "--", policies.as_posix()], root)
    names = (Path(name) for name in listing.stdout.decode().splitlines())
    return sorted(
        name.parent.name
        for name in names
        if name.name == "policy.yaml" and name.parent.parent == policies
    )
