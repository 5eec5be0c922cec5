"""The Spark session a batch run uses: any cluster by `--master` or `SPARK_REMOTE` (Spark
Connect), else local mode on this machine's cores."""

from __future__ import annotations

import logging
import os
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

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
        return builder.remote(remote).getOrCreate()
    session = (
        builder.master(master or LOCAL)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    _cancel_on_interrupt(session)
    return session


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
