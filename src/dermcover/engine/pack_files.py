"""A pack or a plan document as its author sees it: the folder, the compiled rules, its
fixtures, and where each part of `policy.yaml` (or `plan.yaml`) sits, so that a finding can
name the file and the line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dermcover.engine.fixture_runner import FixtureRun, run_fixtures
from dermcover.engine.fixtures import Fixture, load_fixtures
from dermcover.engine.library import PolicyLibrary, library, load_pack
from dermcover.engine.pack import Pack
from dermcover.engine.plans import Plan, load_plan
from dermcover.inputs import InputError, LineLocator, field_path, parse_text, read_text

PACK_FILE = "policy.yaml"
PLAN_FILE = "plan.yaml"


@dataclass(frozen=True)
class PackFolder:
    """A policy pack's folder, or a plan document's (`plan` is then set, and `pack` is the plan
    document in pack form: its criteria and exclusion rules, which the linter reads)."""

    folder: Path
    pack: Pack
    fixtures: list[tuple[str, Fixture]]
    locator: LineLocator
    plan: Plan | None = None
    under: Pack | None = None  # a plan document's policy pack: it decides what the plan leaves

    @property
    def kind(self) -> str:
        return "plan document" if self.plan is not None else "pack"

    @property
    def policy_file(self) -> Path:
        return self.folder / (PLAN_FILE if self.plan is not None else PACK_FILE)

    def locate(self, path: tuple[int | str, ...]) -> str:
        """`policies/x/policy.yaml:12` for a field path, or the file and the field if the
        line cannot be found."""
        line = self.locator.line_of(path)
        shown = _shown(self.policy_file)
        return f"{shown}:{line}" if line is not None else f"{shown} {field_path(path)}"

    def run_fixtures(self, *, today: date | None = None) -> list[FixtureRun]:
        """Every fixture decided as the policy (and, for a plan document, the plan) says."""
        if self.plan is None:
            return run_fixtures(self.pack, self.fixtures, today=today)
        assert self.under is not None
        return run_fixtures(self.under, self.fixtures, today=today, plan=self.plan)


def open_pack_folder(folder: Path) -> PackFolder:
    """Load a pack folder and its fixtures; any problem is an InputError naming the file."""
    if not (folder / PACK_FILE).is_file():
        raise InputError(f"{folder}: not a policy pack (no {PACK_FILE})")
    pack = load_pack(folder)
    return PackFolder(folder, pack, _fixtures(folder), _locator(folder / PACK_FILE))


def open_plan_folder(folder: Path, packs: PolicyLibrary | None = None) -> PackFolder:
    """Load a plan document's folder, its fixtures and the policy pack it sits over (from
    `packs`, default the installed packs); any problem is an InputError naming the file."""
    if not (folder / PLAN_FILE).is_file():
        raise InputError(f"{folder}: not a plan document (no {PLAN_FILE})")
    plan = load_plan(folder)
    under = (packs or library()).get(plan.spec.policy)
    return PackFolder(
        folder, plan.compiled, _fixtures(folder), _locator(folder / PLAN_FILE), plan, under
    )


def pack_folders(policies: Path) -> list[Path]:
    """Every pack folder under `policies`, by name."""
    if not policies.is_dir():
        raise InputError(f"{policies}: the policy folder does not exist")
    return sorted(p for p in policies.iterdir() if (p / PACK_FILE).is_file())


def plan_folders(plans: Path) -> list[Path]:
    """Every plan document's folder under `plans`, by name (none if there is no such folder)."""
    if not plans.is_dir():
        return []
    return sorted(p for p in plans.iterdir() if (p / PLAN_FILE).is_file())


def _fixtures(folder: Path) -> list[tuple[str, Fixture]]:
    return [(path.stem, fixture) for path, fixture in load_fixtures(folder)]


def _locator(path: Path) -> LineLocator:
    return parse_text(read_text(path), str(path))[1]


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
