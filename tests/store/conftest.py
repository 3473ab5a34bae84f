"""The feedback store (kb.store): votes on SQLite and PostgreSQL, import, export, privacy."""
