"""Every lint rule, one module each; ``RULES`` is the registry.

A new rule is a module here with one ``Rule`` subclass, listed in ``_MODULES``, with its
tests in ``tests/lint/rules/test_<module>.py`` and a section in ``docs/rules.md``.
"""

from __future__ import annotations

import importlib

from dbshift.lint.rule import Rule

_MODULES = (
    "create_index_blocking",
    "drop_table",
    "drop_column",
    "rename_column",
    "rename_table",
    "drop_index",
    "add_column_required",
    "drop_not_null",
    "truncate",
    "drop_partition",
    "delete_without_where",
    "drop_database",
    "column_type_change",
    "prefer_jsonb",
    "prefer_identity",
    "prefer_text",
    "prefer_bigint",
    "prefer_timestamptz",
    "ban_char",
    "identifier_too_long",
    "mysql_algorithm_copy",
    "mysql_add_column_not_instant",
    "sqlite_table_rebuild",
    "drop_index_blocking",
    "reindex_blocking",
    "non_transactional_statement",
    "detach_partition_blocking",
    "domain_check_constraint",
    "table_rewrite_command",
    "transaction_nesting",
    "constraint_validated_at_once",
    "unique_constraint_blocking",
    "set_not_null",
    "add_column_volatile_default",
    "missing_lock_timeout",
    "ddl_with_data_backfill",
    "multiple_alter_actions",
)


def all_rules() -> list[Rule]:
    """One instance of every rule, in registry order."""
    out: list[Rule] = []
    for name in _MODULES:
        module = importlib.import_module(f"dbshift.lint.rules.{name}")
        out.extend(
            value()
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, Rule)
            and value is not Rule
            and value.__module__ == module.__name__
        )
    return out
