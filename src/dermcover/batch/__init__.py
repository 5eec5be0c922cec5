"""Batch runs: many cases from a file, decided on polars or Spark, written per line, with
rejects, a summary and policy impact analysis. A thin shell over engine/compile."""
