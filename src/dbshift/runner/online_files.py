"""Online migration files (``<version>_<name>.toml``) as seen from the runner.

The runner lists, checksums and records them like any migration, but it cannot run one:
the online engine sits a layer above it (``dbshift.online``). That layer registers a
``WholeApplier`` here (the CLI and the pytest plugin do it at startup, through
``dbshift.online.whole.register``), and ``migrate`` hands it each pending online file:
it runs the engine's own start and complete in-process, so a fresh database gets the very
schema the phased workflow leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from dbshift.errors import UsageError

if TYPE_CHECKING:
    from dbshift.config import Settings
    from dbshift.migrations.model import Migration


class WholeApplier(Protocol):
    """Applies an online migration file as one ordinary migration."""

    def apply_whole(
        self,
        settings: Settings,
        migration: Migration,
        *,
        offline_ok: bool,
        notice: Callable[[str], None],
    ) -> None:
        """Expand and contract at once, over a connection of its own.

        Refuses (``OnlineNotWhole``, nothing changed) when a table the file changes holds
        rows and ``offline_ok`` is false: that is the phased workflow's job."""
        ...

    def in_flight(self, settings: Settings, migration: Migration) -> bool:
        """Whether the online journal has this migration started and not completed."""
        ...

    def refresh(self, settings: Settings) -> list[str]:
        """After ``migrate`` applied migrations: the new version of an online migration in
        flight told about the tables they made or dropped (MySQL's version database lists
        its tables one by one); one line per change."""
        ...


_registered: list[WholeApplier] = []


def register(applier: WholeApplier) -> None:
    """Install the online engine's applier (idempotent: the last one wins)."""
    _registered[:] = [applier]


def applier(migration: Migration) -> WholeApplier:
    if not _registered:
        raise UsageError(
            f"{migration.filename}: an online migration needs the online engine, which this "
            "program did not load; run it with the dbshift command"
        )
    return _registered[0]


def start_command(migration: Migration) -> str:
    return f"dbshift online start {migration.path}"


def complete_command(migration: Migration) -> str:
    return f"dbshift online complete {migration.path.stem}"


def refresh_versions(settings: Settings, notice: Callable[[str], None]) -> None:
    """``WholeApplier.refresh`` when the online engine is loaded (without it no online
    migration can be in flight from this program), its lines as notices."""
    if _registered:
        for line in _registered[0].refresh(settings):
            notice(line)
