"""Schema.table finds what with_table/without_table left, whichever way it looks (key index
on an inspected schema, binary search on one derived by adding or removing tables)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dbshift.model import Column, Schema, Table

NAMES = st.text(alphabet="ab_Z", min_size=1, max_size=3)
KEYS = st.tuples(st.sampled_from([None, "s"]), NAMES)


@given(
    start=st.lists(KEYS, unique=True, max_size=8),
    steps=st.lists(st.tuples(st.booleans(), KEYS), max_size=12),
)
def test_lookups_agree_with_a_plain_dict(
    start: list[tuple[str | None, str]], steps: list[tuple[bool, tuple[str | None, str]]]
) -> None:
    schema = Schema(tables=tuple(Table(name, schema=ns) for ns, name in start))
    expected = {key: Table(key[1], schema=key[0]) for key in start}
    for add, (ns, name) in steps:
        if add:
            table = Table(name, (Column("c", "int"),), schema=ns)
            schema, expected[(ns, name)] = schema.with_table(table), table
        else:
            schema = schema.without_table(name, ns)
            expected.pop((ns, name), None)
        assert schema == Schema(tables=tuple(expected.values()))  # canonical order kept
        for ns_, name_ in [*expected, ("x", "missing"), (None, "missing")]:
            assert schema.table(name_, ns_) == expected.get((ns_, name_))
