"""Convergence on real servers: for random schemas a and b, applying diff(a, b) to a
database holding a makes it inspect as b (and a second diff is empty); applying the
reversed operations brings it back to a.
"""

from __future__ import annotations

import string
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbshift.diff import DiffOptions, diff
from dbshift.model import (
    CheckConstraint,
    Column,
    ForeignKey,
    Identity,
    Index,
    IndexElement,
    PrimaryKey,
    ReferentialAction,
    Schema,
    Sequence,
    Table,
    TableOptions,
    UniqueConstraint,
)
from tests.conftest import Database
from tests.diff.helpers import apply_ops, inspect_db, unordered

#: Types as each catalog prints them (what the inspectors return). PostgreSQL's are all
#: castable into each other (USING col::type: no boolean, bigint has no cast to it), so
#: random type changes can run.
TYPES = {
    "postgresql": ["integer", "bigint", "text", "character varying(20)", "numeric(10,2)"],
    "mysql": ["int(11)", "bigint(20)", "text", "varchar(20)", "tinyint(1)", "decimal(10,2)"],
    "sqlite": ["INTEGER", "TEXT", "REAL", "NUMERIC", "BLOB"],
}
NAMES = (
    st.text(alphabet=string.ascii_lowercase + "_ ;\"'`é", min_size=1, max_size=8)
    .map(str.strip)
    .filter(bool)
)


@st.composite
def schemas(draw: st.DrawFn, dialect: str) -> Schema:
    names = draw(st.lists(NAMES, min_size=1, max_size=4, unique_by=str.lower))
    tables = []
    for t_name in names:
        col_names = draw(st.lists(NAMES, min_size=1, max_size=5, unique_by=str.lower))
        identity = None
        if dialect == "postgresql":  # an identity on both sides: its options are altered
            identity = Identity(
                always=draw(st.booleans()),
                increment=draw(st.sampled_from([1, 3])),
                max_value=draw(st.sampled_from([None, 10**6])),
                cycle=draw(st.booleans()),
                cache=draw(st.sampled_from([None, 5])),
            )
        columns = [Column(name="id", type=TYPES[dialect][0], nullable=False, identity=identity)]
        for c in col_names:
            if c.lower() == "id":
                continue
            nullable = draw(st.booleans())
            columns.append(
                Column(
                    name=c,
                    type=draw(st.sampled_from(TYPES[dialect])),
                    nullable=nullable,
                    # MariaDB: an invisible NOT NULL column needs a default.
                    invisible=dialect == "mysql" and nullable and draw(st.booleans()),
                )
            )
        indexes = []
        if len(columns) > 1 and draw(st.booleans()):
            # MySQL cannot index text without a prefix length: index the id and one column
            # only when that column is not text-like.
            target = columns[1]
            if "text" not in target.type.lower() and "blob" not in target.type.lower():
                indexes.append(
                    Index(
                        name=f"ix_{t_name}"[:30],
                        elements=(IndexElement(target.name, descending=draw(st.booleans())),),
                        unique=draw(st.booleans()),
                    )
                )
        checks = ()
        if dialect != "mysql" and draw(st.booleans()):
            checks = (CheckConstraint(name=f"ck_{t_name}"[:30], expression=_positive(dialect)),)
        uniques = ()
        if dialect == "postgresql" and len(columns) > 1 and draw(st.booleans()):
            # PostgreSQL 15+: NULLS NOT DISTINCT; 11+: INCLUDE.
            uniques = (
                UniqueConstraint(
                    name=f"uq_{t_name}"[:30],
                    columns=(columns[1].name,),
                    include=("id",) if draw(st.booleans()) else (),
                    nulls_not_distinct=draw(st.booleans()),
                ),
            )
        options = TableOptions()
        if dialect == "mysql":  # a default collation other than the database's, sometimes
            options = TableOptions(collation=draw(st.sampled_from([None, "utf8mb4_bin"])))
        tables.append(
            Table(
                name=t_name,
                options=options,
                columns=tuple(columns),
                primary_key=PrimaryKey(columns=("id",), name=_pk_name(dialect, t_name)),
                indexes=tuple(indexes),
                checks=checks,
                uniques=uniques,
            )
        )
    # A foreign key from the second table to the first, sometimes.
    if len(tables) > 1 and draw(st.booleans()):
        child, parent = tables[1], tables[0]
        if child.columns[0].type == parent.columns[0].type:
            fk = ForeignKey(
                name=_fk_name(dialect, child.name),
                columns=("id",),
                ref_table=parent.name,
                ref_columns=("id",),
                on_delete=draw(
                    st.sampled_from([ReferentialAction.NO_ACTION, ReferentialAction.CASCADE])
                ),
            )
            tables[1] = replace(child, foreign_keys=(fk,))
    sequences = []
    if dialect == "postgresql":  # kept ones are altered in place, the others come and go
        for name in draw(st.lists(st.sampled_from(["s1", "s 2"]), unique=True)):
            increment = draw(st.sampled_from([1, 7, -1]))
            sequences.append(
                Sequence(
                    name=name,
                    type=draw(st.sampled_from(["integer", "bigint"])),
                    increment=increment,
                    start=1 if increment > 0 else -1,  # within the direction's bounds
                    cycle=draw(st.booleans()),
                    cache=draw(st.sampled_from([1, 20])),
                )
            )
    return Schema(tables=tuple(tables), sequences=tuple(sequences))


