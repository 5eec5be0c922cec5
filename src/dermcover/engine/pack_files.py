"""A pack as its author sees it: the folder, the compiled pack, its fixtures, and where each
part of `policy.yaml` sits, so that a finding can name the file and the line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dermcover.engine.fixtures import Fixture, load_fixtures
from dermcover.engine.library import load_pack
from dermcover.engine.pack import Pack
from dermcover.inputs import InputError, LineLocator, field_path, parse_text, read_text


@dataclass(frozen=True)
class PackFolder:
    folder: Path
    pack: Pack
    fixtures: list[tuple[str, Fixture]]
    locator: LineLocator

    @property
    def policy_file(self) -> Path:
        return self.folder / "policy.yaml"

    def locate(self, path: tuple[int | str, ...]) -> str:
        """`policies/x/policy.yaml:12` for a field path, or the file and the field if the
        line cannot be found."""
        line = self.locator.line_of(path)
        shown = _shown(self.policy_file)
        return f"{shown}:{line}" if line is not None else f"{shown} {field_path(path)}"


def open_pack_folder(folder: Path) -> PackFolder:
    """Load a pack folder and its fixtures; any problem is an InputError naming the file."""
    if not (folder / "policy.yaml").is_file():
        raise InputError(f"{folder}: not a policy pack (no policy.yaml)")
    pack = load_pack(folder)
    _, locator = parse_text(read_text(folder / "policy.yaml"), str(folder / "policy.yaml"))
    fixtures = [(path.stem, fixture) for path, fixture in load_fixtures(folder)]
    return PackFolder(folder, pack, fixtures, locator)


def pack_folders(policies: Path) -> list[Path]:
    """Every pack folder under `policies`, by name."""
    if not policies.is_dir():
        raise InputError(f"{policies}: the policy folder does not exist")
    return sorted(p for p in policies.iterdir() if (p / "policy.yaml").is_file())


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
