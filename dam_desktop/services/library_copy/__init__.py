"""Copying a whole library between backends (SQLite folder <-> PostgreSQL server), verified."""
