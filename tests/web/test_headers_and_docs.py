"""Headers on every answer (CSP with no inline script, Permissions-Policy, no-store, HSTS over
HTTPS), Swagger UI served by the service itself, and an OpenAPI document that is complete."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from .support import make_app

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "dermcover" / "web" / "templates"


def test_every_answer_carries_the_policies_and_patient_data_is_not_stored(
    client: TestClient,
) -> None:
    for path in ("/", "/api/v1/policies", "/clinic/login", "/docs", "/openapi.json"):
        answer = client.get(path)
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "camera=()" in answer.headers["permissions-policy"]
        assert answer.headers["cache-control"] == "no-store", path
    assert "no-store" not in client.get("/static/style.css").headers.get("cache-control", "")


def test_hsts_only_over_https(sqlite_url: URL) -> None:
    app = make_app(sqlite_url)
    with TestClient(app, base_url="https://testserver") as secure:
        assert "max-age=31536000" in secure.get("/").headers["strict-transport-security"]
    with TestClient(app) as plain:
        assert "strict-transport-security" not in plain.get("/").headers
    behind = make_app(sqlite_url, trusted_proxies=frozenset({"testclient"}))
    with TestClient(behind) as proxied:
        answer = proxied.get("/", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" in answer.headers


def test_no_template_has_an_inline_script_or_handler() -> None:
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template.name
        assert not re.search(r"\son[a-z]+\s*=", text), template.name


def test_swagger_ui_comes_from_the_service_itself(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert not re.search(r"(src|href)=\"https?://", page.text), "nothing from another origin"
    assert "<script>" not in page.text
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/redoc").status_code == 404


def refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if "$ref" in node else set()
        return found.union(*(refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(refs(v) for v in node))
    return set()


def test_the_openapi_document_is_complete(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert {r.removeprefix("#/components/schemas/") for r in refs(document)} <= set(schemas)
    assert set(schemas["Error"]["required"]) == {"detail", "field"}
    assert "HTTPValidationError" not in schemas
    assert set(document["components"]["securitySchemes"]) == {"staffSession", "csrfToken"}
    for path, operations in document["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"422", "503"} <= set(responses), (method, path)
            if "requestBody" in operation:
                assert {"413", "415"} <= set(responses), (method, path)
            if path.startswith("/api/v1/cases"):
                assert {"401", "403"} <= set(responses), (method, path)
                assert operation["security"][0].keys() >= {"staffSession"}
                assert "{case_id}" not in path or "404" in responses
    assert "429" in document["paths"]["/api/v1/session"]["post"]["responses"]


def test_each_document_kind_has_a_path_whose_schema_requires_its_input(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    paths, schemas = document["paths"], document["components"]["schemas"]
    needed = {"lmn": None, "pa-packet": None, "gfe": "estimate", "appeal": "denial"}
    for kind, field in needed.items():
        for path, body in (
            (f"/api/v1/documents/{kind}", "case"),
            (f"/api/v1/cases/{{case_id}}/documents/{kind}", None),
        ):
            media = paths[path]["post"]["requestBody"]["content"]["application/json"]
            schema = schemas[media["schema"]["$ref"].removeprefix("#/components/schemas/")]
            assert set(schema.get("required", [])) == {body, field} - {None}, path
    assert not [path for path in paths if path.endswith("{kind}")]


def test_money_is_documented_as_the_numbers_it_is_sent_as(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    line = document["components"]["schemas"]["SessionLine"]["properties"]
    assert line["patient"]["type"] == "number" and line["allowed"]["type"] == "number"
    answer = client.post("/api/v1/estimates", json={"prices": {"self_pay": 350}})
    assert re.search(r'"patient":\s*350\.00[,}]', answer.text), answer.text[:300]


def test_determinations_and_their_refusals_carry_the_headers_too(client: TestClient) -> None:
    decided = client.post("/api/v1/determinations", json={"procedures": [{"kind": "excision"}]})
    refused = client.post("/api/v1/determinations", json={"procedures": [{"kind": "nothing"}]})
    for answer, status in ((decided, 200), (refused, 422)):
        assert answer.status_code == status
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
