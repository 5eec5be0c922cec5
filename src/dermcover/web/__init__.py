"""The web service: the HTTP API, the patient pages and the clinic workspace."""

from dermcover.web.app import create_app
from dermcover.web.settings import Settings

__all__ = ["Settings", "create_app"]
