"""Where a schema comes from: a live database, a schema.sql, SQLAlchemy metadata, or a
migrations directory.

Everything that is not already a database is materialised on a scratch database of the
target dialect and inspected, so every schema dbshift compares is the catalog's own
spelling of it (no second type system to keep in step with three servers). Scratch
databases: a temporary SQLite file, or a ``dbshift_dev_<random>`` database created on
``dev_url`` and always dropped afterwards.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbshift.connection import (
    connect,
    create_engine,
    mask_url,
    parse_url,
    require_database,
)
from dbshift.errors import ConfigError, MigrationFailed, UsageError
from dbshift.frozen import frozen

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection

    from dbshift.config import Settings
    from dbshift.dialects import Dialect
    from dbshift.direct import Connection as DriverConnection
    from dbshift.model import Schema


@frozen
class Source:
    """A parsed ``--from``/``--to`` argument."""

    kind: str  # "url", "sql", "sqlalchemy", "migrations"
    value: str

    @classmethod
    def parse(cls, spec: str) -> Source:
        if spec.startswith("sqlalchemy:"):
            return cls("sqlalchemy", spec.removeprefix("sqlalchemy:"))
        if "://" in spec:
            return cls("url", spec)
        path = Path(spec)
        if path.is_dir():
            return cls("migrations", spec)
        if spec.endswith(".sql"):
            if not path.is_file():
                raise UsageError(f"{spec}: no such file")
            return cls("sql", spec)
        raise UsageError(
            f"{spec!r} is not a database URL, a .sql file, a migrations directory or "
            "sqlalchemy:module:attribute"
        )

    @property
    def dialect(self) -> Dialect | None:
        if self.kind != "url":
            return None
        from dbshift import direct
        from dbshift.dialects import dialect_for

        # parse_url imports SQLAlchemy, which a URL-to-URL diff does without (dbshift.direct).
        parsed = direct.parse(self.value)
        return parsed.dialect if parsed is not None else dialect_for(parse_url(self.value))


def load(
    source: Source,
    settings: Settings,
    *,
    dialect: Dialect,
    connected: Callable[[], object] | None = None,
    compared_with: str | None = None,
) -> Schema:
    """The schema ``source`` describes, as a ``dialect`` server's catalog spells it.

    ``connected`` is called once the connection it is inspected through is open.
    ``compared_with`` is the URL of the live database the schema will be compared with,
    if any: a scratch database is made with its default collation (MySQL/MariaDB), which
    tables that name none take there, as they would in it."""
    if source.kind == "url":
        return inspect_url(source.value, settings, connected=connected)
    collation = None
    if compared_with is not None and not dialect.database_is_a_file:
        _dev_server(settings, dialect)  # its errors first, before a connection to the URL
        collation = default_collation(compared_with, settings, dialect)
    with scratch_database(settings, dialect, collation=collation) as url:
        if source.kind == "sql":
            _run_sql_file(url, Path(source.value), settings)
        elif source.kind == "sqlalchemy":
            _create_metadata(url, source.value, settings, dialect)
        else:
            _replay(url, Path(source.value), settings)
        return inspect_url(url.render_as_string(hide_password=False), settings, connected=connected)


def inspect_url(
    raw: str, settings: Settings, *, connected: Callable[[], object] | None = None
) -> Schema:
    """The live schema at ``raw``: over a bare driver connection where ``dbshift.direct``
    can open one (no SQLAlchemy import, tuples instead of Row objects), else SQLAlchemy."""
    from dbshift.inspect import Scope, inspect_schema

    exclude = own_tables(settings)
    scope = Scope(schemas=settings.schemas, include=settings.include, exclude=settings.exclude)
    with _opened(raw, settings) as conn:
        if connected is not None:
            connected()
        return inspect_schema(conn, exclude=exclude, scope=scope)


def default_collation(raw: str, settings: Settings, dialect: Dialect) -> str | None:
    """The default collation of the database at ``raw``, which its tables that name none
    take (MySQL/MariaDB); None where databases have none, without connecting."""
    if not dialect.databases_have_a_default_collation:
        return None
    from dbshift.inspect import database_defaults

    with _opened(raw, settings) as conn:
        return database_defaults(conn).collation


@contextmanager
def _opened(raw: str, settings: Settings) -> Iterator[Connection | DriverConnection]:
    """A connection to the database at ``raw``: a bare driver one where ``dbshift.direct``
    can open one (no SQLAlchemy import, tuples instead of Row objects), else SQLAlchemy's."""
    from dbshift import direct

    parsed = direct.parse(raw)
    if parsed is not None and parsed.dialect.url_must_name_database and not parsed.database:
        require_database(parse_url(raw))  # a server, not a schema: say so in one line
    bare = direct.connect(raw, connect_timeout=settings.connect_timeout, busy_timeout=5)
    if bare is not None:
        with bare, bare.errors():
            yield bare
        return
    url = parse_url(raw)
    require_database(url)
    engine = create_engine(url, connect_timeout=settings.connect_timeout, busy_timeout=5)
    try:
        with connect(engine) as conn:
            yield conn
    finally:
        engine.dispose()


