"""Plain driver connections for the harness's writers and judge (psycopg, PyMySQL), from
the scratch databases' SQLAlchemy-style URLs."""

from __future__ import annotations

from typing import Any

import psycopg
import pymysql
from sqlalchemy.engine import make_url


def pg_connect(url: str, search_path: str | None = None) -> psycopg.Connection[Any]:
    """Autocommit, as an application's pool hands out connections; ``search_path`` picks
    the version (the new one is ``<schema>_<migration>, <schema>``)."""
    u = make_url(url)
    options = f"-csearch_path={search_path}" if search_path else None
    return psycopg.connect(
        dbname=u.database,
        host=u.host or "127.0.0.1",
        port=u.port or 5432,
        user=u.username or "postgres",
        password=u.password or None,
        autocommit=True,
        options=options,
    )


def mysql_connect(url: str, database: str | None = None) -> Any:
    """Autocommit; ``database`` picks the version (the new one is a database of its own)."""
    u = make_url(url)
    return pymysql.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 3306,
        user=u.username or "root",
        password=u.password or "",
        database=database or u.database,
        autocommit=True,
    )
