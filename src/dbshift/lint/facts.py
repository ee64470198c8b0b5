"""What a statement does, in one vocabulary for all three servers.

Rules do not read parser trees. Each dialect's adapter (``lint/parse/``) turns a statement
into ``Action`` facts: "adds column c to t, NOT NULL, default random()". A rule about
dropping a column is then written once for PostgreSQL, MySQL and SQLite, and rules are
dispatched by action kind, so 10,000 statements do not each visit 40 rules.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dbshift.dialects import Dialect


class Act(enum.StrEnum):
    CREATE_TABLE = "create_table"
    DROP_TABLE = "drop_table"
    RENAME_TABLE = "rename_table"
    TRUNCATE = "truncate"
    ADD_COLUMN = "add_column"
    DROP_COLUMN = "drop_column"
    RENAME_COLUMN = "rename_column"
    ALTER_TYPE = "alter_type"
    SET_NOT_NULL = "set_not_null"
    DROP_NOT_NULL = "drop_not_null"
    SET_DEFAULT = "set_default"
    DROP_DEFAULT = "drop_default"
    ADD_CONSTRAINT = "add_constraint"
    VALIDATE_CONSTRAINT = "validate_constraint"
    DROP_CONSTRAINT = "drop_constraint"
    CREATE_INDEX = "create_index"
    DROP_INDEX = "drop_index"
    REINDEX = "reindex"
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    SELECT = "select"
    #: A session setting: ``name`` is the setting (lower case), ``value`` its text.
    SET = "set"
    #: BEGIN / COMMIT / ROLLBACK / SAVEPOINT: ``name`` is the lower-case verb.
    TRANSACTION = "transaction"
    VACUUM = "vacuum"
    CLUSTER = "cluster"
    DROP_DATABASE = "drop_database"
    DROP_SCHEMA = "drop_schema"
    CREATE_DOMAIN = "create_domain"
    ALTER_DOMAIN = "alter_domain"
    ADD_ENUM_VALUE = "add_enum_value"
    ATTACH_PARTITION = "attach_partition"
    DETACH_PARTITION = "detach_partition"
    #: MySQL/MariaDB ALTER TABLE … DROP PARTITION / TRUNCATE PARTITION: ``name`` the
    #: partitions as written, ``value`` "drop" or "truncate".
    DROP_PARTITION = "drop_partition"
    #: MySQL table options (ENGINE, CONVERT TO CHARACTER SET, ...): ``name`` says which.
    TABLE_OPTION = "table_option"
    CREATE_VIEW = "create_view"
    CREATE_ROUTINE = "create_routine"
    CREATE_TRIGGER = "create_trigger"
    #: Anything else the adapter recognised as DDL but has no finer fact for.
    OTHER_DDL = "other_ddl"
    OTHER = "other"


class ConstraintKind(enum.StrEnum):
    PRIMARY_KEY = "primary_key"
    UNIQUE = "unique"
    FOREIGN_KEY = "foreign_key"
    CHECK = "check"
    EXCLUDE = "exclude"
    NOT_NULL = "not_null"


#: Kinds that change data rather than structure.
DATA_ACTS = frozenset({Act.INSERT, Act.UPDATE, Act.DELETE})
#: Kinds that are neither DDL nor data.
NEUTRAL_ACTS = frozenset({Act.SET, Act.TRANSACTION, Act.SELECT, Act.OTHER})


@dataclass(frozen=True)
class ColumnFact:
    """A column as a statement defines it (CREATE TABLE, ADD COLUMN, ALTER TYPE)."""

    name: str
    #: Lower-case type name as written, without arguments: ``varchar``, ``int4``, ``json``.
    type: str | None = None
    #: Type arguments: ``varchar(100)`` gives (100,), ``numeric(10, 2)`` gives (10, 2).
    type_args: tuple[int, ...] = ()
    not_null: bool = False
    #: The default expression's SQL text, if any.
    default: str | None = None
    #: The default is evaluated per row (random(), clock_timestamp(), nextval(), ...).
    volatile_default: bool = False
    #: GENERATED ... STORED (computed and written for every row).
    generated_stored: bool = False
    identity: bool = False
    auto_increment: bool = False
    primary_key: bool = False
    unique: bool = False
    references: bool = False
    #: MySQL column position clause (FIRST / AFTER x).
    positioned: bool = False


@dataclass(frozen=True)
class Action:
    """One thing a statement does. Unused fields stay at their defaults."""

    act: Act
    #: The table acted on (lower-cased unless quoted), without schema.
    table: str | None = None
    #: The column, index, constraint or setting the action names.
    name: str | None = None
    new_name: str | None = None
    column: ColumnFact | None = None
    constraint: ConstraintKind | None = None
    #: PostgreSQL NOT VALID on ADD CONSTRAINT.
    not_valid: bool = False
    #: ADD CONSTRAINT ... USING INDEX (PostgreSQL).
    using_index: bool = False
    concurrently: bool = False
    unique: bool = False
    cascade: bool = False
    #: DELETE/UPDATE with a WHERE clause (or a join that restricts rows).
    has_where: bool = False
    #: SET value, index method, VACUUM option or MySQL table option value.
    value: str | None = None
    #: Tables a foreign key references (ADD CONSTRAINT) or the index is on.
    references: str | None = None
    #: MySQL index kind: fulltext, spatial.
    index_kind: str | None = None
    #: DROP TABLE (MySQL/MariaDB adapter): the database the statement names the table
    #: in, if it names one; None for an unqualified name (the current database).
    schema: str | None = None


@dataclass(frozen=True)
class Stmt:
    """One statement of a file, with where it is and what it does."""

    path: str
    line: int
    sql: str
    dialect: Dialect
    actions: tuple[Action, ...] = ()
    #: MySQL ``ALGORITHM=`` / ``LOCK=`` clauses of an ALTER TABLE, lower case.
    algorithm: str | None = None
    lock: str | None = None
    #: Why the parser rejected the statement; rules do not see such statements.
    error: str | None = None
    #: Rule ids suppressed for this statement by ``-- dbshift:ignore``.
    ignored: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_ddl(self) -> bool:
        return any(a.act not in DATA_ACTS and a.act not in NEUTRAL_ACTS for a in self.actions)

    @property
    def is_data(self) -> bool:
        return any(a.act in DATA_ACTS for a in self.actions)

    def tables(self) -> set[str]:
        return {a.table for a in self.actions if a.table}
