"""The manifest survives a round trip and refuses any edit to what it says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbshift.backup import manifest as mf
from dbshift.errors import ValidationFailed

names = st.text(min_size=1, max_size=20)
tables = st.lists(
    st.builds(mf.TableEntry, names, st.integers(0, 10**12), st.tuples(names)), max_size=5
)
files = st.lists(
    st.builds(
        mf.FileEntry,
        names,
        st.integers(0, 10**12),
        st.text("0123456789abcdef", min_size=64, max_size=64),
    ),
    min_size=1,
    max_size=3,
)
manifests = st.builds(
    mf.Manifest,
    id=names,
    created_at=st.just("2026-12-06T14:05:21+00:00"),
    dbshift_version=st.just("0.1.0"),
    backend=st.sampled_from(["postgresql", "mysql", "sqlite"]),
    server_version=names,
    database=names,
    url=names,
    scope=st.sampled_from(["full", "tables"]),
    reason=st.text(max_size=50),
    history_version=st.text("0123456789", max_size=5),
    applied_versions=st.tuples(names),
    history_tables=st.tuples(names, names),
    tool=names,
    tables=tables.map(tuple),
    files=files.map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(manifest=manifests, data=st.data())
def test_round_trip_and_any_edit_is_refused(
    tmp_path_factory: pytest.TempPathFactory, manifest: mf.Manifest, data: st.DataObject
) -> None:
    directory = tmp_path_factory.mktemp("m")
    manifest.write(directory)
    assert mf.read(directory) == manifest

    body = json.loads((directory / mf.NAME).read_text())
    key = data.draw(st.sampled_from(sorted(k for k in body if k != "checksum")))
    value = body[key]
    body[key] = (
        value + 1
        if isinstance(value, int)
        else []
        if isinstance(value, list) and value
        else {"edited": True}
        if isinstance(value, dict)
        else str(value) + "x"
    )
    (directory / mf.NAME).write_text(json.dumps(body))
    with pytest.raises(ValidationFailed, match="manifest checksum mismatch"):
        mf.read(directory)


def test_missing_and_garbled_manifests(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="missing: not a dbshift backup"):
        mf.read(tmp_path)
    (tmp_path / mf.NAME).write_text("{not json")
    with pytest.raises(ValidationFailed, match="unreadable manifest"):
        mf.read(tmp_path)


def test_row_file_keeps_every_driver_type_exactly(tmp_path: Path) -> None:
    import datetime as dt
    from decimal import Decimal

    from dbshift.backup import rowfile

    row = (
        1,
        "Zoë\n'q' \\ «»",
        b"\x00\xff",
        Decimal("1.50"),
        dt.datetime(2020, 1, 2, 3, 4, 5, 6),
        dt.date(2020, 1, 1),
        dt.time(1, 2, 3),
        dt.timedelta(hours=-5, microseconds=3),
        float("inf"),
        None,
        1.1,
    )
    writer = rowfile.Writer(tmp_path / "rows.jsonl")
    writer.write([row, row[::-1]])
    writer.write([])
    writer.close()
    assert writer.rows == 2 and writer.size == (tmp_path / "rows.jsonl").stat().st_size
    (batch,) = rowfile.read(tmp_path / "rows.jsonl")
    assert batch == [row, row[::-1]]
    assert [type(v) for v in batch[0]] == [type(v) for v in row]
