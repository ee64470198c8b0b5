"""One exception hierarchy; the CLI turns each kind into one line and an exit code.

Exit codes are part of the public contract (see README): 1 a migration or validation
failed, 2 usage or configuration error, 3 cannot connect or the lock was not acquired.
"""

from __future__ import annotations


class DbshiftError(Exception):
    """Base class. ``exit_code`` tells the CLI how to leave."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(DbshiftError):
    """Bad command line, config file, URL or environment name."""

    exit_code = 2


class ConfigError(UsageError):
    """dbshift.toml / pyproject.toml is malformed or names something unknown."""


class MigrationFileError(UsageError):
    """A migration file cannot be read: bad name, no up section, duplicate version, ..."""

    def __init__(self, path: str, message: str, *, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class ConnectError(DbshiftError):
    """The server cannot be reached, or the driver is missing."""

    exit_code = 3


class LockTimeoutError(DbshiftError):
    """Another runner holds the migration lock longer than the lock timeout."""

    exit_code = 3


class MigrationFailed(DbshiftError):
    """A migration statement failed on the server (exit 1)."""


class ValidationFailed(DbshiftError):
    """Applied migrations and files disagree: edited, missing, out of order, bad sum file."""


class Interrupted(DbshiftError):
    """Ctrl-C (SIGINT) stopped a run; the statement running on the server was cancelled."""

    exit_code = 130


class LockNotAcquired(DbshiftError):
    """An online phase stopped: its locks were held by others through every retry
    (nothing half-applied: the step rolled back, or is idempotent and runs again)."""

    exit_code = 3


class NoUsableKey(DbshiftError):
    """A backfill found no key to walk the table in keyset order."""


class OnlineOperationError(UsageError):
    """An online operation does not fit the table as it is (a column missing or already
    there, a type it cannot resolve, a rollback it has no ``down`` for): refused before
    anything changes, with the same exit code on every server."""
