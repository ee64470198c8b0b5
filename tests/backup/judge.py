"""Judges that do not trust dbshift: the server's own catalog and the rows themselves.

The schema judge reads what the server says (``pg_dump --schema-only``; MySQL's
``SHOW CREATE`` and information_schema; SQLite's ``sqlite_master``), not dbshift's
inspector. The data judge hashes every row of every table, sorted, so two tables with
the same rows in another physical order are equal and any changed value is not.
"""

from __future__ import annotations

import hashlib
import re

from tests.clients import pg_dump
from tests.conftest import Database


def schema(db: Database) -> list[str]:
    if db.backend == "postgresql":
        out = pg_dump(db.url, "--schema-only")
        return [
            line
            for line in out.splitlines()
            if line.strip() and not line.startswith(("--", "\\restrict", "\\unrestrict"))
        ]
    with db.connect() as conn:
        if db.backend == "sqlite":
            rows = conn.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
            ).all()
            return [repr(tuple(r)) for r in rows]
        out = []
        for name, kind in conn.exec_driver_sql(
            "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME"
        ).all():
            verb = "VIEW" if kind == "VIEW" else "TABLE"
            create = conn.exec_driver_sql(f"SHOW CREATE {verb} `{name}`").all()[0][1]
            out.append(re.sub(r" AUTO_INCREMENT=\d+", "", create))
        for table in ("TRIGGERS", "ROUTINES"):
            key = "TRIGGER_SCHEMA" if table == "TRIGGERS" else "ROUTINE_SCHEMA"
            body = "ACTION_STATEMENT" if table == "TRIGGERS" else "ROUTINE_DEFINITION"
            name = "TRIGGER_NAME" if table == "TRIGGERS" else "ROUTINE_NAME"
            out += [
                repr(tuple(r))
                for r in conn.exec_driver_sql(
                    f"SELECT {name}, {body} FROM information_schema.{table} "
                    f"WHERE {key} = DATABASE() ORDER BY 1"
                ).all()
            ]
        return out


def data(db: Database) -> dict[str, str]:
    """table -> sha256 over the sorted hashes of its rows."""
    import sqlalchemy

    with db.connect() as conn:
        inspector = sqlalchemy.inspect(conn)
        out = {}
        for table in sorted(inspector.get_table_names()):
            quoted = conn.dialect.identifier_preparer.quote(table)
            rows = conn.exec_driver_sql(f"SELECT * FROM {quoted}").all()
            if table.endswith("_history_meta"):
                # The last run's lock holder (runner/orphan.py): who ran, not data.
                rows = [r for r in rows if r[0] != "runner"]
            hashes = sorted(hashlib.sha256(repr(tuple(r)).encode()).hexdigest() for r in rows)
            out[table] = hashlib.sha256("".join(hashes).encode()).hexdigest()
        return out
