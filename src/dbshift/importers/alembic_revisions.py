"""Alembic: the ``versions/`` revision chain, rendered to SQL by Alembic's offline mode.

Each revision's ``upgrade()`` and ``downgrade()`` run against a ``MigrationContext`` in
``as_sql`` mode for the target dialect (what ``alembic upgrade --sql`` does), without the
project's ``env.py``: that file usually imports the application and wants a database URL,
and the SQL of one revision does not depend on it. Revisions are numbered 1, 2, 3 … in
chain order. A revision that needs a live connection (``op.get_bind()``, reading data) has
no offline form and is refused, naming it. Several heads are refused: merge them first.

History: ``alembic_version`` holds the current head(s); each and all its ancestors were
applied. Alembic keeps no timestamps, so the rows are dated at the import.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbshift.errors import MigrationFileError, UsageError
from dbshift.importers.model import Applied, Imported, ImportedMigration, escape_placeholders
from dbshift.importers.tables import read_table

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect

TOOL = "Alembic"
TABLE = "alembic_version"


def _script_directory(source: Path) -> Any:
    try:
        from alembic.script import ScriptDirectory
    except ImportError:
        raise UsageError(
            "importing Alembic revisions needs Alembic: pip install 'dbshift[alembic]'"
        ) from None
    versions = source / "versions" if (source / "versions").is_dir() else source
    if not any(versions.glob("*.py")):
        raise UsageError(f"{source}: no Alembic revision files (versions/*.py)")
    from alembic.util import CommandError

    try:
        return ScriptDirectory(str(versions), version_locations=[str(versions)])
    except CommandError as exc:
        raise UsageError(f"{source}: {exc}") from None


def _chain(script: Any, source: Path) -> list[Any]:
    from alembic.util import CommandError

    try:
        heads = script.get_heads()
        revisions = list(script.walk_revisions(base="base", head="heads"))
    except CommandError as exc:
        raise UsageError(f"{source}: {exc}") from None
    if len(heads) > 1:
        raise UsageError(
            f"{source}: the revisions have {len(heads)} heads ({', '.join(sorted(heads))}); "
            "merge them with 'alembic merge heads' first"
        )
    return list(reversed(revisions))


def read(source: Path, dialect: Dialect) -> Imported:
    script = _script_directory(source)
    migrations = []
    for number, revision in enumerate(_chain(script, source), start=1):
        module = revision.module
        up = _render(module, "upgrade", dialect, revision.path)
        down = _render(module, "downgrade", dialect, revision.path)
        description = (revision.doc or revision.revision).strip().splitlines()[0]
        migrations.append(
            ImportedMigration(
                key=revision.revision,
                version=number,
                description=description,
                up=escape_placeholders(up),
                down=escape_placeholders(down) if down.strip() else None,
                sources=(Path(revision.path).name,),
                parents=_parents(revision.down_revision),
            )
        )
    return Imported(tool=TOOL, migrations=migrations, renumbered=True)


def _parents(down: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if down is None:
        return ()
    return (down,) if isinstance(down, str) else tuple(down)


def _render(module: Any, function: str, dialect: Dialect, path: str) -> str:
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    body = getattr(module, function, None)
    if not callable(body):
        return ""
    buffer = io.StringIO()
    context = MigrationContext.configure(
        dialect_name=dialect.name,
        opts={"as_sql": True, "output_buffer": buffer, "literal_binds": True},
    )
    try:
        with Operations.context(context):
            body()
    except Exception as exc:
        raise MigrationFileError(
            path,
            f"{function}() cannot be rendered as offline SQL ({type(exc).__name__}: "
            f"{' '.join(str(exc).split())}); write this revision's SQL by hand after the import",
        ) from None
    return buffer.getvalue().strip()


def applied(conn: Connection, imported: Imported, table: str | None) -> list[Applied] | None:
    rows = read_table(conn, table or TABLE, ["version_num"])
    if rows is None:
        return None
    if not rows:
        return []
    by_key = {m.key: m for m in imported.migrations}
    done: set[str] = set()
    for (head,) in rows:
        if head not in by_key:
            raise UsageError(
                f"{table or TABLE}: the database is at revision {head}, which is not in the "
                "imported directory"
            )
        done |= _ancestors(head, imported)
    return [Applied(key=m.key) for m in imported.migrations if m.key in done]


def _ancestors(head: str, imported: Imported) -> set[str]:
    """``head`` and every revision it descends from (merge revisions have several parents)."""
    parents = {m.key: m.parents for m in imported.migrations}
    out: set[str] = set()
    todo = [head]
    while todo:
        key = todo.pop()
        if key not in out:
            out.add(key)
            todo.extend(parents.get(key, ()))
    return out
