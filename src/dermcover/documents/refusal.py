"""A document that cannot honestly be written, and every reason why."""

from __future__ import annotations


class DocumentRefused(Exception):
    """Refusal to write `document`; `reasons` names each missing field or blocking fact."""

    def __init__(self, document: str, reasons: list[str]) -> None:
        self.document = document
        self.reasons = reasons
        super().__init__(f"cannot write the {document}: " + summary(reasons))

    def __reduce__(self) -> tuple[type[DocumentRefused], tuple[str, list[str]]]:
        return DocumentRefused, (self.document, self.reasons)  # pickled whole, reasons and all


# The one-line message names at most this many distinct reasons, each cut to REASON_CHARS: a
# 50-line case can give one reason a line, and an error never echoes a huge value. `reasons`
# keeps them all, for a page that lists them.
LISTED_REASONS = 20
REASON_CHARS = 1_000


def summary(reasons: list[str]) -> str:
    distinct = list(dict.fromkeys(reasons))
    listed = [
        reason if len(reason) <= REASON_CHARS else reason[: REASON_CHARS - 1] + "…"
        for reason in distinct[:LISTED_REASONS]
    ]
    more = len(distinct) - len(listed)
    if more:
        listed.append(f"and {more} more reason{'s' if more != 1 else ''}")
    return "; ".join(listed)


def refuse_if(document: str, reasons: list[str]) -> None:
    """Raise `DocumentRefused` when there is any reason."""
    if reasons:
        raise DocumentRefused(document, reasons)
