"""Applying migrations: history table, locking, execution, journal, offline SQL."""
