"""The objects a table is made of, and the objects that stand beside tables.

Plain frozen data, dialect-neutral in shape. Types, default and check expressions are kept
as the server's catalog prints them (``format_type()`` on PostgreSQL, ``COLUMN_TYPE`` on
MySQL, the declared type on SQLite): every desired schema is materialised on a server of
the same dialect and inspected, so both sides of a diff speak the catalog's spelling and
equal schemas compare equal without a second type system.
"""

from __future__ import annotations

from dataclasses import field
from enum import StrEnum

from dbshift.frozen import frozen


class ReferentialAction(StrEnum):
    NO_ACTION = "NO ACTION"
    RESTRICT = "RESTRICT"
    CASCADE = "CASCADE"
    SET_NULL = "SET NULL"
    SET_DEFAULT = "SET DEFAULT"


@frozen
class Identity:
    """An auto-generated key: PostgreSQL identity, MySQL AUTO_INCREMENT, SQLite AUTOINCREMENT.

    ``always`` is PostgreSQL's GENERATED ALWAYS (else BY DEFAULT); the sequence options
    are kept only where the server records them per column (PostgreSQL), and bounds and
    cache only where they differ from the defaults (None).
    """

    always: bool = False
    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cycle: bool = False
    cache: int | None = None
    #: PostgreSQL: the sequence's name where it is not the one the server chooses
    #: (``SEQUENCE NAME``). Written when the column is created, not compared: renaming a
    #: table leaves its identity sequence's name behind.
    sequence: str | None = field(default=None, compare=False)


@frozen
class Generated:
    """A computed column: ``GENERATED ALWAYS AS (expression) STORED|VIRTUAL``."""

    expression: str
    stored: bool = True


@frozen
class Column:
    """A table column; ``type`` and ``default`` as the server's catalog prints them."""

    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    identity: Identity | None = None
    generated: Generated | None = None
    collation: str | None = None
    comment: str | None = None
    #: MySQL ``ON UPDATE`` expression (e.g. ``current_timestamp()``).
    on_update: str | None = None
    #: Left out of ``SELECT *`` (MariaDB 10.3.3+, MySQL 8.0.23+ ``INVISIBLE``).
    invisible: bool = False
    #: MariaDB's column-level ``CHECK (…)`` (a JSON column's automatic ``json_valid(`c`)``
    #: among them): part of the column, named after it, restated by every MODIFY COLUMN
    #: (one that leaves it out drops it) and gone with the column; table-level checks
    #: are ``Table.checks``.
    check: str | None = None


@frozen
class TableOptions:
    """MySQL/MariaDB storage options; None is the database's default (see ``Schema.defaults``).

    The engine is kept relative to the server's default, so a table declared without one
    compares equal on servers whose defaults differ. The collation is inspected always
    (a table left to a latin1 database's default is latin1 wherever it is made again); a
    model that leaves it None asks for the default of the database the statements run on
    (the differ resolves it so). The default character set is the collation's own: each
    collation belongs to exactly one.
    """

    engine: str | None = None
    collation: str | None = None
    #: ``ROW_FORMAT`` as the table declares it (CREATE_OPTIONS' ``row_format=…``: DYNAMIC,
    #: COMPACT, COMPRESSED, …); None where it declares none (the engine's default).
    row_format: str | None = None


@frozen
class Partition:
    """One partition of a MySQL/MariaDB partitioned table (``Table.partitions``).

    ``bound`` is its clause as CREATE TABLE takes it: ``VALUES LESS THAN (2025)``,
    ``VALUES LESS THAN MAXVALUE``, ``VALUES IN ('fr','de')``, ``DEFAULT`` (MariaDB's
    LIST default); None for HASH and KEY partitions, which have none. Its engine is the
    table's. (PostgreSQL partitions are tables: ``Table.partition_of``.)
    """

    name: str
    bound: str | None = None
    comment: str | None = None


@frozen
class PrimaryKey:
    """A table's primary key: its columns in key order, and its name where it has one."""

    columns: tuple[str, ...]
    name: str | None = None
    #: PostgreSQL ``DEFERRABLE [INITIALLY DEFERRED]`` and covering columns (``INCLUDE``).
    deferrable: bool = False
    initially_deferred: bool = False
    include: tuple[str, ...] = ()


