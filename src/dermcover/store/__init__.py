"""Case records, staff accounts and the audit log, in SQLite or PostgreSQL.

- `settings`: DATABASE_URL, else `dermcover.db` (SQLite) in the working directory.
- `database`: engines that never log values, and the session factory.
- `models`: the tables; `migrations/` (shipped with the package) builds them, and
  `migrate.upgrade_database(url)` applies what a database lacks, at start-up.
- `cases.CaseRepository`, `users.UserRepository`, `audit.AuditLog`: the only way in. Every write
  is one transaction with its audit entry inside it.
- `timeline`: how a case's status and open deadlines follow from its determination and events;
  `clocks`: which regulatory clock (from `dermcover.deadlines`) an event starts.
- `passwords`: the strength rule and argon2id hashes.
"""
