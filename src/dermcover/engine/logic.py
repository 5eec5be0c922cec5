"""Kleene's strong three-valued logic over `Status` (met, not_met, unknown).

A fact the case does not give is unknown, never false: `all` is not_met as soon as one part is
not_met, met only when every part is met, and unknown otherwise; `any` is the dual.
"""

from __future__ import annotations

from collections.abc import Iterable

from dermcover.determination import Status

MET = Status.met
NOT_MET = Status.not_met
UNKNOWN = Status.unknown


def all_of(values: Iterable[Status]) -> Status:
    result = MET
    for value in values:
        if value is NOT_MET:
            return NOT_MET
        if value is UNKNOWN:
            result = UNKNOWN
    return result


def any_of(values: Iterable[Status]) -> Status:
    result = NOT_MET
    for value in values:
        if value is MET:
            return MET
        if value is UNKNOWN:
            result = UNKNOWN
    return result


def negate(value: Status) -> Status:
    if value is MET:
        return NOT_MET
    if value is NOT_MET:
        return MET
    return UNKNOWN


def from_bool(value: bool | None) -> Status:
    if value is None:
        return UNKNOWN
    return MET if value else NOT_MET
