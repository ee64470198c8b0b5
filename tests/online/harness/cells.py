"""The operations of the online file format, each as one harness case: the file, the
desired shape written as plain DDL, what each version's writers write, and how a row's
state in one version maps to the other (the ``up``/``down`` of the file, in Python).

One table declares what a backend does not support (``UNSUPPORTED``): those cells still
run, and assert the refusal (nothing changed), so a backend gaining or losing support
shows up as a failing cell rather than a silent skip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]
ROWS = 3000
TABLE = "items"
BACKENDS = ("postgresql", "mysql", "sqlite")
FINISHES = ("complete", "rollback")

_KEY = {
    "postgresql": "id bigserial PRIMARY KEY",
    "mysql": "id bigint AUTO_INCREMENT PRIMARY KEY",
    "sqlite": "id INTEGER PRIMARY KEY",
}


def series(backend: str, table: str, columns: str, select: str, lo: int, hi: int) -> str:
    """``INSERT INTO table (columns) SELECT select FROM lo..hi``, ``g`` naming the number."""
    if backend == "postgresql":
        return f"INSERT INTO {table} ({columns}) SELECT {select} FROM generate_series({lo}, {hi}) g"
    if backend == "mysql":
        return (
            f"INSERT INTO {table} ({columns}) SELECT {select} "
            f"FROM (SELECT seq AS g FROM seq_{lo}_to_{hi}) s"
        )
    return (
        f"WITH RECURSIVE s(g) AS (SELECT {lo} UNION ALL SELECT g + 1 FROM s WHERE g < {hi}) "
        f"INSERT INTO {table} ({columns}) SELECT {select} FROM s"
    )


def cat(backend: str, *parts: str) -> str:
    """String concatenation: ``||`` is OR on MariaDB, and SQLite 3.40 has no concat()."""
    return " || ".join(parts) if backend == "sqlite" else f"concat({', '.join(parts)})"


#: Every case's table carries a unique index of its own on ``code``: whatever an operation
#: does, it must come out of complete as the desired shape has it and out of rollback as
#: it was (issue: alter_column used to lose the unique constraint of the column it alters).
CODE_UNIQUE = f"CREATE UNIQUE INDEX items_code_uq ON {TABLE} (code)"


def base_setup(backend: str) -> list[str]:
    """The table every case starts from (``note`` is varchar so MariaDB can index it)."""
    return [
        f"CREATE TABLE {TABLE} ({_KEY[backend]}, code varchar(64) NOT NULL, "
        "note varchar(200), qty integer NOT NULL DEFAULT 0)",
        series(
            backend,
            TABLE,
            "code, note, qty",
            ", ".join((cat(backend, "'c'", "g"), cat(backend, "'n'", "g"), "g % 100")),
            1,
            ROWS,
        ),
        CODE_UNIQUE,
    ]


def initial_row(i: int) -> Row:
    return {"code": f"c{i}", "note": f"n{i}", "qty": i % 100}


def old_default(c: int) -> Row:
    return {"code": f"w{c}", "note": f"o{c}", "qty": c % 50}


def _same(row: Row, base: Row | None) -> Row:
    return dict(row)


def op(body: str, table: str = TABLE) -> str:
    """One ``[[operations]]`` block."""
    return f'\n[[operations]]\ntable = "{table}"\n{body}'


@dataclass(frozen=True)
class Operation:
    key: str
    #: The ``[[operations]]`` blocks, the same on every backend unless ``toml_for`` says.
    toml: str
    #: Plain DDL that gives the desired shape directly, run after the setup.
    desired: tuple[str, ...]
    #: Every column the new version's writers write (the old version writes ``old_values``).
    new_values: Callable[[int], Row]
    #: An old-version row state -> the row after complete.
    up: Callable[[Row, Row | None], Row]
    #: A new-version row state -> the row after rollback.
    down: Callable[[Row, Row | None], Row]
    old_values: Callable[[int], Row] = old_default
    toml_for: dict[str, str] = field(default_factory=dict)
    desired_for: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Extra setup SQL per backend (the owners table of a foreign key, an index to drop).
    setup_for: dict[str, tuple[str, ...]] = field(default_factory=dict)
    new_table: str = TABLE
    #: A new-version row state -> the row after complete (where the new version does not
    #: see every column the completed table has).
    new_completed: Callable[[Row, Row | None], Row] = _same
    #: SELECT id, <columns> giving the state after complete, where not one table.
    read_completed: str | None = None

    def file(self, backend: str) -> str:
        return "safety_period = 0\n" + self.toml_for.get(backend, self.toml)

    def ddl(self, backend: str) -> list[str]:
        return list(self.desired_for.get(backend, self.desired))

    def setup(self, backend: str) -> list[str]:
        return [*base_setup(backend), *self.setup_for.get(backend, ())]


def _sqlite_rebuild(columns: str, *, table: str = TABLE, extra: str = "") -> tuple[str, ...]:
    """SQLite's documented way to reach a shape ALTER TABLE cannot: a new table."""
    return (
        f"CREATE TABLE _new ({_KEY['sqlite']}, {columns}{extra})",
        f"DROP TABLE {table}",
        f"ALTER TABLE _new RENAME TO {table}",
        CODE_UNIQUE,
    )


