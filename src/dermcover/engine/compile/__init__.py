"""Packs compiled once into an intermediate form (`ir`), then to generated Python (`python`),
polars expressions (`polars`) and Spark SQL columns (`spark`). The tree walker in
engine/tree.py stays the reference every back end is tested against."""
