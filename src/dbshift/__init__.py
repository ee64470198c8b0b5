"""dbshift: crash-safe versioned schema migrations for PostgreSQL, MySQL/MariaDB and SQLite."""

__version__ = "0.1.0"