@frozen
class UniqueConstraint:
    """A UNIQUE constraint (a unique index not declared as a constraint is an ``Index``)."""

    name: str
    columns: tuple[str, ...]
    deferrable: bool = False
    initially_deferred: bool = False
    #: Covering columns (PostgreSQL 11+ ``INCLUDE``).
    include: tuple[str, ...] = ()
    #: NULLS NOT DISTINCT (PostgreSQL 15+).
    nulls_not_distinct: bool = False


@frozen
class CheckConstraint:
    """A CHECK constraint: ``expression`` is what goes inside ``CHECK ( … )``."""

    name: str
    expression: str
    #: PostgreSQL NOT VALID: enforced for new rows, existing rows not yet checked.
    validated: bool = True
    #: PostgreSQL ``NO INHERIT``: the table's own, not passed on to children.
    no_inherit: bool = False


@frozen
class ExclusionConstraint:
    """A PostgreSQL EXCLUDE constraint, compared as an opaque definition.

    ``definition`` is ``pg_get_constraintdef()``: ``EXCLUDE USING gist (room WITH =, …)``
    with any ``WHERE`` and ``DEFERRABLE`` clauses, ready to follow ``CONSTRAINT name``.
    """

    name: str
    definition: str


@frozen
class ForeignKey:
    """A FOREIGN KEY: ``columns`` reference ``ref_columns`` of ``ref_table``, in order."""

    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    ref_schema: str | None = None
    on_delete: ReferentialAction = ReferentialAction.NO_ACTION
    on_update: ReferentialAction = ReferentialAction.NO_ACTION
    deferrable: bool = False
    initially_deferred: bool = False
    validated: bool = True
    #: PostgreSQL ``MATCH FULL``: a row with some key columns NULL and others not is
    #: refused (the default, MATCH SIMPLE, lets it through).
    match_full: bool = False
    #: PostgreSQL 15+ ``ON DELETE SET NULL|SET DEFAULT (columns)``: only these of
    #: ``columns`` are set (empty: all of them).
    on_delete_columns: tuple[str, ...] = ()
    #: SQLite ``REFERENCES t`` without a column list: ``ref_columns`` are ``t``'s primary
    #: key, which SQLite looks up each time (``pragma_foreign_key_list.to`` is NULL), and
    #: the list is left out when the key is made again. Not compared: the same columns.
    ref_columns_implied: bool = field(default=False, compare=False)


@frozen
class IndexElement:
    """A column (``expression`` is its name) or an expression (``is_expression``)."""

    expression: str
    is_expression: bool = False
    descending: bool = False
    #: None: the server's default for the direction (PostgreSQL NULLS FIRST/LAST).
    nulls_first: bool | None = None
    collation: str | None = None
    opclass: str | None = None
    #: MySQL prefix length: ``KEY (name(10))``.
    length: int | None = None


@frozen
class Index:
    """An index that is not a constraint's: its elements in order, unique or not."""

    name: str
    elements: tuple[IndexElement, ...]
    unique: bool = False
    #: Partial index predicate (PostgreSQL, SQLite).
    where: str | None = None
    #: Access method where the server has several (btree, hash, gin, gist, brin, fulltext…).
    method: str | None = None
    #: Covering columns (PostgreSQL INCLUDE).
    include: tuple[str, ...] = ()
    #: NULLS NOT DISTINCT (PostgreSQL 15+ unique indexes).
    nulls_not_distinct: bool = False
    #: PostgreSQL storage parameters, ``WITH (fillfactor = 70)``: ``name=value`` each, as
    #: the catalog keeps them (``pg_class.reloptions``).
    storage: tuple[str, ...] = ()
    #: MySQL/MariaDB ``COMMENT '…'`` on the index (PostgreSQL's are ``Schema.comments``).
    comment: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(e.expression for e in self.elements if not e.is_expression)


@frozen
class ClientCharset:
    """MySQL/MariaDB: the client character set and connection collation a view, routine or
    trigger was created under (``SET NAMES``). The server keeps them with the object: a
    trigger's or routine's body is parsed again under them each time it runs, and a view's
    literals without an introducer took the connection's character set."""

    #: ``character_set_client``
    charset: str
    #: ``collation_connection`` (its character set is ``character_set_connection``)
    collation: str


