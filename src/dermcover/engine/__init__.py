"""The coverage engine: policy packs decided in three-valued logic, with a trace."""

from dermcover.engine.decide import TraceLevel, choose_policy, determine
from dermcover.engine.library import PolicyLibrary, library, load_pack

__all__ = ["PolicyLibrary", "TraceLevel", "choose_policy", "determine", "library", "load_pack"]