def _positive(dialect: str) -> str:
    return {"postgresql": "(id > 0)", "sqlite": '"id" > 0', "mysql": "`id` > 0"}[dialect]


def _pk_name(dialect: str, table: str) -> str | None:
    return f"{table}_pkey" if dialect == "postgresql" else None


def _fk_name(dialect: str, table: str) -> str:
    return "" if dialect == "sqlite" else f"fk_{table}"[:30]


def _reset(db: Database) -> None:
    """Empty the database by the server's own means, so a failed example cannot leak into
    the next one (hypothesis replays many examples on one database)."""
    with db.connect() as conn:
        raw = conn.execution_options(isolation_level="AUTOCOMMIT", no_parameters=True)
        if db.backend == "postgresql":
            raw.exec_driver_sql("DROP SCHEMA public CASCADE")
            raw.exec_driver_sql("CREATE SCHEMA public")
        elif db.backend == "mysql":
            raw.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
            names = raw.exec_driver_sql("SHOW TABLES").scalars().all()
            for name in names:
                raw.exec_driver_sql("DROP TABLE `" + name.replace("`", "``") + "`")
            raw.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")
        else:
            names = (
                raw.exec_driver_sql(
                    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
                )
                .scalars()
                .all()
            )
            for name in names:
                raw.exec_driver_sql('DROP TABLE "' + name.replace('"', '""') + '"')


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_diff_converges_and_reverses(db: Database, data: st.DataObject) -> None:
    options = DiffOptions(inline_foreign_keys=db.backend == "sqlite")
    a = data.draw(schemas(db.backend), label="a")
    b = data.draw(schemas(db.backend), label="b")

    # Materialise b first to learn its catalog spelling, then a.
    _reset(db)
    apply_ops(db, diff(Schema(), b, options), Schema())
    b_seen = inspect_db(db)
    _reset(db)
    apply_ops(db, diff(Schema(), a, options), Schema())
    a_seen = inspect_db(db)

    up = diff(a_seen, b_seen, options)
    apply_ops(db, up, a_seen)
    after = inspect_db(db)
    assert unordered(after) == unordered(b_seen)
    assert diff(after, b_seen, options) == []

    down = [op.reverse() for op in reversed(up)]
    apply_ops(db, down, after)
    assert unordered(inspect_db(db)) == unordered(a_seen)