#: Alembic's history table. Alembic makes it, the models never hold it: compared with
#: them, a database Alembic migrated would lose it to a DROP TABLE.
ALEMBIC_VERSION_TABLE = "alembic_version"


def for_comparison(settings: Settings, *sides: Source) -> Settings:
    """``settings`` for comparing ``sides``: where one is SQLAlchemy models, without
    Alembic's history table (as Alembic's autogenerate leaves it out)."""
    models = any(side.kind == "sqlalchemy" for side in sides)
    if not models or ALEMBIC_VERSION_TABLE in settings.exclude:
        return settings
    from dataclasses import replace

    return replace(settings, exclude=(*settings.exclude, ALEMBIC_VERSION_TABLE))


def own_tables(settings: Settings) -> tuple[str, ...]:
    """dbshift's own tables, never part of a user's schema (nor of its drift)."""
    from dbshift.runner import table_names

    return table_names.own_tables(settings.history_table)


def uncompared_schemas(raw: str, settings: Settings) -> list[str]:
    """PostgreSQL schemas at ``raw`` holding objects that a comparison of the default
    schema alone (no ``schemas`` configured) leaves out; empty elsewhere."""
    from dbshift import direct
    from dbshift.inspect.realm import other_schemas

    parsed = direct.parse(raw)
    if settings.schemas or parsed is None or not parsed.dialect.has_namespaces:
        return []
    bare = direct.connect(raw, connect_timeout=settings.connect_timeout, busy_timeout=5)
    if bare is None:
        return []
    exclude = own_tables(settings)
    with bare, bare.errors():
        return other_schemas(bare, exclude=exclude)


def _dev_server(settings: Settings, dialect: Dialect) -> str:
    """``dev_url``, where a scratch database of ``dialect`` can be made on it; else the
    one-line error that says why not."""
    if settings.schemas and dialect.databases_are_schemas:
        # The scratch database would be the default one, but the others are named as
        # they are: they would be created (or found) on the dev server as they are.
        raise UsageError(
            f"schemas on {dialect.name} are databases: several of them are compared "
            "between URLs only (a scratch database cannot hold the others)"
        )
    if not settings.dev_url:
        raise ConfigError(
            f"a {dialect.name} dev database is needed to turn this source into a schema: "
            "set dev_url in dbshift.toml, $DBSHIFT_DEV_URL or --dev-url "
            "(dbshift creates and drops a scratch database there)"
        )
    return settings.dev_url


