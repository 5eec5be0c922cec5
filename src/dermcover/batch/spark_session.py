"""The Spark session a batch run uses: any cluster by `--master` or `SPARK_REMOTE` (Spark
Connect), else local mode on this machine's cores."""

from __future__ import annotations

import logging
import os
import signal
import threading
import warnings
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOCAL = "local[*]"
_CANCEL_SECONDS = 10  # how long Ctrl-C waits for the jobs to be cancelled before stopping


def spark_session(master: str | None = None, *, app_name: str = "dermcover batch") -> SparkSession:
    """A session on `master` (e.g. spark://host:7077, yarn, local[2]); with none given and
    SPARK_REMOTE set, a Spark Connect session to it; else local mode."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    remote = os.environ.get("SPARK_REMOTE")
    if master is None and remote:
        _connect_client_installed()
        if not remote.startswith("local"):
            return builder.remote(remote).getOrCreate()
        # A Connect server of its own, started here with these settings; the client then
        # offers them to the session too, which a running server refuses with a warning each.
        builder = _quiet(builder).config("spark.log.level", "ERROR").remote(remote)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Failed to set spark", UserWarning)
            return builder.getOrCreate()
    session = _quiet(builder.master(master or LOCAL)).getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _cancel_on_interrupt(session)
    return session


def _quiet(builder: SparkSession.Builder) -> SparkSession.Builder:
    """No web UI and no console progress bar (the command draws its own); few shuffle
    partitions, as fits one machine."""
    return (
        builder.config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
    )


def _connect_client_installed() -> None:
    """Spark Connect's client needs pyspark's `connect` extra: without it, one line that says
    what to install, not pyspark's traceback."""
    from importlib.util import find_spec

    missing = [name for name in ("pandas", "grpc", "google.rpc") if not _found(find_spec, name)]
    if missing:
        from dermcover.inputs import InputError

        raise InputError(
            f"SPARK_REMOTE is set, but Spark Connect's client needs {', '.join(missing)}: "
            "install it with pip install 'pyspark[connect]' (or 'dermcover[spark]')"
        )


def _found(find_spec: Any, name: str) -> bool:
    try:
        return find_spec(name) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def _cancel_on_interrupt(session: SparkSession) -> None:
    """Ctrl-C cancels the session's jobs and stops the run with KeyboardInterrupt, quietly:
    the command tells the interruption in one line of its own. pyspark's own handler asks
    the JVM to cancel from inside the call the main thread is waiting on, which py4j
    refuses with tracebacks; here the jobs are cancelled from a thread of their own, over a
    connection of its own, with the JVM's log and py4j's (whose cut-short calls it logs
    with their tracebacks, some on the root logger) silenced first."""
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may handle signals
    context = session.sparkContext

    def cancel() -> None:
        context.setLogLevel("OFF")  # the cancelled jobs' errors
        context.cancelAllJobs()

    def interrupted(signum: int, frame: FrameType | None) -> NoReturn:
        logging.getLogger("py4j").setLevel(logging.CRITICAL + 1)
        logging.getLogger().addFilter(_from_py4j)
        canceller = threading.Thread(target=cancel, daemon=True)
        canceller.start()
        canceller.join(timeout=_CANCEL_SECONDS)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupted)


def _from_py4j(record: logging.LogRecord) -> bool:
    """False for what py4j logs on the root logger."""
    return "py4j" not in Path(record.pathname).parts
