"""The online engine as ``migrate`` uses it: an online file applied whole.

``register()`` installs ``Applier`` in the runner (``runner.online_files``), which cannot
import this layer; the CLI and the pytest plugin call it at startup. What it runs is
``service.apply_whole``: the engine's own start and complete, so CI and new databases get
exactly the schema the phased workflow leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dbshift.config import Settings
    from dbshift.migrations.model import Migration
    from dbshift.online.backfill import TableBackfill


class _Quiet:
    """The engine's progress, unshown: ``migrate`` prints one line per migration (a
    notice in the middle of it would break the line), and a whole apply runs on tables
    that are empty (or with ``--offline-ok``, where the run's timing says enough)."""

    def step(self, text: str) -> None:
        pass

    def backfill(self, table: str, state: TableBackfill) -> None:
        pass


class Applier:
    """``runner.online_files.WholeApplier`` over ``online.service``."""

    def apply_whole(
        self,
        settings: Settings,
        migration: Migration,
        *,
        offline_ok: bool,
        notice: Callable[[str], None],
    ) -> None:
        from dbshift.online import service

        service.apply_whole(migration.path, settings, _Quiet(), offline_ok=offline_ok)

    def in_flight(self, settings: Settings, migration: Migration) -> bool:
        from dbshift.online import service

        phase = service.journal_phase(settings, migration.path)
        return phase is not None and phase.in_flight

    def refresh(self, settings: Settings) -> list[str]:
        from dbshift.online import service

        return service.refresh(settings, schema="public")


def register() -> None:
    from dbshift.runner import online_files

    online_files.register(Applier())
