"""Case records, staff accounts and the audit log, in SQLite or PostgreSQL."""