def _without(row: Row, *names: str) -> Row:
    return {k: v for k, v in row.items() if k not in names}


ADD_COLUMN = Operation(
    "add_column",
    op(
        'type = "add_column"\ncolumn = "tag"\ndata_type = "varchar(80)"\n'
        "default = \"'none'\"\nnot_null = true\nup = \"concat('t-', code)\"\n"
    ),
    ("ALTER TABLE items ADD COLUMN tag varchar(80) NOT NULL DEFAULT 'none'",),
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}", "qty": c % 50, "tag": f"T{c}"},
    up=lambda r, b: {**r, "tag": "t-" + r["code"]},
    down=lambda r, b: _without(r, "tag"),
    toml_for={
        "sqlite": op(
            'type = "add_column"\ncolumn = "tag"\ndata_type = "varchar(80)"\n'
            "default = \"'none'\"\nnot_null = true\nup = \"'t-' || code\"\n"
        )
    },
)

ADD_NULLABLE_COLUMN = Operation(
    "add_column_nullable",
    op('type = "add_column"\ncolumn = "tag"\ndata_type = "varchar(80)"\n'),
    ("ALTER TABLE items ADD COLUMN tag varchar(80)",),
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}", "qty": c % 50, "tag": f"T{c}"},
    up=lambda r, b: {**r, "tag": None},
    down=lambda r, b: _without(r, "tag"),
)

DROP_COLUMN = Operation(
    "drop_column",
    op('type = "drop_column"\ncolumn = "qty"\ndown = "-1"\n'),
    ("ALTER TABLE items DROP COLUMN qty",),
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}"},
    up=lambda r, b: _without(r, "qty"),
    down=lambda r, b: {**r, "qty": -1},
)

RENAME_COLUMN = Operation(
    "rename_column",
    op('type = "rename_column"\ncolumn = "note"\nnew_name = "remark"\n'),
    ("ALTER TABLE items RENAME COLUMN note TO remark",),
    new_values=lambda c: {"code": f"N{c}", "remark": f"r{c}", "qty": c % 50},
    up=lambda r, b: {"code": r["code"], "remark": r["note"], "qty": r["qty"]},
    down=lambda r, b: {"code": r["code"], "note": r["remark"], "qty": r["qty"]},
)

ALTER_COLUMN = Operation(
    "alter_column",
    op(
        'type = "alter_column"\ncolumn = "code"\ndata_type = "varchar(100)"\n'
        'up = "upper(code)"\ndown = "lower(code)"\nnot_null = true\n'
    ),
    ("ALTER TABLE items ALTER COLUMN code TYPE varchar(100)",),
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}", "qty": c % 50},
    up=lambda r, b: {**r, "code": r["code"].upper()},
    down=lambda r, b: {**r, "code": r["code"].lower()},
    desired_for={
        "mysql": ("ALTER TABLE items MODIFY code varchar(100) NOT NULL",),
        "sqlite": _sqlite_rebuild(
            "code varchar(100) NOT NULL, note varchar(200), qty integer NOT NULL DEFAULT 0"
        ),
    },
)

