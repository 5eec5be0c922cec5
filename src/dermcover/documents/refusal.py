"""A document that cannot honestly be written, and every reason why."""

from __future__ import annotations


class DocumentRefused(Exception):
    """Refusal to write `document`; `reasons` names each missing field or blocking fact."""

    def __init__(self, document: str, reasons: list[str]) -> None:
        self.document = document
        self.reasons = reasons
        super().__init__(f"cannot write the {document}: " + "; ".join(reasons))

    def __reduce__(self) -> tuple[type[DocumentRefused], tuple[str, list[str]]]:
        return DocumentRefused, (self.document, self.reasons)  # pickled whole, reasons and all


def refuse_if(document: str, reasons: list[str]) -> None:
    """Raise `DocumentRefused` when there is any reason."""
    if reasons:
        raise DocumentRefused(document, reasons)
