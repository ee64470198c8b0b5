"""Shared by the CLI tests: a project whose scratch databases go to the test servers, and
the scratch databases left on a server."""

from __future__ import annotations

from tests.conftest import MYSQL_URL, POSTGRES_URL, Database, Project, Result


def dev_env(db: Database) -> dict[str, str]:
    """``dev_url`` for ``dbshift test``/``rebase`` scratch databases on ``db``'s server."""
    if db.backend == "postgresql":
        return {"DBSHIFT_DEV_URL": POSTGRES_URL}
    if db.backend == "mysql":
        return {"DBSHIFT_DEV_URL": MYSQL_URL}
    return {}


def run(project: Project, db: Database, *args: str, env: dict[str, str] | None = None) -> Result:
    return project.run(*args, env={**dev_env(db), **(env or {})})


def scratch_names(db: Database) -> set[str]:
    if db.backend == "sqlite":
        return set()
    sql = (
        "SELECT string_agg(datname, ',') FROM pg_database WHERE left(datname, 12) = 'dbshift_dev_'"
        if db.backend == "postgresql"
        else "SELECT GROUP_CONCAT(SCHEMA_NAME) FROM information_schema.SCHEMATA "
        "WHERE LEFT(SCHEMA_NAME, 12) = 'dbshift_dev_'"
    )
    return set(filter(None, (db.scalar(sql) or "").split(",")))
