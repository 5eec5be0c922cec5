"""What one request told us about a patient: the resources it carried, by reference.

Everything that comes in (prefetch, hook context, a PAS Bundle, whatever was fetched from the
EHR) goes through `add`, which checks it with the FHIR models first. A resource the models refuse
is not used; the problem is kept so the answer can say why a fact stayed unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dermcover.interop.fhir import FhirError, JsonObject, parse, reference_of, relative


@dataclass
class ClinicalData:
    resources: dict[str, JsonObject] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, data: Any, where: str) -> list[JsonObject]:
        """Add a resource, or every entry of a Bundle; returns what was added."""
        if data is None:
            return []
        if isinstance(data, Mapping) and data.get("resourceType") == "Bundle":
            added: list[JsonObject] = []
            entries = data.get("entry")
            for index, entry in enumerate(entries if isinstance(entries, list) else []):
                resource = entry.get("resource") if isinstance(entry, Mapping) else None
                added += self.add(resource, f"{where}.entry[{index}].resource")
            return added
        try:
            parse(data, where)
        except FhirError as exc:
            self.problems.append(str(exc))
            return []
        resource = dict(data)
        key = f"{resource['resourceType']}/{resource.get('id', '')}"
        self.resources.setdefault(key, resource)
        return [resource]

    def get(self, reference: str | None) -> JsonObject | None:
        if not reference:
            return None
        return self.resources.get(relative(reference))

    def resolve(self, value: Any) -> JsonObject | None:
        """The resource a Reference (as JSON) points at, when we have it."""
        return self.get(reference_of(value))

    def of_type(self, kind: str) -> list[JsonObject]:
        return [r for r in self.resources.values() if r.get("resourceType") == kind]

    def resolve_all(self, values: Iterable[Any]) -> list[JsonObject]:
        found = (self.resolve(value) for value in values)
        return [resource for resource in found if resource is not None]


def listed(value: Any) -> list[Any]:
    """A JSON array as a list; anything else as an empty one."""
    return list(value) if isinstance(value, list) else []