SET_NOT_NULL = Operation(
    "set_not_null",
    op('type = "alter_column"\ncolumn = "note"\nnot_null = true\nup = "coalesce(note, \'-\')"\n'),
    ("ALTER TABLE items ALTER COLUMN note SET NOT NULL",),
    old_values=lambda c: {"code": f"w{c}", "note": None if c % 3 == 0 else f"o{c}", "qty": 1},
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}", "qty": c % 50},
    up=lambda r, b: {**r, "note": r["note"] if r["note"] is not None else "-"},
    down=_same,
    desired_for={
        "mysql": ("ALTER TABLE items MODIFY note varchar(200) NOT NULL",),
        "sqlite": _sqlite_rebuild(
            "code varchar(64) NOT NULL, note varchar(200) NOT NULL, qty integer NOT NULL DEFAULT 0"
        ),
    },
)

ADD_CHECK = Operation(
    "add_check",
    op(
        'type = "add_check"\nname = "items_qty_positive"\ncolumn = "qty"\n'
        'check = "qty >= 0"\nup = "greatest(qty, 0)"\n'
    ),
    ("ALTER TABLE items ADD CONSTRAINT items_qty_positive CHECK (qty >= 0)",),
    old_values=lambda c: {"code": f"w{c}", "note": f"o{c}", "qty": (c % 50) - 10},
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}", "qty": c % 50},
    up=lambda r, b: {**r, "qty": max(r["qty"], 0)},
    down=_same,
    toml_for={
        "sqlite": op(
            'type = "add_check"\nname = "items_qty_positive"\ncolumn = "qty"\n'
            'check = "qty >= 0"\nup = "max(qty, 0)"\n'
        )
    },
    desired_for={
        "sqlite": _sqlite_rebuild(
            "code varchar(64) NOT NULL, note varchar(200), qty integer NOT NULL DEFAULT 0",
            extra=", CONSTRAINT items_qty_positive CHECK (qty >= 0)",
        )
    },
)

ADD_UNIQUE = Operation(
    "add_unique",
    op('type = "add_unique"\nname = "items_code_key"\ncolumns = ["code"]\n'),
    ("ALTER TABLE items ADD CONSTRAINT items_code_key UNIQUE (code)",),
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}", "qty": c % 50},
    up=_same,
    down=_same,
    desired_for={"sqlite": ("CREATE UNIQUE INDEX items_code_key ON items (code)",)},
)

CREATE_INDEX = Operation(
    "create_index",
    op('type = "create_index"\nname = "items_code_idx"\ncolumns = ["code"]\n'),
    ("CREATE INDEX items_code_idx ON items (code)",),
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}", "qty": c % 50},
    up=_same,
    down=_same,
)

_NOTE_INDEX = ("CREATE INDEX items_note_idx ON items (note)",)
DROP_INDEX = Operation(
    "drop_index",
    op('type = "drop_index"\nname = "items_note_idx"\n'),
    ("DROP INDEX items_note_idx",),
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}", "qty": c % 50},
    up=_same,
    down=_same,
    setup_for=dict.fromkeys(BACKENDS, _NOTE_INDEX),
    desired_for={"mysql": ("DROP INDEX items_note_idx ON items",)},
)


def _owners(backend: str) -> tuple[str, ...]:
    return (
        "CREATE TABLE owners (id integer PRIMARY KEY)",
        series(backend, "owners", "id", "g", 0, 99),
    )


ADD_FOREIGN_KEY = Operation(
    "add_foreign_key",
    op(
        'type = "add_foreign_key"\nname = "items_qty_owner"\ncolumns = ["qty"]\n'
        'references = "owners"\nreferenced_columns = ["id"]\n'
    ),
    ("ALTER TABLE items ADD CONSTRAINT items_qty_owner FOREIGN KEY (qty) REFERENCES owners (id)",),
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}", "qty": c % 99},
    up=_same,
    down=_same,
    setup_for={b: _owners(b) for b in BACKENDS},
    desired_for={
        "sqlite": _sqlite_rebuild(
            "code varchar(64) NOT NULL, note varchar(200), qty integer NOT NULL DEFAULT 0",
            extra=", CONSTRAINT items_qty_owner FOREIGN KEY (qty) REFERENCES owners (id)",
        )
    },
)

RENAME_TABLE = Operation(
    "rename_table",
    op('type = "rename_table"\nnew_name = "things"\n'),
    ("ALTER TABLE items RENAME TO things",),
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}", "qty": c % 50},
    up=_same,
    down=_same,
    new_table="things",
)

