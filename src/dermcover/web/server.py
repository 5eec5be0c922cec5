"""What one server process runs: the app made from the environment, warmed before it serves.

`dermcover serve` starts one or more of these (uvicorn imports `app` by name in each worker
process), after it has migrated the database and built the ICD-10-CM table once for all of them.
"""

from __future__ import annotations

import gc

from fastapi import FastAPI

from dermcover.codes.search import search_icd10
from dermcover.logs import configure_logging
from dermcover.web.app import create_app


def app() -> FastAPI:
    """The application of one worker process."""
    # The app logs each request itself (web.middleware.Safeguards), so uvicorn's access log
    # stays off, as `dermcover serve` asks it to be.
    configure_logging(access_log=False)
    application = create_app()
    warm_up()
    return application


def warm_up() -> None:
    """Do now what the first request would otherwise wait for: the ICD-10-CM table is opened
    and the code search index loaded (or built, about a second, on a first run).

    Then everything loaded so far (some 150,000 objects: the framework, the models, the packs)
    is moved out of the garbage collector's sight with `gc.freeze()`. It lives as long as the
    process, and a full collection that walked it paused a request for tens of milliseconds;
    the collector still looks after everything the requests make."""
    search_icd10("acne", 1)
    gc.collect()
    gc.freeze()
