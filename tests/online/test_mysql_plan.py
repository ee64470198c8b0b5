"""Which strategy each operation gets on MySQL, and the SQL pieces the engine composes
(no server needed: the load tests run them; these pin the choices and the quoting)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dbshift.errors import OnlineOperationError, UsageError
from dbshift.online.mysql import sql as my
from dbshift.online.mysql.plan import Column, TablePlan, plan_table
from dbshift.online.read import read_operation

COLUMNS = {
    "id": Column("id", "bigint(20)", False, None, "auto_increment"),
    "code": Column("code", "varchar(64)", False, None, ""),
    "note": Column("note", "varchar(200)", True, None, ""),
    "qty": Column("qty", "int(11)", False, "0", ""),
}


def _plan(*ops: dict[str, Any]) -> TablePlan:
    built = [
        read_operation(o["type"], {"table": "items", **{k: v for k, v in o.items() if k != "type"}})
        for o in ops
    ]
    return plan_table("items", built, dict(COLUMNS), ["id"], "id")


@pytest.mark.parametrize(
    ("op", "shadow"),
    [
        ({"type": "add_column", "column": "tag", "data_type": "int"}, False),
        ({"type": "add_column", "column": "tag", "data_type": "int", "up": "qty"}, True),
        ({"type": "drop_column", "column": "note"}, False),
        ({"type": "drop_column", "column": "qty"}, False),  # has a default
        ({"type": "drop_column", "column": "note", "down": "'x'"}, True),
        ({"type": "rename_column", "column": "note", "new_name": "remark"}, True),
        ({"type": "alter_column", "column": "qty", "data_type": "bigint"}, True),
        ({"type": "create_index", "name": "i", "columns": ["code"]}, False),
        ({"type": "add_unique", "name": "u", "columns": ["code"]}, False),
        ({"type": "drop_index", "name": "i"}, False),
        ({"type": "rename_table", "new_name": "things"}, False),
    ],
)
def test_strategy(op: dict[str, Any], shadow: bool) -> None:
    assert _plan(op).shadow is shadow


def test_in_place_changes_use_the_online_algorithms() -> None:
    plan = _plan(
        {"type": "add_column", "column": "tag", "data_type": "int"},
        {"type": "create_index", "name": "i", "columns": ["code"]},
        {"type": "drop_column", "column": "note"},
    )
    assert plan.start_statements("`d`.`items`") == [
        "ALTER TABLE `d`.`items` ADD COLUMN `tag` int NULL, ALGORITHM=INSTANT",
        "ALTER TABLE `d`.`items` ADD INDEX `i` (`code`), ALGORITHM=INPLACE, LOCK=NONE",
    ]
    assert plan.complete_statements("`d`.`items`") == [
        "ALTER TABLE `d`.`items` DROP COLUMN `note`, ALGORITHM=INSTANT"
    ]
    assert list(plan.new) == ["id", "code", "qty", "tag"]


def test_shadow_maps_both_directions() -> None:
    plan = _plan(
        {
            "type": "alter_column",
            "column": "qty",
            "data_type": "bigint",
            "up": "qty * 10",
            "down": "qty DIV 10",
            "not_null": True,
        },
        {"type": "rename_column", "column": "note", "new_name": "remark"},
        {"type": "add_column", "column": "label", "data_type": "text", "up": "concat(code, 1)"},
        {"type": "drop_column", "column": "code", "down": "label"},
    )
    assert plan.up_exprs() == {
        "id": "`id`",
        "qty": "qty * 10",
        "remark": "`note`",
        "label": "concat(code, 1)",
    }
    assert plan.down_exprs() == {
        "id": "`id`",
        "code": "label",
        "note": "`remark`",
        "qty": "qty DIV 10",
    }
    assert plan.shadow_alter() == [
        "MODIFY COLUMN `qty` bigint NOT NULL DEFAULT 0",  # the default kept: the file omits it
        "RENAME COLUMN `note` TO `remark`",
        "ADD COLUMN `label` text NULL",
        "DROP COLUMN `code`",
    ]


@pytest.mark.parametrize(
    ("ops", "message"),
    [
        (
            [{"type": "create_index", "name": "p", "columns": ["code"], "where": "qty > 0"}],
            "no partial indexes",
        ),
        (
            [
                {"type": "rename_column", "column": "note", "new_name": "remark"},
                {
                    "type": "add_foreign_key",
                    "name": "f",
                    "columns": ["qty"],
                    "references": "owners",
                    "referenced_columns": ["id"],
                },
            ],
            "put it in a migration of its own",
        ),
        (
            [
                {"type": "drop_column", "column": "code"},
                {"type": "rename_column", "column": "note", "new_name": "remark"},
            ],
            "give a down expression",
        ),
        ([{"type": "drop_column", "column": "id", "down": "1"}], "cannot be dropped online"),
    ],
)
def test_refusals_name_the_reason(ops: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _plan(*ops)


def test_an_operation_that_does_not_fit_the_table_is_a_failure_not_a_usage_error() -> None:
    # The file is well formed; the table is not as it expects (exit 1, as on every server).
    with pytest.raises(OnlineOperationError, match="does not exist") as raised:
        _plan({"type": "rename_column", "column": "nope", "new_name": "x"})
    assert not isinstance(raised.value, UsageError) and raised.value.exit_code == 1


def test_triggers_guard_against_writing_back_and_take_keys_from_the_old_table() -> None:
    triggers = my.sync_triggers(
        migration="m",
        source_schema="d_m",
        source_table="items",
        source_columns=["id", "x"],
        target="`d`.`items`",
        key=["id"],
        source_key=["id"],
        exprs={"id": "`id`", "x": "x DIV 10"},
        auto="id",
    )
    names = [name for name, _ in triggers]
    # in the order they are created: delete, update, insert (see sql.sync_triggers)
    assert names == ["_dbshift_m_items_ad", "_dbshift_m_items_au", "_dbshift_m_items_bi"]
    insert = triggers[2][1]
    assert "BEFORE INSERT ON `d_m`.`items`" in insert
    assert "NULLIF(NEW.`id`, 0) AS `id`" in insert
    assert "SET NEW.`id` = LAST_INSERT_ID()" in insert
    assert "IF NOT (@dbshift_sync <=> 'copy' OR @dbshift_sync <=> CAST(NOW(6) AS CHAR))" in insert
    assert "RESIGNAL" in insert


@given(st.text(min_size=1, max_size=80))
def test_identifiers_are_quoted_so_they_round_trip(name: str) -> None:
    quoted = my.q(name)
    assert quoted.startswith("`") and quoted.endswith("`")
    inner = quoted[1:-1]
    assert inner.replace("``", "").count("`") == 0
    assert inner.replace("``", "`") == name


@given(st.text(min_size=1, max_size=200))
def test_generated_names_fit_mysql_and_stay_distinct(name: str) -> None:
    short = my.short(name)
    assert len(short) <= 64
    assert short == name or my.short(name + "x") != short
