"""The patient's check through its forms: start, adaptive questions, the result and the costs."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta

import yaml
from fastapi.testclient import TestClient
from httpx import Response

from dermcover.web.templating import TEMPLATES

from .support import csrf_from


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name} on the page"
    return html.unescape(match.group(1))


def start(client: TestClient, *procedures: str, policy: str = "generic") -> Response:
    token = csrf_from(client.get("/").text)
    data = {"csrf_token": token, "action": "start", "procedure": list(procedures), "policy": policy}
    return client.post("/check", data=data)


def reply(client: TestClient, page: Response, action: str, **answer: object) -> Response:
    data = {
        "csrf_token": csrf_from(page.text),
        "state": hidden(page.text, "state"),
        "field": hidden(page.text, "field"),
        "action": action,
        **answer,
    }
    return client.post("/check", data=data)


def asked(page: Response) -> str:
    return hidden(page.text, "field")


def test_the_start_page_lists_procedures_and_insurers(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Will my insurance cover it?" in page.text
    assert 'value="microneedling"' in page.text
    assert 'value="medicare"' in page.text


def test_the_questions_follow_the_engine_and_end_in_a_verdict(client: TestClient) -> None:
    page = start(client, "microneedling")
    assert asked(page) == "condition.kind", "the condition is what the policy turns on first"
    page = reply(client, page, "answer", answer="acne_scars")
    seen = ["condition.kind"]
    answers = {"purpose": "appearance", "impairment": "__none__"}
    while 'id="verdict"' not in page.text:
        field = asked(page)
        assert field not in seen, "a question is never asked twice"
        seen.append(field)
        assert field in answers, f"unexpected question {field}"
        page = reply(client, page, "answer", answer=answers[field])
    # Acne scars, for appearance, with no impairment: the generic pack excludes it as cosmetic.
    assert "Not covered: the plan treats it as cosmetic" in page.text
    assert "What to do next" in page.text


def test_i_dont_know_moves_on_and_the_result_lists_what_would_settle_it(
    client: TestClient,
) -> None:
    page = start(client, "microneedling")
    page = reply(client, page, "answer", answer="surgical_scar")
    skipped = []
    while 'id="verdict"' not in page.text:
        skipped.append(asked(page))
        page = reply(client, page, "skip")
    assert "We can't tell yet" in html.unescape(page.text)
    assert "What would settle it" in page.text
    assert len(skipped) == len(set(skipped))


def test_a_bad_answer_is_asked_again_with_the_reason(client: TestClient) -> None:
    page = start(client, "microneedling")
    page = reply(client, page, "answer")  # nothing chosen
    assert page.status_code == 422
    assert asked(page) == "condition.kind"
    assert "Give an answer" in page.text


def test_none_and_some_items_together_is_refused(client: TestClient) -> None:
    page = start(client, "microneedling")
    page = reply(client, page, "answer", answer="surgical_scar")
    while asked(page) != "impairment":
        page = reply(client, page, "skip")
    page = reply(client, page, "answer", answer=["__none__", "bleeding"])
    assert page.status_code == 422
    assert asked(page) == "impairment"


def test_an_answer_can_be_changed(client: TestClient) -> None:
    page = start(client, "microneedling")
    page = reply(client, page, "answer", answer="acne_scars")
    page = reply(client, page, "change", field="condition.kind")
    assert asked(page) == "condition.kind"


def test_starting_without_a_procedure_says_so(client: TestClient) -> None:
    page = start(client, "")
    assert page.status_code == 422
    assert "Pick the procedure" in page.text


def test_costs_chart_compares_scenarios(client: TestClient) -> None:
    page = start(client, "microneedling")
    for answer in ("acne_scars", "appearance", "__none__"):
        page = reply(client, page, "answer", answer=answer)
    assert 'id="verdict"' in page.text
    costs = client.post(
        "/check/costs",
        data={
            "csrf_token": csrf_from(page.text),
            "state": hidden(page.text, "state"),
            "sessions": "3",
            "self_pay": "350",
            "negotiated_rate": "300",
            "deductible": "1500",
            "coinsurance": "20",
        },
    )
    assert costs.status_code == 200
    # Cosmetic: the plan pays nothing, so in network costs the self-pay price, 3 x $350.
    assert costs.text.count("$1,050.00") >= 2
    assert 'class="chart"' in costs.text


def test_a_cost_form_mistake_is_explained(client: TestClient) -> None:
    page = start(client, "microneedling")
    costs = client.post(
        "/check/costs",
        data={
            "csrf_token": csrf_from(page.text),
            "state": hidden(page.text, "state"),
            "self_pay": "lots",
        },
    )
    assert costs.status_code == 422
    assert "is not a number" in costs.text


def test_a_form_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/")
    response = client.post("/check", data={"action": "start", "procedure": "microneedling"})
    assert response.status_code == 403


def test_a_tampered_state_is_a_422_not_a_crash(client: TestClient) -> None:
    token = csrf_from(client.get("/").text)
    for state in ("not json", '{"case": {"procedures": [{"kind": "nope"}]}}', "[]"):
        response = client.post("/check", data={"csrf_token": token, "state": state})
        assert response.status_code == 422, state


def test_nothing_about_the_patient_is_kept_in_the_session(client: TestClient) -> None:
    page = start(client, "microneedling")
    reply(client, page, "answer", answer="keloid")
    # A patient has no session: the one cookie is the random CSRF token the forms echo.
    assert set(client.cookies.keys()) == {"dermcover_csrf"}
    assert client.cookies["dermcover_csrf"] == csrf_from(page.text)


def result_page(client: TestClient) -> Response:
    page = start(client, "microneedling")
    for answer in ("acne_scars", "appearance", "__none__"):
        page = reply(client, page, "answer", answer=answer)
    assert 'id="verdict"' in page.text
    return page


def test_saving_the_answers_downloads_them_as_a_case_file(client: TestClient) -> None:
    page = result_page(client)
    saved = client.post(
        "/check/save",
        data={"csrf_token": csrf_from(page.text), "state": hidden(page.text, "state")},
    )
    assert saved.status_code == 200
    assert "my-coverage-check.yaml" in saved.headers["content-disposition"]
    answers = yaml.safe_load(saved.text)
    assert answers["format"] == "dermcover-answers/1"
    case = answers["case"]
    assert case["condition"] == {"kind": "acne_scars"}
    assert case["impairment"] == []
    assert answers["answered"] == ["condition.kind", "purpose", "impairment"]
    # The case inside is one the API takes as it is.
    again = client.post("/api/v1/determinations", json=case)
    assert again.json()["outcome"] == "not_covered_cosmetic"


def test_saved_answers_hold_every_number_and_resume_where_they_stood(client: TestClient) -> None:
    page = result_page(client)
    typed = {
        "sessions": "3",
        "self_pay": "350",
        "negotiated_rate": "300",
        "deductible": "1500",
        "coinsurance": "20",
    }
    costs = client.post(
        "/check/costs",
        data={"csrf_token": csrf_from(page.text), "state": hidden(page.text, "state"), **typed},
    )
    assert costs.status_code == 200
    # The save form carries the numbers typed; the papers form adds the name and the plan type.
    saved = client.post(
        "/check/save",
        data={
            "csrf_token": csrf_from(costs.text),
            "state": hidden(costs.text, "state"),
            **typed,
            "patient_name": "Ana Gomez",
            "plan_type": "commercial",
        },
    )
    answers = yaml.safe_load(saved.text)
    assert answers["costs"] == {**typed, "patient_name": "Ana Gomez", "plan_type": "commercial"}
    assert answers["case"]["patient"] == {"name": "Ana Gomez"}
    assert answers["case"]["payer"] == {"policy": "generic", "plan_type": "commercial"}
    assert answers["case"]["purpose"] == "appearance"

    token = csrf_from(client.get("/").text)
    resumed = client.post(
        "/check/resume",
        data={"csrf_token": token},
        files={"answers": ("my-coverage-check.yaml", saved.content, "application/yaml")},
    )
    assert resumed.status_code == 200, re.findall(r"role=.alert.>(.*?)</", resumed.text)
    assert 'id="verdict"' in resumed.text
    assert 'name="self_pay" value="350"' in resumed.text  # the numbers are back in the form
    assert 'class="chart"' in resumed.text  # and the costs worked out again
    assert resumed.text.count("$1,050.00") >= 2
    state = json.loads(hidden(resumed.text, "state"))
    assert state["answered"] == ["condition.kind", "purpose", "impairment"]
    assert state["case"]["patient"] == {"name": "Ana Gomez"}


def test_resuming_from_a_file_that_is_not_answers_says_why(client: TestClient) -> None:
    token = csrf_from(client.get("/").text)
    for content, expected in (
        (b"hello: world\n", "not saved answers or a case"),
        (b"case: {procedures: []}\n", "case.procedures"),
        (b"format: dermcover-answers/1\ncase: {procedures: [{kind: peel}]}\n", "kind"),
    ):
        response = client.post(
            "/check/resume",
            data={"csrf_token": token},
            files={"answers": ("mine.yaml", content, "application/yaml")},
        )
        assert response.status_code == 422
        assert expected in html.unescape(response.text)
    empty = client.post("/check/resume", data={"csrf_token": token})
    assert empty.status_code == 422
    assert "Choose the saved answers file" in empty.text


def test_a_cosmetic_result_offers_a_good_faith_estimate_not_a_letter(client: TestClient) -> None:
    page = result_page(client)
    assert 'value="gfe"' in page.text
    assert 'value="lmn"' not in page.text, "no letter where the policy does not support coverage"


def test_a_good_faith_estimate_says_what_it_still_needs(client: TestClient) -> None:
    page = result_page(client)
    response = client.post(
        "/check/papers",
        data={
            "csrf_token": csrf_from(page.text),
            "state": hidden(page.text, "state"),
            "kind": "gfe",
            "self_pay": "350",
        },
    )
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "The Good Faith Estimate can't be written yet" in text
    assert "provider.npi is missing" in text


def download_estimate(client: TestClient, page: Response) -> Response:
    """The Good Faith Estimate from a result page, every field it needs filled in: three
    sessions at $350, the first in three weeks."""
    return client.post(
        "/check/papers",
        data={
            "csrf_token": csrf_from(page.text),
            "state": hidden(page.text, "state"),
            "kind": "gfe",
            "self_pay": "350",
            "sessions": "3",
            "patient_name": "Ana Gomez",
            "birth_date": "1990-04-02",
            "diagnoses": "L90.5",
            "provider_name": "Dr. Casey Lee",
            "provider_npi": "1234567893",
            "provider_tin": "12-3456789",
            "provider_address": "1 Main St, Portland",
            "provider_state": "OR",
            "procedure_code": "17999",
            "scheduled_on": date.today().isoformat(),
            "first_session": (date.today() + timedelta(days=21)).isoformat(),
            "every_weeks": "4",
        },
    )


def test_a_complete_good_faith_estimate_downloads_as_pdf(client: TestClient) -> None:
    response = download_estimate(client, result_page(client))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_look_a_code_up_link_finds_codes(client: TestClient) -> None:
    # The diagnosis-code question links to the lookup: that link must lead somewhere.
    widget = (TEMPLATES / "patient" / "_widget.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(/[^"]*)"', widget)
    assert "/codes" in links
    for link in links:
        assert client.get(link).status_code == 200, link
    lookup = client.get("/codes")
    assert lookup.status_code == 200
    assert "Look a diagnosis code up" in lookup.text
    found = client.get("/codes", params={"q": "acne scars"})
    assert found.status_code == 200
    assert "L90.5" in found.text
    empty = client.get("/codes", params={"q": "!!"})
    assert empty.status_code == 422
    assert "no words to search for" in empty.text


def test_reloading_a_result_step_starts_again_instead_of_405(client: TestClient) -> None:
    for path in ("/check", "/check/costs", "/check/papers", "/check/save"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/"


def test_a_percent_over_100_is_refused_in_percent(client: TestClient) -> None:
    page = result_page(client)
    costs = client.post(
        "/check/costs",
        data={
            "csrf_token": csrf_from(page.text),
            "state": hidden(page.text, "state"),
            "self_pay": "350",
            "coinsurance": "150",
        },
    )
    assert costs.status_code == 422
    text = html.unescape(costs.text)
    assert "150% is not a percent from 0 to 100" in text
    assert "less than or equal to 1" not in text and "0.01" not in text
    assert 'name="coinsurance" value="150"' in costs.text  # what was typed stays


def test_not_listed_or_not_sure_shows_the_spread_across_insurers(client: TestClient) -> None:
    start_page = client.get("/").text
    assert '<option value="all">Not listed, or not sure</option>' in start_page
    page = start(client, "microneedling", policy="all")
    answers = {
        "condition.kind": "acne_scars",
        "purpose": "appearance",
        "impairment": "__none__",
    }
    while 'id="verdict"' not in page.text:
        field = asked(page)
        if field in answers:
            page = reply(client, page, "answer", answer=answers[field])
        else:
            page = reply(client, page, "skip")
    text = html.unescape(page.text)
    assert 'id="spread"' in page.text
    assert "plans we know" in text
    for payer in ("Aetna", "Anthem", "Cigna", "UnitedHealthcare"):
        assert payer in text
    # The spread, not the kinder framework, is the headline.
    assert "Under Common commercial framework" not in text


def answer_all(client: TestClient, page: Response, answers: dict[str, object]) -> Response:
    """Answer what `answers` holds, pass over the rest, until the verdict."""
    seen: list[str] = []
    while 'id="verdict"' not in page.text:
        field = asked(page)
        assert field not in seen, f"{field} was asked twice"
        seen.append(field)
        if field in answers:
            page = reply(client, page, "answer", answer=answers[field])
        else:
            page = reply(client, page, "skip")
    return page


# A burn scar that limits movement, treated to restore function.
BURN_SCAR_FOR_FUNCTION = {
    "condition.kind": "burn_scar",
    "condition.cause": "burn",
    "purpose": "function",
    "impairment": "restricted_range_of_motion",
}


def test_a_medicare_result_with_no_prior_authorization_lists_records_not_a_packet(
    client: TestClient,
) -> None:
    page = start(client, "fractional_ablative_laser", policy="medicare")
    page = answer_all(client, page, BURN_SCAR_FOR_FUNCTION)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
    assert "Under Original Medicare coverage of skin procedures" in text
    assert "Your clinic must ask your insurer to approve it before treatment" not in text
    assert "What your records should show" in text
    assert "No approval is needed first" in text
    assert "What your clinic will need to send" not in text


def test_a_result_needing_prior_authorization_explains_the_term_where_it_appears(
    client: TestClient,
) -> None:
    answers = {
        **BURN_SCAR_FOR_FUNCTION,
        "provider.setting": "office",
        "provider.type": "dermatologist",
    }
    page = answer_all(client, start(client, "fractional_ablative_laser", policy="generic"), answers)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
    assert "Your clinic must ask your insurer to approve it before treatment" in text
    assert (
        "Prior authorization: your insurer's approval, which your clinic asks for before "
        "treatment. Without it the plan can refuse to pay, even for care it covers." in text
    )


def test_a_patient_picks_their_employer_plan_and_it_is_saved_and_resumed(
    client: TestClient,
) -> None:
    page = start(client, "microdermabrasion", policy="uhc")
    assert asked(page) == "payer.plan", "the plan document is asked first"
    text = html.unescape(page.text)
    assert "Which plan are you covered by?" in text
    assert "My employer plan is the MMC medical plan run by UnitedHealthcare" in text
    assert 'value="__not_listed__"' in page.text
    page = reply(client, page, "answer", answer="uhc-mmc-2026")
    page = answer_all(client, page, {"condition.kind": "acne_scars"})
    text = html.unescape(page.text)
    # The plan excludes skin abrasion for acne, whatever UHC's medical policy says.
    assert "Not covered: the plan treats it as cosmetic" in text
    assert "and your plan's own exclusions" in text
    assert "were not checked" not in text

    saved = client.post(
        "/check/save",
        data={"csrf_token": csrf_from(page.text), "state": hidden(page.text, "state")},
    )
    answers = yaml.safe_load(saved.text)
    assert answers["case"]["payer"] == {"policy": "uhc", "plan": "uhc-mmc-2026"}
    assert answers["answered"][0] == "payer.plan"

    resumed = client.post(
        "/check/resume",
        data={"csrf_token": csrf_from(client.get("/").text)},
        files={"answers": ("my-coverage-check.yaml", saved.content, "application/yaml")},
    )
    assert resumed.status_code == 200
    assert 'id="verdict"' in resumed.text, "the plan is not asked again"
    state = json.loads(hidden(resumed.text, "state"))
    assert state["case"]["payer"]["plan"] == "uhc-mmc-2026"
    told = html.unescape(resumed.text)
    assert "My employer plan is the MMC medical plan run by UnitedHealthcare" in told


def test_not_listed_or_not_sure_keeps_the_medical_policy_alone_and_says_so(
    client: TestClient,
) -> None:
    page = start(client, "microdermabrasion", policy="uhc")
    page = reply(client, page, "answer", answer="__not_listed__")
    assert asked(page) != "payer.plan"
    page = answer_all(client, page, {"condition.kind": "acne_scars", "purpose": "appearance"})
    text = html.unescape(page.text)
    assert "The plan's own exclusions" in text and "were not checked" in text
    assert "and your plan's own exclusions" not in text

    saved = client.post(
        "/check/save",
        data={"csrf_token": csrf_from(page.text), "state": hidden(page.text, "state")},
    )
    answers = yaml.safe_load(saved.text)
    assert "plan" not in answers["case"]["payer"]
    assert "payer.plan" in answers["answered"], "the answer “not sure” is kept"
    resumed = client.post(
        "/check/resume",
        data={"csrf_token": csrf_from(client.get("/").text)},
        files={"answers": ("my-coverage-check.yaml", saved.content, "application/yaml")},
    )
    assert 'id="verdict"' in resumed.text, "resuming does not ask for the plan again"
    assert "Not listed, or not sure" in html.unescape(resumed.text)


def test_an_insurer_without_plan_documents_is_not_asked_for_one(client: TestClient) -> None:
    page = start(client, "microneedling", policy="aetna")
    assert asked(page) != "payer.plan"
    page = answer_all(client, page, {"condition.kind": "acne_scars", "purpose": "appearance"})
    state = json.loads(hidden(page.text, "state"))
    assert "payer.plan" not in state["answered"] + state["skipped"]


def test_the_claim_diagnosis_question_is_asked_in_plain_words(client: TestClient) -> None:
    page = start(client, "dermabrasion", policy="medicare")
    answers = {
        "payer.plan_type": "medicare",
        "provider.state": "GA",
        "condition.kind": "rhinophyma",
        "condition.cause": "disease",
        "purpose": "disease_treatment",
    }
    while asked(page) != "condition.diagnoses":
        field = asked(page)
        if field in answers:
            page = reply(client, page, "answer", answer=answers[field])
        else:
            page = reply(client, page, "skip")
    legend = re.search(r'<legend id="question-ask">(.*?)</legend>', page.text, re.S)
    assert legend
    ask = html.unescape(legend.group(1))
    assert "ICD-10-CM" not in ask and "claim" not in ask
    assert "diagnosis codes will the clinic put on the bill" in ask
    # The clinic and the API keep the precise wording.
    case = {
        "payer": {"policy": "medicare", "plan_type": "medicare"},
        "procedures": [{"kind": "dermabrasion"}],
        "provider": {"state": "GA"},
        "condition": {"kind": "rhinophyma", "cause": "disease"},
        "purpose": "disease_treatment",
    }
    questions = client.post("/api/v1/determinations", json=case).json()["questions"]
    codes = next(q for q in questions if q["field"] == "condition.diagnoses")
    assert "ICD-10-CM" in codes["ask"]
    assert "bill" in codes["patient_ask"]


def test_the_plan_choice_can_be_changed_and_offers_every_plan_of_the_insurer(
    client: TestClient,
) -> None:
    page = start(client, "pulsed_dye_laser", policy="uhc")
    options = re.findall(r'name="answer" value="([^"]+)"', page.text)
    assert sorted(options[:-1]) == ["uhc-coc-sample", "uhc-mmc-2026"]
    assert options[-1] == "__not_listed__", "not listed, or not sure, comes last"
    page = reply(client, page, "answer", answer="uhc-coc-sample")
    assert asked(page) != "payer.plan"
    page = reply(client, page, "change", field="payer.plan")
    assert asked(page) == "payer.plan"
    assert "plan" not in json.loads(hidden(page.text, "state"))["case"]["payer"]


def test_the_plan_question_is_asked_in_spanish_on_a_spanish_page(client: TestClient) -> None:
    client.cookies.set("dermcover_lang", "es")
    try:
        page = start(client, "microdermabrasion", policy="uhc")
        text = html.unescape(page.text)
        assert "¿Qué plan le cubre?" in text
        assert "El plan de mi empleador es el plan médico de MMC" in text
    finally:
        client.cookies.delete("dermcover_lang")
