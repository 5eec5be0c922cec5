"""Another version of a policy pack, for impact analysis: `aetna@<git revision>` (the pack as
that commit of the policies' repository has it) or `aetna@<folder>` (a pack folder, or a
policies folder holding `aetna/`)."""

from __future__ import annotations

from pathlib import Path

from dermcover.engine.library import load_pack
from dermcover.engine.pack import Pack
from dermcover.engine.revisions import folder_at
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


def _at_revision(policy: str, revision: str, policies: Path, spec: str) -> Pack:
    try:
        with folder_at(policies / policy, revision, "policy.yaml") as folder:
            return load_pack(folder)
    except InputError as exc:
        raise InputError(f"--compare {spec!r}: {exc}") from None