# Merge two columns into one, and split one into two: composed operations, written with
# functions PostgreSQL and MariaDB share (position, substring … from … for, concat) so
# the same file runs on both.
_COLON = "position(':' in label)"
MERGE_COLUMNS = Operation(
    "merge_columns",
    op(
        'type = "add_column"\ncolumn = "label"\ndata_type = "varchar(300)"\n'
        "up = \"concat(code, ':', note)\"\n"
    )
    + op(
        f'type = "drop_column"\ncolumn = "code"\ndown = "substring(label from 1 for {_COLON} - 1)"\n'
    )
    + op(f'type = "drop_column"\ncolumn = "note"\ndown = "substring(label from {_COLON} + 1)"\n'),
    (
        "ALTER TABLE items ADD COLUMN label varchar(300)",
        "ALTER TABLE items DROP COLUMN code",
        "ALTER TABLE items DROP COLUMN note",
    ),
    new_values=lambda c: {"label": f"N{c}:x{c}", "qty": c % 50},
    up=lambda r, b: {"label": f"{r['code']}:{r['note']}", "qty": r["qty"]},
    down=lambda r, b: dict(zip(("code", "note"), r["label"].split(":"), strict=True), qty=r["qty"]),
    # SQLite cannot drop an indexed column; the others drop the index with it.
    desired_for={
        "sqlite": (
            "DROP INDEX items_code_uq",
            "ALTER TABLE items ADD COLUMN label varchar(300)",
            "ALTER TABLE items DROP COLUMN code",
            "ALTER TABLE items DROP COLUMN note",
        )
    },
    toml_for={
        "sqlite": op(
            'type = "add_column"\ncolumn = "label"\ndata_type = "varchar(300)"\n'
            "up = \"code || ':' || note\"\n"
        )
        + op(
            'type = "drop_column"\ncolumn = "code"\n'
            "down = \"substr(label, 1, instr(label, ':') - 1)\"\n"
        )
        + op(
            'type = "drop_column"\ncolumn = "note"\n'
            "down = \"substr(label, instr(label, ':') + 1)\"\n"
        )
    },
)

_DASH = "position('-' in note)"


def _halves(note: str) -> tuple[str, str]:
    a, dash, b = note.partition("-")
    return (a, b) if dash else (note, "")


SPLIT_COLUMN = Operation(
    "split_column",
    op(
        'type = "add_column"\ncolumn = "note_a"\ndata_type = "varchar(200)"\n'
        f'up = "CASE WHEN {_DASH} > 0 THEN substring(note from 1 for {_DASH} - 1) ELSE note END"\n'
    )
    + op(
        'type = "add_column"\ncolumn = "note_b"\ndata_type = "varchar(200)"\n'
        f"up = \"CASE WHEN {_DASH} > 0 THEN substring(note from {_DASH} + 1) ELSE '' END\"\n"
    )
    + op('type = "drop_column"\ncolumn = "note"\ndown = "concat(note_a, \'-\', note_b)"\n'),
    (
        "ALTER TABLE items ADD COLUMN note_a varchar(200)",
        "ALTER TABLE items ADD COLUMN note_b varchar(200)",
        "ALTER TABLE items DROP COLUMN note",
    ),
    old_values=lambda c: {"code": f"w{c}", "note": f"o{c}-p{c}", "qty": c % 50},
    new_values=lambda c: {"code": f"N{c}", "qty": c % 50, "note_a": f"A{c}", "note_b": f"B{c}"},
    up=lambda r, b: {
        "code": r["code"],
        "qty": r["qty"],
        **dict(zip(("note_a", "note_b"), _halves(r["note"]), strict=True)),
    },
    down=lambda r, b: {
        "code": r["code"],
        "qty": r["qty"],
        "note": f"{r['note_a']}-{r['note_b']}",
    },
    toml_for={
        "sqlite": op(
            'type = "add_column"\ncolumn = "note_a"\ndata_type = "varchar(200)"\n'
            "up = \"CASE WHEN instr(note, '-') > 0 THEN substr(note, 1, instr(note, '-') - 1) "
            'ELSE note END"\n'
        )
        + op(
            'type = "add_column"\ncolumn = "note_b"\ndata_type = "varchar(200)"\n'
            "up = \"CASE WHEN instr(note, '-') > 0 THEN substr(note, instr(note, '-') + 1) "
            "ELSE '' END\"\n"
        )
        + op('type = "drop_column"\ncolumn = "note"\ndown = "note_a || \'-\' || note_b"\n')
    },
)

