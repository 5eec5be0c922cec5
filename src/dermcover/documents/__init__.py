"""The papers a patient or a clinic sends: what goes into each, and when to refuse to write one.

One module per document, each turning a case (and its determination) into a plain model that a
template prints:

- `lmn`: the letter of medical necessity, written only where the policy supports coverage.
- `pa_packet`: the prior-authorization packet (cover sheet, letter, checklist, codes, criteria).
- `gfe`: the No Surprises Act Good Faith Estimate for uninsured and self-pay patients.
- `appeal`: the appeal of a denial, with its deadline, rebuttal and external review rights.

Shared pieces: `parties` (patient, provider, plan and the fields a document needs), `clinical`
(codes with descriptions, the history, the treatment plan), `argument` (the policy's criteria,
argued from the trace), `schedule` and `denial` (the extra inputs), `labels` (words for the case's
vocabulary). `render` is the thin shell: Jinja2 templates to HTML, WeasyPrint to PDF.

A document that cannot honestly be written raises `DocumentRefused`, naming every reason.

Languages (`LANGUAGES`): the Good Faith Estimate is the patient's own paper, so it is written in
English or Spanish, the patient's choice. The letter of medical necessity, the prior-authorization
packet and the appeal go to the insurer, whose reviewers read English, so they are English only.
"""

from dermcover.documents.refusal import DocumentRefused

# The languages each document is written in, by its kind.
LANGUAGES: dict[str, tuple[str, ...]] = {
    "gfe": ("en", "es"),
    "lmn": ("en",),
    "pa-packet": ("en",),
    "appeal": ("en",),
}

__all__ = ["LANGUAGES", "DocumentRefused"]
