"""/docs: Swagger UI for the OpenAPI document, served entirely by the service.

Its files come from the `swagger-ui-bundle` package (Swagger UI's own dist files, Apache-2.0),
mounted at /docs-assets; the page starts it with a script from /static, so the
Content-Security-Policy needs no inline script and no other origin.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs-assets"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>dermcover API</title>
  <link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
  <script src="{ASSETS}/swagger-ui-bundle.js" defer></script>
  <script src="/static/api-docs.js" defer></script>
</head>
<body><div id="swagger-ui"></div></body>
</html>
"""


def install_api_docs(app: FastAPI) -> None:
    app.mount(ASSETS, StaticFiles(directory=Path(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)
