"""Finding and loading the policy packs: `policies/<id>/policy.yaml`, one folder per policy."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from dermcover.engine.pack import Pack, PackError, PackSpec, compile_pack
from dermcover.inputs import InputError, field_path, parse_text, read_text, validate

S = TypeVar("S", bound=BaseModel)
T = TypeVar("T")

POLICIES_ENV = "DERMCOVER_POLICIES"
DEFAULT_POLICY = "generic"


def policies_dir() -> Path:
    """Where the packs live: $DERMCOVER_POLICIES, else the project's `policies/` folder."""
    return _policies_dir(os.environ.get(POLICIES_ENV))


@cache
def _policies_dir(configured: str | None) -> Path:
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "policies"


def load_pack(folder: Path) -> Pack:
    """Load and check one pack; any problem is an InputError naming the file and the line."""
    return load_folder(folder, "policy.yaml", PackSpec, compile_pack)


def load_folder(
    folder: Path, filename: str, spec_type: type[S], compile_spec: Callable[[S], T]
) -> T:
    """Read `folder/filename` as `spec_type`, check that its id names the folder, and compile
    it; any problem is an InputError naming the file and the line (packs and plan documents
    alike)."""
    path = folder / filename
    source = str(path)
    data, locator = parse_text(read_text(path), source)
    spec = validate(spec_type, data, source, locator)
    spec_id = getattr(spec, "id", None)
    if spec_id != folder.name:
        raise InputError(
            f"{source}:{locator.line_of(('id',))}: id {spec_id!r} must match its folder "
            f"name {folder.name!r}"
        )
    try:
        return compile_spec(spec)
    except PackError as exc:
        line = locator.line_of(exc.path)
        where = f"{source}:{line}" if line is not None else source
        raise InputError(f"{where}: {field_path(exc.path)}: {exc}") from None


class Packs(Mapping[str, Pack]):
    """The packs of one folder by id. The ids come from the folder's listing; each pack is read,
    checked and compiled the first time it is asked for, so a command that needs one pack does
    not parse them all."""

    def __init__(self, folder: Path, ids: list[str]) -> None:
        self._folder = folder
        self._ids = ids
        self._known = frozenset(ids)
        self._loaded: dict[str, Pack] = {}
        self._lock = threading.Lock()

    def __getitem__(self, policy_id: str) -> Pack:
        pack = self._loaded.get(policy_id)
        if pack is not None:
            return pack
        if policy_id not in self._known:
            raise KeyError(policy_id)
        with self._lock:
            if policy_id not in self._loaded:
                self._loaded[policy_id] = load_pack(self._folder / policy_id)
            return self._loaded[policy_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@dataclass(frozen=True)
class PolicyLibrary:
    """Every pack in a folder, by id."""

    folder: Path
    packs: Mapping[str, Pack]

    def get(self, policy_id: str) -> Pack:
        pack = self.packs.get(policy_id)
        if pack is None:
            raise InputError(
                f"unknown policy {policy_id!r}; available: {', '.join(sorted(self.packs))}"
            )
        return pack

    def load_all(self) -> None:
        """Read and check every pack now (a service does, so that a broken pack stops its
        start rather than a request)."""
        for _ in self.packs.values():
            pass


@cache
def _load_library(folder: Path) -> PolicyLibrary:
    if not folder.is_dir():
        raise InputError(f"{folder}: the policy folder does not exist (set {POLICIES_ENV})")
    ids = [
        pack_folder.name
        for pack_folder in sorted(folder.iterdir())
        if (pack_folder / "policy.yaml").is_file()
    ]
    return PolicyLibrary(folder, Packs(folder, ids))


@cache
def _resolved(folder: Path) -> Path:
    return folder.resolve()


@cache
def _configured_library(configured: str | None) -> PolicyLibrary:
    # Keyed by the variable's text: the folder is found and resolved once per value, not per call.
    return _load_library(_resolved(_policies_dir(configured)))


def library(folder: Path | None = None) -> PolicyLibrary:
    """The packs in `folder` (default: `policies_dir()`), loaded once per process.

    Every determination asks for the library, so the default costs one environment lookup and a
    dictionary hit; the packs are parsed, checked and compiled once per folder."""
    if folder is None:
        return _configured_library(os.environ.get(POLICIES_ENV))
    return _load_library(_resolved(folder))
