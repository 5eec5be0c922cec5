"""The Spark session a batch run uses: any cluster by `--master` or `SPARK_REMOTE` (Spark
Connect), else local mode on this machine's cores."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOCAL = "local[*]"


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
    return session
