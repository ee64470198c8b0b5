"""Constraints the server named, matched by what they are rather than by that name.

A foreign key or check declared without a name (SQLAlchemy's ``ForeignKey("a.id")``, a bare
``CHECK``) gets one from the server that counts the table's constraints in the order they
were made: MySQL/MariaDB's ``orders_ibfk_2``, MariaDB's ``CONSTRAINT_1``. A database that
Alembic's migrations built, one ALTER at a time, and the scratch database the models were
created on name the same constraints differently; compared by name they would be dropped
and added again for nothing (Alembic matches unnamed constraints by their definition).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from dbshift.dialects.base import Dialect
    from dbshift.model import CheckConstraint, ForeignKey, Schema

C = TypeVar("C", "ForeignKey", "CheckConstraint")


def adopt_generated_names(current: Schema, desired: Schema, dialect: Dialect) -> Schema:
    """``desired`` with each server-named foreign key and check that only its name tells
    from one of ``current``'s (server-named too) renamed to that one's name."""
    old_tables = {t.key: t for t in current.tables}
    tables = []
    changed = False
    for table in desired.tables:
        old = old_tables.get(table.key)
        if old is None or old == table:
            tables.append(table)
            continue

        def generated(kind: str, name: str | None, table_name: str = table.name) -> bool:
            return name is not None and dialect.generated_constraint_name(table_name, kind, name)

        fks = _adopt(old.foreign_keys, table.foreign_keys, lambda n: generated("foreign_key", n))
        checks = _adopt(old.checks, table.checks, lambda n: generated("check", n))
        if fks is not table.foreign_keys or checks is not table.checks:
            table = replace(table, foreign_keys=fks, checks=checks)
            changed = True
        tables.append(table)
    return replace(desired, tables=tuple(tables)) if changed else desired


def _adopt(
    olds: Sequence[C], news: tuple[C, ...], generated: Callable[[str | None], bool]
) -> tuple[C, ...]:
    spare = [o for o in olds if o not in news and generated(o.name)]
    if not spare:
        return news
    result: list[C] = []
    for new in news:
        if new not in olds and generated(new.name):
            twin = next((o for o in spare if replace(o, name=new.name) == new), None)
            if twin is not None:
                spare.remove(twin)
                new = twin
        result.append(new)
    if len({c.name for c in result}) != len(result):
        return news  # only some of them matched: a name would be taken twice
    return tuple(result)
