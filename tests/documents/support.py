"""Shared pieces for the document tests: cases with the people filled in, a small pack, and the
text of a rendered PDF (read back with pdftotext from poppler-utils)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from dermcover.case import Case
from dermcover.determination import Determination
from dermcover.documents import render
from dermcover.engine import determine, library
from dermcover.engine.library import PolicyLibrary
from dermcover.engine.pack import Pack
from dermcover.inputs import load_model

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GENERIC_FIXTURES = ROOT / "policies" / "generic" / "fixtures"
TODAY = date(2026, 11, 22)

PATIENT = {"name": "Alex Morgan", "birth_date": "1979-02-11"}
PROVIDER = {
    "name": "Sam Okafor",
    "credentials": "MD",
    "npi": "1234567893",
    "organization": "Riverside Skin Clinic",
    "tin": "12-3456789",
    "address": "10 Main Street, Springfield, IL 62701",
    "state": "IL",
    "phone": "(217) 555-0100",
}


def example(name: str) -> Case:
    return load_model(Case, EXAMPLES / name)


def with_people(data: dict[str, Any], member_id: str = "M-100200") -> Case:
    """A case (as plain data) with the patient, provider and member ID a letter needs."""
    data = dict(data)
    data["patient"] = {
        **{k: v for k, v in (data.get("patient") or {}).items() if k != "age"},
        **PATIENT,
    }
    data["provider"] = {**(data.get("provider") or {}), **PROVIDER}
    data["payer"] = {**(data.get("payer") or {}), "member_id": member_id}
    return Case.model_validate(data)


def generic_fixture(name: str, code: str | None = None, diagnoses: list[str] | None = None) -> Case:
    """A case from the generic pack's fixtures, with people, and a code or diagnoses added."""
    data = yaml.safe_load((GENERIC_FIXTURES / name).read_text(encoding="utf-8"))["case"]
    if code is not None:
        data["procedures"][0]["code"] = code
    if diagnoses is not None:
        data["condition"]["diagnoses"] = diagnoses
    return with_people(data)


def decided(case: Case, policy: str | None = None) -> tuple[Determination, Pack]:
    determination = determine(case, policy, today=TODAY)
    return determination, library().get(determination.policy.id)


def pdf_text(kind: str, document: Any, language: str = "en") -> str:
    """The words of the rendered PDF, whitespace collapsed, as a reader would copy them; a line
    that wraps after a dash or a slash (`1–` / `14`, `www.cms.gov/` / `nosurprises`) is joined."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: run `make` (it installs poppler-utils)")
    result = subprocess.run(
        ["pdftotext", "-", "-"],
        input=render.pdf(kind, document, language),
        capture_output=True,
        check=True,
    )
    text = " ".join(result.stdout.decode("utf-8").split())
    return re.sub(r"(?<=\w)([–/]) (?=\w)", r"\1", text)


TEST_PACK = """\
id: t
title: Test skin policy
payer: Test Health
reviewed: 2026-01-01
summary: A small pack for the document tests.
sources:
  - {id: src, title: Test policy 7, date: 2026-01-01, confidence: confirmed}
criteria:
  t.burn:
    text: The scar comes from a burn
    citation: {source: src, section: "II.1"}
    when: {fact: cause, in: [burn]}
  t.impaired:
    text: A functional impairment is documented
    citation: {source: src, section: "II.2"}
    when: {fact: impairment, any_except: [psychological_distress]}
  t.appearance:
    text: The aim is appearance only
    citation: {source: src, section: "I.1"}
    when: {fact: purpose, in: [appearance]}
rules:
  - id: t.prp-unproven
    stage: investigational
    procedures: [prp_injection]
    text: PRP injection for skin is unproven
    citation: {source: src, section: "III"}
    outcome: not_covered_investigational
    reason: The policy calls PRP for the skin unproven.
  - id: t.cosmetic
    stage: cosmetic
    text: Treatment for appearance is cosmetic
    citation: {source: src, section: "I"}
    when: t.appearance
    outcome: not_covered_cosmetic
    reason: Appearance only.
  - id: t.ak-destruction
    stage: indication
    procedures: [lesion_destruction]
    text: Destroying actinic keratoses is covered
    citation: {source: src, section: "IV"}
    when: {fact: condition_kind, in: [actinic_keratosis]}
    outcome: covered
    prior_authorization: not_required
    reason: Covered without prior authorization.
  - id: t.burn-scar
    stage: indication
    text: A burn scar that impairs function is covered with prior authorization
    citation: {source: src, section: "II"}
    when: {all: [t.burn, t.impaired, {not: t.appearance}]}
    outcome: covered
    prior_authorization: required
    reason: Covered once approved.
    documentation: [photos]
otherwise:
  outcome: not_covered_not_medically_necessary
  text: Anything else is not medically necessary
  citation: {source: src, section: "V"}
  reason: The case does not meet the criteria.
"""


def decided_by(pack: Pack, case: Case) -> Determination:
    return determine(case, pack.id, today=TODAY, packs=PolicyLibrary(Path("."), {pack.id: pack}))
