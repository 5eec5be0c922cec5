"""Alembic migrations of the case-record schema (see `dermcover.store.migrate`)."""
