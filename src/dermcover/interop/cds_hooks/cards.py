"""The cards a clinician reads beside the coverage information: an Instructions card per order
(what is decided, what is needed) and an External Reference card per policy (its public text)."""

from __future__ import annotations

import uuid
from typing import Any

from dermcover.engine.pack import Pack
from dermcover.interop.cds_hooks.discovery import CARD_TYPE
from dermcover.interop.coverage_info import CoverageAnswer

SUMMARY_LIMIT = 139  # CDS Hooks: "less than 140 characters"
TOPICS = {"coverage-info": "Coverage Information", "guideline": "Guideline"}

HEADLINES = {
    ("covered", "no-auth"): "covered; no prior authorization needed",
    ("covered", "auth-needed"): "covered with prior authorization",
    ("covered", "conditional"): "covered; whether prior authorization is needed is not known yet",
    ("not-covered", None): "not covered",
    ("conditional", "conditional"): "coverage cannot be decided yet",
}


def summary(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1].rstrip() + "…"


def card(
    summary_text: str,
    detail: str,
    *,
    label: str,
    topic: str,
    indicator: str = "info",
    links: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    made: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": summary(summary_text),
        "detail": detail,
        "indicator": indicator,
        "source": {
            "label": label,
            "topic": {"system": CARD_TYPE, "code": topic, "display": TOPICS[topic]},
        },
    }
    if links:
        made["links"] = links
    return made


def headline(answer: CoverageAnswer) -> str:
    return HEADLINES.get((answer.covered, answer.pa_needed), answer.covered.replace("-", " "))


def instructions(
    codes: list[str], answer: CoverageAnswer, *, label: str, form: str | None
) -> dict[str, Any]:
    """What the payer says of one order and what to send, as text with no links."""
    what = ", ".join(codes[:4])
    lines = [f"**{what}: {headline(answer)}.**", "", answer.reason]
    if answer.missing_documents:
        lines += ["", "Documentation needed:"]
        lines += [f"- {item}" for item in answer.missing_documents]
    if answer.questions:
        lines += ["", "Still to answer:"]
        lines += [f"- {question.ask}" for question in answer.questions[:8]]
    if form is not None:
        lines += ["", f"Complete the questionnaire {form} to settle it."]
    needed = f"; send {', '.join(answer.missing_documents[:3])}" if answer.missing_documents else ""
    return card(
        f"{what}: {headline(answer)}{needed}",
        "\n".join(lines),
        label=label,
        topic="coverage-info",
        indicator="warning" if answer.covered == "not-covered" else "info",
    )


def policy_reference(pack: Pack, *, label: str, fallback_url: str) -> dict[str, Any]:
    """A link to the policy's public text: its cited sources, else our own summary of it."""
    links = [
        {"label": source.title[:80], "url": source.url, "type": "absolute"}
        for source in pack.spec.sources
        if source.url
    ][:3]
    if not links:
        links = [
            {"label": f"{pack.spec.title} (summary)"[:80], "url": fallback_url, "type": "absolute"}
        ]
    return card(
        f"Policy: {pack.spec.title}",
        f"{pack.spec.summary.strip()}\n\nReviewed {pack.spec.reviewed.isoformat()}.",
        label=label,
        topic="guideline",
        links=links,
    )


def notice(text: str, *, label: str, indicator: str = "info") -> dict[str, Any]:
    return card(text, text, label=label, topic="coverage-info", indicator=indicator)
