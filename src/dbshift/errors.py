"""One exception hierarchy; the CLI turns each kind into one line and an exit code.

Exit codes are part of the public contract (see docs/cli.md): 1 a migration or validation
failed, 2 usage or configuration error, 3 cannot connect or the lock was not acquired. The
kind decides the code, never the server: the same bad input exits the same on PostgreSQL,
MySQL/MariaDB and SQLite, so lower layers raise these kinds rather than ``ValueError``.
"""

from __future__ import annotations

from typing import Self


class DbshiftError(Exception):
    """Base class. ``exit_code`` tells the CLI how to leave."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def located(self, where: str) -> Self:
        """The same kind of error with ``where`` (a file, ``file:line``, an operation) in
        front: a caller that knows the location adds it without changing the exit code
        (re-raising as another kind is how one bad input came to exit 1 on one server and 2
        on another)."""
        copy = type(self).__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.message = f"{where}: {self.message}"
        copy.args = (copy.message,)
        return copy


class UsageError(DbshiftError):
    """Bad command line, config file, URL or environment name."""

    exit_code = 2


class UnknownDialect(UsageError):
    """A dialect name no server package answers to (a typo must never fall through to
    another server's rules)."""


class Unsupported(UsageError):
    """An operation the server cannot do (or dbshift cannot yet render for it): the message
    names the operation and the dialect (exit 2, the request has to change)."""


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


class PlanError(DbshiftError):
    """An operation cannot be built, or cannot apply to the schema it is given: it names a
    table, column or constraint that is not there, or creates one that already is (exit 1,
    the same on every server: the plan is wrong whichever database it meets)."""


class Irreversible(DbshiftError):
    """No operation undoes this one (its ``reverse``), or a migration has no way back (exit 1)."""


class SplitError(UsageError):
    """Migration SQL cannot be split into statements: an unterminated quote or comment, a bad
    DELIMITER, a psql meta-command (exit 2, a bad file). ``line`` is where the problem is; the
    caller that knows the file turns it into a ``MigrationFileError``."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class LockNotAcquired(DbshiftError):
    """An online phase stopped: its table locks were held by others through every retry
    (exit 3, like the migration lock; nothing half-applied: the step rolled back, or is
    idempotent and runs again)."""

    exit_code = 3


class NoUsableKey(PlanError):
    """A backfill needs a primary key or a unique key on NOT NULL columns to walk the table in
    keyset order, and the table has none (exit 1)."""


class OnlineOperationError(PlanError):
    """An online operation does not fit the table as it is (a column missing or already
    there, a type it cannot resolve, a rollback it has no ``down`` for): refused before
    anything changes, exit 1 on every server like any plan that does not fit its schema.
    A bad file (a key of the wrong kind) is the reader's to say: ``spec.py`` names the file
    in a ``MigrationFileError`` (exit 2)."""


class ServerOverloaded(DbshiftError):
    """A batched write (online backfill, copy) stayed paused at a critical load past its
    timeout (exit 3, like a lock not acquired: the server was not available; the work's
    checkpoint is committed, so running the command again resumes it)."""

    exit_code = 3
