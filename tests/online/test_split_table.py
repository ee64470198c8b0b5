"""Split a table into two under load: the old version writes ``items.note``, the new one
writes ``item_notes`` (and items without the column), through start and complete."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbshift.config import Settings
from dbshift.online import service
from tests.conftest import Database
from tests.online.harness import (
    ROWS,
    SETUP,
    TABLE,
    Quiet,
    Worker,
    Write,
    conninfo,
    deal,
    options,
    write_migration,
)

pytestmark = pytest.mark.postgres
NAME = "20261126_split"
VERSION = f"public_{NAME}"
SPLIT = """safety_period = 0
[[operations]]
type = "split_table"
table = "items"
new_table = "item_notes"
columns = ["note"]
key = "id"
new_key = "item_id"
"""


class NewVersionWorker(Worker):
    """Writes an item through the new version's view, then its note into item_notes."""

    def _one(self, conn: psycopg.Connection[Any], rng: random.Random, counter: int) -> None:
        c = self.offset + counter
        roll = rng.random()
        if roll < 0.3 or not self.owned:
            with conn.transaction():
                row = conn.execute(
                    f"INSERT INTO {TABLE} (code) VALUES (%s) RETURNING id", [f"N{c}"]
                ).fetchone()
                assert row is not None
                conn.execute(
                    "INSERT INTO item_notes (item_id, note) VALUES (%s, %s)", [row[0], f"r{c}"]
                )
            self.owned.append(int(row[0]))
            self.writes[int(row[0])] = Write("new", {"note": f"r{c}"})
        elif roll < 0.85:
            target = rng.choice(self.owned)
            conn.execute("UPDATE item_notes SET note = %s WHERE item_id = %s", [f"u{c}", target])
            self.writes[target] = Write("new", {"note": f"u{c}"})
        elif roll < 0.9:
            target = self.owned.pop(rng.randrange(len(self.owned)))
            conn.execute(f"DELETE FROM {TABLE} WHERE id = %s", [target])
            self.writes[target] = Write("new", None)
        else:
            target = rng.choice(self.owned)
            conn.execute(
                f"SELECT i.code, n.note FROM {TABLE} i JOIN item_notes n ON n.item_id = i.id "
                "WHERE i.id = %s",
                [target],
            ).fetchone()


@pytest.mark.parametrize("finish", ["complete", "rollback"])
def test_split_table_under_load(pg_db: Database, tmp_path: Path, finish: str) -> None:
    info = conninfo(pg_db.url)
    with psycopg.connect(info, autocommit=True) as conn:
        conn.execute(SETUP)
    shares = deal(list(range(1, ROWS + 1)), 4)
    old = [
        Worker(
            f"old{i}",
            "old",
            info,
            "public",
            shares[i],
            lambda c: {"code": f"w{c}", "note": f"o{c}"},
            ["code", "note"],
            offset=i * 10**7,
        )
        for i in range(2)
    ]
    new = [
        NewVersionWorker(
            f"new{i}",
            "new",
            info,
            f"{VERSION}, public",
            shares[2 + i],
            lambda c: {},
            [],
            offset=(2 + i) * 10**7,
        )
        for i in range(2)
    ]
    settings = Settings(url=pg_db.url, lock_timeout=30)
    path = write_migration(tmp_path, NAME, SPLIT)
    for w in old:
        w.start()
    time.sleep(0.3)
    assert service.start(path, settings, options(), Quiet()).phase == "active"
    for w in new:
        w.start()
    time.sleep(1.0)
    if finish == "complete":
        for w in old:
            w.finish()
        service.complete(NAME, settings, options(), Quiet(), schema="public", force=False)
        time.sleep(0.3)
        for w in new:
            w.finish()
    else:
        for w in new:
            w.finish()
        service.rollback(NAME, settings, options(), Quiet(), schema="public")
        time.sleep(0.3)
        for w in old:
            w.finish()
    errors = {w.name: w.errors for w in old + new if w.errors}
    assert not errors, errors
    writes: dict[int, Write] = {}
    for w in old + new:
        writes.update(w.writes)
    expected = {i: f"n{i}" for i in range(1, ROWS + 1) if i not in writes}
    for row_id, write in writes.items():
        if write.values is not None:
            expected[row_id] = write.values["note"]
    with psycopg.connect(info, autocommit=True) as conn:
        if finish == "complete":
            rows = conn.execute("SELECT item_id, note FROM item_notes").fetchall()
            columns = conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = 'items'"
            ).fetchall()
            assert ("note",) not in columns
        else:
            rows = conn.execute(f"SELECT id, note FROM {TABLE}").fetchall()
            assert conn.execute("SELECT to_regclass('item_notes')").fetchone() == (None,)
    actual = {int(r[0]): r[1] for r in rows}
    assert set(actual) == set(expected), "rows lost or left behind"
    wrong = {i: (actual[i], expected[i]) for i in expected if actual[i] != expected[i]}
    assert not wrong, f"{len(wrong)} rows differ, e.g. {list(wrong.items())[:3]}"


def test_complete_takes_a_missing_new_row_as_moved_columns_null(
    pg_db: Database, tmp_path: Path
) -> None:
    """The new version may insert into the source without a row in the new table: that
    row agrees when its moved columns are NULL (complete goes on), and a row whose note
    would be lost does not (complete refuses, nothing dropped)."""
    from dbshift.errors import DbshiftError

    info = conninfo(pg_db.url)
    with psycopg.connect(info, autocommit=True) as conn:
        conn.execute(SETUP)
    settings = Settings(url=pg_db.url, lock_timeout=30)
    path = write_migration(tmp_path, NAME, SPLIT)
    assert service.start(path, settings, options(), Quiet()).phase == "active"
    with psycopg.connect(info, autocommit=True) as conn:
        conn.execute(f"SET search_path TO {VERSION}, public")
        row = conn.execute(f"INSERT INTO {TABLE} (code) VALUES ('N1') RETURNING id").fetchone()
        assert row is not None
        conn.execute("SET search_path TO public")
        # A note that only the source holds (the new table's row gone behind the triggers'
        # back) must stop complete.
        conn.execute("DELETE FROM item_notes WHERE item_id = 1")
    with pytest.raises(DbshiftError, match="1 rows where items and item_notes disagree"):
        service.complete(NAME, settings, options(), Quiet(), schema="public", force=False)
    with psycopg.connect(info, autocommit=True) as conn:
        assert conn.execute(f"SELECT note FROM {TABLE} WHERE id = 1").fetchone() == ("n1",)
        conn.execute("INSERT INTO item_notes (item_id, note) VALUES (1, 'n1')")
    service.complete(NAME, settings, options(), Quiet(), schema="public", force=False)
    with psycopg.connect(info, autocommit=True) as conn:
        assert conn.execute(f"SELECT code FROM {TABLE} WHERE id = %s", [row[0]]).fetchone() == (
            "N1",
        )
        assert conn.execute(
            "SELECT count(*) FROM item_notes WHERE item_id = %s", [row[0]]
        ).fetchone() == (0,)
        assert conn.execute("SELECT note FROM item_notes WHERE item_id = 1").fetchone() == ("n1",)