SPLIT_TABLE = Operation(
    "split_table",
    op(
        'type = "split_table"\nnew_table = "item_notes"\ncolumns = ["note"]\n'
        'key = "id"\nnew_key = "item_id"\n'
    ),
    (
        "CREATE TABLE item_notes (item_id bigint PRIMARY KEY REFERENCES items (id) "
        "ON DELETE CASCADE, note varchar(200))",
        "ALTER TABLE items DROP COLUMN note",
    ),
    # The new version writes items without the moved column; the note a row had stays
    # with it (in item_notes after complete, in items after rollback).
    new_values=lambda c: {"code": f"N{c}", "qty": c % 50},
    up=_same,
    down=lambda r, b: {**r, "note": b["note"] if b else None},
    desired_for={
        "sqlite": (
            "CREATE TABLE item_notes (item_id INTEGER NOT NULL PRIMARY KEY REFERENCES items (id) "
            "ON DELETE CASCADE, note varchar(200))",
            "ALTER TABLE items DROP COLUMN note",
        ),
        # The key under PostgreSQL's name for it (InnoDB would call it item_notes_ibfk_1):
        # the same file gives the same schema on both servers.
        "mysql": (
            "CREATE TABLE item_notes (item_id bigint PRIMARY KEY, note varchar(200), "
            "CONSTRAINT item_notes_item_id_fkey FOREIGN KEY (item_id) REFERENCES items (id) "
            "ON DELETE CASCADE)",
            "ALTER TABLE items DROP COLUMN note",
        ),
    },
    new_completed=lambda r, b: {**r, "note": b["note"] if b else None},
    read_completed=(
        "SELECT i.id, i.code, n.note, i.qty FROM items i LEFT JOIN item_notes n ON n.item_id = i.id"
    ),
)

RAW_SQL = Operation(
    "raw_sql",
    op(
        'type = "raw_sql"\nup = "CREATE TABLE audit (id integer PRIMARY KEY, what varchar(20))"\n'
        'down = "DROP TABLE audit"\n'
    ),
    ("CREATE TABLE audit (id integer PRIMARY KEY, what varchar(20))",),
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}", "qty": c % 50},
    up=_same,
    down=_same,
)

OPERATIONS = {
    o.key: o
    for o in (
        ADD_COLUMN,
        ADD_NULLABLE_COLUMN,
        DROP_COLUMN,
        RENAME_COLUMN,
        ALTER_COLUMN,
        SET_NOT_NULL,
        ADD_CHECK,
        ADD_UNIQUE,
        CREATE_INDEX,
        DROP_INDEX,
        ADD_FOREIGN_KEY,
        RENAME_TABLE,
        MERGE_COLUMNS,
        SPLIT_COLUMN,
        SPLIT_TABLE,
        RAW_SQL,
    )
}

_SQLITE_ROLLBACK = (
    "SQLite applies start straight to the completed shape in one transaction (no two "
    "versions to serve); rollback is refused: the cell asserts the refusal and that the "
    "completed shape stays"
)

#: The cells a backend does not support, each with why. These cells run too: they assert
#: that the CLI refuses with a one-line error and that the catalog is what it was.
UNSUPPORTED: dict[tuple[str, str, str], str] = {
    **{(o, "sqlite", "rollback"): _SQLITE_ROLLBACK for o in OPERATIONS},
}

#: Backends that run their cells without concurrent writers, and why.
NO_LOAD = {
    "sqlite": "an embedded single-writer database upgraded as one process: start runs in "
    "one BEGIN IMMEDIATE transaction, so no two versions ever write at once",
}

#: Where a complete cannot match the desired shape's column order, as documented
#: (docs/online.md, "What alter_column keeps"): the columns that move to the end.
MOVED_TO_END: dict[tuple[str, str], tuple[str, ...]] = {
    ("alter_column", "postgresql"): ("code",),
    ("set_not_null", "postgresql"): ("note",),
}
