"""Errors as FHIR speaks them: an OperationOutcome with a 4xx status."""

from __future__ import annotations

from dermcover.interop.fhir import JsonObject, checked


class OperationError(Exception):
    def __init__(self, status: int, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def operation_outcome(message: str, code: str = "invalid", severity: str = "error") -> JsonObject:
    return checked(
        {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": message[:1000]}],
        },
        "OperationOutcome",
    )
