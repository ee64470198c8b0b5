"""Every server's Dialect has a backup engine, found by its class, whose kind (the
manifest's backend) is the Dialect's name."""

from __future__ import annotations

from dbshift.backup.service import engine_for
from dbshift.connection import parse_url
from dbshift.dialects import classes


def test_every_dialect_class_has_a_backup_engine_of_its_kind() -> None:
    for dialect in classes():
        for scheme in dialect.url_schemes:
            raw = f"{scheme}:///x.db" if dialect.database_is_a_file else f"{scheme}://u@h/db"
            for tool in ("auto", "builtin"):
                assert engine_for(parse_url(raw), tool=tool).kind == dialect.name