@contextmanager
def scratch_database(
    settings: Settings, dialect: Dialect, *, collation: str | None = None
) -> Iterator[URL]:
    """A fresh, empty database of ``dialect``, dropped on the way out whatever happens;
    MySQL/MariaDB: with ``collation`` as its default, where given (else the server's)."""
    if dialect.database_is_a_file:
        # A file rather than :memory:, which lives only as long as one connection.
        import tempfile

        with tempfile.TemporaryDirectory(prefix="dbshift-dev-") as tmp:
            yield parse_url(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        return
    dev = parse_url(_dev_server(settings, dialect))
    from dbshift.dialects import dialect_for

    if type(dialect_for(dev)) is not type(dialect):
        raise ConfigError(f"dev_url {mask_url(dev)} is not a {dialect.name} server")
    import secrets  # here: 5-10 ms that diffing two URLs does not need

    name = f"dbshift_dev_{secrets.token_hex(6)}"
    admin = create_engine(dev, connect_timeout=settings.connect_timeout, busy_timeout=5)
    try:
        with connect(admin) as conn:
            conn.exec_driver_sql(dialect.create_database_sql(name, collation))
        try:
            yield dev.set(database=name)
        finally:
            with connect(admin) as conn:
                conn.exec_driver_sql(dialect.drop_database_sql(name))
    finally:
        admin.dispose()


@contextmanager
def _connection(url: URL, settings: Settings) -> Iterator[Connection]:
    engine = create_engine(url, connect_timeout=settings.connect_timeout, busy_timeout=5)
    try:
        with connect(engine) as conn:
            yield conn
    finally:
        engine.dispose()


def _run_sql_file(url: URL, path: Path, settings: Settings) -> None:
    from sqlalchemy.exc import DBAPIError

    from dbshift.errors import SplitError
    from dbshift.migrations.splitter import split_sql

    text = path.read_text(encoding="utf-8")
    try:
        from dbshift.dialects import dialect_for

        statements = split_sql(text, dialect_for(url))
    except SplitError as exc:
        raise UsageError(f"{path}:{exc.line}: {exc.message}") from None
    with _connection(url, settings) as conn:
        raw = conn.execution_options(no_parameters=True)
        dialect = dialect_for(url)
        for statement in statements:
            sql = dialect.runnable_form(statement.sql)
            if sql is None:
                continue
            try:
                if statement.copy_data is not None:
                    dialect.copy_in(raw, sql, statement.copy_data)
                else:
                    raw.exec_driver_sql(sql)
            except DBAPIError as exc:
                reason = " ".join(str(exc.orig or exc).split())
                raise MigrationFailed(f"{path}:{statement.line}: {reason}") from None


def _create_metadata(url: URL, target: str, settings: Settings, dialect: Dialect) -> None:
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise UsageError(f"sqlalchemy:{target}: expected sqlalchemy:package.module:attribute")
    import os
    import sys

    if os.getcwd() not in sys.path:  # the project's own modules, as alembic's prepend_sys_path
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import-time failure of user code is one line
        raise UsageError(
            f"sqlalchemy:{target}: cannot import {module_name}: {type(exc).__name__}: {exc}"
        ) from None
    found: Any = module
    for part in attribute.split("."):
        found = getattr(found, part, None)
    metadatas = _metadatas(found)
    if not metadatas:
        raise UsageError(
            f"sqlalchemy:{target}: {attribute} is not a SQLAlchemy MetaData, a declarative "
            "Base or a list of them"
        )
    named = sorted({s for metadata in metadatas for s in _named_schemas(metadata)})
    if named and not dialect.has_namespaces:
        # MySQL: another database on the dev server, outside the scratch one; SQLite: an
        # attached file. Neither is what a scratch database can stand in for.
        raise UsageError(
            f"sqlalchemy:{target}: schema={named[0]!r} (a table in another schema) is not "
            f"supported yet on {dialect.name}"
        )
    with _connection(url, settings) as conn:
        if named:
            _create_schemas(conn, target, named, settings)
        for metadata in metadatas:
            _create_all(conn, metadata, target, dialect)


def _metadatas(found: Any) -> list[Any]:
    """The MetaData objects ``found`` stands for: itself; a declarative Base's, SQLModel's
    or Flask-SQLAlchemy's ``.metadata``; each of a list of them (Alembic's
    ``target_metadata`` may be a list). Empty when it is none of these."""
    from sqlalchemy import MetaData

    if isinstance(found, MetaData):
        return [found]
    inner = getattr(found, "metadata", None)
    if isinstance(inner, MetaData):
        return [inner]
    if isinstance(found, (list, tuple)) and found:
        parts = [_metadatas(item) for item in found]
        if all(parts):
            return [metadata for part in parts for metadata in part]
    return []


def _create_all(conn: Connection, metadata: Any, target: str, dialect: Dialect) -> None:
    """``metadata.create_all()``; what fails is the models' (a type the server lacks, a
    length MySQL needs), said in one line that names them, not an internal error. What
    SQLAlchemy warns of while it builds them (a ``Computed`` made STORED) is one
    ``warning:`` line each, naming the models, not Python's two lines pointing into
    dbshift."""
    import sys
    import warnings

    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    try:
        with warnings.catch_warnings(record=True) as caught:
            metadata.create_all(conn)
        for warning in caught:
            message = " ".join(str(warning.message).split())
            print(
                f"dbshift: warning: sqlalchemy:{target}: {warning.category.__name__}: {message}",
                file=sys.stderr,
            )
    except DBAPIError as exc:
        reason = " ".join(str(exc.orig or exc).split())
        statement = " ".join((exc.statement or "").split())
        if len(statement) > 120:
            statement = statement[:117] + "..."
        raise MigrationFailed(
            f"sqlalchemy:{target}: create_all failed on {dialect.name}: {reason} [{statement}]"
        ) from None
    except SQLAlchemyError as exc:
        reason = " ".join(str(exc).split())
        raise UsageError(
            f"sqlalchemy:{target}: create_all failed on {dialect.name}: "
            f"{type(exc).__name__}: {reason}"
        ) from None


def _named_schemas(metadata: Any) -> list[str]:
    """The schemas ``metadata`` puts objects in besides the default one: its tables',
    and those of the named types (PostgreSQL enums) and sequences its columns use."""
    from sqlalchemy import Sequence

    names: set[str] = set()
    for table in metadata.tables.values():
        if table.schema:
            names.add(table.schema)
        for column in table.columns:
            for owner in (column.type, column.default):
                schema = getattr(owner, "schema", None)
                if isinstance(schema, str) and (
                    owner is column.type or isinstance(owner, Sequence)
                ):
                    names.add(schema)
    return sorted(names)


def _create_schemas(conn: Connection, target: str, named: list[str], settings: Settings) -> None:
    """Create the schemas the models name on the scratch database (``create_all`` does
    not), once each is known to be compared: a table outside the compared schemas would
    otherwise vanish from the plan without a word."""
    from fnmatch import fnmatchcase

    from sqlalchemy.schema import CreateSchema

    default = conn.dialect.default_schema_name or ""
    others = [name for name in named if name != default]  # schema="public" spelled out
    compared = settings.schemas or (default,)
    for name in [*others, default]:
        if not any(fnmatchcase(name, pattern) for pattern in compared):
            wanted = " ".join(f"--schema {s}" for s in [default, *others])
            raise UsageError(
                f"sqlalchemy:{target}: the models use schema {name!r}, which is not compared: "
                f"pass {wanted} (or set schemas in the config)"
            )
    for name in others:
        conn.execute(CreateSchema(name, if_not_exists=True))


def _replay(url: URL, directory: Path, settings: Settings) -> None:
    """Apply every migration in ``directory`` to the scratch database."""
    from dataclasses import replace

    from dbshift.runner.session import QuietReporter, Session

    replay = replace(
        settings, url=url.render_as_string(hide_password=False), migrations_dir=directory
    )
    with Session(replay, QuietReporter()) as session:
        session.migrate(callbacks=False)