@frozen
class View:
    """A view (or a PostgreSQL materialized view): ``definition`` is its query."""

    name: str
    definition: str
    schema: str | None = None
    materialized: bool = False
    comment: str | None = None
    #: Indexes on a materialized view (PostgreSQL).
    indexes: tuple[Index, ...] = ()
    #: Runs with the caller's rights: MySQL ``SQL SECURITY INVOKER``, PostgreSQL 15+
    #: ``security_invoker``. Else the definer's (its owner's on PostgreSQL).
    security_invoker: bool = False
    #: ``WITH CASCADED|LOCAL CHECK OPTION``: "CASCADED" or "LOCAL".
    check_option: str | None = None
    #: MySQL/MariaDB ``ALGORITHM`` (MERGE, TEMPTABLE); None is UNDEFINED.
    algorithm: str | None = None
    #: PostgreSQL ``security_barrier``.
    security_barrier: bool = False
    #: MySQL/MariaDB: the client character set it was created under, where not the
    #: inspecting connection's own (None).
    client: ClientCharset | None = None
    #: What the view reads, as ``dbshift.model.depends.ident`` strings (pg_depend). Not
    #: compared: it orders drops and creates (see ``dbshift.diff.depends``).
    depends_on: tuple[str, ...] = field(default=(), compare=False)
    #: ``CREATE VIEW v (a, b) AS …``: the names the view gives its columns, where its
    #: text says (SQLite keeps the text; the other servers fold them into the query).
    column_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # By name, as a table's are: the catalog returns them in no set order.
        if len(self.indexes) > 1:
            object.__setattr__(self, "indexes", tuple(sorted(self.indexes, key=lambda i: i.name)))


@frozen
class Sequence:
    """A sequence (PostgreSQL, MariaDB): CREATE SEQUENCE, or one OWNED BY a column."""

    name: str
    schema: str | None = None
    type: str = "bigint"
    start: int = 1
    increment: int = 1
    min_value: int | None = None
    max_value: int | None = None
    cycle: bool = False
    cache: int = 1
    #: ``table.column`` for OWNED BY; such sequences come and go with their column.
    owned_by: str | None = None


@frozen
class EnumType:
    """A PostgreSQL enum type (MySQL enum and set live in the column type)."""

    name: str
    values: tuple[str, ...]
    schema: str | None = None


@frozen
class Domain:
    """A PostgreSQL domain, compared as an opaque definition.

    ``definition`` is what follows ``CREATE DOMAIN name``: ``AS`` the base type, then
    ``COLLATE``, ``DEFAULT``, ``NOT NULL`` and the named checks, each as the catalog
    prints it. ``not_valid`` holds the checks added ``NOT VALID`` (``CONSTRAINT name
    CHECK (…) NOT VALID``): CREATE DOMAIN takes no NOT VALID, so they are added after it.
    """

    name: str
    definition: str
    schema: str | None = None
    not_valid: tuple[str, ...] = ()


@frozen
class Routine:
    """A function, procedure or trigger, compared by its normalised definition only.

    ``definition`` is the complete CREATE statement as the server prints it
    (``pg_get_functiondef``, ``SHOW CREATE``, ``sqlite_schema.sql``); ``table`` is set
    for triggers.
    """

    kind: str
    name: str
    definition: str
    schema: str | None = None
    table: str | None = None
    #: PostgreSQL overloads: the argument types that make the name unique.
    signature: str = field(default="")
    #: MySQL/MariaDB: the sql_mode the routine or trigger was created under (it runs
    #: under it, and its body was parsed by it), where that is not the server's global
    #: default (None).
    sql_mode: str | None = None
    #: MySQL/MariaDB: ``definition`` with the parameter list as the CREATE wrote it
    #: (``IN p_id INT``, where ``definition`` has the catalog's ``IN `p_id` int(11)``),
    #: which SHOW CREATE shows: rendered where known, so a made routine shows as the one it
    #: was read from. Not compared: the two spellings declare the same parameters.
    #: For a trigger: its statement from the TRIGGER keyword on as the server kept it
    #: (FOLLOWS taken out), where it names itself and its table unqualified.
    as_written: str | None = field(default=None, compare=False)
    #: MySQL/MariaDB: as for ``View.client``.
    client: ClientCharset | None = None
    #: What it uses, as for ``View.depends_on`` (not compared).
    depends_on: tuple[str, ...] = field(default=(), compare=False)
