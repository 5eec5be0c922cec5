"""A refused document's one-line message stays short however many reasons a big case gives."""

from __future__ import annotations

from dermcover.documents.refusal import DocumentRefused


def test_a_few_reasons_are_all_named_in_full() -> None:
    refusal = DocumentRefused("letter", ["provider.npi is missing", "patient.name is missing"])
    assert str(refusal) == (
        "cannot write the letter: provider.npi is missing; patient.name is missing"
    )


def test_many_long_reasons_give_a_short_message_and_keep_every_reason() -> None:
    reasons = [f"line {n}: " + "x" * 5_000 for n in range(60)] + ["line 0: " + "x" * 5_000]
    refusal = DocumentRefused("prior-authorization packet", reasons)
    message = str(refusal)
    assert len(message) < 25_000  # instead of 300,000
    assert message.endswith("and 40 more reasons")
    assert "line 19:" in message and "line 20:" not in message
    assert refusal.reasons == reasons  # a page can still list them all
